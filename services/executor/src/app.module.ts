import { randomBytes } from 'node:crypto';
import { Module, type DynamicModule } from '@nestjs/common';
import { artifactStore } from '@fluxi/artifacts';
import { ARTIFACT_STORE, DRIVERS, EXECUTOR_DEPS, type ExecutorDeps } from './deps.js';
import { instanceId } from './domain/docker-labels.js';
import { DockerDriver } from './drivers/docker/docker-driver.js';
import { DockerUnavailableDriver } from './drivers/docker-unavailable-driver.js';
import type { Driver } from './drivers/driver.js';
import { DriverRegistry } from './drivers/registry.js';
import { ProcessGroupGuard } from './drivers/group-guard.js';
import { ShellDriver } from './drivers/shell-driver.js';
import { runningGroupsDir } from './transport/registry-heartbeat.js';
import { ActiveAttempts } from './run/active-attempts.js';
import { AttemptSteps } from './run/attempt-steps.js';
import { DriverHooks } from './run/driver-hooks.js';
import { JobRunner } from './run/job-runner.js';
import { ArmedSuccessors } from './transport/armed-successors.js';
import { CancelListener } from './transport/cancel-listener.js';
import { ContextResolver } from './transport/context-resolver.js';
import { SecretResolver } from './transport/secret-resolver.js';
import { ExecuteWorker } from './transport/execute-worker.js';
import { JetStreamPublisher } from './transport/jetstream-publisher.js';
import { executorName } from './transport/registry-heartbeat.js';

export interface AppModuleOptions {
  deps: ExecutorDeps;
  /** Variables every shell job gets from the executor's environment. */
  baseEnv: Record<string, string>;
}

/**
 * The executor: a BullMQ worker running jobs through drivers and publishing to
 * JetStream, a cancel listener, and the artifact store jobs save to and restore from.
 */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const { deps } = options;
    // Each shell job's process group dies with the executor, even when it is SIGKILLed.
    const guard = new ProcessGroupGuard({
      recordDir: runningGroupsDir(deps.config),
      graceSec: deps.config.executor.killGraceSec,
      logger: deps.logger,
    });
    const shell = new ShellDriver({ baseEnv: options.baseEnv, guard, posixSpawn: deps.config.executor.posixSpawn });
    deps.logger.info(
      { spawn: shell.spawnMethod, ...(shell.nodeSpawnReason === undefined ? {} : { why: shell.nodeSpawnReason }) },
      `shell jobs start with ${shell.spawnMethod}`,
    );
    const drivers = new DriverRegistry([shell, dockerDriver(deps)]);
    return {
      module: AppModule,
      providers: [
        { provide: EXECUTOR_DEPS, useValue: deps },
        { provide: DRIVERS, useValue: drivers },
        { provide: ARTIFACT_STORE, useValue: artifactStore(deps.config) },
        JetStreamPublisher,
        ContextResolver,
        SecretResolver,
        ActiveAttempts,
        DriverHooks,
        AttemptSteps,
        JobRunner,
        CancelListener,
        ArmedSuccessors,
        ExecuteWorker,
      ],
    };
  }
}

/** The Docker driver, or its stand-in when executor.docker.enabled is false. */
function dockerDriver(deps: ExecutorDeps): Driver {
  const { executor } = deps.config;
  if (!executor.docker.enabled) return new DockerUnavailableDriver();
  return new DockerDriver({
    host: executor.docker.host,
    network: executor.docker.network,
    executor: {
      name: executorName(deps.config),
      // Unique to this life: the pid alone may come back after a restart (pid 1 in a container).
      instance: instanceId(deps.executorId, randomBytes(4).toString('hex')),
    },
    logger: deps.logger,
  });
}
