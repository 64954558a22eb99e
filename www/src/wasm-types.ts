// The shapes the wasm API returns and takes, as the worker passes them on to the
// page. They are generated from the Rust types (generated/wire.ts); the names
// below are the page's older names for some of them.

export type {
  AcdcEvent,
  AcdcStatus,
  AttentionPattern,
  EdgeInfo as GraphEdge,
  EdgeType,
  GraphInfo,
  Hook,
  MetricKind as MetricName,
  Ablation,
  Mode as VisitMode,
  NodeInfo as GraphNode,
  RunSettings,
  RunSettings as AcdcSettings,
  TaskData,
  TaskInfo,
} from './generated/wire';
export { ABLATIONS, METRICS, VISIT_MODES } from './generated/wire';
