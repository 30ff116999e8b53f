import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client of the gateway's `/graphql`, with the API key in the connection params. */
export function liveClient(httpUrl: string, key: string | undefined): Client {
  return createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: key === undefined ? {} : { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: true,
  });
}

export interface Subscribed<T> {
  /** Every `next` payload's data, in order. */
  events: T[];
  /** The errors of a payload, or the error that ended the subscription. */
  errors: unknown[];
  /** Resolves when the server completed the subscription (or it failed). */
  done: Promise<void>;
  /** Ends it from the client side. */
  stop(): void;
}

/** Subscribes and collects until the server completes the subscription. */
export function subscribe<T>(client: Client, query: string, variables: Record<string, unknown>): Subscribed<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  let stop = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    stop = client.subscribe<Record<string, T>>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors !== undefined) errors.push(...value.errors);
          const data = value.data === null || value.data === undefined ? undefined : Object.values(value.data)[0];
          if (data !== undefined) events.push(data);
        },
        error: (error) => {
          errors.push(error);
          resolve();
        },
        complete: () => resolve(),
      },
    );
  });
  return { events, errors, done, stop: () => stop() };
}

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: unknown;
}

/** Reads a Server-Sent Events response to its end (the server ends it) and parses its events. */
export async function readSse(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; contentType: string; events: SseEvent[]; body: string }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(90_000) });
  const body = await response.text();
  const events: SseEvent[] = [];
  for (const block of body.split('\n\n')) {
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) events.push({ id, event, data: JSON.parse(data.join('\n')) });
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', events, body };
}
