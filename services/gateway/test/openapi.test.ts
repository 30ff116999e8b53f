import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '@fluxi/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const script = join(root, 'scripts/openapi.mjs');
const committed = join(root, 'docs/openapi.json');

/** `node scripts/openapi.mjs --check`: exit code and output (the gateway's dist is built by npm test). */
async function check(file: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, '--check', '--file', file], { cwd: root });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('the committed OpenAPI document (docs/openapi.json)', () => {
  const dir = tempDir('fluxi-openapi-');
  afterAll(() => dir.remove());

  it('is the one the REST routes generate, and passes Redocly lint (recommended-strict)', async () => {
    const result = await check(committed);
    expect(result.output).toContain('Your API description is valid');
    expect(result.code).toBe(0);
  });

  it('fails the check when it drifted from the routes', async () => {
    const drifted = join(dir.path, 'openapi.json');
    const document = JSON.parse(readFileSync(committed, 'utf8')) as { paths: Record<string, unknown> };
    delete document.paths['/jobs/{id}/copy'];
    writeFileSync(drifted, `${JSON.stringify(document, null, 2)}\n`);
    const result = await check(drifted);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('differs from the document the REST routes generate');
  });

  it('fails the lint on a document the linter refuses', async () => {
    const broken = join(dir.path, 'broken.json');
    copyFileSync(committed, broken);
    const document = JSON.parse(readFileSync(broken, 'utf8')) as { paths: Record<string, Record<string, object>> };
    const get = document.paths['/jobs']?.['get'] as { operationId?: string };
    delete get.operationId;
    writeFileSync(broken, JSON.stringify(document));
    const { code } = await run(
      join(root, 'node_modules/.bin/redocly'),
      ['lint', broken, '--config', join(root, 'redocly.yaml')],
      { cwd: root, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    ).then(
      () => ({ code: 0 }),
      (error: { code?: number }) => ({ code: error.code ?? 1 }),
    );
    expect(code).not.toBe(0);
  });
});
