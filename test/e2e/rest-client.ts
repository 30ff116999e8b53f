/** A small REST client for /api/v1 of a running gateway, as a user's script would call it. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers
export type Json = Record<string, any>;

export interface Answer {
  status: number;
  /** The Content-Type header. */
  type: string;
  /** The body as text, to look for what must not be in it. */
  text: string;
  body: Json;
}

/** How long one request may take: a gateway that stops answering fails the test, never hangs it. */
const REQUEST_TIMEOUT_MS = 30_000;

export type Rest = (method: string, path: string, body?: unknown, key?: string) => Promise<Answer>;

/** `rest(method, path, body?, key?)` against `<url>/api/v1`, with `defaultKey` unless another is given. */
export function restClient(url: () => string, defaultKey: () => string): Rest {
  return async (method, path, body, key) => {
    const response = await fetch(`${url()}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key ?? defaultKey()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      text,
      body: text === '' ? {} : (JSON.parse(text) as Json),
    };
  };
}
