import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLogger, createLogger, loadConfig, silentLogger, type Logger } from '@fluxi/common';
import {
  ContractVersion,
  create,
  Subjects,
  VerifyApiKeyRequestSchema,
  VerifyApiKeyResponseSchema,
} from '@fluxi/contracts';
import { encodePrincipal, PRINCIPAL_HEADER, type Principal } from '@fluxi/graphql';
import { connectNats, request, type Nats } from '@fluxi/messaging';
import { startNatsServer, tempDir } from '@fluxi/testkit';
import { generateApiKey } from '../src/domain/api-key.js';
import { start, type CatalogService } from '../src/index.js';

const ADMIN: Principal = { userId: 'U-admin', userName: 'admin', role: 'admin', keyId: 'K-admin' };
const REFUSED = 'unknown, revoked or expired API key';
const MALFORMED = 'malformed API key: expected fluxi_<keyId>_<secret>';

/**
 * Issue 7 item 10, over NATS as the gateway asks: only a key that is not
 * `fluxi_<keyId>_<secret>` is "malformed"; a wrong secret, an unknown key id and a
 * revoked key get one answer, and the log (not the client) says which it was.
 */
describe('API key verification over NATS', () => {
  const dir = tempDir('fluxi-catalog-keys-');
  const logDir = join(dir.path, 'logs');
  let natsServer: Awaited<ReturnType<typeof startNatsServer>>;
  let client: Nats;
  let logger: Logger;
  let service: CatalogService | undefined;
  let key: { id: string; key: string };

  const verify = async (plain: string) => {
    const answer = await request(
      client.nc,
      Subjects.apiKeyVerify,
      { request: VerifyApiKeyRequestSchema, response: VerifyApiKeyResponseSchema },
      create(VerifyApiKeyRequestSchema, { version: ContractVersion.CONTRACT_VERSION_1, key: plain }),
    );
    return answer.result;
  };

  /** The answer to a refused key: UNAUTHENTICATED and its message. */
  const refusal = async (plain: string): Promise<string> => {
    const result = await verify(plain);
    expect(result.case).toBe('error');
    if (result.case !== 'error') return '';
    expect(result.value.code).toBe('UNAUTHENTICATED');
    return result.value.message;
  };

  async function admin<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await fetch(`${service?.url ?? ''}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [PRINCIPAL_HEADER]: encodePrincipal(ADMIN) },
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await response.json()) as { data?: T; errors?: unknown[] };
    expect(answer.errors).toBeUndefined();
    return answer.data as T;
  }

  /** Everything the service logged, once its log files are closed. */
  function logged(): string {
    return readdirSync(logDir)
      .map((name) => readFileSync(join(logDir, name), 'utf8'))
      .join('');
  }

  beforeAll(async () => {
    natsServer = await startNatsServer();
    logger = createLogger({ level: 'debug', console: false, dir: logDir });
    service = await start({
      config: loadConfig({ flags: { dataDir: dir.path } }),
      natsUrl: natsServer.url,
      redisUrl: 'redis://unused',
      logger,
    });
    client = await connectNats(natsServer.url, 'catalog-keys-test', silentLogger());
    const { createUser } = await admin<{ createUser: { id: string } }>(
      'mutation { createUser(input: {name: "ci-bot", role: writer}) { id } }',
      {},
    );
    key = (
      await admin<{ createApiKey: { id: string; key: string } }>(
        'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { id key } }',
        { input: { userId: createUser.id, name: 'runner' } },
      )
    ).createApiKey;
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await closeLogger(logger);
    await natsServer?.stop();
    dir.remove();
  });

  it('accepts the key itself', async () => {
    expect(await verify(key.key)).toMatchObject({ case: 'principal', value: { keyId: key.id, userName: 'ci-bot' } });
  });

  it('answers a wrong secret of the right shape as unknown or revoked, not malformed', async () => {
    const otherSecret = generateApiKey().plain.split('_').slice(2).join('_');
    expect(await refusal(`fluxi_${key.id}_${otherSecret}`)).toBe(REFUSED);
    expect(await refusal(`fluxi_${key.id}_wrong`)).toBe(REFUSED);
    expect(await refusal(`fluxi_${key.id}_${'a'.repeat(44)}=`)).toBe(REFUSED);
  });

  it('answers an unknown key id the same way', async () => {
    expect(await refusal(generateApiKey().plain)).toBe(REFUSED);
    expect(await refusal('fluxi_K123_secret')).toBe(REFUSED);
  });

  it('answers only a key without the fluxi_<keyId>_<secret> shape as malformed', async () => {
    for (const plain of ['not-a-key', 'fluxi_nope', `fluxi_${key.id}_`, `Bearer ${key.key}`, key.id]) {
      expect(await refusal(plain)).toBe(MALFORMED);
    }
  });

  it('answers a revoked key the same way as an unknown one', async () => {
    await admin('mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: key.id });
    expect(await refusal(key.key)).toBe(REFUSED);
  });

  it('logs the precise cause with the key id, never the secret', async () => {
    await service?.stop();
    service = undefined;
    await closeLogger(logger);
    const refusals = logged()
      .split('\n')
      .filter((line) => line.includes('refused an API key'))
      .map((line) => JSON.parse(line) as { level: number; keyId?: string; cause: string });
    const causes = (keyId: string) => refusals.filter((line) => line.keyId === keyId).map((line) => line.cause);
    expect(causes(key.id)).toEqual(['wrong secret', 'wrong secret', 'wrong secret', 'revoked']);
    expect(causes('K123')).toEqual(['unknown key id']);
    expect(refusals.filter((line) => line.cause === 'malformed')).toHaveLength(5);
    // A key id that exists is worth an info line; the rest is debug noise.
    expect(refusals.filter((line) => line.level >= 30).map((line) => line.cause)).toEqual([
      'wrong secret',
      'wrong secret',
      'wrong secret',
      'revoked',
    ]);
    const secret = key.key.slice(`fluxi_${key.id}_`.length);
    expect(logged()).not.toContain(secret);
  });
});
