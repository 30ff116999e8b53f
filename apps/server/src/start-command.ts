import { join } from 'node:path';
import {
  closeLogger,
  ConfigError,
  createLogger,
  FLUXI_VERSION,
  listenForStop,
  loadConfig,
  type FluxiConfig,
} from '@fluxi/common';
import { METRICS_MESSAGE, READY_MESSAGE } from './executor-process.js';
import { startMallocTrim } from './malloc-trim.js';
import { describeStartError } from './start-error.js';
import { stopBounds } from './stop-bounds.js';
import type { Target } from './targets.js';

/** The flags as commander parsed them (`cli.ts`). */
export interface CliOptions {
  config?: string;
  dataDir?: string;
  port?: string;
  target: Target;
  set: string[];
  debug?: boolean;
  silent?: boolean;
}

/** What `fluxi-server` does once its flags are parsed: loads the config, starts, waits for a stop. The exit code. */
export async function startCommand(opts: CliOptions): Promise<number> {
  let config: FluxiConfig;
  try {
    config = loadConfig({ ...(opts.config ? { file: opts.config } : {}), env: process.env, ...flags(opts) });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`fluxi: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // The services and the telemetry SDK (seconds to load) once the config is known good: a
  // mistyped flag is answered at once.
  const [{ startTelemetry }, { startFluxi }] = await Promise.all([import('@fluxi/telemetry'), import('./system.js')]);
  const logger = createLogger({
    level: config.log.level,
    console: config.log.console,
    maxFileBytes: config.log.maxFileBytes,
    maxFiles: config.log.maxFiles,
    traceIds: config.telemetry.tracesEnabled,
    ...(config.log.files ? { dir: join(config.dataDir, 'logs', ...(opts.target === 'all' ? [] : [opts.target])) } : {}),
  });
  // Listen before starting: a stop asked for during start, or the instant the ready
  // line is out, must stop Fluxi in order rather than kill it half-way.
  const launched = process.send !== undefined;
  const signals = listenForStop({
    alsoOnDisconnect: launched,
    ...(launched ? { parentPid: process.ppid } : {}),
    onForced: () => process.stderr.write('fluxi: forced exit\n'),
  });
  const bounds = stopBounds(config);
  // One SDK per process, before any service starts (off by default: nothing registered).
  const telemetry = await startTelemetry(config.telemetry, opts.target, logger);
  let system;
  try {
    system = await startFluxi(config, logger, opts.target, { followCurrentLogLevel: launched });
  } catch (error) {
    signals.dispose();
    await telemetry.shutdown();
    logger.error({ err: error }, 'could not start');
    await closeLogger(logger);
    process.stderr.write(`fluxi: could not start: ${describeStartError(error, config)}\n`);
    return 1;
  }
  const lines = [`Fluxi ${FLUXI_VERSION} is running (${opts.target}).`];
  if (system.url) lines.push(`  GraphQL: ${system.url}/graphql`, `  Health:  ${system.url}/health`);
  if (system.adminKey) {
    lines.push(
      `  Admin API key (shown once, also saved in ${join(config.dataDir, 'admin-api-key')}):`,
      `    ${system.adminKey}`,
    );
  }
  lines.push('Press Ctrl-C to stop.');
  if (!launched) process.stdout.write(`${lines.join('\n')}\n`);
  else {
    const metricsUrl = system.services.find((service) => service.metricsUrl !== undefined)?.metricsUrl;
    if (metricsUrl !== undefined) process.send?.({ type: METRICS_MESSAGE, url: metricsUrl });
    process.send?.(READY_MESSAGE);
  }
  // Started last: the start's own garbage is the first thing it gives back.
  const stopTrim = startMallocTrim(config.memory.trimCheckSec * 1000, logger);
  const why = await signals.requested;
  stopTrim();
  logger.info({ why, boundSec: bounds.totalMs / 1000 }, 'stopping');
  if (!launched) process.stdout.write('Stopping Fluxi…\n');
  // Whatever is down, the stop ends within its bound.
  const deadline = setTimeout(() => {
    process.stderr.write(`fluxi: the stop took longer than ${bounds.totalMs / 1000} s: forcing exit\n`);
    process.exit(1);
  }, bounds.totalMs).unref();
  await system.stop({ orphaned: why === 'disconnect' });
  clearTimeout(deadline);
  signals.dispose();
  await telemetry.shutdown();
  await closeLogger(logger);
  if (!launched) process.stdout.write('Fluxi stopped.\n');
  // An open channel to the launcher would keep this process alive.
  else if (process.connected) process.disconnect();
  return 0;
}

/** Config keys set by flags, with what the user typed for each (named in errors). */
function flags(opts: CliOptions): { flags: Record<string, string | boolean>; flagSources: Record<string, string> } {
  const out: Record<string, string | boolean> = {};
  const sources: Record<string, string> = {};
  const set = (key: string, value: string | boolean, typed: string) => {
    out[key] = value;
    sources[key] = typed;
  };
  for (const pair of opts.set) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set ${pair}: expected key=value`);
    set(pair.slice(0, eq), pair.slice(eq + 1), `--set ${pair}`);
  }
  if (opts.dataDir) set('dataDir', opts.dataDir, `--data-dir ${opts.dataDir}`);
  if (opts.port) set('gateway.port', opts.port, `--port ${opts.port}`);
  if (opts.debug) set('log.level', 'debug', '--debug');
  if (opts.silent) set('log.console', false, '--silent');
  return { flags: out, flagSources: sources };
}
