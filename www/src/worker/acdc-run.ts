// One ACDC run inside the worker: a loop over `AcdcRun.step` that posts each
// batch of events, paces itself to the page's speed, and yields to the event
// loop between batches so that pause, step and cancel land at once (candle's
// llama2-c worker: a flag checked between steps, `setTimeout(…, 0)`); see
// docs/worker-protocol.md#a-runs-lifecycle. Attribution runs are a loop of
// their own beside this one (attribution-run.ts).
//
// The loop posts `started` and `events`; the terminal `done` or `cancelled`
// too. A failure is thrown to the worker, which posts the one `error`.

import type { AcdcEvent, AcdcStatus, CustomTask, GraphInfo, RunSettings } from '../generated/wire';
import type { AcdcRun, Session } from '../pkg/circuitscope.js';
import { wasm } from './wasm';
import type { Speed, WorkerResponse } from '../protocol';
import { runData } from './run-data';
import type { Exclusive } from './session';
import { SteeredLoop } from './steered';

/** At speed 'max', a batch is sized to take about this long. */
const MAX_BATCH_MS = 50;
/** At a numeric speed, one batch per this many milliseconds (a frame). */
const FRAME_MS = 16;

/** Steered as the attribution loop is (steered.ts); its busy time is circuit.json's wall_time. */
export class AcdcLoop extends SteeredLoop {
  private speed: Speed;
  /** Measured cost of one event, for sizing 'max' batches. */
  private msPerEvent = 10;

  constructor(
    readonly id: number,
    private readonly settings: RunSettings,
    speed: Speed,
    paused: boolean,
    private readonly post: (message: WorkerResponse) => void,
    exclusive: Exclusive,
    /** A person's own rows instead of the task's. */
    private readonly custom?: CustomTask,
  ) {
    super(paused, exclusive);
    this.speed = speed;
  }

  protected override setSpeed(speed: Speed): void {
    this.speed = speed;
  }

  /** Runs to the end (or until cancelled) on `session`; throws what the wasm API throws. */
  async run(session: Session): Promise<void> {
    let run: AcdcRun | null = null;
    try {
      const { settings } = this;
      // The session is read under the lock: a load may free it between calls.
      const graph: GraphInfo = await this.exclusive(() => session.graph());
      const { data, view } = await this.exclusive(() => runData(session, settings, this.custom));
      if (this.cancelled) return this.post({ type: 'cancelled', id: this.id });
      run = await this.timed<AcdcRun>(() => wasm().AcdcRun.start(session, settings, data));
      this.post({ type: 'started', id: this.id, graph, data: view, status: run.status() });
      await this.loop(run);
    } finally {
      run?.free();
    }
  }

  private async loop(run: AcdcRun): Promise<void> {
    for (;;) {
      if (this.cancelled) {
        this.post({ type: 'cancelled', id: this.id });
        return;
      }
      if (this.paused && this.steps === 0) {
        if (!this.announcedPause) {
          // Every batch computed so far was posted above: tell the page it may show "paused".
          this.announcedPause = true;
          this.post({ type: 'paused', id: this.id, status: run.status() });
        }
        await this.sleep(Infinity);
        continue;
      }
      this.announcedPause = false;
      const single = this.paused;
      const began = performance.now();
      const events: AcdcEvent[] = await this.timed<AcdcEvent[]>(() =>
        single ? stepOneEdge(run) : run.step(this.batchSize()),
      );
      if (single) this.steps--;
      if (!single && events.length > 0) {
        this.msPerEvent = 0.5 * this.msPerEvent + (0.5 * (performance.now() - began)) / events.length;
      }
      const status: AcdcStatus = run.status();
      if (this.cancelled) continue;
      this.post({ type: 'events', id: this.id, events, status });
      if (status.done || events.some((e) => e.type === 'done')) {
        const wallTime = this.busyMs / 1000;
        this.post({ type: 'done', id: this.id, circuit: run.circuit(wallTime), status, wallTime });
        return;
      }
      const spare = this.speed === 'max' || single ? 0 : FRAME_MS - (performance.now() - began);
      await this.sleep(Math.max(0, spare));
    }
  }

  private batchSize(): number {
    if (this.speed !== 'max') return this.speed;
    return Math.max(1, Math.min(256, Math.round(MAX_BATCH_MS / Math.max(this.msPerEvent, 0.1))));
  }
}

/** Steps until one edge was tested (skipped receivers on the way included) or the run ended. */
async function stepOneEdge(run: AcdcRun): Promise<AcdcEvent[]> {
  const events: AcdcEvent[] = [];
  for (;;) {
    const batch: AcdcEvent[] = await run.step(1);
    events.push(...batch);
    if (batch.length === 0 || batch.some((e) => e.type === 'tested' || e.type === 'done')) return events;
  }
}
