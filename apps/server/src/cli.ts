import { join } from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, createLogger, FLUXI_VERSION, listenForStop, loadConfig } from '@fluxi/common';
import { READY_MESSAGE } from './executor-process.js';
import { startFluxi, TARGETS, type Target } from './system.js';

interface CliOptions {
  config?: string;
  dataDir?: string;
  port?: string;
  target: Target;
  set: string[];
  debug?: boolean;
  silent?: boolean;
}

/** `fluxi-server`: starts Fluxi (all services, or one with --target). Resolves when stopped. */
export async function runCli(argv: string[]): Promise<number> {
  const program = new Command('fluxi-server')
    .description('Fluxi CI/CD orchestrator: starts every service, or one with --target')
    .version(FLUXI_VERSION, '-v, --version')
    .option('-c, --config <file>', 'YAML config file (overridden by environment, then by flags)')
    .option('-d, --data-dir <dir>', 'where embedded stores, local servers and logs keep their data (default ./.fluxi)')
    .option('-p, --port <port>', 'gateway port (default 4000)')
    .addOption(new Option('-t, --target <service>', 'what to run').choices(TARGETS).default('all'))
    .option('-s, --set <key=value>', 'set any config key, e.g. --set executor.concurrency=8', collect, [])
    .option('--debug', 'log at debug level')
    .option('--silent', 'log nothing (the URL and first admin key are still printed)')
    .exitOverride();
  try {
    program.parse(argv);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code ?? 1;
  }
  const opts = program.opts<CliOptions>();
  let config;
  try {
    config = loadConfig({ ...(opts.config ? { file: opts.config } : {}), env: process.env, flags: flags(opts) });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`fluxi: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const level = opts.silent ? 'silent' : opts.debug ? 'debug' : config.log.level;
  const logger = createLogger({
    level,
    console: !opts.silent && config.log.console,
    ...(config.log.files ? { dir: join(config.dataDir, 'logs', ...(opts.target === 'all' ? [] : [opts.target])) } : {}),
  });
  // Listen before starting: a stop asked for during start, or the instant the ready
  // line is out, must stop Fluxi in order rather than kill it half-way.
  const launched = process.send !== undefined;
  const signals = listenForStop({
    alsoOnDisconnect: launched,
    onForced: () => process.stderr.write('fluxi: forced exit\n'),
  });
  let system;
  try {
    system = await startFluxi(config, logger, opts.target);
  } catch (error) {
    signals.dispose();
    process.stderr.write(`fluxi: could not start: ${(error as Error).message}\n`);
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
  else process.send?.(READY_MESSAGE);
  await signals.requested;
  if (!launched) process.stdout.write('Stopping Fluxi…\n');
  await system.stop();
  signals.dispose();
  if (!launched) process.stdout.write('Fluxi stopped.\n');
  // An open channel to the launcher would keep this process alive.
  else if (process.connected) process.disconnect();
  return 0;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function flags(opts: CliOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of opts.set) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set ${pair}: expected key=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (opts.dataDir) out['dataDir'] = opts.dataDir;
  if (opts.port) out['gateway.port'] = opts.port;
  return out;
}
