/**
 * Listens for SIGINT / SIGTERM from the moment it is called, so that a stop asked for
 * while a process is still starting (or right after it says it is ready) is never
 * lost to Node's default handler, which would kill the process mid-way. The first
 * signal resolves `requested`; a second one exits at once (130) via `onForced`.
 */
export interface StopSignals {
  readonly requested: Promise<NodeJS.Signals | 'disconnect'>;
  /** Removes the listeners (for in-process callers and tests). */
  readonly dispose: () => void;
}

export interface StopSignalOptions {
  onForced?: () => void;
  /** Started by a launcher over IPC: stop when the channel closes. */
  alsoOnDisconnect?: boolean;
  /**
   * Stop when this parent process is gone (checked every second): a launcher killed
   * with SIGKILL may leave the IPC channel open a while, or none was set up.
   */
  parentPid?: number;
}

/** How often the parent's presence is checked. */
const PARENT_CHECK_MS = 1000;

export function listenForStop(options: StopSignalOptions = {}): StopSignals {
  let requested = false;
  let resolveRequested: (why: NodeJS.Signals | 'disconnect') => void = () => undefined;
  const promise = new Promise<NodeJS.Signals | 'disconnect'>((resolve) => (resolveRequested = resolve));
  const onSignal = (why: NodeJS.Signals | 'disconnect') => {
    if (requested) {
      if (why === 'disconnect') return;
      options.onForced?.();
      process.exit(130);
    }
    requested = true;
    resolveRequested(why);
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  // Started by a launcher over IPC: stop when it goes away, even if it could not say so.
  const onDisconnect = () => onSignal('disconnect');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  if (options.alsoOnDisconnect) process.on('disconnect', onDisconnect);
  const parentPid = options.parentPid;
  const parentCheck =
    parentPid === undefined
      ? undefined
      : setInterval(() => {
          if (process.ppid !== parentPid) onDisconnect();
        }, PARENT_CHECK_MS).unref();
  return {
    requested: promise,
    dispose: () => {
      clearInterval(parentCheck);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.off('disconnect', onDisconnect);
    },
  };
}
