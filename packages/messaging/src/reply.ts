import type { NatsConnection } from '@nats-io/transport-node';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { FluxiError, type Logger } from '@fluxi/common';
import { decode, encode } from './codec.js';

export interface ServeOptions<Req extends DescMessage, Res extends DescMessage> {
  subject: string;
  request: Req;
  response: Res;
  handler: (request: MessageShape<Req>) => Promise<MessageShape<Res>>;
  logger: Logger;
  /** Queue group, so several instances of a service share the requests. */
  queue?: string;
}

/** Answers requests on a subject with a typed handler. Returns a function that stops serving. */
export function serve<Req extends DescMessage, Res extends DescMessage>(
  nc: NatsConnection,
  options: ServeOptions<Req, Res>,
): () => void {
  const sub = nc.subscribe(options.subject, {
    queue: options.queue ?? options.subject,
    callback: (error, msg) => {
      if (error) {
        options.logger.error({ err: error, subject: options.subject }, 'request subscription failed');
        return;
      }
      void (async () => {
        try {
          const reply = await options.handler(decode(options.request, msg.data));
          msg.respond(encode(options.response, reply));
        } catch (cause) {
          options.logger.error({ err: cause, subject: options.subject }, 'request handler failed');
          // No response: the requester gets a timeout and a clear error rather than a half answer.
        }
      })();
    },
  });
  return () => sub.unsubscribe();
}

/** Sends a typed request and decodes the typed response. */
export async function request<Req extends DescMessage, Res extends DescMessage>(
  nc: NatsConnection,
  subject: string,
  schemas: { request: Req; response: Res },
  message: MessageShape<Req>,
  timeoutMs = 5000,
): Promise<MessageShape<Res>> {
  try {
    const reply = await nc.request(subject, encode(schemas.request, message), { timeout: timeoutMs });
    return decode(schemas.response, reply.data);
  } catch (cause) {
    throw new FluxiError('UNAVAILABLE', `no answer on ${subject}: ${(cause as Error).message}`, { cause });
  }
}
