import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, loadConfig, type Logger } from '@fluxi/common';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { tempDir, waitFor } from '@fluxi/testkit';
import { expect } from 'vitest';
import { client } from '../e2e/client.js';
import { FluxiApi, type RunView } from '../e2e/fluxi-api.js';

/**
 * Shared parts of the chaos tests: a Fluxi started as `npm start` would (all services,
 * local nats-server and redis-server under the data dir), a watch on /health, and
 * checks of what a run stored, read from the API as a user would.
 */
export interface ChaosFluxi {
  system: FluxiSystem;
  api: FluxiApi;
  dir: ReturnType<typeof tempDir>;
  logger: Logger;
  stop(): Promise<void>;
}

export async function startChaosFluxi(flags: Record<string, string | number | boolean> = {}): Promise<ChaosFluxi> {
  const dir = tempDir('fluxi-chaos-');
  const config = loadConfig({
    flags: { dataDir: dir.path, 'gateway.port': 0, 'log.console': false, 'executor.concurrency': 4, ...flags },
  });
  const logger = createLogger({ level: 'info', console: false, dir: join(dir.path, 'logs') });
  const system = await startFluxi(config, logger);
  const api = new FluxiApi(client(system.url as string, system.adminKey as string));
  return {
    system,
    api,
    dir,
    logger,
    async stop() {
      await system.stop();
      dir.remove();
    },
  };
}

/** The pid a local server wrote under the data dir (`nats/nats-server.pid`, `redis/redis-server.pid`). */
export function localServerPid(dataDir: string, name: 'nats-server' | 'redis-server'): number {
  return Number(readFileSync(join(dataDir, name === 'nats-server' ? 'nats' : 'redis', `${name}.pid`), 'utf8'));
}

/** A shell command printing `count` numbered lines, one every `everyMs`. */
export function numberedLines(count: number, everyMs: number): string {
  return `i=1; while [ $i -le ${count} ]; do echo "line $i"; i=$((i+1)); sleep ${everyMs / 1000}; done`;
}

export interface HealthWatch {
  /** Stops watching; says whether /health answered non-200 at some point, and when it was 200 again. */
  stop(): Promise<{ sawDown: boolean; firstDownAt?: number; upAgainAt?: number; downBody?: string }>;
}

/**
 * Asks /health every 25 ms in the background, without waiting for the previous
 * answer (a slow answer must not hide a short outage), and records when it first
 * answered non-200 and when it answered 200 again after that.
 */
export function watchHealth(url: string): HealthWatch {
  let running = true;
  const seen: { sawDown: boolean; firstDownAt?: number; upAgainAt?: number; downBody?: string } = { sawDown: false };
  const inFlight = new Set<Promise<void>>();
  const probe = async (): Promise<void> => {
    const askedAt = Date.now();
    let status = 0;
    let body = '';
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
      status = response.status;
      body = await response.text();
    } catch {
      status = 0;
    }
    if (status !== 200 && !seen.sawDown) {
      seen.sawDown = true;
      seen.firstDownAt = askedAt;
      seen.downBody = body;
    }
    if (status === 200 && seen.sawDown && seen.firstDownAt !== undefined && askedAt > seen.firstDownAt) {
      seen.upAgainAt ??= askedAt;
    }
  };
  const timer = setInterval(() => {
    if (!running || inFlight.size >= 40) return;
    const request = probe().finally(() => inFlight.delete(request));
    inFlight.add(request);
  }, 25);
  return {
    async stop() {
      running = false;
      clearInterval(timer);
      await Promise.all(inFlight);
      return seen;
    },
  };
}

/** Waits until /health answers 200 again. */
export function healthy(url: string, timeoutMs = 60_000): Promise<true> {
  return waitFor(async () => (await fetch(`${url}/health`)).status === 200 || undefined, {
    what: '/health to answer 200',
    timeoutMs,
    intervalMs: 100,
  });
}

export interface StoredFigures {
  runsFinished: number;
  runsStuck: number;
  linesPrinted: number;
  linesStored: number;
}

/**
 * Checks every run ended SUCCESS and every job run stored its output exactly once and
 * in order: seq 1..N with no gap or duplicate, and the `expectedLines` texts in order.
 */
export async function expectAllStored(api: FluxiApi, runs: RunView[], expectedLines: string[]): Promise<StoredFigures> {
  const figures: StoredFigures = { runsFinished: 0, runsStuck: 0, linesPrinted: 0, linesStored: 0 };
  for (const run of runs) {
    if (['SUCCESS', 'FAILED', 'CANCELLED'].includes(run.status)) figures.runsFinished += 1;
    else figures.runsStuck += 1;
    expect(run.status).toBe('SUCCESS');
    for (const jobRun of run.jobRuns) {
      // The logs service stores lines shortly after they were printed: wait until they are all there.
      const lines = await waitFor(
        async () => {
          const all = await api.logLines(jobRun.id);
          return all.filter((line) => line.stream === 'STDOUT').length >= expectedLines.length ? all : undefined;
        },
        { what: `the lines of ${jobRun.id}`, timeoutMs: 60_000, intervalMs: 200 },
      ).catch(async () => api.logLines(jobRun.id));
      const seqs = lines.map((line) => line.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      const output = lines.filter((line) => line.stream === 'STDOUT').map((line) => line.text);
      figures.linesPrinted += expectedLines.length;
      figures.linesStored += output.length;
      expect(output).toEqual(expectedLines);
    }
  }
  return figures;
}

/** Prints a chaos test's figures, so CI's output carries them. */
export function report(name: string, figures: Record<string, number | string | boolean | null | undefined>): void {
  const text = Object.entries(figures)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
  process.stdout.write(`chaos: ${name}: ${text}\n`);
}
