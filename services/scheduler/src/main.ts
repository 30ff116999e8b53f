import 'reflect-metadata';
import { serviceRegistry, type RunningService, type ServiceOptions } from '@fluxi/common';
import { embeddedDatabaseDir, openDatabase } from '@fluxi/db';
import { connectNats } from '@fluxi/messaging';
import { RunQueries } from './engine/queries.js';
import { tracingEnabled } from '@fluxi/telemetry';
import { RunEngine } from './engine/run-engine.js';
import { Closers } from './lifecycle.js';
import { RunStore } from './store/run-store.js';
import { startHttp } from './transport/http/server.js';
import { NatsCatalogClient } from './transport/nats/catalog-client.js';
import { serveContextResolution } from './transport/nats/contexts-responder.js';
import { serveJobRunLookup } from './transport/nats/jobrun-responder.js';
import { serveWebhookDeliveries } from './transport/nats/webhook-delivery-responder.js';
import { WebhookDeliveryStore } from './store/webhook-deliveries.js';
import { serveTrigger } from './transport/nats/trigger-responder.js';
import { startScheduleFiring } from './schedule-firing.js';
import { startEventsConsumer } from './transport/nats/events-consumer.js';
import { startRunSpanExporter } from './transport/tracing/run-span-exporter.js';
import { RunTraces } from './transport/tracing/run-tracing.js';
import { TraceStore } from './store/trace-store.js';
import { NatsExecutorControl } from './transport/nats/executor-control.js';
import { startTimeoutLoop } from './engine/systems/timeouts.js';
import { BullExecuteQueue } from './transport/queue/execute-queue.js';
import { armingCounters, RedisArmedHandOvers } from './transport/queue/armed-hand-overs.js';
import { QueueAttemptHolders } from './transport/queue/attempt-holders.js';
import { StreamFinishEvents } from './transport/nats/finish-events.js';
import { ExecutorDirectory } from './transport/nats/executor-directory.js';
import { StreamStartedEvents } from './transport/nats/started-events.js';
import { executorPools } from './transport/nats/pool-executors.js';
import { createRedisClient } from '@fluxi/messaging';
import { natsHealthCheck, redisHealthCheck } from '@fluxi/messaging';
import { artifactStore } from '@fluxi/artifacts';
import { RetentionSystem } from './engine/systems/retention.js';
import { jetStreamPublisher, RunEventRelay } from './transport/nats/run-event-relay.js';
import { RunStatsStore } from './store/stats-store.js';
import { followRunEventsForMetrics } from './transport/metrics/run-event-follower.js';
import { RunEventMetrics } from './transport/metrics/run-event-metrics.js';
import { registerSchedulerGauges } from './transport/metrics/scheduler-metrics.js';
import { startNotifications } from './notifications/index.js';

export const SERVICE_NAME = 'scheduler';

/** How often QUEUED job runs missing from the executor queue are looked for (besides at start). */
const RECOVERY_INTERVAL_MS = 30_000;
/** How often runs past their deadline are looked for. */
const TIMEOUT_INTERVAL_MS = 1000;

/**
 * Starts the scheduler: its store (PostgreSQL or embedded PGlite), the executor queue,
 * the run engine, the JetStream consumer of job run events, and the GraphQL subgraph.
 */
