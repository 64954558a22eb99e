// What the ACDC and attribution loops share (acdc-run.ts, attribution-run.ts):
// they are steered by `control` requests — pause, resume, step (pause and do
// one more), cancel — checked between batches, and they count the time spent
// in their own wasm calls (the run's wall_time, pauses excluded).

import type { ControlRequest, Speed } from '../protocol';
import type { Exclusive } from './session';

export abstract class SteeredLoop {
  protected paused: boolean;
  protected cancelled = false;
  /** `step` requests not yet served. */
  protected steps = 0;
  /** Milliseconds spent in this run's wasm calls. */
  protected busyMs = 0;
  /** `paused` was posted since the last batch (posted once per idle stretch). */
  protected announcedPause = false;
  /** Resolves the loop's current wait early (a control arrived). */
  private wake: (() => void) | null = null;

  constructor(
    paused: boolean,
    protected readonly exclusive: Exclusive,
  ) {
    this.paused = paused;
  }

  /** A new speed (ACDC's pacing; an attribution run sizes its batches by time). */
  protected setSpeed(_speed: Speed): void {}

  control(action: ControlRequest['action'], speed?: Speed): void {
    switch (action) {
      case 'pause':
        this.paused = true;
        break;
      case 'resume':
        this.paused = false;
        break;
      case 'step':
        this.paused = true;
        this.steps++;
        break;
      case 'cancel':
        this.cancelled = true;
        break;
      case 'speed':
        if (speed !== undefined) this.setSpeed(speed);
        break;
    }
    this.wake?.();
  }

  cancel(): void {
    this.control('cancel');
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Runs a wasm call under the lock and counts its time as the run's. */
  protected timed<T>(work: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const began = performance.now();
      try {
        return await work();
      } finally {
        this.busyMs += performance.now() - began;
      }
    });
  }

  /** Waits `ms` (forever: Infinity), or until a control message arrives. */
  protected sleep(ms = Infinity): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(resolve, ms) : undefined;
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
