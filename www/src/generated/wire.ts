// Generated from the Rust types by crate/web/tests/wire.rs (ts-rs): do not edit.
// Regenerate with `UPDATE_WIRE=1 cargo test -p circuitscope-web --test wire`.

export type Algorithm = "acdc" | "exact" | "eap" | "eap-ig";

export type MetricKind = "kl" | "logit_diff" | "prob_diff" | "l2" | "nll";

export type Ablation = "resample" | "zero" | "mean";

export type Mode = "normal" | "reverse" | "random";

export type RunSettings = { 
/**
 * The task whose data the run uses (`circuitscope tasks`); empty: the model's first task.
 */
task: string, 
/**
 * acdc, exact, eap or eap-ig.
 */
algorithm: Algorithm, 
/**
 * ACDC's threshold τ: an edge is removed when the metric rises by less (default: the task's).
 */
tau: number | null, 
/**
 * kl, logit_diff, prob_diff, l2 or nll (default: the task's).
 */
metric: MetricKind | null, 
/**
 * resample, zero or mean (default: the task's: zero for compiled models, else resample).
 */
ablation: Ablation | null, 
/**
 * ACDC's order of heads within a sender group: normal, reverse or random.
 */
indicesMode: Mode, 
/**
 * ACDC's order of sender groups: normal, reverse or random.
 */
namesMode: Mode, 
/**
 * ACDC compares |Δ| with τ instead of Δ.
 */
absValueThreshold: boolean, 
/**
 * The seed of the task's data and of ACDC's random orders.
 */
seed: number, 
/**
 * Rows of task data (default: the task's).
 */
rows: number | null, 
/**
 * EAP-IG's interpolation steps m.
 */
steps: number, };

export type AcdcSettings = { tau: number, metric: MetricKind, ablation: Ablation, indices_mode: Mode, names_mode: Mode, 
/**
 * Compare |Δ| with τ instead of Δ.
 */
abs_value_threshold: boolean, use_pos_embed: boolean, seed: number, };

export type Method = "exact" | "eap" | "eap-ig";

export type AttributeSettings = { method: Method, 
/**
 * EAP-IG's interpolation steps m (5 is near its plateau; the reference code uses 30).
 */
steps: number, metric: MetricKind, ablation: Ablation, use_pos_embed: boolean, };

export type ActFn = "gelu_new" | "gelu" | "relu";

export type NormalizationType = "LN" | "LNPre";

export type PositionalEmbeddingType = "standard" | "shortformer" | "none";

export type AttentionDir = "causal" | "bidirectional";

export type ModelConfig = { 
/**
 * Shown in the page and the CLI; free text.
 */
model_name: string, n_layers: number, n_heads: number, d_model: number, d_head: number, 
/**
 * Hidden width of each MLP; `None` (or ignored) when `attn_only`.
 */
d_mlp: number | null, d_vocab: number, 
/**
 * Size of the unembedding's output; defaults to `d_vocab` (tracr models differ).
 */
d_vocab_out?: number | null, 
/**
 * Longest sequence the positional embedding covers.
 */
n_ctx: number, 
/**
 * Required when the model has MLPs.
 */
act_fn: ActFn | null, 
/**
 * `None` means no normalisation at all (tracr).
 */
normalization_type: NormalizationType | null, positional_embedding_type: PositionalEmbeddingType, attention_dir: AttentionDir, attn_only: boolean, 
/**
 * LayerNorm epsilon, default 1e-5.
 */
eps: number, 
/**
 * Divide attention scores by √d_head (default true).
 */
use_attn_scale: boolean, 
/**
 * ACDC graph variant: separate `hook_embed` and `hook_pos_embed` input nodes instead of one
 * `blocks.0.hook_resid_pre` (the tracr tasks). Not part of the forward pass.
 */
use_pos_embed: boolean, 
/**
 * Task ids this model is trained for (see `tasks/`); the first is the default.
 */
tasks: Array<string>, };

export type BackendChoice = { 
/**
 * `"webgpu"` or `"cpu"`.
 */
backend: string, reason: string, };

export type ModelInfo = { config: ModelConfig, parameterCount: number, 
/**
 * The tokenizer's vocabulary (none without a tokenizer).
 */
vocabSize: number | null, 
/**
 * `webgpu` or `cpu`.
 */
backend: string, };

export type Hook = "resid_pre" | "embed" | "pos_embed" | "q_input" | "k_input" | "v_input" | "q" | "k" | "v" | "result" | "mlp_in" | "mlp_out" | "resid_post";

export type EdgeType = "addition" | "direct_computation" | "placeholder";

export type Counts = { 
/**
 * ADDITION + DIRECT_COMPUTATION.
 */
edges: number, addition: number, directComputation: number, placeholder: number, nodes: number, };

export type NodeInfo = { id: number, name: string, head: number | null, layer: number, label: string, hook: Hook, };

export type EdgeInfo = { id: number, sender: number, receiver: number, type: EdgeType, };

export type Point = { x: number, y: number, };

