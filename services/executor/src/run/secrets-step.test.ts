import { describe, expect, it } from 'vitest';
import { create, ExecuteJobSchema, JobSpecSchema } from '@fluxi/contracts';
import type { ValidExecuteJob } from '../domain/payload.js';
import { SecretMasker } from '../domain/secret-masker.js';
import type { SecretAnswer, SecretQuery, SecretResolver } from '../transport/secret-resolver.js';
import { resolveSecrets } from './secrets-step.js';

const REF = { jobRunId: 'JR1', pipelineRunId: 'R1', attempt: 1 };

function execute(secretNames: string[], secretEnvNames: string[]): ValidExecuteJob {
  const job = create(JobSpecSchema, { jobId: 'J1', name: 'deploy', secretNames, secretEnvNames, env: { A: 'a' } });
  return { ...create(ExecuteJobSchema, { pipelineId: 'P1' }), job } as ValidExecuteJob;
}

/** A resolver answering `answer`, keeping the queries it was asked. */
function resolver(answer: SecretAnswer): { queries: SecretQuery[]; resolver: SecretResolver } {
  const queries: SecretQuery[] = [];
  const fake = {
    resolve: async (_ref: unknown, query: SecretQuery) => {
      queries.push(query);
      return answer;
    },
  };
  return { queries, resolver: fake as unknown as SecretResolver };
}

function sink() {
  const lines: string[] = [];
  return { lines, output: { system: (text: string) => lines.push(text), attach: () => undefined } };
}

describe('resolveSecrets', () => {
  it('asks nothing for a job with neither secrets nor secret env variables', async () => {
    const { queries, resolver: fake } = resolver({ values: new Map(), env: new Map() });
    expect(await resolveSecrets(execute([], []), REF, fake, new SecretMasker(), sink().output)).toEqual({ env: {} });
    expect(queries).toEqual([]);
  });

  it('asks for secrets and secret env variables in one request, sets and masks both', async () => {
    const { queries, resolver: fake } = resolver({
      values: new Map([['TOKEN', 'token-value-123']]),
      env: new Map([['API_KEY', 'api-key-value-456']]),
    });
    const masker = new SecretMasker();
    const { lines, output } = sink();
    const resolved = await resolveSecrets(execute(['TOKEN'], ['API_KEY']), REF, fake, masker, output);
    expect(resolved).toEqual({ env: { TOKEN: 'token-value-123', API_KEY: 'api-key-value-456' } });
    expect(queries).toEqual([{ pipelineId: 'P1', jobId: 'J1', names: ['TOKEN'], envNames: ['API_KEY'] }]);
    expect(masker.maskText('a api-key-value-456 b token-value-123')).toBe('a [MASKED] b [MASKED]');
    expect(lines).toEqual(['secrets TOKEN, API_KEY set in the environment (masked in the log)']);
  });

  it('fails the attempt as the job error the catalog names, and as infrastructure when a value is missing', async () => {
    const refused = resolver({
      error: { code: 'NOT_FOUND', message: 'secret environment variable API_KEY of job J1 has no value' },
    } as SecretAnswer);
    const failed = await resolveSecrets(
      execute([], ['API_KEY']),
      REF,
      refused.resolver,
      new SecretMasker(),
      sink().output,
    );
    expect(failed).toEqual({
      result: { kind: 'jobError', reason: 'secret environment variable API_KEY of job J1 has no value' },
    });
    const partial = resolver({ values: new Map(), env: new Map() });
    const missing = await resolveSecrets(
      execute([], ['API_KEY']),
      REF,
      partial.resolver,
      new SecretMasker(),
      sink().output,
    );
    expect(missing).toEqual({ result: { kind: 'infrastructure', reason: 'the catalog gave no value for API_KEY' } });
  });
});
