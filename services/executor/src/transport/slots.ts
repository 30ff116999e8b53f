/**
 * The executor's one budget of running attempts, shared by the workers of all the queues
 * it reads: acquire() resolves at once while a place is free, else in turn when one frees.
 * close() refuses what still waits (it never started).
 */
export class Slots {
  private used = 0;
  private readonly waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private closed: Error | undefined;

  constructor(readonly size: number) {}

  get inUse(): number {
    return this.used;
  }

  get full(): boolean {
    return this.used >= this.size;
  }

  /** Takes a place; resolves with its release (call it once). */
  async acquire(): Promise<() => void> {
    if (this.closed !== undefined) throw this.closed;
    if (this.used < this.size) this.used += 1;
    else await new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The place goes straight to the next waiter.
      if (next === undefined) this.used -= 1;
      else next.resolve();
    };
  }

  /** Refuses every waiter and every later acquire with `error`. */
  close(error: Error): void {
    this.closed = error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
