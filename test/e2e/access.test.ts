import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { tempDir, waitFor } from '@fluxi/testkit';
import { client, firstError } from './client.js';
import { mutationCalls } from './schema-calls.js';

/** Users, roles, API keys, login sessions, failed-authentication limits and the audit log, through the gateway. */
describe('people: users, keys, sessions and the audit log', () => {
  const dir = tempDir('fluxi-access-');
  let system: FluxiSystem;
  let url: string;
  let adminKey: string;
  const PASSWORD = 'correct horse battery staple';

  const gql = (key: string) => client(url, key);
  const admin = () => gql(adminKey);

  async function createUser(name: string, role: string, password?: string): Promise<string> {
    const data = await admin().request<{ createUser: { id: string } }>(
      'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
      { input: { name, role, ...(password ? { password } : {}) } },
    );
    return data.createUser.id;
  }

  async function createKey(userId: string, extra: Record<string, unknown> = {}, by = adminKey) {
    const data = await gql(by).request<{
      createApiKey: { id: string; key: string; prefix: string; expiresAt: string | null };
    }>('mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { id key prefix expiresAt } }', {
      input: { userId, name: 'test', ...extra },
    });
    return data.createApiKey;
  }

  async function me(key: string) {
    return (
      await gql(key).request<{ me: { userId: string; role: string; keyId: string } }>('{ me { userId role keyId } }')
    ).me;
  }

  async function status(key: string): Promise<number> {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { userId } }' }),
    });
    return res.status;
  }

  async function audit(filter: Record<string, unknown>, first = 100) {
    const data = await admin().request<{
      auditEntries: {
        nodes: {
          id: string;
          action: string;
          outcome: string;
          userName: string | null;
          target: string | null;
          details: string;
          address: string | null;
        }[];
        endCursor: string | null;
        hasNextPage: boolean;
      };
    }>(
      'query ($filter: AuditFilter, $first: Int) { auditEntries(filter: $filter, first: $first) { nodes { id action outcome userName target details address } endCursor hasNextPage } }',
      { filter, first },
    );
    return data.auditEntries;
  }

  beforeAll(async () => {
    const config = loadConfig({
      flags: {
        dataDir: dir.path,
        'gateway.port': 0,
        'log.console': false,
        'executor.concurrency': 1,
        'gateway.authFailures.perKey': 3,
        'gateway.authFailures.perAddress': 1000,
      },
    });
    system = await startFluxi(config, createLogger({ level: 'warn', console: false, dir: `${dir.path}/logs` }));
    url = system.url as string;
    adminKey = system.adminKey as string;
  });

  afterAll(async () => {
    await system?.stop();
    dir.remove();
  });

  it('a user and their keys: created, listed with prefix and last use, refused once revoked; writers manage only their own', async () => {
    const writerId = await createUser('wendy', 'writer');
    const key = await createKey(writerId);
    expect(key.key.startsWith(`${key.prefix}_`)).toBe(true);
    expect(await me(key.key)).toMatchObject({ userId: writerId, role: 'writer', keyId: key.id });
    const keys = await admin().request<{ apiKeys: { id: string; prefix: string; lastUsedAt: string | null }[] }>(
      'query ($id: ID) { apiKeys(userId: $id) { id prefix lastUsedAt } }',
      { id: writerId },
    );
    await waitFor(
      async () =>
        (
          await admin().request<{ apiKeys: { lastUsedAt: string | null }[] }>(
            'query ($id: ID) { apiKeys(userId: $id) { lastUsedAt } }',
            { id: writerId },
          )
        ).apiKeys[0]?.lastUsedAt !== null,
      { what: 'the last use of the key', timeoutMs: 10_000 },
    );
    expect(keys.apiKeys).toEqual([expect.objectContaining({ id: key.id, prefix: key.prefix })]);
    expect(JSON.stringify(keys)).not.toContain(key.key);

    // A writer makes keys for themselves, not for others, and manages no users.
    const own = await createKey(writerId, {}, key.key);
    expect(await me(own.key)).toMatchObject({ userId: writerId });
    const adminId = (await me(adminKey)).userId;
    expect(await firstError(createKey(adminId, {}, key.key))).toMatchObject({ code: 'FORBIDDEN' });
    expect(
      await firstError(gql(key.key).request('mutation { createUser(input: { name: "x", role: admin }) { id } }')),
    ).toMatchObject({ code: 'FORBIDDEN' });
    expect(
      await firstError(gql(key.key).request('mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: 'K0' })),
    ).toMatchObject({ code: 'NOT_FOUND' });

    // Revoked: refused at once (the gateway forgets what it cached).
    await gql(key.key).request('mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: own.id });
    expect(await status(own.key)).toBe(401);
    expect(await status(key.key)).toBe(200);
  });

  it("a disabled user's keys are refused until they are enabled again; a deleted user's for good", async () => {
    const id = await createUser('dora', 'reader');
    const key = await createKey(id);
    expect(await status(key.key)).toBe(200);
    const disabled = await admin().request<{ updateUser: { disabled: boolean; disabledAt: string } }>(
      'mutation ($id: ID!) { updateUser(id: $id, input: { disabled: true }) { disabled disabledAt } }',
      { id },
    );
    expect(disabled.updateUser.disabled).toBe(true);
    expect(await status(key.key)).toBe(401);
    await admin().request('mutation ($id: ID!) { updateUser(id: $id, input: { disabled: false }) { id } }', { id });
    expect(await status(key.key)).toBe(200);
    await admin().request('mutation ($id: ID!) { deleteUser(id: $id) }', { id });
    expect(await status(key.key)).toBe(401);
    const users = await admin().request<{ users: { name: string }[] }>('{ users { name } }');
    expect(users.users.map((user) => user.name)).not.toContain('dora');
  });

  it('an expired key is refused from its expiry on; an expiry in the past is refused at its field', async () => {
    const id = await createUser('eve', 'reader');
    const key = await createKey(id, { expiresAt: new Date(Date.now() + 2500).toISOString() });
    expect(key.expiresAt).not.toBeNull();
    expect(await status(key.key)).toBe(200);
    await waitFor(async () => (await status(key.key)) === 401, { what: 'the key to expire', timeoutMs: 40_000 });
    expect(await firstError(createKey(id, { expiresAt: '2001-01-01T00:00:00Z' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.expiresAt',
    });
  });

  it('the last enabled admin cannot be demoted, disabled or deleted; with a second admin it can', async () => {
    const adminId = (await me(adminKey)).userId;
    for (const mutation of [
      'mutation ($id: ID!) { updateUser(id: $id, input: { role: writer }) { id } }',
      'mutation ($id: ID!) { updateUser(id: $id, input: { disabled: true }) { id } }',
      'mutation ($id: ID!) { deleteUser(id: $id) }',
    ]) {
      const error = await firstError(admin().request(mutation, { id: adminId }));
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toMatch(/last admin/);
    }
    const second = await createUser('ada', 'admin');
    const secondKey = await createKey(second);
    await admin().request('mutation ($id: ID!) { updateUser(id: $id, input: { role: writer }) { role } }', {
      id: second,
    });
    expect(await me(secondKey.key)).toMatchObject({ role: 'writer' });
  });

  it('a login opens a session whose token works like a key until logout; wrong passwords are refused alike', async () => {
    await createUser('lou', 'writer', PASSWORD);
    const login = async (name: string, password: string) =>
      fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, password }),
      });
    const ok = await login('lou', PASSWORD);
    expect(ok.status).toBe(200);
    const session = (await ok.json()) as { token: string; expiresAt: string; user: { role: string } };
    expect(session.user.role).toBe('writer');
    expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
    expect((await me(session.token)).keyId).toMatch(/^SE/);

    for (const [name, password] of [
      ['lou', 'wrong password!'],
      ['nobody', PASSWORD],
    ] as const) {
      const refused = await login(name, password);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(await refused.json()).toMatchObject({ code: 'UNAUTHENTICATED', title: 'wrong user name or password' });
    }
    const out = await fetch(`${url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(out.status).toBe(204);
    expect(await status(session.token)).toBe(401);
  });

  it('refused keys are rate-limited per key prefix: 429 with Retry-After, even for the right secret', async () => {
    const id = await createUser('rita', 'reader');
    const key = await createKey(id);
    const wrong = `${key.prefix}_${'A'.repeat(43)}`;
    for (let i = 0; i < 3; i++) expect(await status(wrong)).toBe(401);
    const limited = await fetch(`${url}/api/v1/job-runs/JR0/logs/stream`, {
      headers: { authorization: `Bearer ${key.key}` },
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
    // Another key from the same address is not held back.
    expect(await status(adminKey)).toBe(200);
  });

  it('a reader key is refused every mutation of the schema (generated from introspection)', async () => {
    const id = await createUser('rex', 'reader');
    const reader = await createKey(id);
    const calls = await mutationCalls(url, adminKey);
    expect(calls.length).toBeGreaterThan(20);
    const allowed: string[] = [];
    for (const call of calls) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${reader.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: call.query, variables: call.variables }),
      });
      const body = (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
      if (body.errors?.[0]?.extensions?.code !== 'FORBIDDEN' || body.data != null) allowed.push(call.name);
    }
    expect(allowed).toEqual([]);
  });

  it('audits mutations (success, failure, denied), logins, logouts and refused keys, without secrets; lists by filter and cursor', async () => {
    await admin().request('mutation { setLogLevel(level: WARN) }');
    const duplicate = await firstError(createUser('wendy', 'writer'));
    expect(duplicate.code).toBe('CONFLICT');
    let entries = await audit({}, 500);
    const actions = () => new Set(entries.nodes.map((entry) => `${entry.action}:${entry.outcome}`));
    // Entries reach the catalog through the FLUXI_AUDIT stream: the last ones a moment later.
    await waitFor(
      async () => {
        entries = await audit({}, 500);
        return actions().has('createUser:failure') && actions().has('setLogLevel:success');
      },
      { what: 'the last audit entries', timeoutMs: 10_000 },
    );
    for (const expected of [
      'createUser:success',
      'createUser:failure',
      'createUser:denied',
      'createApiKey:success',
      'revokeApiKey:success',
      'updateUser:success',
      'updateUser:failure',
      'deleteUser:success',
      'setLogLevel:success',
      'auth.login:success',
      'auth.login:denied',
      'auth.logout:success',
      'auth.key_refused:denied',
    ]) {
      expect(actions(), expected).toContain(expected);
    }
    const text = JSON.stringify(entries);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toMatch(/fluxi_K\w+_[\w-]{20,}/);
    const failed = entries.nodes.find((entry) => entry.action === 'createUser' && entry.outcome === 'failure');
    expect(JSON.parse(failed?.details ?? '{}')).toMatchObject({ 'input.name': 'wendy', error: { code: 'CONFLICT' } });
    expect(failed?.userName).toBe('admin');
    expect(failed?.address).toBeTruthy();

    const onlyLogins = await audit({ action: 'auth.login', outcome: 'denied' });
    expect(onlyLogins.nodes.length).toBeGreaterThan(0);
    expect(onlyLogins.nodes.every((entry) => entry.action === 'auth.login' && entry.outcome === 'denied')).toBe(true);

    const page1 = await admin().request<{
      auditEntries: { nodes: { id: string }[]; endCursor: string; hasNextPage: boolean };
    }>('{ auditEntries(first: 2) { nodes { id } endCursor hasNextPage } }');
    expect(page1.auditEntries.hasNextPage).toBe(true);
    const page2 = await admin().request<{ auditEntries: { nodes: { id: string }[] } }>(
      'query ($after: String) { auditEntries(first: 2, after: $after) { nodes { id } } }',
      { after: page1.auditEntries.endCursor },
    );
    expect(page2.auditEntries.nodes.map((n) => n.id)).toEqual(entries.nodes.slice(2, 4).map((n) => n.id));

    const reader = await createKey(await createUser('rhea', 'reader'));
    expect(await firstError(gql(reader.key).request('{ auditEntries { nodes { id } } }'))).toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('no error answer carries a stack trace or a server path', async () => {
    const answers = await Promise.all([
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ job(id: 1) { nope } }' }),
      }),
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: '{ not json',
      }),
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { updateUser(id: "U0", input: {}) { id } }' }),
      }),
      fetch(`${url}/graphql`, { method: 'POST', headers: { authorization: 'Bearer nope' } }),
    ]);
    for (const answer of answers) {
      const text = await answer.text();
      expect(text).toMatch(/error|title/i);
      expect(text).not.toMatch(/stacktrace|\s+at\s+\S+\s+\(|\/work\/|node_modules|\.ts:\d+|\.js:\d+/);
    }
  });
});
