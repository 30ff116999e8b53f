import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { tempDir } from '@fluxi/testkit';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Answer, Json } from './rest-client.js';

/** The OpenAPI document as committed (docs/openapi.json). */
export const committed = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/openapi.json'), 'utf8')) as Json;

/** A running Fluxi for the REST tests of one file; filled in before the first test. */
export interface RestFluxi {
  system: FluxiSystem;
  url: string;
  adminKey: string;
}

/** Starts one Fluxi (embedded stores, gateway on a free port) before the file's tests and stops it after them. */
export function startRestFluxi(): RestFluxi {
  const dir = tempDir('fluxi-rest-');
  const fluxi = {} as RestFluxi;

  beforeAll(async () => {
    const config = loadConfig({
      flags: { dataDir: dir.path, 'gateway.port': 0, 'log.console': false, 'executor.killGraceSec': 1 },
    });
    fluxi.system = await startFluxi(
      config,
      createLogger({ level: 'warn', console: false, dir: join(dir.path, 'logs') }),
    );
    fluxi.url = fluxi.system.url as string;
    fluxi.adminKey = fluxi.system.adminKey as string;
  });

  afterAll(async () => {
    await fluxi.system?.stop();
    dir.remove();
  });

  return fluxi;
}

export interface RestCalls {
  /** `method path` against /api/v1 with the admin key unless another is given; `null` sends no key. */
  rest(method: string, path: string, body?: unknown, key?: string | null): Promise<Answer>;
  /** The answer's body, after checking its status. */
  ok(method: string, path: string, body?: unknown, status?: number): Promise<Json>;
  /** Every error answer of the tests, to check for stack traces. */
  errors: Array<{ request: string; text: string }>;
}

/**
 * REST calls that send a string body as it is (to send broken JSON) and record every error answer.
 */
export function restCalls(fluxi: RestFluxi): RestCalls {
  const errors: RestCalls['errors'] = [];

  async function rest(method: string, path: string, body?: unknown, key: string | null = fluxi.adminKey) {
    const response = await fetch(`${fluxi.url}/api/v1${path}`, {
      method,
      headers: {
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (response.status >= 400) errors.push({ request: `${method} ${path}`, text });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      text,
      body: text === '' ? {} : (JSON.parse(text) as Json),
    };
  }

  async function ok(method: string, path: string, body?: unknown, status = 200): Promise<Json> {
    const answer = await rest(method, path, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    return answer.body;
  }

  return { rest, ok, errors };
}
