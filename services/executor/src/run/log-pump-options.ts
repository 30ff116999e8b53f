/** How a LogPump batches, holds and spools an attempt's lines (see log-pump.ts). */
export interface LogPumpOptions {
  /** Lines that make a chunk worth sending at once (the linger ends when this many wait). */
  maxLines: number;
  /**
   * Most lines in one chunk when more than `maxLines` wait (publishing lags behind the output):
   * chunks grow with the backlog, so a fast job costs fewer messages. Default `maxLines`.
   */
  maxChunkLines?: number;
  /** Most text bytes in one chunk (past its first line). */
  maxBytes: number;
  /**
   * How long the first waiting line may wait for more before its chunk goes, while output
   * streams (a chunk was sent within this time); after a quiet spell a line goes at once.
   */
  lingerMs: number;
  /**
   * Most lines kept in memory: past these, lines go to the spool on disk, or,
   * without a usable one, the output is paused (back-pressure).
   */
  highWaterLines: number;
  highWaterBytes: number;
  /**
   * How long the chunk in flight may wait for its acknowledgement before publishing counts as
   * stalled (NATS away, the stream full) and lines past the memory marks go to the spool.
   * Until then readers pause instead: a job printing faster than its lines can be published
   * is read at the pace they go out, since writing them to disk and reading them back costs
   * the executor more CPU than the job's output itself (the job took 5.0 s instead of 3.3 for
   * a million lines). Default 0: spool at once.
   */
  stallMs?: number;
  /**
   * Most bytes of output text kept for the attempt (`executor.maxLogBytesPerAttempt`; 0: no
   * cap): later output lines are dropped, after one SYSTEM line saying so (see LogCap).
   */
  maxAttemptBytes: number;
}

export const DEFAULT_PUMP_OPTIONS: LogPumpOptions = {
  maxLines: 200,
  // 2000 lines of ~25 bytes of protobuf fields each, plus 256 KiB of text: well under NATS's 1 MB,
  // and a batch of the logs service (logs.batchSize chunks) stays a few hundred thousand lines.
  maxChunkLines: 2000,
  maxBytes: 256 * 1024,
  lingerMs: 50,
  // Room for a few chunks of short lines while the others are in flight (~150 bytes a line).
  highWaterLines: 20_000,
  highWaterBytes: 8 * 1024 * 1024,
  stallMs: 500,
  maxAttemptBytes: 0,
};