export async function start(options: ServiceOptions): Promise<RunningService> {
  const { config } = options;
  const logger = options.logger.child({ service: SERVICE_NAME });
  const closers = new Closers(logger);
  try {
    const db = await openDatabase({
      url: config.database.url,
      embeddedDir: embeddedDatabaseDir(config.dataDir, SERVICE_NAME, options.sharedEmbeddedDatabase === true),
      schema: SERVICE_NAME,
      embedded: config.database.embedded,
    });
    closers.add('database', () => db.close());
    const store = new RunStore(db);
    await store.migrate();

    const nats = await connectNats(options.natsUrl, `fluxi-${SERVICE_NAME}`, logger, options.config.nats);
    closers.add('nats', () => nats.close());
    // Run events: stored with each change (outbox), published after its commit and every
    // eventRelayIntervalMs (what a crash or a NATS outage left); stopped before NATS closes.
    // Passes leave events younger than 2 s to the hot path (see RunEventRelayOptions.graceMs), which
    // records what it published every 250 ms: one statement for a busy chain's several steps.
    const relay = new RunEventRelay(store.outbox, jetStreamPublisher(nats.js), logger, {
      graceMs: 2000,
      markDelayMs: 250,
    });
    store.onEventsCommitted((events) => relay.committed(events));
    const relaying = relay.start(config.scheduler.eventRelayIntervalMs);
    closers.add('run event relay', () => relaying.stop());
    const redis = createRedisClient(options.redisUrl, logger, options.config.redis.tls);
    closers.add('redis', () => redis.quit());
    const metrics = serviceRegistry(SERVICE_NAME, options.metrics);
    const queue = new BullExecuteQueue(redis, { prefix: config.redis.prefix, logger });
    closers.add('execute queue', () => queue.close());

    const executors = await ExecutorDirectory.open(nats, logger);
    closers.add('executor directory', () => executors.stop());
    // Tracing on: run spans decided at trigger, task spans' context to the executors, both exported at their end.
    const traces = tracingEnabled() ? new RunTraces(new TraceStore(db), logger) : undefined;
    const engine = new RunEngine({
      store,
      catalog: new NatsCatalogClient(nats.nc),
      queue,
      executors: new NatsExecutorControl(nats.js),
      holders: new QueueAttemptHolders(queue, new StreamFinishEvents(nats), {
        directory: executors,
        started: new StreamStartedEvents(nats),
      }),
      logger,
      now: () => new Date(),
      random: Math.random,
      ciDefaultBranch: config.scheduler.ciDefaultBranch,
      pools: config.pools,
      armed: new RedisArmedHandOvers(redis, config.redis.prefix, armingCounters(metrics)),
      arming: config.scheduler.fastPath,
      directory: executorPools(executors),
      ...(traces === undefined ? {} : { tracing: traces }),
    });
    await engine.dispatch.recover();
    // Outgoing webhooks: run events → deliveries (outbox) → the delivery loop.
    const notifications = await startNotifications({ nats, db, config: config.notifications, logger });
    closers.add('notifications', () => notifications.stop());
    const consumer = await startEventsConsumer(nats, engine.advance, logger, {
      maxDeliveries: config.scheduler.maxDeliveries,
      deadLetters: {
        handle: async (letter) => {
          await engine.deadLetters.handle(letter);
          notifications.deadLettered(letter);
        },
      },
    });
    closers.add('events consumer', () => consumer.stop());
    if (traces !== undefined) {
      const spans = await startRunSpanExporter(nats, traces, logger);
      closers.add('run span exporter', () => spans.stop());
    }
    // Ends job runs no executor holds: one pass now, then every reconcileIntervalSec.
    const reconciliation = engine.reconcile.start(config.scheduler.reconcileIntervalSec * 1000);
    closers.add('reconciliation loop', () => reconciliation.stop());
    const recovery = engine.dispatch.startRecoveryLoop(RECOVERY_INTERVAL_MS);
    closers.add('recovery loop', () => recovery.stop());
    // Hands over job runs held back by a pool or job limit once they fit (besides after each change).
    const dispatching = engine.dispatch.startDispatchLoop(config.scheduler.dispatchIntervalMs);
    closers.add('dispatch loop', () => dispatching.stop());
    const timeouts = startTimeoutLoop(engine.resources, engine.cancel, TIMEOUT_INTERVAL_MS);
    closers.add('timeout loop', () => timeouts.stop());
    // Deletes ended runs past their retention (and prunes published run events): now, then every retentionIntervalSec.
    const retention = new RetentionSystem(engine.resources, store.retention, artifactStore(config), {
      defaultRunDays: config.scheduler.runRetentionDays,
      batchSize: config.scheduler.retentionBatchSize,
      keepSentEventsMs: config.scheduler.eventKeepSentHours * 3_600_000,
    });
    const retaining = retention.start(config.scheduler.retentionIntervalSec * 1000);
    closers.add('retention loop', () => retaining.stop());
    const stopResolving = serveContextResolution(nats.nc, engine.contexts, logger);
    closers.add('context resolution', async () => stopResolving());
    const stopLookup = serveJobRunLookup(nats.nc, store, logger);
    closers.add('job run lookup', async () => stopLookup());
    const deliveries = new WebhookDeliveryStore(db);
    const stopDeliveries = serveWebhookDeliveries(nats.nc, deliveries, logger);
    closers.add('webhook deliveries', async () => stopDeliveries());
    const stopTrigger = serveTrigger(nats.nc, engine.trigger, logger);
    closers.add('trigger', async () => stopTrigger());
    // Metrics: gauges read when scraped, and what the run events make (an ordered consumer of FLUXI_EVENTS).
    const runStats = new RunStatsStore(db);
    const fireLag = registerSchedulerGauges(metrics, { stats: runStats, queue, executors, logger });
    const runEventMetrics = new RunEventMetrics(metrics, {
      maxPipelineLabels: config.metrics.maxPipelineLabels,
      nameOf: (runId) => runStats.pipelineNameOf(runId),
    });
    const metricsFollower = await followRunEventsForMetrics(nats, runEventMetrics, logger);
    closers.add('metrics follower', () => metricsFollower.stop());
    // Schedules: definitions from NATS KV, the leader lease, the fire loop, their history.
    const schedules = await startScheduleFiring({
      nats,
      db,
      trigger: engine.trigger,
      config,
      logger,
      onFire: (lagMs) => fireLag.observe(lagMs / 1000),
      onRecorded: (records, nameOf) => notifications.scheduleFiresRecorded(records, nameOf),
    });
    closers.add('schedules', () => schedules.stop());

    const http = await startHttp(
      {
        engine,
        queries: new RunQueries(store),
        executors,
        deliveries,
        scheduleHistory: schedules.history,
        health: {
          nats: natsHealthCheck(nats.nc, { jetstream: nats.jsm }),
          database: () => db.query('SELECT 1'),
          redis: redisHealthCheck(redis),
        },
      },
      {
        host: config.scheduler.host,
        port: config.scheduler.port,
        logger,
        metrics,
        stats: { stats: runStats, queue, executors },
        extensions: [notifications.graphql],
      },
    );
    closers.add('http', () => http.close());
    logger.info({ url: http.url, database: db.kind }, 'scheduler started');
    return {
      name: SERVICE_NAME,
      url: http.url,
      async stop() {
        await closers.closeAll();
        logger.info('scheduler stopped');
      },
    };
  } catch (error) {
    await closers.closeAll();
    throw error;
  }
}
