/**
 * Calls `tick` every `intervalMs`, never twice at once, until stopped; with
 * `immediately`, a first time at once.
 */
export function startLoop(
  intervalMs: number,
  tick: () => Promise<unknown>,
  onError: (error: unknown) => void,
  options: { immediately?: boolean } = {},
): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const run = () => {
    if (running !== undefined) return;
    running = tick()
      .catch(onError)
      .finally(() => (running = undefined));
  };
  const timer = setInterval(run, intervalMs);
  if (options.immediately === true) run();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
