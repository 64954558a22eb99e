// The fixed layered layout of an ACDC graph, computed once per model (pure:
// no DOM). x is depth: the embedding on the left, then per layer a column of
// heads and (with MLPs) a column for the MLP, the logits (resid_post) on the
// right. A head is one box holding all its nodes (q/k/v inputs, q/k/v,
// result); its q/k/v input ports are marks on its left side. ADDITION edges
// run from a sender's right side to the receiving port or box; a
// DIRECT_COMPUTATION edge (q_input → q) is the short mark of its port.
// Placeholder edges are not drawn. Pruning changes how edges are drawn, never
// where: nothing here depends on a run.

import type { GraphInfo, GraphNode, Hook } from '../wasm-types';

export interface Point {
  x: number;
  y: number;
}

export type BoxKind = 'input' | 'head' | 'mlp' | 'output';

/** A drawn node: a head, an MLP, an embedding or the logits. */
export interface Box {
  /** Stable key: `head:L:H`, `mlp:L`, `embed`, `pos_embed`, `resid_pre`, `logits`. */
  key: string;
  kind: BoxKind;
  layer: number;
  head: number | null;
  label: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** The graph nodes it stands for. */
  nodes: number[];
}

/** A drawn edge: a cubic from `from` to `to` (ADDITION) or a port mark (DIRECT_COMPUTATION). */
export interface EdgeGeometry {
  id: number;
  type: 'addition' | 'direct_computation';
  from: Point;
  to: Point;
  sender: number;
  receiver: number;
  /** The boxes the edge leaves and enters (the same box for a port mark). */
  senderBox: number;
  receiverBox: number;
}

export interface Column {
  x: number;
  label: string;
}

export interface GraphLayout {
  width: number;
  height: number;
  boxes: Box[];
  /** Graph node id → index in `boxes`. */
  boxOf: number[];
  /** Only ADDITION and DIRECT_COMPUTATION edges, in graph order. */
  edges: EdgeGeometry[];
  /** Graph edge id → index in `edges` (−1 for placeholders). */
  edgeIndex: number[];
  columns: Column[];
}

export const LAYOUT_SIZES = {
  colWidth: 150,
  rowHeight: 36,
  margin: 24,
  header: 22,
  headW: 56,
  headH: 28,
  /** Vertical offset of the q (−) and v (+) ports from the head's middle. */
  portGap: 9,
  /** Length of a port mark (the DIRECT_COMPUTATION edge). */
  portLen: 9,
  wideW: 64,
  wideH: 44,
} as const;

const M = LAYOUT_SIZES;

const PORT_OFFSET: Partial<Record<Hook, number>> = { q_input: -1, k_input: 0, v_input: 1, q: -1, k: 0, v: 1 };

export function computeLayout(graph: GraphInfo): GraphLayout {
  const rows = Math.max(graph.nHeads, 2);
  const top = M.margin + M.header;
  const height = top + rows * M.rowHeight + M.margin;
  const middle = top + (rows * M.rowHeight) / 2;

  // Columns: inputs, per layer attention (+ MLP), output.
  const columns: Column[] = [{ x: 0, label: 'embed' }];
  const attnCol: number[] = [];
  const mlpCol: number[] = [];
  for (let l = 0; l < graph.nLayers; l++) {
    attnCol.push(columns.length);
    columns.push({ x: 0, label: `attn ${l}` });
    if (graph.hasMlp) {
      mlpCol.push(columns.length);
      columns.push({ x: 0, label: `MLP ${l}` });
    }
  }
  const outCol = columns.length;
  columns.push({ x: 0, label: 'logits' });
  columns.forEach((c, i) => (c.x = M.margin + M.wideW / 2 + i * M.colWidth));
  const width = columns[columns.length - 1].x + M.wideW / 2 + M.margin;

  const boxes: Box[] = [];
  const byKey = new Map<string, number>();
  const boxFor = (node: GraphNode): number => {
    const spec = boxSpec(node, graph);
    const existing = byKey.get(spec.key);
    if (existing !== undefined) return existing;
    const col = spec.kind === 'input' ? 0 : spec.kind === 'output' ? outCol : spec.kind === 'mlp' ? mlpCol[node.layer] : attnCol[node.layer];
    const wide = spec.kind !== 'head';
    const w = wide ? M.wideW : M.headW;
    const h = wide ? M.wideH : M.headH;
    let cy = middle;
    if (spec.kind === 'head') cy = top + ((node.head ?? 0) + 0.5) * M.rowHeight;
    else if (spec.key === 'embed') cy = middle - M.wideH * 0.7;
    else if (spec.key === 'pos_embed') cy = middle + M.wideH * 0.7;
    boxes.push({ ...spec, x: columns[col].x - w / 2, y: cy - h / 2, w, h, nodes: [] });
    byKey.set(spec.key, boxes.length - 1);
    return boxes.length - 1;
  };
  const boxOf = graph.nodes.map((node) => {
    const b = boxFor(node);
    boxes[b].nodes.push(node.id);
    return b;
  });

  const edges: EdgeGeometry[] = [];
  const edgeIndex: number[] = [];
  for (const edge of graph.edges) {
    if (edge.type === 'placeholder') {
      edgeIndex.push(-1);
      continue;
    }
    const sender = graph.nodes[edge.sender];
    const receiver = graph.nodes[edge.receiver];
    const senderBox = boxOf[sender.id];
    const receiverBox = boxOf[receiver.id];
    edgeIndex.push(edges.length);
    edges.push({
      id: edge.id,
      type: edge.type,
      from: edge.type === 'direct_computation' ? portPoint(boxes[senderBox], sender.hook) : outPoint(boxes[senderBox]),
      to: inPoint(boxes[receiverBox], receiver.hook),
      sender: sender.id,
      receiver: receiver.id,
      senderBox,
      receiverBox,
    });
  }
  return { width, height, boxes, boxOf, edges, edgeIndex, columns };
}

