import { waitFor } from '@fluxi/testkit';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothStores } from './fixture.js';
import { restClient, type Answer, type Json } from './rest-client.js';
import { WebhookReceiver, type Received } from './webhook-receiver.js';

/**
 * Notification subscriptions and deliveries through REST (/api/v1/notifications,
 * /api/v1/notification-deliveries): a subscription made by POST against a local receiver
 * (node:http), a run notified and verified with the standardwebhooks library, the delivery in the
 * REST list (paged), redelivered by REST with the same webhook-id; the signing secret shown once and
 * never in a list, a get or the audit log; a reader refused on every write route.
 */
describeOnBothStores(
  'notifications over REST',
  (fluxi) => {
    const receiver = new WebhookReceiver();
    const rest = restClient(
      () => fluxi.system.url as string,
      () => fluxi.system.adminKey as string,
    );
    let readerKey = '';
    let pipelineId = '';
    /** The subscription the runs notify, and its secret as the create answered it. */
    const sub = { id: '', secret: '' };
    let deliveryId = '';
    /** Every signing secret an answer showed, looked for where it must not be. */
    const secrets: string[] = [];

    /** The answer's body, after checking its status. */
    const ok = async (method: string, path: string, body?: unknown, status = 200): Promise<Json> => {
      const answer = await rest(method, path, body);
      expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(status);
      return answer.body;
    };

    const problem = (answer: Answer, status: number, code: string) => {
      expect(answer.status, answer.text).toBe(status);
      expect(answer.type).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ status, code });
    };

    const received = (path: string, count: number): Promise<Received[]> =>
      waitFor(async () => (receiver.at(path).length >= count ? receiver.at(path) : undefined), {
        what: `${count} requests on ${path}`,
        timeoutMs: 30_000,
        intervalMs: 50,
      });

    const runToSuccess = async () => {
      const run = await ok('POST', `/pipelines/${pipelineId}/run`, undefined, 201);
      expect((await fluxi.api.ended(run.id as string)).status).toBe('SUCCESS');
      return run.id as string;
    };

    beforeAll(async () => {
      await receiver.start();
      const user = await fluxi.api.gql.request<Json>(
        'mutation { createUser(input: { name: "nora", role: reader }) { id } }',
      );
      const key = await fluxi.api.gql.request<Json>(
        'mutation ($userId: ID!) { createApiKey(input: { userId: $userId, name: "ro" }) { key } }',
        { userId: user.createUser.id },
      );
      readerKey = key.createApiKey.key;
      const jobId = await fluxi.api.createJob({ name: 'rest-notify', command: 'echo ok' });
      pipelineId = await fluxi.api.createPipeline({
        name: 'rest-notify',
        stages: [{ name: 'only', entries: [{ jobId }] }],
      });
    });

    afterAll(async () => {
      await receiver.stop();
    });

    it('creates a subscription (201, the secret shown once) that lists and gets never show', async () => {
      const created = await ok(
        'POST',
        '/notifications',
        {
          name: 'rest-receiver',
          url: receiver.on('/rest', 200),
          events: ['PIPELINE_RUN_SUCCEEDED'],
          pipelineIds: [pipelineId],
        },
        201,
      );
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(created.subscription).toMatchObject({
        name: 'rest-receiver',
        url: `${receiver.url}/rest`,
        events: ['PIPELINE_RUN_SUCCEEDED'],
        pipelineIds: [pipelineId],
        branches: [],
        format: 'STANDARD',
        enabled: true,
        disabledReason: null,
      });
      sub.id = created.subscription.id;
      sub.secret = created.secret;
      secrets.push(sub.secret);

      for (const key of [fluxi.system.adminKey as string, readerKey]) {
        const list = await rest('GET', '/notifications', undefined, key);
        expect(list.status, list.text).toBe(200);
        expect(list.body).toEqual({ items: [created.subscription], nextCursor: null });
        const one = await rest('GET', `/notifications/${sub.id}`, undefined, key);
        expect(one.body).toEqual(created.subscription);
        for (const answer of [list, one]) {
          expect(answer.text).not.toContain(sub.secret);
          expect(answer.text).not.toContain('whsec_');
        }
      }
    });

    it('lists the delivery of a run (paged by cursor) and redelivers it with the same webhook-id', async () => {
      const runId = await runToSuccess();
      const [first] = await received('/rest', 1);
      const payload = new Webhook(sub.secret).verify(first?.body ?? '', first?.headers ?? {});
      expect(payload).toMatchObject({ type: 'pipeline_run.succeeded', data: { pipelineRunId: runId, pipelineId } });

      const page = await waitFor(
        async () => {
          const answer = await ok('GET', `/notifications/${sub.id}/deliveries`);
          return answer.items[0]?.status === 'DELIVERED' ? answer : undefined;
        },
        { what: 'the delivery DELIVERED in the REST list', timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(page.nextCursor).toBeNull();
      const [delivery] = page.items as Json[];
      expect(delivery).toMatchObject({
        id: first?.headers['webhook-id'],
        subscriptionId: sub.id,
        eventType: 'pipeline_run.succeeded',
        pipelineRunId: runId,
        nextAttemptAt: null,
        deadReason: null,
      });
      expect(JSON.parse(delivery?.payload as string)).toEqual(payload);
      expect(delivery?.attempts).toMatchObject([{ attempt: 1, statusCode: 200, error: null }]);
      deliveryId = delivery?.id as string;

      // A second run: two deliveries, one a page, newest first.
      const secondRun = await runToSuccess();
      await received('/rest', 2);
      const newest = await waitFor(
        async () => {
          const answer = await ok('GET', `/notifications/${sub.id}/deliveries?limit=1`);
          return answer.items[0]?.pipelineRunId === secondRun ? answer : undefined;
        },
        { what: "the second run's delivery first in the list", timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(newest.nextCursor).toEqual(expect.any(String));
      const older = await ok(
        'GET',
        `/notifications/${sub.id}/deliveries?limit=1&cursor=${encodeURIComponent(newest.nextCursor as string)}`,
      );
      expect(older).toMatchObject({ items: [{ id: deliveryId }], nextCursor: null });

      const redelivered = await ok('POST', `/notification-deliveries/${deliveryId}/redeliver`);
      expect(redelivered).toMatchObject({ id: deliveryId, status: 'PENDING', subscriptionId: sub.id });
      const again = (await received('/rest', 3)).at(-1) as Received;
      expect(again.headers['webhook-id']).toBe(deliveryId);
      expect(new Webhook(sub.secret).verify(again.body, again.headers)).toEqual(payload);
      const after = await waitFor(
        async () => {
          const answer = await ok('GET', `/notifications/${sub.id}/deliveries`);
          const found = (answer.items as Json[]).find((item) => item.id === deliveryId);
          return found?.attempts.length === 2 ? found : undefined;
        },
        { what: 'the second attempt in the REST list', timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(after.attempts.map((a: Json) => [a.attempt, a.statusCode])).toEqual([
        [1, 200],
        [2, 200],
      ]);
      expect(after.status).toBe('DELIVERED');
    });

    it('refuses a reader key (403) on every write route, and does nothing', async () => {
      const before = await ok('GET', `/notifications/${sub.id}`);
      const deliveries = receiver.at('/rest').length;
      const writes: Array<[string, string, unknown?]> = [
        ['POST', '/notifications', { name: 'by-reader', url: receiver.on('/reader', 200), events: ['JOB_RUN_FAILED'] }],
        ['PUT', `/notifications/${sub.id}`, { name: 'renamed', url: `${receiver.url}/x`, events: ['JOB_RUN_FAILED'] }],
        ['PATCH', `/notifications/${sub.id}`, { enabled: false }],
        ['DELETE', `/notifications/${sub.id}`],
        ['POST', `/notifications/${sub.id}/disable`],
        ['POST', `/notifications/${sub.id}/enable`],
        ['POST', `/notifications/${sub.id}/rotate-secret`],
        ['POST', `/notification-deliveries/${deliveryId}/redeliver`],
      ];
      for (const [method, path, body] of writes) {
        const answer = await rest(method, path, body, readerKey);
        problem(answer, 403, 'FORBIDDEN');
        expect(answer.text).not.toContain('whsec_');
      }
      expect(await ok('GET', `/notifications/${sub.id}`)).toEqual(before);
      expect((await ok('GET', '/notifications')).items).toHaveLength(1);
      expect(receiver.at('/rest')).toHaveLength(deliveries);
    });

    it('patches, replaces, disables, enables, rotates the secret and deletes', async () => {
      const created = await ok(
        'POST',
        '/notifications',
        {
          name: 'edited',
          url: receiver.on('/edited', 200),
          events: ['PIPELINE_RUN_FAILED'],
          pipelineIds: [pipelineId],
          branches: ['main'],
          format: 'SLACK',
          enabled: false,
        },
        201,
      );
      const id = created.subscription.id as string;
      expect(created.subscription).toMatchObject({ enabled: false, format: 'SLACK', branches: ['main'] });
      expect(await ok('PATCH', `/notifications/${id}`, { events: ['JOB_RUN_FAILED', 'EXECUTOR_LOST'] })).toMatchObject({
        events: ['JOB_RUN_FAILED', 'EXECUTOR_LOST'],
        branches: ['main'],
        format: 'SLACK',
        enabled: false,
      });
      // PUT: the filters and format left out get their defaults; enabled keeps its value.
      expect(
        await ok('PUT', `/notifications/${id}`, {
          name: 'replaced',
          url: `${receiver.url}/edited`,
          events: ['CRITICAL_ERROR'],
        }),
      ).toMatchObject({
        name: 'replaced',
        events: ['CRITICAL_ERROR'],
        pipelineIds: [],
        branches: [],
        format: 'STANDARD',
        enabled: false,
      });
      expect(await ok('POST', `/notifications/${id}/enable`)).toMatchObject({ enabled: true, disabledReason: null });
      expect(await ok('POST', `/notifications/${id}/disable`)).toMatchObject({ enabled: false });

      const rotated = await ok('POST', `/notifications/${id}/rotate-secret`);
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(created.secret);
      expect(rotated.subscription.id).toBe(id);
      secrets.push(created.secret as string, rotated.secret as string);
      const list = await rest('GET', '/notifications');
      for (const secret of secrets) {
        expect(list.text).not.toContain(secret);
      }

      expect((await rest('DELETE', `/notifications/${id}`)).status).toBe(204);
      problem(await rest('GET', `/notifications/${id}`), 404, 'NOT_FOUND');
      problem(await rest('GET', `/notifications/${id}/deliveries`), 404, 'NOT_FOUND');
      problem(await rest('DELETE', `/notifications/${id}`), 404, 'NOT_FOUND');
      problem(await rest('POST', '/notification-deliveries/ND-none/redeliver'), 404, 'NOT_FOUND');
    });

    it('answers bad input as problem+json naming the field', async () => {
      const base = { name: 'bad', url: `${receiver.url}/bad`, events: ['JOB_RUN_FAILED'] };
      const unknownEvent = await rest('POST', '/notifications', { ...base, events: ['JOB_RUN_EXPLODED'] });
      problem(unknownEvent, 400, 'BAD_USER_INPUT');
      expect(unknownEvent.body.field).toBe('events[0]');
      const ftp = await rest('POST', '/notifications', { ...base, url: 'ftp://example.com/hook' });
      expect(ftp.body).toMatchObject({ status: 400, field: 'url' });
      const weak = await rest('POST', '/notifications', { ...base, secret: 'whsec_c2hvcnQ=' });
      expect(weak.body).toMatchObject({ status: 400, field: 'secret' });
      expect(weak.text).not.toContain('c2hvcnQ');
      const extra = await rest('PATCH', `/notifications/${sub.id}`, { colour: 'red' });
      expect(extra.body).toMatchObject({ status: 400, field: 'colour' });
      problem(await rest('GET', `/notifications/${sub.id}/deliveries?limit=0`), 400, 'BAD_USER_INPUT');
    });

    it('audits the REST mutations with their ids, never the secret or the URL', async () => {
      const entries = await waitFor(
        async () => {
          const page = await ok('GET', '/audit?limit=100');
          const items = (page.items as Json[]).filter((entry) => /Notification/.test(entry.action as string));
          // The last mutation of the tests: the create refused for its short secret.
          return items.some((entry) => entry.target === 'bad' && /secret must/.test(entry.details as string))
            ? items
            : undefined;
        },
        { what: 'the notification mutations in the audit log', timeoutMs: 30_000, intervalMs: 200 },
      );
      expect(
        entries.find((entry) => entry.action === 'redeliverNotification' && entry.outcome === 'success'),
      ).toMatchObject({ target: deliveryId });
      const created = entries.find(
        (entry) => entry.action === 'createNotificationSubscription' && entry.target === 'rest-receiver',
      );
      expect(JSON.parse(created?.details as string)).toEqual({ 'input.name': 'rest-receiver' });
      expect(entries.some((entry) => entry.action === 'redeliverNotification' && entry.outcome === 'denied')).toBe(
        true,
      );
      const text = JSON.stringify(entries);
      expect(secrets).toHaveLength(3);
      for (const secret of secrets) expect(text).not.toContain(secret.slice('whsec_'.length));
      expect(text).not.toContain('c2hvcnQ');
      expect(text).not.toContain(receiver.url);
    });
  },
  { 'notifications.backoff.initialMs': 50, 'notifications.backoff.maxMs': 200, 'notifications.pollMs': 100 },
);
