import type { SqlExecutor } from '@fluxi/db';
import { storableText } from '../domain/safe-text.js';

/** An event that failed every delivery, as recorded. */
export interface DeadLetterRecord {
  id: number;
  stream: string;
  subject: string;
  streamSeq: number;
  /** The job run the event was about, when it could be read. */
  jobRunId: string | null;
  /** Short; never the event's payload. */
  error: string;
  firstFailedAt: Date;
  lastFailedAt: Date;
  deliveries: number;
}

export type NewDeadLetter = Omit<DeadLetterRecord, 'id'>;

interface DeadLetterRow {
  id: string | number;
  stream: string;
  subject: string;
  stream_seq: string | number;
  job_run_id: string | null;
  error: string;
  first_failed_at: Date;
  last_failed_at: Date;
  deliveries: number;
}

const COLUMNS = 'id, stream, subject, stream_seq, job_run_id, error, first_failed_at, last_failed_at, deliveries';

/** Dead letters: one row per stream message, written again (last failure, deliveries) if it is dead-lettered again. */
export class DeadLetterStore {
  constructor(private readonly sql: SqlExecutor) {}

  async record(letter: NewDeadLetter): Promise<void> {
    await this.sql.query(
      `INSERT INTO dead_letters (stream, subject, stream_seq, job_run_id, error, first_failed_at, last_failed_at, deliveries)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (stream, stream_seq) DO UPDATE SET error = EXCLUDED.error,
         first_failed_at = LEAST(dead_letters.first_failed_at, EXCLUDED.first_failed_at),
         last_failed_at = EXCLUDED.last_failed_at, deliveries = EXCLUDED.deliveries`,
      [
        storableText(letter.stream),
        storableText(letter.subject),
        letter.streamSeq,
        letter.jobRunId === null ? null : storableText(letter.jobRunId),
        storableText(letter.error),
        letter.firstFailedAt,
        letter.lastFailedAt,
        letter.deliveries,
      ],
    );
  }

  /** The newest first. */
  async list(limit = 100): Promise<DeadLetterRecord[]> {
    const rows = await this.sql.query<DeadLetterRow>(`SELECT ${COLUMNS} FROM dead_letters ORDER BY id DESC LIMIT $1`, [
      limit,
    ]);
    return rows.map((row) => ({
      id: Number(row.id),
      stream: row.stream,
      subject: row.subject,
      streamSeq: Number(row.stream_seq),
      jobRunId: row.job_run_id,
      error: row.error,
      firstFailedAt: row.first_failed_at,
      lastFailedAt: row.last_failed_at,
      deliveries: row.deliveries,
    }));
  }
}
