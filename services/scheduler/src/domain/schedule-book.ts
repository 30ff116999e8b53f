import { nextFireTime } from '@fluxi/schedules';
import type { ScheduleSpec } from './schedule-spec.js';

/** A schedule the book holds, with where its firing stands. */
export interface BookEntry {
  spec: ScheduleSpec;
  /**
   * The latest planned time handled (fired or skipped) or, before any, the definition's
   * activeSince: planDueFires' `after`. Null until read from the history (`cursorKnown`).
   */
  after: Date | null;
  /** The next planned time after `after` (null: none, a one-shot that passed); a cache. */
  next: Date | null;
}

/**
 * The schedules this scheduler knows, each with its cursor and cached next fire time, so a pass
 * looks only at those due (a 1,000-schedule installation computes one next time per fire, not
 * 1,000 per pass). Pure: the caller gives the clock.
 */
export class ScheduleBook {
  private readonly entries = new Map<string, BookEntry>();

  get size(): number {
    return this.entries.size;
  }

  /** Adds or replaces a definition; its cursor is kept unless the timing moved past it. */
  put(spec: ScheduleSpec): void {
    const current = this.entries.get(spec.id);
    const entry: BookEntry = { spec, after: current?.after ?? null, next: null };
    this.entries.set(spec.id, entry);
    if (entry.after !== null) this.setCursor(spec.id, entry.after);
  }

  remove(id: string): void {
    this.entries.delete(id);
  }

  get(id: string): BookEntry | undefined {
    return this.entries.get(id);
  }

  /** Ids whose cursor is not known yet (to read from the history). */
  unknownCursors(): string[] {
    return [...this.entries.values()].filter((entry) => entry.after === null).map((entry) => entry.spec.id);
  }

  /** Forgets every cursor (another replica may have fired meanwhile: read them again). */
  forgetCursors(): void {
    for (const entry of this.entries.values()) {
      entry.after = null;
      entry.next = null;
    }
  }

  /**
   * Sets the cursor from the history (`handledThrough`, null: never fired) or after a pass: never
   * before the definition's activeSince, and never backwards.
   */
  setCursor(id: string, handledThrough: Date | null): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    let after = entry.spec.activeSince;
    if (handledThrough !== null && handledThrough.getTime() > after.getTime()) after = handledThrough;
    if (entry.after !== null && entry.after.getTime() > after.getTime()) after = entry.after;
    entry.after = after;
    entry.next = nextFireTime(entry.spec.rule, after);
  }

  /** Entries with a known cursor whose next planned time is at or before `now`. */
  due(now: Date): BookEntry[] {
    const due: BookEntry[] = [];
    for (const entry of this.entries.values()) {
      if (entry.after !== null && entry.next !== null && entry.next.getTime() <= now.getTime()) due.push(entry);
    }
    return due;
  }

  /** The earliest next planned time of all (null: nothing will fire). */
  earliest(): Date | null {
    let earliest: Date | null = null;
    for (const entry of this.entries.values()) {
      if (entry.after === null || entry.next === null) continue;
      if (earliest === null || entry.next.getTime() < earliest.getTime()) earliest = entry.next;
    }
    return earliest;
  }
}
