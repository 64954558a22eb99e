// Names a lesson uses for the parts of a model: heads (`A1.0`), MLPs
// (`MLP 0`), the inputs (`embed`, or `tok` and `pos` for a model with
// separate position nodes), the output (`logits`), and edges written
// `SENDER -> RECEIVER`, where a head receives on its query, key or value
// (`A0.3 -> A1.2 k`). Checked against a model's shape before it is loaded (a
// lesson with a head that does not exist says so at load), resolved against
// its graph once it is. The crate's node labels (GraphInfo) give each edge
// the same name. Pure: no DOM.

import type { GraphInfo } from '../generated/wire';

/** What a lesson may name in a model. */
export interface ModelShape {
  nLayers: number;
  nHeads: number;
  hasMlp: boolean;
  usePosEmbed: boolean;
}

/** A model's shape from its config.json (as /models/index.json carries it). */
export function shapeOfConfig(config: Record<string, unknown>): ModelShape {
  const n = (key: string) => (typeof config[key] === 'number' ? Number(config[key]) : 0);
  return {
    nLayers: n('n_layers'),
    nHeads: n('n_heads'),
    hasMlp: config.attn_only !== true,
    usePosEmbed: config.use_pos_embed === true,
  };
}

export function shapeOfGraph(graph: GraphInfo): ModelShape {
  return { nLayers: graph.nLayers, nHeads: graph.nHeads, hasMlp: graph.hasMlp, usePosEmbed: graph.usePosEmbed };
}

export interface Head {
  layer: number;
  head: number;
}

export function headLabel({ layer, head }: Head): string {
  return `A${layer}.${head}`;
}

export function parseHead(text: string): Head | null {
  const m = /^A(\d+)\.(\d+)$/.exec(text.trim());
  return m ? { layer: Number(m[1]), head: Number(m[2]) } : null;
}

/** Every head of a model, layer by layer. */
export function allHeads(shape: ModelShape): string[] {
  const out: string[] = [];
  for (let l = 0; l < shape.nLayers; l++) for (let h = 0; h < shape.nHeads; h++) out.push(headLabel({ layer: l, head: h }));
  return out;
}

/** Why `text` is not a head of this model, or null when it is. */
export function checkHead(shape: ModelShape, text: string): string | null {
  const head = parseHead(text);
  if (head === null) return `"${text}" is not a head: write A<layer>.<head>, as A1.0`;
  if (head.layer >= shape.nLayers || head.head >= shape.nHeads) {
    return `there is no head ${text}: this model has ${shape.nLayers} layer(s) of ${shape.nHeads} head(s) (A0.0 … A${shape.nLayers - 1}.${shape.nHeads - 1})`;
  }
  return null;
}

type Part =
  | { kind: 'input'; name: 'embed' | 'tok' | 'pos' }
  | { kind: 'head'; layer: number; head: number; port?: 'q' | 'k' | 'v' }
  | { kind: 'mlp'; layer: number }
  | { kind: 'logits' };

function parsePart(text: string): Part | null {
  const t = text.trim();
  if (t === 'embed' || t === 'tok' || t === 'pos') return { kind: 'input', name: t };
  if (t === 'logits') return { kind: 'logits' };
  const mlp = /^MLP (\d+)$/.exec(t);
  if (mlp) return { kind: 'mlp', layer: Number(mlp[1]) };
  const head = /^A(\d+)\.(\d+)(?: ([qkv]))?$/.exec(t);
  if (head) {
    const port = head[3] === 'q' || head[3] === 'k' || head[3] === 'v' ? head[3] : undefined;
    return { kind: 'head', layer: Number(head[1]), head: Number(head[2]), port };
  }
  return null;
}

/** Why `text` is not an edge of this model, or null when it is. */
export function checkEdge(shape: ModelShape, text: string): string | null {
  const sides = text.split('->');
  if (sides.length !== 2) return `"${text}" is not an edge: write SENDER -> RECEIVER, as "A0.3 -> A1.2 k"`;
  const [s, r] = sides.map(parsePart);
  if (s === null || r === null) {
    return `"${text}" is not an edge: senders are embed (tok, pos), A<l>.<h>, MLP <l>; receivers A<l>.<h> q|k|v, MLP <l>, logits`;
  }
  const exists = (p: Part): string | null => {
    if (p.kind === 'head' && (p.layer >= shape.nLayers || p.head >= shape.nHeads)) return `there is no head A${p.layer}.${p.head} in this model`;
    if (p.kind === 'mlp' && (!shape.hasMlp || p.layer >= shape.nLayers)) return shape.hasMlp ? `there is no MLP ${p.layer}` : 'this model has no MLPs';
    if (p.kind === 'input' && (p.name === 'embed') === shape.usePosEmbed) {
      return shape.usePosEmbed ? 'this model\'s inputs are "tok" and "pos"' : 'this model\'s input is "embed"';
    }
    return null;
  };
  const missing = exists(s) ?? exists(r);
  if (missing) return `${missing} ("${text}")`;
  if (s.kind === 'logits' || (s.kind === 'head' && s.port)) return `"${text}": the sender is a head (A1.0), an MLP or an input`;
  if (r.kind === 'input') return `"${text}": an input receives nothing`;
  if (r.kind === 'head' && !r.port) return `"${text}": say which input of the head receives: "${text} q", "k" or "v"`;
  const layerOf = (p: Part) => (p.kind === 'head' || p.kind === 'mlp' ? p.layer : -1);
  const later =
    r.kind === 'logits' ||
    (r.kind === 'head' && layerOf(s) < r.layer) ||
    (r.kind === 'mlp' && (s.kind === 'mlp' ? s.layer < r.layer : layerOf(s) <= r.layer));
  return later ? null : `"${text}": the sender must come before the receiver`;
}

/** Each graph edge's name as lessons write it ("" for placeholders). */
export function edgeNames(graph: GraphInfo): string[] {
  return graph.edges.map((e) => {
    if (e.type === 'placeholder') return '';
    const sender = graph.nodes[e.sender].label;
    const receiver = graph.nodes[e.receiver].label;
    if (e.type === 'direct_computation') return `${sender} -> ${receiver}`;
    return `${sender} -> ${receiver.replace(/ ([qkv])_in$/, ' $1').replace(/ in$/, '')}`;
  });
}

/** The graph edge a lesson names, or −1. */
export function edgeId(graph: GraphInfo, name: string): number {
  const wanted = name.trim().replace(/\s+/g, ' ');
  return edgeNames(graph).indexOf(wanted);
}

/** The head (`A1.0`) a graph node belongs to, if any. */
export function headOfNode(graph: GraphInfo, node: number): string | null {
  const n = graph.nodes[node];
  return n.head === null ? null : headLabel({ layer: n.layer, head: n.head });
}
