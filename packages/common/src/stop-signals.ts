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

export function listenForStop(options: { onForced?: () => void; alsoOnDisconnect?: boolean } = {}): StopSignals {
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
  return {
    requested: promise,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.off('disconnect', onDisconnect);
    },
  };
}
