import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FLUXI_VERSION } from '@fluxi/common';
import { runFluxiCli, tempDir } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A module hook (loaded with `--import`) that refuses every @fluxi package but the version:
// a process that would load the services, or the config and logger, fails with "refused: …".
const HOOKS = `export async function resolve(specifier, context, next) {
  if (/^@fluxi\\/(?!common\\/version$)/.test(specifier)) throw new Error('refused: ' + specifier);
  return next(specifier, context);
}
`;
const REGISTER = `import { register } from 'node:module';
register('./hooks.mjs', import.meta.url);
`;

describe('fluxi-server answers --version and --help before loading anything heavy (issue 14)', () => {
  const dir = tempDir('fluxi-cli-light-');
  let env: Record<string, string>;

  beforeAll(() => {
    writeFileSync(join(dir.path, 'hooks.mjs'), HOOKS);
    writeFileSync(join(dir.path, 'register.mjs'), REGISTER);
    env = { NODE_OPTIONS: `--import ${pathToFileURL(join(dir.path, 'register.mjs')).href}` };
  });
  afterAll(() => dir.remove());

  it('prints the version and exits 0 without loading any service', async () => {
    const { out, exited } = runFluxiCli(['--version'], env);
    expect(await exited).toBe(0);
    expect(out.stdout.trim()).toBe(FLUXI_VERSION);
    expect(out.stderr).toBe('');
  });

  it('prints the help and exits 0 without loading any service', async () => {
    const { out, exited } = runFluxiCli(['--help'], env);
    expect(await exited).toBe(0);
    expect(out.stdout).toContain('--target <service>');
    expect(out.stdout).toContain('"scheduler"');
    expect(out.stderr).toBe('');
  });

  it('the hook does refuse what a start loads (so the tests above can fail)', async () => {
    const { out, exited } = runFluxiCli(['--set', 'executor.concurrency=lots'], env);
    expect(await exited).not.toBe(0);
    expect(out.stderr).toMatch(/refused: @fluxi\//);
  });
});
