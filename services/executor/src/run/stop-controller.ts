import type { StopRequest } from '../domain/outcome.js';

/** Tells the runner that the attempt must stop, and why (executor shutdown or user cancel). */
export interface StopSignal {
  /** The first stop asked for, if any. */
  readonly requested: StopRequest | undefined;
  /** Calls `listener` once a stop is asked for (at once if it already was); returns a function removing it. */
  onStop(listener: (request: StopRequest) => void): () => void;
}

/** The switch that stops one attempt; the first request wins. */
export class StopController implements StopSignal {
  private request: StopRequest | undefined;
  private readonly listeners = new Set<(request: StopRequest) => void>();

  get requested(): StopRequest | undefined {
    return this.request;
  }

  /** Asks the attempt to stop; false when a stop was already asked for. */
  stop(request: StopRequest): boolean {
    if (this.request !== undefined) return false;
    this.request = request;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener(request);
    return true;
  }

  onStop(listener: (request: StopRequest) => void): () => void {
    if (this.request !== undefined) {
      listener(this.request);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
