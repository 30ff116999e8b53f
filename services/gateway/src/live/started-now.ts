/**
 * `events` with its first event asked for at once. A Repeater starts on its first `next()`;
 * a follow's sources open now instead, while its caller still checks the job run (see
 * liveFollows), and the caller's first `next()` gets that first event.
 */
export function startedNow<T>(events: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  let first: Promise<IteratorResult<T>> | undefined = events.next();
  // The caller's first next() reads it; a follow that failed before then is not an unhandled rejection.
  first.catch(() => undefined);
  const started: AsyncIterableIterator<T> = {
    next: () => {
      const pending = first;
      first = undefined;
      return pending ?? events.next();
    },
    return: (value?: unknown) => {
      first = undefined;
      return events.return?.(value) ?? Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]: () => started,
  };
  return started;
}
