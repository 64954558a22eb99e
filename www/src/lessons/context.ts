// The measures' view of the page (measures/types.ts MeasureContext), built
// from the lesson host: the loaded model and its graph, the settings, the
// step's row, and the worker's forward passes, cached per model so that a
// check and its feedback cost each pass once.

import type {
  Ablation,
  AttentionPattern,
  EdgeAttention,
  GraphInfo,
  HeadLogits,
  LogitLens,
  MetricKind,
  Prediction,
} from '../generated/wire';
import { acdcSettings, type Settings } from '../state/settings';
import type { LessonHost } from './host';
import { NotYet, type MeasureContext, type RunRecord, type RunView } from './measures/types';
import { shapeOfGraph, type Head, type ModelShape } from './refs';
import type { Row } from './scores';

/** What the step being checked points the measures at. */
export interface StepFocus {
  step: string;
  prompt: string | null;
  row: number;
}

/** Caches of one model's passes (a new model gets a fresh one). */
export class PassCache {
  private readonly map = new Map<string, Promise<unknown>>();
  constructor(readonly model: unknown) {}

  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let hit = this.map.get(key) as Promise<T> | undefined;
    if (hit === undefined) {
      hit = compute();
      this.map.set(key, hit);
      // A failure is not remembered: the next check asks again.
      hit.catch(() => this.map.delete(key));
    }
    return hit;
  }
}

export class LessonContext implements MeasureContext {
  readonly shape: ModelShape;
  readonly graph: GraphInfo | null;
  readonly settings: Settings | null;
  readonly step: string;
  readonly dataRows: number;

  constructor(
    private readonly host: LessonHost,
    private readonly cache: PassCache,
    private readonly focus: StepFocus,
    private readonly log: readonly RunRecord[],
  ) {
    this.graph = host.graph();
    if (this.graph === null) throw new NotYet('the model is still loading');
    this.shape = shapeOfGraph(this.graph);
    this.settings = host.state.settings;
    this.step = focus.step;
    this.dataRows = host.state.data?.clean.length ?? 0;
  }

  prompt(): string | null {
    return this.focus.prompt;
  }

  predict(prompt: string): Promise<Prediction> {
    return this.cache.get(`predict|${prompt}`, () => this.host.client().predict(prompt, 10));
  }

  async subject(): Promise<Row> {
    const prompt = this.focus.prompt;
    if (prompt === null) return (await this.rows(this.focus.row + 1))[this.focus.row];
    const p = await this.predict(prompt);
    return { ids: p.tokens.map((t) => t.id), tokens: p.tokens.map((t) => t.text), end: p.tokens.length - 1 };
  }

  async rows(n: number): Promise<Row[]> {
    const data = this.host.state.data;
    if (data === null) throw new NotYet('the task data is still loading');
    const rows: Row[] = [];
    for (let r = 0; r < Math.min(n, data.clean.length); r++) {
      const ids = data.clean[r];
      const { tokens } = await this.attentionOf(ids, 0, 0);
      const scored = data.positions?.[r];
      rows.push({ ids, tokens, end: scored && scored.length > 0 ? scored[scored.length - 1] : ids.length - 1 });
    }
    if (rows.length === 0) throw new NotYet('the task has no rows');
    return rows;
  }

  attention(row: Row, head: Head): Promise<AttentionPattern> {
    return this.attentionOf(row.ids, head.layer, head.head);
  }

  private attentionOf(ids: number[], layer: number, head: number): Promise<AttentionPattern> {
    return this.cache.get(`attention|${ids.join(',')}|${layer}.${head}`, () => this.host.client().attention(ids, layer, head));
  }

  headLogits(row: Row, head: Head, k: number): Promise<HeadLogits> {
    const key = `logits|${row.ids.join(',')}|${head.layer}.${head.head}|${k}`;
    return this.cache.get(key, () => this.host.client().headLogits(row.ids, head.layer, head.head, k));
  }

  logitLens(row: Row, k: number): Promise<LogitLens> {
    return this.cache.get(`lens|${row.ids.join(',')}|${k}`, () => this.host.client().logitLens(row.ids, k));
  }

  edgeAttention(edge: number): Promise<EdgeAttention> {
    const settings = this.runSettings();
    const key = `edge-attention|${JSON.stringify(settings)}|${edge}|${this.focus.row}`;
    return this.cache.get(key, () => this.host.client().edgeAttention(settings, edge, this.focus.row));
  }

  measure(circuits: Uint8Array[], ablation?: Ablation) {
    const settings = { ...this.runSettings(), ...(ablation ? { ablation } : {}) };
    const key = `measure|${JSON.stringify(settings)}|${circuits.map((c) => c.join('')).join('/')}`;
    return this.cache.get(key, () => this.host.client().measureCircuits(settings, circuits));
  }

  edgeScores(algorithm: 'exact' | 'eap' | 'eap-ig', metric?: MetricKind): Promise<Float64Array> {
    const settings = { ...this.runSettings(), algorithm, ...(metric ? { metric } : {}) };
    return this.cache.get(`scores|${JSON.stringify(settings)}`, () => this.host.client().edgeScores(settings));
  }

  run(): RunView | null {
    const { state, circuit } = this.host.run();
    if (state === null || this.settings === null) return null;
    return { state, circuit, settings: this.settings };
  }

  /** The lesson's finished runs on this model, task, metric, ablation, seed and rows (τ may differ). */
  runs(): readonly RunRecord[] {
    const s = this.settings;
    const model = this.host.state.loaded?.entry.id;
    return this.log.filter(
      (r) => r.model === model && r.settings.task === s?.task && r.settings.metric === s.metric && r.settings.ablation === s.ablation && r.settings.seed === s.seed && (r.settings.rows ?? null) === s.rows,
    );
  }

  /** Every finished run of the lesson, whatever its settings. */
  allRuns(): readonly RunRecord[] {
    return this.log;
  }

  async truth(kept: Uint8Array) {
    const truth = this.host.truth();
    return truth === null ? null : this.host.client().truthOverlay(kept, truth);
  }

  private runSettings() {
    if (this.settings === null) throw new NotYet('the settings are not ready yet');
    return acdcSettings(this.settings);
  }
}
