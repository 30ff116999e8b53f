import { excerptOf, MAX_EXCERPT } from '../domain/retry.js';

/** What a receiver answered (statusCode null: no answer, see error). */
export interface SendResult {
  statusCode: number | null;
  /** At most 1 KiB of the answer's body. */
  excerpt: string | null;
  error: string | null;
}

/** POSTs one delivery; never throws for what the receiver does (the answer or the failure is the result). */
export type Sender = (
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; signal: AbortSignal },
) => Promise<SendResult>;

/**
 * `fetch` with one deadline for the whole exchange (connect, headers, the first KiB of the body):
 * a receiver that never answers costs `timeoutMs`, and only to its own subscription. Redirects are
 * not followed (a receiver answers where it was subscribed).
 */
export const fetchSender: Sender = async (url, headers, body, { timeoutMs, signal }) => {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Fluxi-Webhooks/1', ...headers },
      body,
      redirect: 'manual',
      signal: deadline,
    });
    return { statusCode: response.status, excerpt: await readExcerpt(response), error: null };
  } catch (error) {
    if (signal.aborted) throw error;
    const timedOut = deadline.aborted;
    return {
      statusCode: null,
      excerpt: null,
      error: timedOut ? `no answer within ${timeoutMs} ms` : describeFailure(error),
    };
  }
};

/** The first KiB of a body; the rest is not read (the connection is cancelled). */
async function readExcerpt(response: Response): Promise<string | null> {
  if (response.body === null) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_EXCERPT * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // A body cut short: keep what came.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = excerptOf(Buffer.concat(chunks).toString('utf8'));
  return text === '' ? null : text;
}

/** The cause a fetch failure hides (`fetch failed` → ECONNREFUSED …), without a stack. */
function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const text = cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
  return String(text).slice(0, 300);
}
