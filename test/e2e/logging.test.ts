import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runFluxiCli, tempDir, waitFor, type CliRun } from '@fluxi/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { client, firstError } from './client.js';
import { FluxiApi } from './fluxi-api.js';

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

/** One log level for every process, --silent for the console only, the level changeable at run time. */
describe('log levels across the launcher and its executor process', () => {
  const runs: CliRun[] = [];
  const dirs: { remove(): void }[] = [];

  afterEach(async () => {
    for (const run of runs.splice(0)) {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    for (const dir of dirs.splice(0)) dir.remove();
  });

  async function start(args: string[]): Promise<{ dir: string; api: FluxiApi; run: CliRun }> {
    const dir = tempDir('fluxi-logging-');
    dirs.push(dir);
    const run = runFluxiCli(['--data-dir', dir.path, '--port', '0', ...args]);
    runs.push(run);
    await waitFor(() => run.out.stdout.includes('Press Ctrl-C'), { what: 'Fluxi to start', timeoutMs: 90_000 });
    const url = /GraphQL: (\S+)\/graphql/.exec(run.out.stdout)?.[1] as string;
    const key = /\n\s+(fluxi_\S+)/.exec(run.out.stdout)?.[1] as string;
    return { dir: dir.path, api: new FluxiApi(client(url, key)), run };
  }

  async function runJob(api: FluxiApi, name: string): Promise<void> {
    const run = await api.ended(await api.triggerJob(await api.createJob({ name, command: 'echo hi' })));
    expect(run.status).toBe('SUCCESS');
  }

  it('--silent silences the console only, and the level changes at run time in every process', async () => {
    const { dir, api, run } = await start(['--silent']);
    const executorDebug = join(dir, 'logs', 'executor', 'debug.log');
    await runJob(api, 'before');
    // Nothing but the start lines on the console; the log files are written all the same.
    expect(run.out.stdout.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
    await waitFor(() => read(join(dir, 'logs', 'info.log')).includes('gateway listening'), { what: 'info.log' });
    await waitFor(() => read(join(dir, 'logs', 'executor', 'info.log')).includes('executor ready'), {
      what: 'the executor info.log',
    });
    expect(read(executorDebug)).not.toContain('job taken from the queue');

    const set = await api.gql.request<{ setLogLevel: string }>('mutation { setLogLevel(level: DEBUG) }');
    expect(set.setLogLevel).toBe('DEBUG');
    await waitFor(() => read(join(dir, 'logs', 'executor', 'warn.log')).includes('log level changed'), {
      what: 'the executor to hear the change',
    });
    await runJob(api, 'after');
    await waitFor(() => read(executorDebug).includes('job taken from the queue'), { what: 'executor debug lines' });
    expect(read(join(dir, 'logs', 'debug.log'))).toContain('event applied');

    const bad = await firstError(api.gql.request('mutation { setLogLevel(level: LOUD) }'));
    expect(bad.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('--debug reaches the executor process', async () => {
    const { dir, api } = await start(['--debug', '--set', 'log.console=false']);
    await runJob(api, 'debugged');
    await waitFor(() => read(join(dir, 'logs', 'executor', 'debug.log')).includes('job taken from the queue'), {
      what: 'executor debug lines',
    });
  });
});
