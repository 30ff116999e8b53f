import type { DriverResult } from '../domain/outcome.js';
import type { Driver, DriverContext, DriverTask } from './driver.js';

export const DOCKER_UNAVAILABLE_REASON = 'docker driver not available in this executor';

/** Stands in for the Docker driver until it exists: jobs with an image fail as infrastructure. */
export class DockerUnavailableDriver implements Driver {
  readonly name = 'docker';

  async run(task: DriverTask, context: DriverContext): Promise<DriverResult> {
    context.output.system(`${DOCKER_UNAVAILABLE_REASON} (the job needs image ${task.image})`);
    return { kind: 'infrastructure', reason: DOCKER_UNAVAILABLE_REASON };
  }
}
