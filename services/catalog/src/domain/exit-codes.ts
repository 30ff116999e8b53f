import { badInput } from '@fluxi/common';

/** Exit codes (0-255, duplicates dropped) whose failure does not fail the run (GitLab `allow_failure: exit_codes`). */
export function validateExitCodes(codes: ReadonlyArray<number> | null | undefined, field: string): number[] {
  if (codes === undefined || codes === null) return [];
  codes.forEach((code, n) => {
    if (!Number.isInteger(code) || code < 0 || code > 255)
      throw badInput(`exit code ${code} is invalid: use 0 to 255`, `${field}[${n}]`);
  });
  return [...new Set(codes)];
}
