import { Module, type DynamicModule } from '@nestjs/common';
import { artifactStore } from '@fluxi/artifacts';
import { ARTIFACT_STORE, DRIVERS, EXECUTOR_DEPS, type DriverSet, type ExecutorDeps } from './deps.js';
import { DockerUnavailableDriver } from './drivers/docker-unavailable-driver.js';
import { ShellDriver } from './drivers/shell-driver.js';
import { ActiveAttempts } from './run/active-attempts.js';
import { AttemptSteps } from './run/attempt-steps.js';
import { JobRunner } from './run/job-runner.js';
import { CancelListener } from './transport/cancel-listener.js';
import { ContextResolver } from './transport/context-resolver.js';
import { ExecuteWorker } from './transport/execute-worker.js';
import { JetStreamPublisher } from './transport/jetstream-publisher.js';

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
    const drivers: DriverSet = {
      shell: new ShellDriver({
        killGraceSec: deps.config.executor.killGraceSec,
        baseEnv: options.baseEnv,
      }),
      docker: new DockerUnavailableDriver(),
    };
    return {
      module: AppModule,
      providers: [
        { provide: EXECUTOR_DEPS, useValue: deps },
        { provide: DRIVERS, useValue: drivers },
        { provide: ARTIFACT_STORE, useValue: artifactStore(deps.config) },
        JetStreamPublisher,
        ContextResolver,
        ActiveAttempts,
        AttemptSteps,
        JobRunner,
        CancelListener,
        ExecuteWorker,
      ],
    };
  }
}
