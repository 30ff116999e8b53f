import type { ContainerOptions } from './container-options.js';
import { containerLabels, type ExecutorIdentity } from './docker-labels.js';
import { fluxiEnv } from './job-env.js';
import type { AttemptRef } from './messages.js';

/** What the container of one attempt is made from. */
export interface ContainerTask extends AttemptRef {
  jobId: string;
  command: string;
  image: string;
  container: ContainerOptions;
  env: Record<string, string>;
  workdir: string;
}

/** The body of the engine's `POST /containers/create` for one attempt (the fields Fluxi sets). */
export interface ContainerSpec {
  Image: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env: string[];
  WorkingDir: string;
  Labels: Record<string, string>;
  AttachStdin: false;
  AttachStdout: true;
  AttachStderr: true;
  Tty: false;
  OpenStdin: false;
  HostConfig: {
    Mounts: Array<{ Type: 'bind'; Source: string; Target: string }>;
    NetworkMode: string;
    NanoCpus?: number;
    Memory?: number;
    MemorySwap?: number;
    AutoRemove: false;
  };
}

const MIB = 1024 * 1024;

/**
 * The container of an attempt. The work folder the runner prepared (contexts
 * resolved, artifacts restored) is mounted at the same path and is the working
 * directory, so paths, artifacts and `pwd` are as for a shell job. The command
 * runs through the image's /bin/sh -c, or as the last argument of the job's own
 * entrypoint; a job without a command runs the image's default. A memory limit
 * allows no swap past it, so going over it is an out-of-memory kill.
 */
export function containerSpec(
  task: ContainerTask,
  settings: { network: string; executor: ExecutorIdentity },
): ContainerSpec {
  const { container } = task;
  const hasCommand = task.command !== '';
  const entrypoint =
    container.entrypoint.length > 0 ? container.entrypoint : hasCommand ? ['/bin/sh', '-c'] : undefined;
  const memory = container.memoryMib > 0 ? container.memoryMib * MIB : undefined;
  return {
    Image: task.image,
    ...(entrypoint === undefined ? {} : { Entrypoint: entrypoint }),
    ...(hasCommand ? { Cmd: [task.command] } : {}),
    Env: Object.entries({ ...task.env, ...fluxiEnv(task) }).map(([name, value]) => `${name}=${value}`),
    WorkingDir: task.workdir,
    Labels: containerLabels(task, settings.executor),
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      Mounts: [{ Type: 'bind', Source: task.workdir, Target: task.workdir }],
      NetworkMode: settings.network,
      ...(container.cpus > 0 ? { NanoCpus: Math.round(container.cpus * 1e9) } : {}),
      ...(memory === undefined ? {} : { Memory: memory, MemorySwap: memory }),
      AutoRemove: false,
    },
  };
}
