import { execFile } from 'node:child_process';
import { planCheckout, withoutCredentials, type CheckoutSource } from '../domain/checkout.js';
import type { DriverResult } from '../domain/outcome.js';
import type { OutputSink } from '../drivers/driver.js';

/** Longest git message kept in the job's log when a checkout fails. */
const MAX_MESSAGE = 2000;

/**
 * Fetches the run's commit into the work folder (`git init`, `git fetch --depth 1 <url> <commit>`,
 * `git checkout FETCH_HEAD`) before the command runs; the log names the commit and the URL without
 * credentials. Returns the result that ends the attempt when it cannot: INFRASTRUCTURE (no git,
 * repository unreachable, commit missing), JOB when the run has no commit at all. Never prompts
 * (GIT_TERMINAL_PROMPT=0); bounded by `timeoutMs`.
 */
export async function checkoutCommit(
  source: CheckoutSource | undefined,
  workdir: string,
  output: OutputSink,
  timeoutMs: number,
): Promise<DriverResult | undefined> {
  const plan = planCheckout(source);
  if (!plan.ok) {
    output.system((plan.result as { reason: string }).reason);
    return plan.result;
  }
  const { commit, ref } = source as CheckoutSource;
  output.system(`checking out ${commit.slice(0, 12)}${ref === '' ? '' : ` (${ref})`} of ${plan.shown}`);
  for (const args of plan.commands) {
    const failure = await git(args, workdir, timeoutMs);
    if (failure !== undefined) {
      const reason = `checkout of ${commit.slice(0, 12)} from ${plan.shown} failed: ${failure}`;
      output.system(reason);
      return { kind: 'infrastructure', reason };
    }
  }
  output.system(`checked out ${commit.slice(0, 12)}`);
  return undefined;
}

function git(args: string[], cwd: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      {
        cwd,
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never', LC_ALL: 'C' },
      },
      (error, _stdout, stderr) => {
        if (error === null) return resolve(undefined);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return resolve('git is not installed on the executor host (it is needed for checkout)');
        if (error.killed) return resolve(`git ${args[0]} took longer than ${Math.round(timeoutMs / 1000)} s`);
        const text = withoutCredentials(String(stderr).trim() || error.message).replace(/\s*\n\s*/g, ' | ');
        resolve(text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 3)}...` : text);
      },
    );
  });
}
