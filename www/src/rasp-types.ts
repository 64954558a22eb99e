// What the RASP compiler hands the page (crate/src/rasp/report.rs and
// ground_truth.rs), as the worker passes it on. The report is camelCase; the
// ground truth keeps ground_truth.json's own snake_case, so a shipped model's
// file and a compile read the same.

/** An edge as circuit.json and ground_truth.json name it: hook names and head indices. */
export interface EdgeName {
  sender: string;
  sender_head: number | null;
  receiver: string;
  receiver_head: number | null;
}

/** `ground_truth.json`: the circuit known by construction, and what each component computes. */
export interface GroundTruth {
  program: string;
  edges: EdgeName[];
  /** The residual stream's basis labels, in order (`indices:0`, `one`, `tokens:BOS`, …). */
  residual: string[];
}

/** One basis direction of the residual stream: its index in d_model and its label. */
export interface LayoutDir {
  index: number;
  label: string;
}

/** A writer of the residual stream (an embedding, a head or an MLP) and what it writes. */
export interface LayoutGroup {
  /** The graph node: `hook_embed`, `hook_pos_embed`, `blocks.L.attn.hook_result`, `blocks.L.hook_mlp_out`. */
  writer: string;
  head: number | null;
  kind: 'embed' | 'pos_embed' | 'attn' | 'mlp';
  /** The s-op it computes and how; null for the embeddings. */
  sop: string | null;
  op: string | null;
  dirs: LayoutDir[];
}

/** A program that compiled: the model's name, tasks, size, layout and ground truth. */
export interface CompileReport {
  name: string;
  /** The tasks the model is for, the one to open first. */
  tasks: string[];
  nLayers: number;
  nHeads: number;
  dModel: number;
  graphEdges: number;
  layout: LayoutGroup[];
  groundTruth: GroundTruth;
}

/** Where and why a program does not compile (1-based line and column). */
export interface RaspError {
  message: string;
  line: number;
  column: number;
}

/** `Session.compileRasp(source).outcome`. */
export type CompileOutcome = { ok: true; report: CompileReport } | { ok: false; error: RaspError };

/** `raspRun(source, input)`: the program and its compiled model on one input, per position after BOS. */
export interface InputRun {
  input: string[];
  /** The output s-op's name. */
  output: string;
  /** The interpreter's output; null where the program has no value (an empty selection). */
  program: (string | null)[];
  /** The model's: the winning value, or the output logit for a numerical program. */
  model: string[];
  agree: boolean[];
}
