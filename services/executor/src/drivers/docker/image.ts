import type Docker from 'dockerode';
import type { PullPolicyName } from '../../domain/container-options.js';
import { pullReference } from '../../domain/image-ref.js';
import { StartFailure, type OutputSink } from '../driver.js';
import { engineMessage, engineStatus, unreachable, unreachableReason } from './engine.js';

/**
 * Makes sure the engine has `image`, by the job's pull policy: `if-not-present`
 * looks first and pulls only a missing image, `always` pulls, `never` fails at
 * once when it is missing. Throws StartFailure ("image <name> cannot be had: …",
 * infrastructure) when it cannot be had, or "docker engine not reachable" when
 * the engine does not answer. A pull is given up when `signal` is aborted.
 */
export async function ensureImage(
  docker: Docker,
  image: string,
  policy: PullPolicyName,
  io: { output: OutputSink; signal: AbortSignal; host: string },
): Promise<void> {
  const cannot = (why: string) => new StartFailure(`image ${image} cannot be had: ${why}`);
  if (policy !== 'always') {
    try {
      await docker.getImage(image).inspect();
      return;
    } catch (error) {
      if (engineStatus(error) !== 404) throw failure(error, io.host, cannot);
    }
    if (policy === 'never') throw cannot('it is not on the engine and the pull policy is never');
  }
  const reference = pullReference(image);
  io.output.system(`pulling image ${reference}`);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(reference, { abortSignal: io.signal });
  } catch (error) {
    throw failure(error, io.host, cannot);
  }
  const pullError = await readPull(stream as NodeJS.ReadableStream & { destroy(): void }, io.signal);
  if (pullError !== undefined) throw cannot(pullError);
}

function failure(error: unknown, host: string, cannot: (why: string) => StartFailure): StartFailure {
  if (unreachable(error)) return new StartFailure(unreachableReason(host, error));
  return cannot(engineMessage(error));
}

/**
 * Reads a pull's progress (JSON lines) to its end; the engine tells a failure
 * as an `error` entry in it. Resolves with that error's message, if any.
 */
function readPull(
  stream: NodeJS.ReadableStream & { destroy(): void },
  signal: AbortSignal,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    let pending = '';
    let failure: string | undefined;
    const onAbort = () => {
      stream.destroy();
      resolve('the pull was given up: the attempt was stopped');
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = (why: string | undefined) => {
      signal.removeEventListener('abort', onAbort);
      resolve(why);
    };
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) failure ??= pullLineError(line);
    });
    stream.on('end', () => finish(failure ?? pullLineError(pending)));
    stream.on('error', (error: Error) => finish(failure ?? engineMessage(error)));
  });
}

function pullLineError(line: string): string | undefined {
  if (line.trim() === '') return undefined;
  try {
    const entry = JSON.parse(line) as { error?: unknown; errorDetail?: { message?: unknown } };
    const message = entry.errorDetail?.message ?? entry.error;
    return message === undefined ? undefined : engineMessage({ message: String(message) });
  } catch {
    return undefined;
  }
}
