// The page's side of one attribution run at a time (exact, EAP or EAP-IG):
// starts it in the worker, steers it (pause, resume, one more step, cancel)
// and reports its progress and its scores. Its phases are the run buttons'.

import type { CustomTask, RunSettings, TaskData } from '../generated/wire';
import type { AttributedResponse, AttributionProgress } from '../protocol';
import { isActive, type RunPhase } from '../views/run-buttons';
import type { AttributionHandle, WorkerClient } from '../worker-client';

export interface AttributionView {
  phase(phase: RunPhase): void;
  started(data: TaskData): void;
  progress(progress: AttributionProgress): void;
  done(result: AttributedResponse, settings: RunSettings, custom: CustomTask | undefined, data: TaskData): void;
  failed(error: unknown): void;
}

export class AttributionController {
  phase: RunPhase = 'idle';
  private handle: AttributionHandle | null = null;
  private wantPaused = false;

  constructor(
    private readonly client: () => WorkerClient,
    private readonly view: AttributionView,
  ) {}

  get active(): boolean {
    return isActive(this.phase);
  }

  /** Starts a fresh run (cancelling this controller's other one); `paused`: nothing runs until resume or step. */
  start(settings: RunSettings, custom: CustomTask | undefined, paused = false): void {
    this.cancel();
    this.wantPaused = paused;
    this.setPhase('starting');
    let data: TaskData | null = null;
    const handle: AttributionHandle = this.client().attribute(settings, custom, paused, {
      started: (message) => {
        if (this.handle !== handle) return;
        data = message.data;
        this.view.started(message.data);
        this.setPhase(this.wantPaused ? 'pausing' : 'running');
      },
      progress: (message) => {
        if (this.handle !== handle) return;
        this.view.progress(message.progress);
        if (message.paused && this.wantPaused) this.setPhase('paused');
      },
    });
    this.handle = handle;
    handle.end.then(
      (end) => {
        if (this.handle !== handle) return;
        this.handle = null;
        if (end.type === 'attributed' && data !== null) {
          this.setPhase('done');
          this.view.done(end, settings, custom, data);
        } else {
          this.setPhase('idle');
        }
      },
      (error: unknown) => {
        if (this.handle !== handle) return;
        this.handle = null;
        this.setPhase('failed');
        this.view.failed(error);
      },
    );
  }

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

  /** One more step (one pass, or one edge for exact), then paused. */
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

  reset(): void {
    this.cancel();
    this.setPhase('idle');
  }

  private send(action: 'pause' | 'resume' | 'step'): void {
    if (this.handle) void this.client().control(this.handle.id, action).catch(() => undefined);
  }

  private setPhase(phase: RunPhase): void {
    this.phase = phase;
    this.view.phase(phase);
  }
}
