/** Turns "no such file" (or a file where a folder was expected, or a link loop) into undefined; rethrows the rest. */
export function ignoreMissing(error: unknown): undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
  throw error;
}
