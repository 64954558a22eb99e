// The page's side of one attribution run at a time (exact, EAP or EAP-IG):
// starts it in the worker, steers it (pause, resume, one more step, cancel)
// and reports its progress and its scores. Its phases are the run buttons'.

import type { CustomTask, RunSettings, TaskData } from '../generated/wire';
import type { AttributedResponse, AttributionProgress } from '../protocol';
import type { RunPhase } from '../views/run-buttons';
import { SteeredRun } from './steered-run';
import type { AttributionHandle, WorkerClient } from '../worker-client';

export interface AttributionView {
  phase(phase: RunPhase): void;
  started(data: TaskData): void;
  progress(progress: AttributionProgress): void;
  done(result: AttributedResponse, settings: RunSettings, custom: CustomTask | undefined, data: TaskData): void;
  failed(error: unknown): void;
}

export class AttributionController extends SteeredRun<AttributionHandle> {
  constructor(
    client: () => WorkerClient,
    private readonly view: AttributionView,
  ) {
    super(client, (phase) => view.phase(phase));
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

  reset(): void {
    this.cancel();
    this.setPhase('idle');
  }
}
