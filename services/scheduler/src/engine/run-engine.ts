import type { EngineResources } from './resources.js';
import { AdvanceSystem } from './systems/advance.js';
import { DispatchSystem } from './systems/dispatch.js';
import { TriggerSystem } from './systems/trigger.js';

/**
 * The run engine: systems sharing one resources object (store, catalog, queue,
 * logger, clock). Trigger creates runs, advance applies executor events, dispatch
 * hands QUEUED job runs to the executors. Cancel and scheduled triggers come later.
 */
export class RunEngine {
  readonly dispatch: DispatchSystem;
  readonly trigger: TriggerSystem;
  readonly advance: AdvanceSystem;

  constructor(readonly resources: EngineResources) {
    this.dispatch = new DispatchSystem(resources);
    this.trigger = new TriggerSystem(resources, this.dispatch);
    this.advance = new AdvanceSystem(resources, this.dispatch);
  }
}
