import type { Logger as ClientLogger, ErrorLogParams, LogParams, WarnLogParams } from '@clickhouse/client';
import type { Logger } from '@fluxi/common';

/**
 * `@clickhouse/client` writes its own log lines to the console unless given a
 * logger class (which it constructs without arguments): this one sends them to
 * the service's pino logger. The client's errors are warnings here: the caller
 * reports the failure it leads to.
 */
export function clientLoggerClass(logger: Logger): new () => ClientLogger {
  const log = logger.child({ module: 'clickhouse-client' });
  const fields = ({ module, args }: LogParams) => ({ clientModule: module, ...(args === undefined ? {} : { args }) });
  return class PinoClickHouseLogger implements ClientLogger {
    trace(params: LogParams): void {
      log.trace(fields(params), params.message);
    }
    debug(params: LogParams): void {
      log.debug(fields(params), params.message);
    }
    info(params: LogParams): void {
      log.info(fields(params), params.message);
    }
    warn(params: WarnLogParams): void {
      log.warn({ ...fields(params), err: params.err }, params.message);
    }
    error(params: ErrorLogParams): void {
      log.warn({ ...fields(params), err: params.err }, params.message);
    }
  };
}
