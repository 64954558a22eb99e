// The run told in words, from its own events: before a run, what the graph
// is and what ACDC will do; during it, the edge just decided (its sender and
// receiver as the graph labels them, Δ = metricAfter − metricBefore against
// τ, kept or removed); at the end, what was found (how many edges, which
// heads, the final metric and why it may exceed τ). Words come first, then
// the numbers, each with its name. Pure: no DOM (tests/unit/narrate.test.mjs).

import type { Ablation, GraphInfo, MetricKind } from '../generated/wire';
import { formatShort, formatShortDelta, formatTau } from '../charts/format';
import { Fate, type RunState, type SkippedEvent, type TestedEvent } from '../state/run-state';
import { ablationWords, boxLabel, edgeName, METRIC_WORDS, portOf, receiverName } from './words';

/** What a run was started with (its metric, τ and ablation are the ones its decisions used). */
export interface RunContext {
  graph: GraphInfo;
  metric: MetricKind;
  tau: number;
  ablation: Ablation;
}

export interface Narration {
  /** What happened, in words (no numbers). */
  headline: string;
  /** The numbers behind it, each labelled. */
  detail: string[];
  /** All of it in one line, for a small embed. */
  line: string;
}

/** Before a run: what the picture is and what ACDC will do with it. */
export function introNarration(ctx: RunContext): Narration {
  const m = METRIC_WORDS[ctx.metric];
  const tau = formatTau(ctx.tau);
  const mlp = ctx.graph.hasMlp ? ' (MLP 0 is the MLP of layer 0)' : '';
  return {
    headline: 'Each box is a part of the model; each line is an edge, a path by which one part’s output reaches a later part.',
    detail: [
      `A1.3 is attention head 3 of layer 1${mlp}, reading through its query (q), key (k) and value (v) ports; ` +
        '“embed” is the input and “logits” the output.',
      `ACDC finds the circuit, the few edges this task needs: from the output back, it removes one edge at a time ` +
        `(the edge then carries ${ablationWords(ctx.ablation)}) and measures the ${m.name}, ${m.measures}. ` +
        `If ${m.short} rises by less than τ = ${tau}, the edge stays removed; otherwise it is kept.`,
      'Press Run to watch, or Step one edge to follow a single decision.',
    ],
    line: `Each line is an edge. ACDC removes them one by one and keeps those whose removal raises ${m.short} by τ = ${tau} or more. Press Run.`,
  };
}

/** One edge decided. */
export function testedNarration(ctx: RunContext, event: TestedEvent): Narration {
  const m = METRIC_WORDS[ctx.metric];
  const name = edgeName(ctx.graph, event.edge);
  const delta = event.metricAfter - event.metricBefore;
  const tau = formatTau(ctx.tau);
  const size = formatShort(Math.abs(delta));
  const values = `${m.short} ${formatShort(event.metricBefore)} → ${formatShort(event.metricAfter)} when it is removed`;
  if (!event.removed) {
    return {
      headline: `Removing ${name} changes the output too much, so ACDC keeps it: the model needs this path.`,
      detail: [`${values}: a rise of Δ = ${formatShortDelta(delta)}, not below τ = ${tau}.`],
      line: `Removing ${name}: ${m.short} rises by ${size} ≥ τ ${tau}, so it is kept.`,
    };
  }
  if (delta >= 0) {
    return {
      headline: `Removing ${name} barely changes the output, so it stays removed.`,
      detail: [`${values}: a rise of only Δ = ${formatShortDelta(delta)}, below τ = ${tau}.`],
      line: `Removing ${name}: ${m.short} rises by only ${size} < τ ${tau}, so it is removed.`,
    };
  }
  return {
    headline: `Removing ${name} does not make the output worse (${m.short} even falls), so it stays removed.`,
    detail: [`${values}: a change of Δ = ${formatShortDelta(delta)}, below τ = ${tau}.`],
    line: `Removing ${name}: ${m.short} falls by ${size} < τ ${tau}, so it is removed.`,
  };
}

/** A receiver that feeds nothing kept lost its edges untested; null when only placeholders went. */
export function skippedNarration(ctx: RunContext, event: SkippedEvent): Narration | null {
  const { graph } = ctx;
  const edges = event.edgesRemoved.filter((e) => graph.edges[e]?.type !== 'placeholder').length;
  if (edges === 0) return null;
  const node = graph.nodes[event.receiver];
  const who = portOf(node.hook) ? receiverName(graph, node) : boxLabel(graph, node.id);
  const plural = edges === 1 ? 'edge' : 'edges';
  const m = METRIC_WORDS[ctx.metric];
  return {
    headline: `${who} no longer feeds anything that is kept, so the ${edges} ${plural} into it cannot matter: removed without a test.`,
    detail: [`${m.short} stays ${formatShort(event.metricAfter)}.`],
    line: `${who} feeds nothing that is kept: ${edges} ${plural} into it removed untested.`,
  };
}

/** The counts so far, each named. */
export function progressLine(state: RunState): string {
  const status = state.status;
  if (status === null) return '';
  const byTest = status.tested - status.kept;
  const untested = status.removed - byTest;
  return (
    `So far: ${status.tested} of the ${state.graph.counts.edges} edges tested; ${status.kept} kept (the circuit so far); ` +
    `${status.removed} removed (${byTest} by a test, ${untested} untested); ${status.remaining} not decided yet.`
  );
}

