import type { EngineResources } from './resources.js';
import { AdvanceSystem } from './systems/advance.js';
import { CancelSystem } from './systems/cancel.js';
import { ContextSystem } from './systems/contexts.js';
import { DeadLetterSystem } from './systems/dead-letters.js';
import { DispatchSystem } from './systems/dispatch.js';
import { PlaySystem } from './systems/play.js';
import { ReconcileSystem } from './systems/reconcile.js';
import { RerunSystem } from './systems/rerun.js';
import { TriggerSystem } from './systems/trigger.js';

/**
 * The run engine: systems sharing one resources object (store, catalog, queue,
 * executor control, logger, clock). Trigger creates runs, advance applies executor
 * events, dispatch hands QUEUED job runs to the executors, cancel stops runs and job
 * runs (and times runs out), rerun repeats a run, contexts resolve `$$(name)`,
 * reconcile ends attempts no executor holds, dead letters end attempts whose events
 * could not be applied, play starts a manual job run.
 */
export class RunEngine {
  readonly dispatch: DispatchSystem;
  readonly trigger: TriggerSystem;
  readonly advance: AdvanceSystem;
  readonly cancel: CancelSystem;
  readonly rerun: RerunSystem;
  readonly contexts: ContextSystem;
  readonly reconcile: ReconcileSystem;
  readonly deadLetters: DeadLetterSystem;
  readonly play: PlaySystem;

  constructor(readonly resources: EngineResources) {
    this.dispatch = new DispatchSystem(resources);
    this.trigger = new TriggerSystem(resources, this.dispatch);
    this.advance = new AdvanceSystem(resources, this.dispatch);
    this.cancel = new CancelSystem(resources, this.dispatch);
    this.rerun = new RerunSystem(resources, this.trigger);
    this.contexts = new ContextSystem(resources);
    this.reconcile = new ReconcileSystem(resources, this.advance);
    this.deadLetters = new DeadLetterSystem(resources, this.advance);
    this.play = new PlaySystem(resources, this.dispatch);
  }
}
