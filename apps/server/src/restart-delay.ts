/** Pause before the next restart of a supervised process: 0.5 s, doubling, at most 30 s. */
export function restartDelayMs(restartsSoFar: number): number {
  return Math.min(30_000, 500 * 2 ** Math.min(restartsSoFar, 6));
}
