import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Whether `command --version` runs here. A missing tool skips its tests on a developer's machine
 * (the skip names the package to install) and fails in CI, which installs it (scripts/ci-setup.sh).
 */
export function requireTool(command: string, debianPackage: string): boolean {
  const found = spawnSync(command, ['--version'], { encoding: 'utf8' }).status === 0;
  if (!found && process.env.CI !== undefined) {
    throw new Error(`${command} is missing: CI installs it (Debian package ${debianPackage}, scripts/ci-setup.sh)`);
  }
  return found;
}

/** Runs a tool to its end and returns its exit status and what it printed. */
export function run(command: string, args: readonly string[], cwd = ROOT): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