function boxSpec(node: GraphNode, graph: GraphInfo): Pick<Box, 'key' | 'kind' | 'layer' | 'head' | 'label'> {
  const { layer, head } = node;
  switch (node.hook) {
    case 'resid_pre':
    case 'embed':
    case 'pos_embed':
      return { key: node.hook, kind: 'input', layer: 0, head: null, label: node.hook === 'pos_embed' ? 'pos' : 'embed' };
    case 'resid_post':
      return { key: 'logits', kind: 'output', layer: graph.nLayers - 1, head: null, label: 'logits' };
    case 'mlp_in':
    case 'mlp_out':
      return { key: `mlp:${layer}`, kind: 'mlp', layer, head: null, label: `MLP ${layer}` };
    default:
      return { key: `head:${layer}:${head ?? 0}`, kind: 'head', layer, head: head ?? 0, label: `A${layer}.${head ?? 0}` };
  }
}

/** Where edges leave a box: the middle of its right side. */
function outPoint(box: Box): Point {
  return { x: box.x + box.w, y: box.y + box.h / 2 };
}

/** The outer end of a q/k/v input port: a mark sticking out of the head's left side. */
function portPoint(box: Box, hook: Hook): Point {
  return { x: box.x - M.portLen, y: box.y + box.h / 2 + (PORT_OFFSET[hook] ?? 0) * M.portGap };
}

/** Where an edge into `hook` ends: its port, the head's side (q/k/v: the mark's end), or the left middle. */
function inPoint(box: Box, hook: Hook): Point {
  switch (hook) {
    case 'q_input':
    case 'k_input':
    case 'v_input':
      return portPoint(box, hook);
    case 'q':
    case 'k':
    case 'v': {
      const port = portPoint(box, hook);
      return { x: box.x, y: port.y };
    }
    default:
      return { x: box.x, y: box.y + box.h / 2 };
  }
}

/** The cubic's control points: leave and arrive horizontally. */
export function controlPoints(e: EdgeGeometry): [Point, Point] {
  const dx = Math.max((e.to.x - e.from.x) * 0.5, 10);
  return [
    { x: e.from.x + dx, y: e.from.y },
    { x: e.to.x - dx, y: e.to.y },
  ];
}

/** Distance from `p` to the drawn edge (the cubic sampled at 24 points). */
export function distanceToEdge(e: EdgeGeometry, p: Point): number {
  if (e.type === 'direct_computation') return distanceToSegment(p, e.from, e.to);
  const [c1, c2] = controlPoints(e);
  let best = Infinity;
  let prev = e.from;
  for (let i = 1; i <= 24; i++) {
    const t = i / 24;
    const u = 1 - t;
    const next = {
      x: u * u * u * e.from.x + 3 * u * u * t * c1.x + 3 * u * t * t * c2.x + t * t * t * e.to.x,
      y: u * u * u * e.from.y + 3 * u * u * t * c1.y + 3 * u * t * t * c2.y + t * t * t * e.to.y,
    };
    best = Math.min(best, distanceToSegment(p, prev, next));
    prev = next;
  }
  return best;
}

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}