export type BoxKind = "input" | "head" | "mlp" | "output";

export type DrawnBox = { 
/**
 * Stable key: `head:L:H`, `mlp:L`, `resid_pre`, `embed`, `pos_embed`, `logits`.
 */
key: string, kind: BoxKind, layer: number, head: number | null, 
/**
 * `A1.3`, `MLP 0`, `embed`, `pos`, `logits`.
 */
label: string, x: number, y: number, w: number, h: number, 
/**
 * The graph nodes it stands for.
 */
nodes: Array<number>, };

export type DrawnEdge = { id: number, type: EdgeType, from: Point, to: Point, sender: number, receiver: number, 
/**
 * The boxes the edge leaves and enters (the same box for a port mark).
 */
senderBox: number, receiverBox: number, };

export type Column = { x: number, label: string, };

export type GraphLayout = { width: number, height: number, boxes: Array<DrawnBox>, 
/**
 * Graph node id → index in `boxes`.
 */
boxOf: Array<number>, 
/**
 * Only ADDITION and DIRECT_COMPUTATION edges, in graph order.
 */
edges: Array<DrawnEdge>, 
/**
 * Graph edge id → index in `edges` (−1 for placeholders).
 */
edgeIndex: Array<number>, columns: Array<Column>, };

export type GraphInfo = { nodes: Array<NodeInfo>, edges: Array<EdgeInfo>, visitOrder: Array<number>, counts: Counts, nLayers: number, nHeads: number, hasMlp: boolean, usePosEmbed: boolean, 
/**
 * Where the page draws every node and edge.
 */
layout: GraphLayout, };

export type EdgeName = { sender: string, sender_head: number | null, receiver: string, receiver_head: number | null, };

export type AttentionPattern = { tokens: Array<string>, pattern: Array<Array<number>>, };

export type TaskInfo = { name: string, defaultMetric: MetricKind, defaultTau: number, 
/**
 * Zero for the compiled (tracr) models, as the paper ran them; resample otherwise.
 */
defaultAblation: Ablation, defaultRows: number, explanation: string, };

export type TaskData = { clean: Array<Array<number>>, corrupt: Array<Array<number>>, positions: Array<Array<number>> | null, cleanText: Array<string>, corruptText: Array<string>, };

export type CustomRow = { clean: string, corrupt: string, 
/**
 * The right next token (one token of the vocabulary), for logit_diff, prob_diff and nll.
 */
correct: string, 
/**
 * The wrong next token(s), space-separated, for logit_diff and prob_diff.
 */
wrong: string, };

export type Scored = { "kind": "last" } | { "kind": "all" } | { "kind": "positions", "at": Array<number> };

export type CustomTask = { rows: Array<CustomRow>, scored: Scored, };

export type AcdcEvent = { "type": "tested", edge: number, metricBefore: number, metricAfter: number, removed: boolean, } | { "type": "skipped", receiver: number, edgesRemoved: Array<number>, metricAfter: number, } | { "type": "done", metric: number, };

export type AcdcStatus = { tested: number, removed: number, kept: number, 
/**
 * ADD and DC edges neither tested nor removed yet.
 */
remaining: number, currentMetric: number, initialMetric: number, passes: number, done: boolean, };

export type TestedEdge = { metric_before: number, metric_after: number, delta: number, removed: boolean, sender: string, sender_head: number | null, receiver: string, receiver_head: number | null, };

export type SkippedNode = { receiver: string, receiver_head: number | null, edges_removed: number, metric_after: number, };

export type Circuit = { settings: AcdcSettings, graph: Counts, initial_metric: number, tested: Array<TestedEdge>, skipped: Array<SkippedNode>, kept: Array<EdgeName>, final_metric: number, forward_passes: number, 
/**
 * Seconds; the only field that differs between two identical runs.
 */
wall_time: number, };

export type EdgeScore = { score: number, sender: string, sender_head: number | null, receiver: string, receiver_head: number | null, };

export type ScoresFile = { settings: AttributeSettings, graph: Counts, edges: Array<EdgeScore>, forward_passes: number, backward_passes: number, 
/**
 * Seconds; the only field that differs between two identical runs.
 */
wall_time: number, };

export type CurvePoint = { 
/**
 * The budget, as a fraction of the ADDITION edges.
 */
fraction: number, 
/**
 * ADDITION edges asked for, and kept after pruning.
 */
n: number, edges: number, 
/**
 * M(C) and f(C).
 */
metric: number, f: number, };

export type Faithfulness = { points: Array<CurvePoint>, 
/**
 * Area under f over the fractions (higher is better).
 */
cpr: number, 
/**
 * Area under |1 − f| (lower is better).
 */
cmd: number, 
/**
 * M(N) and M(∅).
 */
full_metric: number, empty_metric: number, };

export type RocPoint = { fraction: number, tpr: number, fpr: number, };

export type Roc = { 
/**
 * The pruned circuits at MIB's sizes.
 */
points: Array<RocPoint>, 
/**
 * Area under the ROC curve of the ranking by |score| (every cut; ties count half): the chance
 * that a true edge outranks a false one.
 */
auc: number, };

