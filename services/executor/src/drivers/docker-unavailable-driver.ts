import { StartFailure, type Driver, type DriverTask, type RunningTask } from './driver.js';

export const DOCKER_UNAVAILABLE_REASON = 'docker driver not available in this executor';

/** Stands in for the Docker driver where it is turned off (executor.docker.enabled: false). */
export class DockerUnavailableDriver implements Driver {
  readonly name = 'docker';

  start(task: DriverTask): Promise<RunningTask> {
    return Promise.reject(
      new StartFailure(DOCKER_UNAVAILABLE_REASON, {
        line: `${DOCKER_UNAVAILABLE_REASON} (executor.docker.enabled is false; the job needs image ${task.image})`,
      }),
    );
  }
}
