// What a measure is: a named function of the page — its model, its settings,
// the run on its stage and the runs of the lesson so far — whose value a
// question's answer is checked against, with the evidence that explains it
// (www/lessons/FORMAT.md#measures). The context is what the lesson runner
// lends the measures: real forward passes in the worker, and the page state.

import type {
  Ablation,
  AttentionPattern,
  Circuit,
  CurvePoint,
  EdgeAttention,
  GraphInfo,
  HeadLogits,
  LogitLens,
  MetricKind,
  Prediction,
  TruthOverlay,
} from '../../generated/wire';
import type { RunState } from '../../state/run-state';
import type { Settings } from '../../state/settings';
import type { MeasureCall } from '../format';
import type { Head, ModelShape } from '../refs';
import type { Row, SweepPoint } from '../scores';

/** A measure's value: a number, a word (a token, a head, a choice), or a set of them. */
export type Value = number | string | string[];

/** What kind of value a measure gives, and so which questions may use it. */
export type ValueKind = 'number' | 'text' | 'heads' | 'edges' | 'texts';

/** Evidence shown with the feedback. */
export type Evidence =
  | { kind: 'text'; text: string }
  | { kind: 'heads'; heads: string[]; caption: string }
  | { kind: 'edges'; edges: string[]; caption: string }
  | { kind: 'table'; caption: string; columns: string[]; rows: (string | number)[][] }
  | { kind: 'attention'; head: string; pattern: AttentionPattern; query: number | null }
  | { kind: 'prediction'; prediction: Prediction }
  | { kind: 'lens'; lens: LogitLens; at: number }
  | { kind: 'logits'; head: string; logits: HeadLogits; at: number }
  | { kind: 'edge-attention'; edge: string; attention: EdgeAttention }
  | { kind: 'sweep'; points: SweepPoint[]; knee: SweepPoint | null };

export interface Measured {
  value: Value;
  evidence: Evidence[];
}

/** The run on the stage. */
export interface RunView {
  state: RunState;
  /** circuit.json, once the run is done. */
  circuit: Circuit | null;
  /** The settings it runs with. */
  settings: Settings;
}

/** A finished run of this lesson. */
export interface RunRecord {
  /** The step it finished in. */
  step: string;
  /** The model's id (a compiled program's is `rasp-program`). */
  model: string;
  settings: Settings;
  /** 1 per graph edge the circuit keeps. */
  kept: Uint8Array;
  /** ADDITION + DIRECT_COMPUTATION edges kept. */
  keptCount: number;
  circuit: Circuit;
}

export interface MeasureContext {
  readonly shape: ModelShape;
  readonly graph: GraphInfo | null;
  readonly settings: Settings | null;
  /** The step being checked. */
  readonly step: string;
  /** Rows of the settings' task data (B). */
  readonly dataRows: number;
  /** The row the step looks at: its prompt, else its clean row of the task data. */
  subject(): Promise<Row>;
  /** The first `n` clean rows of the task data. */
  rows(n: number): Promise<Row[]>;
  /** The step's prompt (setup `prompt:`), if any. */
  prompt(): string | null;
  predict(prompt: string): Promise<Prediction>;
  attention(row: Row, head: Head): Promise<AttentionPattern>;
  headLogits(row: Row, head: Head, k: number): Promise<HeadLogits>;
  logitLens(row: Row, k: number): Promise<LogitLens>;
  /** Graph edge `edge` removed, on the step's data row. */
  edgeAttention(edge: number): Promise<EdgeAttention>;
  /** M and f of circuits on the settings' data (`ablation` in place of the settings'). */
  measure(circuits: Uint8Array[], ablation?: Ablation): Promise<{ points: CurvePoint[]; fullMetric: number; emptyMetric: number }>;
  edgeScores(algorithm: 'exact' | 'eap' | 'eap-ig', metric?: MetricKind): Promise<Float64Array>;
  run(): RunView | null;
  /** The lesson's finished runs comparable with the current settings (same model, task, metric, ablation, seed). */
  runs(): readonly RunRecord[];
  /** Every finished run of the lesson. */
  allRuns(): readonly RunRecord[];
  /** The finished run's circuit against the model's ground truth (null: the model has none). */
  truth(kept: Uint8Array): Promise<TruthOverlay | null>;
}

/** How a positional argument or an option is read and checked. */
export type ArgKind =
  | 'head'
  | 'edge'
  | 'heads'
  | 'text'
  | 'number'
  | 'position'
  | 'target'
  | 'layer'
  | 'ablation'
  | 'method'
  | 'step'
  | 'metric';

export interface MeasureDef {
  name: string;
  /** One line for FORMAT.md and for messages. */
  summary: string;
  value: ValueKind;
  /** Positional arguments, in order (a trailing `?` in the name: optional). */
  args: { name: string; kind: ArgKind; optional?: boolean }[];
  options: Record<string, ArgKind>;
  compute(call: MeasureCall, ctx: MeasureContext): Promise<Measured>;
}

/** A failure a student can act on ("run ACDC first"), shown instead of a verdict. */
export class NotYet extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotYet';
  }
}
