import type { AttemptRef } from '../domain/messages.js';
import type { DriverResult } from '../domain/outcome.js';
import type { ValidExecuteJob } from '../domain/payload.js';
import type { SecretMasker } from '../domain/secret-masker.js';
import type { OutputSink } from '../drivers/driver.js';
import type { SecretResolver } from '../transport/secret-resolver.js';

/** The variables holding the job's secrets, or how the attempt ends without running. */
export type SecretResolution = { env: Record<string, string> } | { result: DriverResult };

/**
 * Asks the catalog for the values of the secrets the job lists and of its environment variables
 * marked secret (nothing asked when it has neither) and hands them to `masker` before anything the
 * job prints is read. A secret that is not set (or that
 * the job no longer lists) fails the attempt as the job's fault, naming it; no answer is
 * infrastructure trouble. The values go to the job's environment only, never to a log line.
 */
export async function resolveSecrets(
  execute: ValidExecuteJob,
  ref: AttemptRef,
  resolver: SecretResolver,
  masker: SecretMasker,
  output: OutputSink,
): Promise<SecretResolution> {
  const names = execute.job.secretNames;
  const envNames = execute.job.secretEnvNames;
  if (names.length === 0 && envNames.length === 0) return { env: {} };
  const all = [...names, ...envNames];
  const fail = (result: { kind: 'jobError' | 'infrastructure'; reason: string }): SecretResolution => {
    output.system(result.reason);
    return { result };
  };
  let answer;
  try {
    answer = await resolver.resolve(ref, { pipelineId: execute.pipelineId, jobId: execute.job.jobId, names, envNames });
  } catch (error) {
    return fail({
      kind: 'infrastructure',
      reason: `could not resolve secrets ${all.join(', ')}: ${(error as Error).message}`,
    });
  }
  if ('error' in answer) {
    const { code, message } = answer.error;
    const kind = code === 'NOT_FOUND' || code === 'BAD_USER_INPUT' ? 'jobError' : 'infrastructure';
    return fail({ kind, reason: message === '' ? `secrets could not be resolved (${code})` : message });
  }
  const missing = names.find((name) => !answer.values.has(name)) ?? envNames.find((name) => !answer.env.has(name));
  if (missing !== undefined)
    return fail({ kind: 'infrastructure', reason: `the catalog gave no value for ${missing}` });
  masker.add(answer.values.values());
  masker.add(answer.env.values());
  output.system(`secret${all.length === 1 ? '' : 's'} ${all.join(', ')} set in the environment (masked in the log)`);
  return {
    env: Object.fromEntries([
      ...names.map((name) => [name, answer.values.get(name) as string]),
      ...envNames.map((name) => [name, answer.env.get(name) as string]),
    ]),
  };
}
