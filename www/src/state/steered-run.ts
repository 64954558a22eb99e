// What the page's ACDC and attribution controllers share (run-controller.ts,
// attribution-controller.ts): one run in flight at a time, identified by its
// handle, steered with pause (shown as "pausing…" until the worker says it
// stopped), resume, one more step and cancel; its phase is the run buttons'.

import { isActive, type RunPhase } from '../views/run-buttons';
import type { WorkerClient } from '../worker-client';

export abstract class SteeredRun<Handle extends { id: number }> {
  phase: RunPhase = 'idle';
  protected handle: Handle | null = null;
  /** Paused as soon as it starts (a pause that came while starting, or a run started paused). */
  protected wantPaused = false;

  constructor(
    protected readonly client: () => WorkerClient,
    private readonly onPhase: (phase: RunPhase) => void,
  ) {}

  get active(): boolean {
    return isActive(this.phase);
  }

  /** Shows "pausing…" until the worker says it stopped. */
  pause(): void {
    this.wantPaused = true;
    if (this.phase === 'running') this.setPhase('pausing');
    this.send('pause');
  }

  resume(): void {
    this.wantPaused = false;
    if (this.phase === 'paused' || this.phase === 'pausing') this.setPhase('running');
    this.send('resume');
  }

  /** One more step (an edge for ACDC and exact patching, a pass for EAP), then paused (the worker says when). */
  step(): void {
    this.wantPaused = true;
    if (this.phase === 'running' || this.phase === 'paused') this.setPhase('pausing');
    this.send('step');
  }

  /** Stops the run in flight, if any; what it sends from now on is ignored. */
  cancel(): void {
    if (this.handle === null) return;
    const id = this.handle.id;
    this.handle = null;
    void this.client().control(id, 'cancel').catch(() => undefined);
  }

  protected send(action: 'pause' | 'resume' | 'step'): void {
    if (this.handle) void this.client().control(this.handle.id, action).catch(() => undefined);
  }

  protected setPhase(phase: RunPhase): void {
    this.phase = phase;
    this.onPhase(phase);
  }
}
