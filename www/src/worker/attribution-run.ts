// One attribution run inside the worker (docs/methods.md): exact patching,
// EAP or EAP-IG as a loop over `AttributionRun.step`, beside the ACDC loop
// (acdc-run.ts) and steered the same way. A step is one edge for exact and
// one forward and backward pass for EAP and EAP-IG; the loop takes the lock
// for a batch of steps sized to about MAX_BATCH_MS, then yields to the event
// loop so that pause, step and cancel land at once and other requests (a
// faithfulness point, an attention pattern) are served between batches.
//
// The loop posts `attributionStarted` and `attributionProgress`, and the
// terminal `attributed` or `cancelled`. A failure is thrown to the worker,
// which posts the one `error`.

import type { CustomTask, RunSettings, ScoresFile } from '../generated/wire';
import type { AttributionRun, Session } from '../pkg/circuitscope.js';
import { wasm } from './wasm';
import type { AttributionProgress, WorkerResponse } from '../protocol';
import { runData } from './run-data';
import type { Exclusive } from './session';
import { SteeredLoop } from './steered';

/** A batch of steps is sized to take about this long. */
const MAX_BATCH_MS = 50;

/** Steered as ACDC is (steered.ts); its busy time is scores.json's wall_time. */
export class AttributionLoop extends SteeredLoop {
  private msPerStep = 50;
  /** Steps done so far, as the last `step` said. */
  private progress: AttributionProgress = { doneSteps: 0, totalSteps: 0, done: false };

  constructor(
    readonly id: number,
    private readonly settings: RunSettings,
    private readonly custom: CustomTask | undefined,
    paused: boolean,
    private readonly post: (message: WorkerResponse, transfer?: Transferable[]) => void,
    exclusive: Exclusive,
  ) {
    super(paused, exclusive);
  }

  async run(session: Session): Promise<void> {
    let run: AttributionRun | null = null;
    try {
      const { settings, custom } = this;
      // Not the graph: the page has it since the model loaded (and building it takes seconds on GPT-2).
      const { data, view } = await this.exclusive(() => runData(session, settings, custom));
      if (this.cancelled) return this.post({ type: 'cancelled', id: this.id });
      run = await this.timed<AttributionRun>(() => wasm().AttributionRun.start(session, settings, data));
      this.post({ type: 'attributionStarted', id: this.id, data: view });
      await this.loop(run);
    } finally {
      run?.free();
    }
  }

  private async loop(run: AttributionRun): Promise<void> {
    for (;;) {
      if (this.cancelled) return this.post({ type: 'cancelled', id: this.id });
      if (this.paused && this.steps === 0) {
        if (!this.announcedPause) {
          this.announcedPause = true;
          // Every step computed so far was posted above: the page may show "paused".
          this.post({ type: 'attributionProgress', id: this.id, progress: this.progress, paused: true });
        }
        await this.sleep();
        continue;
      }
      this.announcedPause = false;
      const single = this.paused;
      const n = single ? 1 : this.batchSize();
      const began = performance.now();
      const progress: AttributionProgress = await this.timed(() => run.step(n));
      this.progress = progress;
      if (single) this.steps--;
      else this.msPerStep = 0.5 * this.msPerStep + (0.5 * (performance.now() - began)) / n;
      if (this.cancelled) continue;
      this.post({ type: 'attributionProgress', id: this.id, progress, paused: false });
      if (progress.done) {
        const wallTime = this.busyMs / 1000;
        const [scores, perEdge] = await this.exclusive((): [ScoresFile, Float64Array] => [run.scores(wallTime), run.perEdge()]);
        this.post({ type: 'attributed', id: this.id, scores, perEdge, wallTime }, [perEdge.buffer]);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  private batchSize(): number {
    return Math.max(1, Math.min(256, Math.round(MAX_BATCH_MS / Math.max(this.msPerStep, 0.1))));
  }

}
