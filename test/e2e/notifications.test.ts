import { waitFor } from '@fluxi/testkit';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothStores } from './fixture.js';
import { WebhookReceiver, type Received } from './webhook-receiver.js';

/**
 * Outgoing webhooks end to end: subscriptions made through the gateway, runs that fail and succeed,
 * a local receiver (node:http) that answers 200, 500 then 200, always 500, or never; signatures
 * checked with the `standardwebhooks` library (a verifier that is not ours).
 */
interface Delivery {
  id: string;
  eventType: string;
  pipelineRunId: string | null;
  payload: string;
  status: string;
  deadReason: string | null;
  attempts: Array<{
    attempt: number;
    statusCode: number | null;
    durationMs: number;
    responseExcerpt: string | null;
    error: string | null;
  }>;
}

const DELIVERY = `id eventType pipelineRunId payload status deadReason
  attempts { attempt statusCode durationMs responseExcerpt error }`;

describeOnBothStores(
  'notifications',
  (fluxi) => {
    const receiver = new WebhookReceiver();
    const pipelines = { failing: '', passing: '', slow: '' };
    const subs: Record<string, { id: string; secret: string }> = {};

    const subscribe = async (
      name: string,
      path: string,
      behaviour: Parameters<WebhookReceiver['on']>[1],
      events: string[],
      pipelineId: string,
    ) => {
      const data = await fluxi.api.gql.request<{
        createNotificationSubscription: { subscription: { id: string }; secret: string };
      }>(
        `mutation ($input: CreateNotificationSubscriptionInput!) {
          createNotificationSubscription(input: $input) { subscription { id } secret } }`,
        { input: { name, url: receiver.on(path, behaviour), events, pipelineIds: [pipelineId] } },
      );
      subs[name] = {
        id: data.createNotificationSubscription.subscription.id,
        secret: data.createNotificationSubscription.secret,
      };
    };

    const deliveries = async (name: string): Promise<Delivery[]> =>
      (
        await fluxi.api.gql.request<{ notificationDeliveries: { nodes: Delivery[] } }>(
          `query ($id: ID!) { notificationDeliveries(subscriptionId: $id, first: 50) { nodes { ${DELIVERY} } } }`,
          { id: subs[name]?.id },
        )
      ).notificationDeliveries.nodes;

    const subscription = async (name: string) =>
      (
        await fluxi.api.gql.request<{ notificationSubscription: { enabled: boolean; disabledReason: string | null } }>(
          'query ($id: ID!) { notificationSubscription(id: $id) { enabled disabledReason } }',
          { id: subs[name]?.id },
        )
      ).notificationSubscription;

    const received = (path: string, count: number): Promise<Received[]> =>
      waitFor(async () => (receiver.at(path).length >= count ? receiver.at(path) : undefined), {
        what: `${count} requests on ${path}`,
        timeoutMs: 30_000,
        intervalMs: 50,
      });

    const verified = (name: string, request: Received): Record<string, unknown> =>
      new Webhook(subs[name]?.secret as string).verify(request.body, request.headers) as Record<string, unknown>;

    beforeAll(async () => {
      await receiver.start();
      const fail = await fluxi.api.createJob({ name: 'notify-fail', command: 'exit 3' });
      const pass = await fluxi.api.createJob({ name: 'notify-pass', command: 'echo ok' });
      const pipeline = (name: string, jobId: string) =>
        fluxi.api.createPipeline({ name, stages: [{ name: 'only', entries: [{ jobId }] }] });
      pipelines.failing = await pipeline('notify-failing', fail);
      pipelines.passing = await pipeline('notify-passing', pass);
      pipelines.slow = await pipeline('notify-slow-receiver', pass);
      await subscribe('standard', '/standard', 200, ['PIPELINE_RUN_FAILED', 'JOB_RUN_FAILED'], pipelines.failing);
      await subscribe('flaky', '/flaky', [500, 500, 200], ['PIPELINE_RUN_SUCCEEDED'], pipelines.passing);
      await subscribe('dead', '/dead', 500, ['PIPELINE_RUN_SUCCEEDED'], pipelines.passing);
      await subscribe('hanging', '/hanging', 'hang', ['PIPELINE_RUN_SUCCEEDED'], pipelines.slow);
      await subscribe('beside', '/beside', 200, ['PIPELINE_RUN_SUCCEEDED'], pipelines.slow);
    });

    afterAll(async () => {
      await receiver.stop();
    });

    it('answers the secret once and lists subscriptions without it', async () => {
      expect(subs['standard']?.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      const listed = await fluxi.api.gql.request<{ notificationSubscriptions: Array<Record<string, unknown>> }>(
        '{ notificationSubscriptions { id name url events pipelineIds enabled } }',
      );
      expect(JSON.stringify(listed)).not.toContain('whsec_');
      expect(listed.notificationSubscriptions.find((s) => s['id'] === subs['standard']?.id)).toMatchObject({
        events: ['PIPELINE_RUN_FAILED', 'JOB_RUN_FAILED'],
        pipelineIds: [pipelines.failing],
        enabled: true,
      });
    });

    it('notifies a failed run, signed so that a Standard Webhooks library verifies it', async () => {
      const run = await fluxi.api.trigger(pipelines.failing);
      expect((await fluxi.api.ended(run.id)).status).toBe('FAILED');
      const requests = await received('/standard', 2);
      const payloads = requests.map((request) => verified('standard', request));
      const failed = payloads.find((p) => p['type'] === 'pipeline_run.failed');
      expect(failed).toMatchObject({
        version: 1,
        data: {
          pipelineRunId: run.id,
          pipelineId: pipelines.failing,
          pipelineName: 'notify-failing',
          status: 'FAILED',
        },
      });
      expect((failed?.['data'] as { failedJobRuns: string[] }).failedJobRuns).toHaveLength(1);
      expect(payloads.find((p) => p['type'] === 'job_run.failed')).toMatchObject({
        data: { pipelineRunId: run.id, jobRun: { exitCode: 3, failureClass: 'JOB' } },
      });
      // Another secret does not verify it.
      const other = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
      expect(() => new Webhook(other).verify(requests[0]?.body ?? '', requests[0]?.headers ?? {})).toThrow();
    });

    it('retries a receiver that answers 500 twice, and logs the three attempts', async () => {
      const run = await fluxi.api.trigger(pipelines.passing);
      expect((await fluxi.api.ended(run.id)).status).toBe('SUCCESS');
      const [delivery] = await waitFor(
        async () => {
          const found = await deliveries('flaky');
          return found[0]?.status === 'DELIVERED' ? found : undefined;
        },
        { what: 'the flaky receiver to get its notification', timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(delivery?.attempts.map((a) => [a.attempt, a.statusCode])).toEqual([
        [1, 500],
        [2, 500],
        [3, 200],
      ]);
      expect(delivery?.attempts[0]?.responseExcerpt).toBe('answer 500 to request 1');
      const ids = receiver.at('/flaky').map((request) => request.headers['webhook-id']);
      expect(ids).toEqual([delivery?.id, delivery?.id, delivery?.id]);
      expect(verified('flaky', receiver.at('/flaky')[2] as Received)).toMatchObject({ type: 'pipeline_run.succeeded' });
      expect(await subscription('flaky')).toMatchObject({ enabled: true, disabledReason: null });
    });

    it('disables a subscription after failures in a row, with the reason', async () => {
      const found = await waitFor(
        async () => {
          const sub = await subscription('dead');
          return sub.enabled ? undefined : sub;
        },
        { what: 'the failing subscription to be disabled', timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(found.disabledReason).toBe('disabled after 3 failed delivery attempts in a row (last: HTTP 500)');
      const [delivery] = await deliveries('dead');
      expect(delivery?.status).toBe('DEAD');
      expect(delivery?.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500]);
    });

    it('redelivers a delivery as a new attempt with the same webhook-id', async () => {
      const before = receiver.at('/standard').length;
      const [delivery] = await deliveries('standard');
      const redelivered = await fluxi.api.gql.request<{ redeliverNotification: Delivery }>(
        `mutation ($id: ID!) { redeliverNotification(deliveryId: $id) { ${DELIVERY} } }`,
        { id: delivery?.id },
      );
      expect(redelivered.redeliverNotification.status).toBe('PENDING');
      const requests = await received('/standard', before + 1);
      const again = requests.at(-1) as Received;
      expect(again.headers['webhook-id']).toBe(delivery?.id);
      expect(verified('standard', again)).toEqual(JSON.parse(delivery?.payload ?? '{}'));
      const after = await waitFor(
        async () => {
          const found = (await deliveries('standard')).find((d) => d.id === delivery?.id);
          return found?.attempts.length === 2 ? found : undefined;
        },
        { what: 'the second attempt in the log', timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(after.attempts.map((a) => [a.attempt, a.statusCode])).toEqual([
        [1, 200],
        [2, 200],
      ]);
    });

    it('a receiver that never answers delays neither the next run nor the other subscription', async () => {
      const first = await fluxi.api.trigger(pipelines.slow);
      expect((await fluxi.api.ended(first.id)).status).toBe('SUCCESS');
      await received('/hanging', 1);
      const second = await fluxi.api.trigger(pipelines.slow);
      expect((await fluxi.api.ended(second.id)).status).toBe('SUCCESS');
      const beside = await received('/beside', 2);
      const runs = beside.map(
        (request) => (verified('beside', request)['data'] as { pipelineRunId: string }).pipelineRunId,
      );
      expect(runs.sort()).toEqual([first.id, second.id].sort());
      // The first notification to the hanging receiver is still waiting for its answer (timeout 60 s).
      expect(receiver.hanging).toBe(1);
      expect(receiver.at('/hanging')).toHaveLength(1);
    });
  },
  {
    'notifications.maxAttempts': 3,
    'notifications.backoff.initialMs': 50,
    'notifications.backoff.maxMs': 200,
    'notifications.disableAfterFailures': 3,
    'notifications.timeoutMs': 60_000,
    'notifications.pollMs': 100,
  },
);
