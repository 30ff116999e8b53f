import { spawn } from 'node:child_process';

/** Ends a guard that is no longer needed (what it guards was stopped in order). */
export interface GuardHandle {
  release(): void;
}

/**
 * Runs `script` in a tiny detached shell once this process is gone, even after SIGKILL:
 * the shell first reads its standard input, a pipe from this process that the kernel
 * closes when this process dies (start `script` with `read -r _;`). The shell is in a
 * process group of its own, so Ctrl-C in a terminal does not end it; neither it nor its
 * pipe keeps this process alive. `release()` kills it before it acts.
 */
export function spawnExitGuard(script: string): GuardHandle {
  const guard = spawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  guard.on('error', () => undefined);
  guard.stdin?.on('error', () => undefined);
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

/** `text` as one word of a POSIX shell command line (single-quoted). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
