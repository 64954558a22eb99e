// A found circuit against the circuit known by construction (pure: no DOM).
// Ground-truth edges are named by hook names and heads (ground_truth.json);
// they become edge ids of the loaded model's graph once, and each finished run
// is scored as crate/src/rasp/recovery.rs scores it: TPR = kept ∩ truth /
// truth, FPR = kept − truth / (edges − truth), over ADD + DC edges.

import type { EdgeName, GroundTruth } from './rasp-types';
import type { GraphInfo } from './wasm-types';

/** What the overlay says of an edge. */
export const Verdict = { None: 0, TruePositive: 1, Miss: 2, Extra: 3 } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** The ground truth as edge ids of one graph. */
export interface TruthEdges {
  ids: Set<number>;
  /** Ground-truth edges the graph has not: a model that is not the truth's. */
  unmatched: EdgeName[];
}

export interface TruthScore {
  truePositives: number;
  misses: number;
  extras: number;
  /** kept ∩ truth / truth. */
  tpr: number;
  /** kept − truth / (ADD + DC edges − truth). */
  fpr: number;
  /** Per edge id. */
  verdict: Uint8Array;
}

const key = (sender: string, senderHead: number | null, receiver: string, receiverHead: number | null) =>
  `${sender}[${senderHead ?? ''}]->${receiver}[${receiverHead ?? ''}]`;

/** Finds each ground-truth edge among the graph's ADD and DC edges. */
export function truthEdges(graph: GraphInfo, truth: GroundTruth): TruthEdges {
  const byName = new Map<string, number>();
  for (const e of graph.edges) {
    if (e.type === 'placeholder') continue;
    const s = graph.nodes[e.sender];
    const r = graph.nodes[e.receiver];
    if (s && r) byName.set(key(s.name, s.head, r.name, r.head), e.id);
  }
  const ids = new Set<number>();
  const unmatched: EdgeName[] = [];
  for (const t of truth.edges) {
    const id = byName.get(key(t.sender, t.sender_head, t.receiver, t.receiver_head));
    if (id === undefined) unmatched.push(t);
    else ids.add(id);
  }
  return { ids, unmatched };
}

/**
 * Scores the circuit `present` leaves (an edge is in it unless removed):
 * kept truth edges are true positives, removed ones misses, kept others extras.
 */
export function scoreCircuit(graph: GraphInfo, truth: Set<number>, present: (edge: number) => boolean): TruthScore {
  const verdict = new Uint8Array(graph.edges.length);
  let truePositives = 0;
  let misses = 0;
  let extras = 0;
  for (const e of graph.edges) {
    if (e.type === 'placeholder') continue;
    const kept = present(e.id);
    if (truth.has(e.id)) {
      verdict[e.id] = kept ? Verdict.TruePositive : Verdict.Miss;
      if (kept) truePositives++;
      else misses++;
    } else if (kept) {
      verdict[e.id] = Verdict.Extra;
      extras++;
    }
  }
  const negatives = graph.counts.edges - truth.size;
  return {
    truePositives,
    misses,
    extras,
    tpr: truePositives / Math.max(1, truth.size),
    fpr: extras / Math.max(1, negatives),
    verdict,
  };
}
