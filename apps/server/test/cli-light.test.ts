import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FLUXI_VERSION } from '@fluxi/common';
import { runFluxiCli, tempDir } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A module hook (loaded with `--import`) that refuses every @fluxi package but those `allowed`
// matches: a process that would load more fails with "refused: …".
const hooks = (allowed: string) => `export async function resolve(specifier, context, next) {
  if (/^@fluxi\\//.test(specifier) && !/${allowed}/.test(specifier)) throw new Error('refused: ' + specifier);
  return next(specifier, context);
}
`;
const register = (hooksFile: string) => `import { register } from 'node:module';
register('./${hooksFile}', import.meta.url);
`;

describe('fluxi-server answers --version and --help before loading anything heavy (issue 14)', () => {
  const dir = tempDir('fluxi-cli-light-');
  let env: Record<string, string>;
  let withCommon: Record<string, string>;
  const hooked = (name: string, allowed: string) => {
    writeFileSync(join(dir.path, `${name}-hooks.mjs`), hooks(allowed));
    writeFileSync(join(dir.path, `${name}.mjs`), register(`${name}-hooks.mjs`));
    return { NODE_OPTIONS: `--import ${pathToFileURL(join(dir.path, `${name}.mjs`)).href}` };
  };

  beforeAll(() => {
    env = hooked('version-only', '^@fluxi\\/common\\/version$');
    withCommon = hooked('common-only', '^@fluxi\\/common(\\/version)?$');
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

  it('refuses a bad config value before loading any service', async () => {
    const { out, exited } = runFluxiCli(['--set', 'executor.concurrency=lots'], withCommon);
    expect(await exited).toBe(2);
    expect(out.stderr).toMatch(/executor\.concurrency: /);
    expect(out.stderr).not.toMatch(/refused/);
  });

  it('the config-only hook does refuse what a start loads (so the test above can fail)', async () => {
    const args = ['--data-dir', join(dir.path, 'data'), '--port', '0', '--silent'];
    const { out, exited } = runFluxiCli(args, withCommon);
    expect(await exited).not.toBe(0);
    expect(out.stderr).toMatch(/refused: @fluxi\//);
  });
});
