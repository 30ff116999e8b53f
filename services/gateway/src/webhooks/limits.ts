/**
 * The largest webhook body read (1 MiB); a larger one is answered 413 before it is parsed.
 * GitHub caps its payloads at 25 MB, but a push payload lists at most 20 commits (GitLab: 20 too,
 * `total_commits_count` gives the rest), so real deliveries stay far below this.
 * The default of the config key `gateway.webhooks.maxBodyBytes`.
 */
export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;

export const ZERO_COMMIT = '0000000000000000000000000000000000000000';
