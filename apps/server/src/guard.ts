import { spawn } from 'node:child_process';

/** Seconds a guarded process is given between SIGTERM and SIGKILL once its launcher is gone. */
const GUARD_GRACE_SEC = 3;

/**
 * Stops process `pid` if this process dies without stopping it (even by SIGKILL):
 * a tiny shell reads its standard input, a pipe from this process, which the
 * kernel closes when this process is gone; it then stops `pid`. The shell runs in
 * a process group of its own so that Ctrl-C in a terminal does not end it.
 * `release()` ends the guard once `pid` was stopped in order.
 */
export function guardChild(pid: number): { release(): void } {
  const script = `read -r _; kill -TERM ${pid} 2>/dev/null; sleep ${GUARD_GRACE_SEC}; kill -KILL ${pid} 2>/dev/null`;
  const guard = spawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  guard.on('error', () => undefined);
  guard.stdin?.on('error', () => undefined);
  // Neither the guard nor its pipe keeps this process alive.
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      guard.kill('SIGKILL');
    },
  };
}