export type TruthOverlay = { truePositives: number, misses: number, extras: number, 
/**
 * kept ∩ truth / truth, over ADDITION and DIRECT_COMPUTATION edges.
 */
tpr: number, 
/**
 * kept − truth / (edges − truth).
 */
fpr: number, 
/**
 * Per graph edge: 0 none, 1 true positive, 2 miss, 3 extra.
 */
verdict: Array<number>, };

export type TokenText = { id: number, text: string, };

export type TopToken = { id: number, token: string, prob: number, };

export type Prediction = { tokens: Array<TokenText>, top: Array<TopToken>, };

export type Encoding = "categorical" | "numerical";

export type OutputInfo = { sop: string, encoding: Encoding, 
/**
 * Categorical: the value each logit stands for, in logit order.
 */
values: Array<string>, };

export type ComponentInfo = { sop: string, op: string, layer: number, 
/**
 * `attn` (with `head`) or `mlp`.
 */
kind: string, head: number | null, 
/**
 * Residual directions it writes.
 */
writes: Array<string>, };

export type GroundTruth = { program: string, 
/**
 * The edges the program's dataflow uses (ADDITION and DIRECT_COMPUTATION), graph order.
 */
edges: Array<EdgeName>, 
/**
 * The residual stream's basis, in order: `tokens:1`, `indices:0`, `one`, `length:3`, ….
 */
residual: Array<string>, output: OutputInfo, components: Array<ComponentInfo>, 
/**
 * Aggregates whose selection can be empty (their BOS default is part of the circuit).
 */
empty_selections: Array<string>, 
/**
 * Inputs the empty-selection check ran on, and how many the program is undefined on.
 */
inputs_checked: number, inputs_undefined: number, };

export type LayoutDir = { index: number, label: string, };

export type LayoutGroup = { 
/**
 * The graph node that writes: `hook_embed`, `hook_pos_embed`,
 * `blocks.L.attn.hook_result` (with `head`) or `blocks.L.hook_mlp_out`.
 */
writer: string, head: number | null, 
/**
 * `embed`, `pos_embed`, `attn` or `mlp`.
 */
kind: string, 
/**
 * The s-op it computes and how (`SelectorWidth(Select(tokens, tokens, TRUE))`); none for
 * the embeddings.
 */
sop: string | null, op: string | null, dirs: Array<LayoutDir>, };

export type CompileReport = { 
/**
 * The model's id: a shipped program's (`tracr-reverse`) or [`EDITED_NAME`].
 */
name: string, 
/**
 * The tasks the model is for, the one to open first ([`programs::tasks_for`]).
 */
tasks: Array<string>, nLayers: number, nHeads: number, dModel: number, 
/**
 * ADDITION + DIRECT_COMPUTATION edges of its ACDC graph (separate embedding nodes).
 */
graphEdges: number, layout: Array<LayoutGroup>, 
/**
 * `ground_truth.json` as `circuitscope rasp compile` writes it (snake_case inside, as the file).
 */
groundTruth: GroundTruth, };

export type CompileFailure = { message: string, line: number, column: number, };

export type InputRun = { input: Array<string>, 
/**
 * The output s-op's name.
 */
output: string, 
/**
 * The interpreter's output per position; none where the program has no value (an empty
 * selection).
 */
program: Array<string | null>, 
/**
 * The model's: the winning value (categorical) or the output logit (numerical).
 */
model: Array<string>, 
/**
 * Per position, whether they agree (true where the program has no value).
 */
agree: Array<boolean>, };

/** Every algorithm, in the picker's order. */
export const ALGORITHMS = ["acdc", "exact", "eap", "eap-ig"] as const;

/** Every metric. */
export const METRICS = ["kl", "logit_diff", "prob_diff", "l2", "nll"] as const;

/** Every ablation. */
export const ABLATIONS = ["resample", "zero", "mean"] as const;

/** ACDC's visit orders. */
export const VISIT_MODES = ["normal", "reverse", "random"] as const;

/** What a run's settings are when nothing is chosen (`None`s take the task's defaults). */
export const DEFAULT_RUN_SETTINGS: RunSettings = {"task":"","algorithm":"acdc","tau":null,"metric":null,"ablation":null,"indicesMode":"normal","namesMode":"normal","absValueThreshold":false,"seed":0,"rows":null,"steps":5};

/** MIB's edge budgets, as fractions of the ADDITION edges. */
export const FRACTIONS = [0.001,0.002,0.005,0.01,0.02,0.05,0.1,0.2,0.5,1.0];

/** Why EAP with KL or L2 scores every edge ≈ 0. */
export const KL_EAP_WARNING = "EAP with this metric scores every edge ≈ 0: KL and L2 compare the circuit with the clean model, so their gradient is zero at the clean model, which is where EAP takes it. Use a task metric (logit_diff, prob_diff) or EAP-IG, whose gradients come from inputs between corrupted and clean.";
