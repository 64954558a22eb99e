// The page's side of one ACDC run at a time: starts it in the worker, steers
// it (pause, resume, step, speed, cancel), and applies its events to a
// RunState as they arrive. Only drawing waits for an animation frame (once,
// however many batches arrived): a hidden tab has no frames, and its run
// must still go on and end with every event applied.

import type { Speed } from '../protocol';
import { RunState } from './run-state';
import type { AcdcEvent, AcdcStatus, CustomTask, GraphInfo, RunSettings, TaskData } from '../generated/wire';
import type { FinishedRun } from './last-circuit';
import type { RunPhase } from '../views/run-buttons';
import { SteeredRun } from './steered-run';
import type { RunHandle, WorkerClient } from '../worker-client';

export interface RunView {
  phase(phase: RunPhase): void;
  /** The full model was measured; `state` will be updated in place from now on. */
  started(state: RunState, data: TaskData): void;
  /** Events were applied to the state: draw it (at most once per frame). */
  frame(state: RunState): void;
  done(state: RunState, circuit: unknown, wallTime: number): void;
  failed(error: unknown): void;
}

export class RunController extends SteeredRun<RunHandle> {
  state: RunState | null = null;
  circuit: unknown = null;
  private frame = 0;
  /** What the run said, kept to be stored once it is done (last-circuit.ts). */
  private begun: AcdcStatus | null = null;
  private events: AcdcEvent[] = [];
  private wallTime = 0;

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
    this.events = [];
    this.wantPaused = paused;
    this.setPhase('starting');
    const handle: RunHandle = this.client().run(settings, this.speed, paused, {
      started: (message) => {
        if (this.handle !== handle) return;
        this.state = new RunState(message.graph);
        this.state.begin(message.status, performance.now());
        this.begun = message.status;
        this.view.started(this.state, message.data);
        this.setPhase(this.wantPaused ? 'pausing' : 'running');
      },
      paused: () => {
        if (this.handle !== handle) return;
        // Everything the worker computed has arrived and is applied: draw it, then say "paused".
        this.draw();
        if (this.wantPaused && (this.phase === 'pausing' || this.phase === 'running')) this.setPhase('paused');
      },
      events: (message) => {
        if (this.handle !== handle || this.state === null) return;
        this.state.apply(message.events, message.status, performance.now());
        this.events.push(...message.events);
        if (this.frame === 0) this.frame = requestAnimationFrame(() => this.draw());
      },
    }, custom);
    this.handle = handle;
    handle.end.then(
      (end) => {
        if (this.handle !== handle) return;
        this.draw();
        this.handle = null;
        if (end.type === 'done' && this.state) {
          this.circuit = end.circuit;
          this.wallTime = end.wallTime;
          this.state.status = end.status;
          this.setPhase('done');
          this.view.done(this.state, end.circuit, end.wallTime);
        } else {
          this.setPhase('idle');
        }
      },
      (error: unknown) => {
        if (this.handle !== handle) return;
        this.draw();
        this.handle = null;
        this.setPhase('failed');
        this.view.failed(error);
      },
    );
  }

  /** The run shown, if it is done, as last-circuit.ts keeps it. */
  finished(): FinishedRun | null {
    const { state, begun } = this;
    if (this.phase !== 'done' || state?.status == null || begun === null) return null;
    return { begun, events: this.events, status: state.status, circuit: this.circuit, wallTime: this.wallTime };
  }

  /** Shows a run finished before (kept by last-circuit.ts) as done, without running anything. */
  restore(graph: GraphInfo, run: FinishedRun, data: TaskData): void {
    this.reset();
    const state = new RunState(graph);
    const now = performance.now();
    state.begin(run.begun, now);
    state.apply(run.events, run.status, now);
    this.state = state;
    this.circuit = run.circuit;
    this.begun = run.begun;
    this.events = run.events;
    this.wallTime = run.wallTime;
    this.view.started(state, data);
    this.setPhase('done');
    this.view.done(state, run.circuit, run.wallTime);
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
    this.setPhase('idle');
  }

  /** Draws the state now (a frame asked for is no longer needed). */
  private draw(): void {
    const pending = this.frame !== 0;
    if (pending) cancelAnimationFrame(this.frame);
    this.frame = 0;
    if (this.state !== null && pending) this.view.frame(this.state);
  }
}
