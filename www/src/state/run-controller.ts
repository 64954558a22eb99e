// The page's side of one ACDC run at a time: starts it in the worker, steers
// it (pause, resume, step, speed, cancel), and applies its events to a
// RunState once per animation frame, however many batches arrived.

import type { EventsResponse, Speed } from '../protocol';
import { RunState } from './run-state';
import type { CustomTask, RunSettings, TaskData } from '../generated/wire';
import type { RunPhase } from '../views/run-buttons';
import { SteeredRun } from './steered-run';
import type { RunHandle, WorkerClient } from '../worker-client';

export interface RunView {
  phase(phase: RunPhase): void;
  /** The full model was measured; `state` will be updated in place from now on. */
  started(state: RunState, data: TaskData): void;
  /** Events were applied to the state (at most once per frame). */
  frame(state: RunState): void;
  done(state: RunState, circuit: unknown, wallTime: number): void;
  failed(error: unknown): void;
}

export class RunController extends SteeredRun<RunHandle> {
  state: RunState | null = null;
  circuit: unknown = null;
  private queue: EventsResponse[] = [];
  private frame = 0;

  constructor(
    client: () => WorkerClient,
    private readonly view: RunView,
    private speed: Speed,
  ) {
    super(client, (phase) => view.phase(phase));
  }

  /** Starts a fresh run (cancelling any other); `paused` starts it without testing anything; `custom`: a person's own rows. */
  start(settings: RunSettings, paused = false, custom?: CustomTask): void {
    this.cancel();
    this.state = null;
    this.circuit = null;
    this.queue = [];
    this.wantPaused = paused;
    this.setPhase('starting');
    const handle: RunHandle = this.client().run(settings, this.speed, paused, {
      started: (message) => {
        if (this.handle !== handle) return;
        this.state = new RunState(message.graph);
        this.state.begin(message.status, performance.now());
        this.view.started(this.state, message.data);
        this.setPhase(this.wantPaused ? 'pausing' : 'running');
      },
      paused: () => {
        if (this.handle !== handle) return;
        // Everything the worker computed has arrived: apply it, then say "paused".
        this.flush();
        if (this.wantPaused && (this.phase === 'pausing' || this.phase === 'running')) this.setPhase('paused');
      },
      events: (message) => {
        if (this.handle !== handle) return;
        this.queue.push(message);
        if (this.frame === 0) this.frame = requestAnimationFrame(() => this.flush());
      },
    }, custom);
    this.handle = handle;
    handle.end.then(
      (end) => {
        if (this.handle !== handle) return;
        this.flush();
        this.handle = null;
        if (end.type === 'done' && this.state) {
          this.circuit = end.circuit;
          this.state.status = end.status;
          this.setPhase('done');
          this.view.done(this.state, end.circuit, end.wallTime);
        } else {
          this.setPhase('idle');
        }
      },
      (error: unknown) => {
        if (this.handle !== handle) return;
        this.flush();
        this.handle = null;
        this.setPhase('failed');
        this.view.failed(error);
      },
    );
  }

  setSpeed(speed: Speed): void {
    this.speed = speed;
    if (this.handle) void this.client().control(this.handle.id, 'speed', speed).catch(() => undefined);
  }

  /** Stops the run in flight, if any; its events are ignored from now on. */
  override cancel(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    super.cancel();
  }

  /** Back to the untouched graph. */
  reset(): void {
    this.cancel();
    this.state = null;
    this.circuit = null;
    this.queue = [];
    this.setPhase('idle');
  }

  private flush(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const batches = this.queue;
    this.queue = [];
    if (this.state === null || batches.length === 0) return;
    const now = performance.now();
    for (const batch of batches) this.state.apply(batch.events, batch.status, now);
    this.view.frame(this.state);
  }
}
