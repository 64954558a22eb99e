// What the page knows of the methods it ran on one dataset (pure: no DOM):
// each attribution run's scores and faithfulness curve, ACDC's circuit and
// its point, and the arithmetic the views share — CPR and CMD, cutting sizes,
// comparing two circuits, the ranking of edges (docs/methods.md).

import type { Algorithm, CurvePoint, CustomTask, GraphInfo, MetricKind, Roc, RunSettings, ScoresFile, TaskInfo } from '../generated/wire';
import { CUSTOM_TASK } from './custom-task';
import type { RunState } from './run-state';
import { runSettings, type Settings } from './settings';

export type Method = Exclude<Algorithm, 'acdc'>;

export const METHOD_LABEL: Record<Algorithm, string> = { acdc: 'ACDC', exact: 'exact', eap: 'EAP', 'eap-ig': 'EAP-IG' };

/** An attribution run's scores and how good the circuits cut from them are. */
export interface ScoredResult {
  kind: 'scores';
  method: Method;
  label: string;
  /** What it ran with (and what its circuits are judged with). */
  settings: RunSettings;
  custom: CustomTask | undefined;
  /** scores.json, as the CLI writes it. */
  file: ScoresFile;
  /** One score per graph edge (NaN: unscored). */
  scores: Float64Array;
  maxAbs: number;
  /** Rows of the data: an EAP score × rows is its estimate of the exact Δ. */
  rows: number;
  wallTime: number;
  /** The faithfulness curve at MIB's sizes, as far as it is evaluated. */
  curve: CurvePoint[];
  fullMetric: number | null;
  emptyMetric: number | null;
  roc: Roc | null;
}

/** ACDC's circuit: one point on the faithfulness chart, and the Δ of every edge it tested. */
export interface CircuitResult {
  kind: 'circuit';
  method: 'acdc';
  label: string;
  /** 1 per graph edge in the circuit. */
  kept: Uint8Array;
  /** Δ metric when ACDC tested the edge (NaN: not tested). */
  delta: Float64Array;
  point: CurvePoint | null;
}

export type Result = ScoredResult | CircuitResult;

/** The runs that can be compared: same model, data, metric and ablation. */
export function dataKey(settings: Settings, custom: CustomTask | null): string {
  const { model, task, metric, ablation, seed, rows } = settings;
  return JSON.stringify(task === CUSTOM_TASK ? { model, custom, metric, ablation } : { model, task, seed, rows, metric, ablation });
}

export function methodLabel(settings: Pick<RunSettings, 'algorithm' | 'steps' | 'tau'>): string {
  if (settings.algorithm === 'eap-ig') return `EAP-IG (m = ${settings.steps})`;
  if (settings.algorithm === 'acdc') return `ACDC (τ = ${settings.tau})`;
  return METHOD_LABEL[settings.algorithm];
}

/** CPR (area under f) and CMD (area under |1 − f|): trapezoids over the fractions, as the crate's `Faithfulness::of`. */
export function areas(points: readonly CurvePoint[]): { cpr: number; cmd: number } {
  const sorted = [...points].sort((a, b) => a.fraction - b.fraction);
  let cpr = 0;
  let cmd = 0;
  for (let i = 1; i < sorted.length; i++) {
    const [p, q] = [sorted[i - 1], sorted[i]];
    const dx = q.fraction - p.fraction;
    cpr += (dx * (p.f + q.f)) / 2;
    cmd += (dx * (Math.abs(1 - p.f) + Math.abs(1 - q.f))) / 2;
  }
  return { cpr, cmd };
}

/** The largest |score| (0 when nothing is scored). */
export function maxAbs(scores: Float64Array): number {
  let max = 0;
  for (const s of scores) if (Number.isFinite(s)) max = Math.max(max, Math.abs(s));
  return max;
}

/** The fraction whose budget `floor(fraction · total)` is exactly `n` (docs/methods.md#a-circuit-from-scores). */
export function fractionOf(n: number, total: number): number {
  return total > 0 ? Math.min(1, (n + 0.5) / total) : 0;
}

/** Sizes on a log scale, so that a slider reaches the small circuits: position in [0, 1] ↔ n in [0, total]. */
export function sizeAt(position: number, total: number): number {
  const p = Math.min(1, Math.max(0, position));
  return Math.min(total, Math.max(0, Math.round(Math.expm1(p * Math.log1p(total)))));
}

