import type { DriverResult } from './outcome.js';

/** What the executor fetches for a job with `checkout` (ExecuteJob.git). */
export interface CheckoutSource {
  repository: string;
  commit: string;
  ref: string;
}

export type CheckoutPlan = { ok: true; commands: string[][]; shown: string } | { ok: false; result: DriverResult };

const COMMIT = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The git commands of a shallow checkout of one commit into the work folder, or why it cannot be:
 * no commit on the run (not started by a git push: the job's definition does not fit the run, JOB),
 * or a commit or URL that is not one (INFRASTRUCTURE: nothing the job can change).
 */
export function planCheckout(source: CheckoutSource | undefined): CheckoutPlan {
  if (source === undefined || source.commit === '' || source.repository === '') {
    return {
      ok: false,
      result: {
        kind: 'jobError',
        reason:
          'the job asks for a checkout, but its run has no commit: only runs started by a git push (POST /hooks/github, /hooks/gitlab) have one',
      },
    };
  }
  const commit = source.commit.toLowerCase();
  if (!COMMIT.test(commit)) return infrastructure(`checkout: "${source.commit}" is not a commit id`);
  if (source.repository.startsWith('-') || /[\0\n\r]/.test(source.repository)) {
    return infrastructure('checkout: the repository URL is not valid');
  }
  return {
    ok: true,
    shown: withoutCredentials(source.repository),
    commands: [
      ['init', '--quiet'],
      // --end-of-options: the URL and commit are never read as options.
      ['fetch', '--quiet', '--no-tags', '--depth', '1', '--end-of-options', source.repository, commit],
      ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', 'FETCH_HEAD'],
    ],
  };
}

/** A URL with any user and password replaced by `***` (also inside git's own messages). */
export function withoutCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

function infrastructure(reason: string): CheckoutPlan {
  return { ok: false, result: { kind: 'infrastructure', reason } };
}
