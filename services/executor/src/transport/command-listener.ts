import type { Logger } from '@fluxi/common';
import { ExecutorAction, ExecutorCommandSchema, Streams, Subjects } from '@fluxi/contracts';
import { decode, followStream, type JsMsg, type Nats, type StreamFollower } from '@fluxi/messaging';

/** What an ExecutorCommand acts on. */
export interface Drainable {
  /** Takes nothing new; what runs goes on. */
  drain(): void;
  /** Takes work again. */
  resume(): Promise<void>;
}

/**
 * Reads ExecutorCommand (drain, resume) from the FLUXI_CONTROL stream, as the cancel
 * listener reads cancels, and applies those naming this executor. It starts after what
 * the stream holds: a command is for one process (ids are `host:pid`), and a restarted
 * executor takes work. `applied` runs after each one (the registry's heartbeat).
 */
export async function listenForCommands(options: {
  nats: Nats;
  executorId: string;
  target: Drainable;
  applied: () => void;
  logger: Logger;
}): Promise<StreamFollower> {
  const logger = options.logger.child({ component: 'commands' });
  const handle = (message: JsMsg): void => {
    if (message.subject !== Subjects.executorCommand) return;
    let command;
    try {
      command = decode(ExecutorCommandSchema, message.data);
    } catch (error) {
      logger.warn({ err: error }, 'malformed executor command ignored');
      return;
    }
    if (command.executorId !== options.executorId) return;
    switch (command.action) {
      case ExecutorAction.DRAIN:
        logger.warn({ requestedBy: command.requestedBy }, 'drain asked for: taking no new job');
        options.target.drain();
        options.applied();
        return;
      case ExecutorAction.RESUME:
        logger.warn({ requestedBy: command.requestedBy }, 'resume asked for: taking jobs again');
        void options.target.resume().then(
          () => options.applied(),
          (error: unknown) => logger.error({ err: error }, 'could not resume taking jobs'),
        );
        options.applied();
        return;
      default:
        logger.warn({ action: command.action }, 'unknown executor command ignored');
    }
  };
  return followStream(options.nats, Streams.control.name, handle, logger);
}