export function positionOf(n: number, total: number): number {
  return total > 0 ? Math.log1p(Math.min(total, Math.max(0, n))) / Math.log1p(total) : 0;
}

/** A typed size: a count of edges (`25`) or a percentage of them (`10%`, `0.5 %`); null when it is neither. */
export function parseSize(text: string, total: number): number | null {
  const t = text.trim();
  const percent = /^(\d+(?:\.\d*)?|\.\d+)\s*%$/.exec(t);
  if (percent) {
    const p = Number(percent[1]);
    return p <= 100 ? Math.floor((p / 100) * total) : null;
  }
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n <= total ? n : null;
}

/** Edge ids by |score|, largest first (ties: earlier in graph order), unscored left out: the crate's ranking. */
export function ranked(scores: Float64Array): number[] {
  const ids: number[] = [];
  scores.forEach((s, i) => {
    if (Number.isFinite(s)) ids.push(i);
  });
  return ids.sort((a, b) => Math.abs(scores[b]) - Math.abs(scores[a]) || a - b);
}

export interface Overlap {
  both: number;
  onlyShown: number;
  onlyOther: number;
  /** |A ∩ B| / |A ∪ B| (1 for two empty circuits). */
  jaccard: number;
}

/** Two circuits (1 per kept graph edge) compared over the ADDITION edges, the edges every method decides. */
export function overlap(graph: GraphInfo, shown: Uint8Array, other: Uint8Array): Overlap {
  let both = 0;
  let onlyShown = 0;
  let onlyOther = 0;
  for (const e of graph.edges) {
    if (e.type !== 'addition') continue;
    const a = shown[e.id] === 1;
    const b = other[e.id] === 1;
    if (a && b) both++;
    else if (a) onlyShown++;
    else if (b) onlyOther++;
  }
  const union = both + onlyShown + onlyOther;
  return { both, onlyShown, onlyOther, jaccard: union === 0 ? 1 : both / union };
}

/** ADDITION edges of a graph: the edges scores rank and sizes count. */
export function additionEdges(graph: GraphInfo): number {
  return graph.counts.addition;
}

/** The smallest of MIB's sizes whose circuit keeps `least` of the behaviour (undefined: none does). */
export function smallestFaithful(curve: readonly CurvePoint[], least = 0.8): CurvePoint | undefined {
  return [...curve].sort((a, b) => a.fraction - b.fraction).find((p) => p.f >= least);
}

/** A finished attribution run as a result (its curve and ROC still to judge). */
export function scoredResult(
  method: Method,
  label: string,
  end: { scores: ScoresFile; perEdge: Float64Array; wallTime: number },
  settings: RunSettings,
  custom: CustomTask | undefined,
  rows: number,
): ScoredResult {
  return {
    kind: 'scores',
    method,
    label,
    settings,
    custom,
    file: end.scores,
    scores: end.perEdge,
    maxAbs: maxAbs(end.perEdge),
    rows,
    wallTime: end.wallTime,
    curve: [],
    fullMetric: null,
    emptyMetric: null,
    roc: null,
  };
}

/** ACDC's finished run as a result: its circuit (1 per kept graph edge) and the Δ of every edge it tested. */
export function acdcResult(state: RunState, settings: Settings): CircuitResult {
  return {
    kind: 'circuit',
    method: 'acdc',
    label: methodLabel({ ...runSettings(settings), algorithm: 'acdc' }),
    kept: Uint8Array.from(state.graph.edges, (e) => (state.present(e.id) ? 1 : 0)),
    delta: Float64Array.from(state.delta),
    point: null,
  };
}

/** KL and L2 compare with the clean model: their gradient there is 0, so EAP scores every edge ≈ 0. */
export function gradientFree(metric: MetricKind | null): boolean {
  return metric === 'kl' || metric === 'l2';
}

/**
 * The metric that compares answers, if the data has them (what the KL+EAP
 * warning offers): the task's own, or logit_diff for a person's rows that all
 * name a right and a wrong answer; null when there is none.
 */
export function taskMetric(settings: Settings, task: TaskInfo | undefined, custom: CustomTask): MetricKind | null {
  if (settings.task === CUSTOM_TASK) {
    const rows = custom.rows;
    return rows.length > 0 && rows.every((r) => r.correct.trim() !== '' && r.wrong.trim() !== '') ? 'logit_diff' : null;
  }
  const metric = task?.defaultMetric ?? null;
  return metric === null || gradientFree(metric) ? null : metric;
}
