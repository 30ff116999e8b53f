import { Command, Option } from 'commander';
import { FLUXI_VERSION } from '@fluxi/common/version';
import type { CliOptions } from './start-command.js';
import { TARGETS } from './targets.js';

/** `fluxi-server`: starts Fluxi (all services, or one with --target). Resolves with the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = new Command('fluxi-server')
    .description('Fluxi CI/CD orchestrator: starts every service, or one with --target')
    .version(FLUXI_VERSION, '-v, --version')
    .option('-c, --config <file>', 'YAML config file (overridden by environment, then by flags)')
    .option('-d, --data-dir <dir>', 'where embedded stores, local servers and logs keep their data (default ./.fluxi)')
    .option('-p, --port <port>', 'gateway port (default 4000)')
    .addOption(new Option('-t, --target <service>', 'what to run').choices(TARGETS).default('all'))
    .option('-s, --set <key=value>', 'set any config key, e.g. --set executor.concurrency=8', collect, [])
    .option('--debug', 'log at debug level (every process; same as --set log.level=debug)')
    .option(
      '--silent',
      'log nothing to the console; log files are still written (the URL and first admin key are printed)',
    )
    .exitOverride();
  try {
    program.parse(argv);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    if (code !== undefined) return code;
    throw error;
  }
  // The services (seconds to load) only once the flags asked for a start: `--version` and
  // `--help` answer without them (issue 14).
  const { startCommand } = await import('./start-command.js');
  return startCommand(program.opts<CliOptions>());
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
