// The shapes the wasm API's ACDC calls return (crate/src/web/), as the worker
// passes them on to the page unchanged. Names are the crate's, camelCased at
// the boundary; hook names (`blocks.1.hook_q_input`) are never changed.

export type MetricName = 'kl' | 'logit_diff' | 'prob_diff' | 'l2' | 'nll';
export const METRICS: readonly MetricName[] = ['kl', 'logit_diff', 'prob_diff', 'l2', 'nll'];

export type Ablation = 'resample' | 'zero';
export const ABLATIONS: readonly Ablation[] = ['resample', 'zero'];

/** Sender-group order (`namesMode`) or head order within a group (`indicesMode`). */
export type VisitMode = 'normal' | 'reverse' | 'random';
export const VISIT_MODES: readonly VisitMode[] = ['normal', 'reverse', 'random'];

/** `listTasks()`: a task the crate can generate data for. */
export interface TaskInfo {
  name: string;
  defaultMetric: MetricName;
  defaultTau: number;
  /** Zero for the compiled (tracr) models, as the paper ran them; resample otherwise. */
  defaultAblation: Ablation;
  defaultRows: number;
  explanation: string;
}

/** The hook of a graph node, without `blocks.L.` (ACDC.md §1). */
export type Hook =
  | 'resid_pre'
  | 'embed'
  | 'pos_embed'
  | 'q_input'
  | 'k_input'
  | 'v_input'
  | 'q'
  | 'k'
  | 'v'
  | 'result'
  | 'mlp_in'
  | 'mlp_out'
  | 'resid_post';

export interface GraphNode {
  id: number;
  /** The TransformerLens hook name, e.g. `blocks.0.attn.hook_result`. */
  name: string;
  head: number | null;
  layer: number;
  /** A display label derived from the name (`A0.3`, `MLP 1`); never parsed back. */
  label: string;
  hook: Hook;
}

export type EdgeType = 'addition' | 'direct_computation' | 'placeholder';

export interface GraphEdge {
  id: number;
  sender: number;
  receiver: number;
  type: EdgeType;
}

/** `Session.graph()`: the ACDC computational graph of the loaded model. */
export interface GraphInfo {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Node ids, output first: the order ACDC visits receivers in. */
  visitOrder: number[];
  counts: { edges: number; addition: number; direct_computation: number; placeholder: number; nodes: number };
  nLayers: number;
  nHeads: number;
  hasMlp: boolean;
  usePosEmbed: boolean;
}

/** `Session.taskData()`: the task's clean and corrupted batches for one seed. */
export interface TaskData {
  clean: number[][];
  corrupt: number[][];
  positions: number[][] | null;
  cleanText: string[];
  corruptText: string[];
}

/** Everything that decides a run; what `AcdcRun.start` takes. */
export interface AcdcSettings {
  task: string;
  tau: number;
  metric?: MetricName;
  ablation?: Ablation;
  indicesMode?: VisitMode;
  namesMode?: VisitMode;
  absValueThreshold?: boolean;
  seed?: number;
  rows?: number;
}

/** One step of ACDC (`AcdcRun.step`). Edge and node ids index GraphInfo. */
export type AcdcEvent =
  | { type: 'tested'; edge: number; metricBefore: number; metricAfter: number; removed: boolean }
  | { type: 'skipped'; receiver: number; edgesRemoved: number[]; metricAfter: number }
  | { type: 'done'; metric: number };

/** `AcdcRun.status()`. `remaining` counts ADDITION + DIRECT_COMPUTATION edges neither tested nor removed. */
export interface AcdcStatus {
  tested: number;
  removed: number;
  kept: number;
  remaining: number;
  currentMetric: number;
  initialMetric: number;
  passes: number;
  done: boolean;
}

/** `{tokens, pattern}` of `Session.attention`; `pattern[query][key]`. */
export interface AttentionPattern {
  tokens: string[];
  pattern: number[][];
}