/** What the finished run found: the summary. */
export interface Summary extends Narration {
  /** The heads the circuit uses (box labels), in layer and head order. */
  heads: string[];
  kept: number;
  total: number;
}

type DrawnHead = GraphInfo['layout']['boxes'][number];

/** Heads of one layer as runs of consecutive indices: "A1.0", "A1.2–A1.6". */
function runs(list: readonly DrawnHead[]): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 1; i <= list.length; i++) {
    const broken = i === list.length || (list[i].head ?? 0) !== (list[i - 1].head ?? 0) + 1;
    if (!broken) continue;
    const [first, last] = [list[start], list[i - 1]];
    out.push(i - 1 - start >= 2 ? `${first.label}–${last.label}` : list.slice(start, i).map((h) => h.label).join(', '));
    start = i;
  }
  return out;
}

/** The finished run: how many edges, which heads, the strongest edges, the final metric against τ. */
export function summaryNarration(ctx: RunContext, state: RunState): Summary {
  const { graph } = ctx;
  const m = METRIC_WORDS[ctx.metric];
  const tau = formatTau(ctx.tau);
  const total = graph.counts.edges;
  const keptEdges = graph.edges.filter((e) => state.fate[e.id] === Fate.Kept);
  const kept = keptEdges.length;
  const status = state.status;
  const tested = status?.tested ?? state.tested;
  const byTest = tested - kept;
  const removed = total - kept;
  const untested = removed - byTest;
  const initial = status?.initialMetric ?? 0;
  const final = status?.currentMetric ?? initial;
  const change = final - initial;

  // The heads (and MLPs) that the kept edges touch, in the layout's order.
  const boxes = new Set<number>();
  for (const e of keptEdges) {
    boxes.add(graph.layout.boxOf[e.sender]);
    boxes.add(graph.layout.boxOf[e.receiver]);
  }
  const used = [...boxes].map((b) => graph.layout.boxes[b]).filter((b) => b !== undefined);
  const heads = used
    .filter((b) => b.kind === 'head')
    .sort((a, b) => a.layer - b.layer || (a.head ?? 0) - (b.head ?? 0));
  const mlps = used.filter((b) => b.kind === 'mlp').sort((a, b) => a.layer - b.layer);
  const allHeads = graph.nLayers * graph.nHeads;

  if (kept === 0) {
    return {
      headline: `ACDC removed every edge: at τ = ${tau} no single path moved the output enough to be kept.`,
      detail: [
        `${tested} edges were tested and ${untested} removed without a test. A lower τ keeps the paths that matter most.`,
      ],
      line: `Done: no edge kept at τ ${tau}; try a lower τ.`,
      heads: [],
      kept,
      total,
    };
  }

  const byLayer = new Map<number, DrawnHead[]>();
  for (const h of heads) byLayer.set(h.layer, [...(byLayer.get(h.layer) ?? []), h]);
  const layerTexts = [...byLayer].map(([layer, list]) =>
    list.length === graph.nHeads && graph.nHeads > 2
      ? `all ${list.length} of layer ${layer} (${list[0].label}–${list[list.length - 1].label})`
      : `${runs(list).join(', ')}`,
  );
  const headText =
    heads.length === 0
      ? 'It uses no attention head'
      : `It uses ${heads.length} of the ${allHeads} heads: ${layerTexts.join('; ')}`;
  const mlpText = mlps.length > 0 ? ` and ${mlps.map((b) => b.label).join(', ')}` : '';

  const strongest = [...keptEdges]
    .sort((a, b) => Math.abs(state.delta[b.id]) - Math.abs(state.delta[a.id]))
    .slice(0, 3)
    .map((e) => `${edgeName(graph, e.id)} (Δ = ${formatShortDelta(state.delta[e.id])})`);

  const sum =
    change > ctx.tau
      ? `more than τ, since τ limits each removal, not their sum: the ${byTest} removals added ${formatShortDelta(change)} together.`
      : `the ${byTest} removals together changed it by ${formatShortDelta(change)}, within τ = ${tau}.`;
  const finalText = m.negated
    ? `With only the circuit the ${m.name} is ${formatShort(final)}, against ${formatShort(initial)} for the full model ` +
      `(lower is better: ${change > 0 ? 'the circuit does the task a little less well' : 'the circuit does the task at least as well'}); ${sum}`
    : `With only the circuit, ${m.short} is ${formatShort(final)} (full model: ${formatShort(initial)}; lower is better): ${sum}`;

  return {
    headline: `ACDC found the circuit: ${kept} of the ${total} edges, the paths the model needs for this task.`,
    detail: [
      `${headText}${mlpText}. Removing any one of these edges raised ${m.short} by τ = ${tau} or more.`,
      `The other ${removed} were removed: ${byTest} after a test (each raised ${m.short} by less than τ, or lowered it), ` +
        `${untested} untested (they fed only parts already cut off). Strongest kept: ${strongest.join('; ')}.`,
      finalText,
    ],
    line:
      `Done: ${kept} of ${total} edges kept, through ${heads.length === 0 ? 'no head' : heads.slice(0, 6).map((h) => h.label).join(', ') + (heads.length > 6 ? '…' : '')}; ` +
      `final ${m.short} ${formatShort(final)} (τ ${tau} bounds each removal, not their sum).`,
    heads: heads.map((h) => h.label),
    kept,
    total,
  };
}
