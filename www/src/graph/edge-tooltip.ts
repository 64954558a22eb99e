// The tooltip over the graph. For an edge: its name, what it is and what
// removing it patches, in plain words first; then what the run decided (Δ
// against τ); then the hook names. For a node: what it stands for and how
// much of it the circuit uses. It lives in the top layer (a manual popover)
// and is placed in the viewport's coordinates, flipped to the other side of
// the pointer or box where it would not fit, so no scroller, panel edge or
// screen edge clips it.

import { el } from '../dom';
import { formatShort, formatShortDelta, formatTau } from '../charts/format';
import type { Ablation, DrawnBox, GraphInfo, MetricKind, NodeInfo } from '../generated/wire';
import { Fate, type RunState } from '../state/run-state';
import { boxLabel, edgeName, METRIC_WORDS, partWords, patchWords, portOf } from '../explain/words';

/** What the tooltip needs of the run it describes. */
export interface TipContext {
  ablation: Ablation;
  metric: MetricKind;
  tau: number;
}

/** A rectangle in viewport pixels. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Space kept between the tooltip and the viewport's edges, and its anchor (px). */
const MARGIN = 8;
const GAP = 12;

export class EdgeTooltip {
  readonly element = el('div', {
    class: 'graph-tooltip',
    role: 'tooltip',
    popover: 'manual',
    'data-testid': 'tooltip',
    hidden: true,
  });

  /**
   * An edge, described for `context`'s run (the current settings when none ran); `note` (an
   * attribution score) replaces the run's verdict; `merged` says the line stands for more edges
   * than this one (a collapsed layer's).
   */
  showEdge(graph: GraphInfo, id: number, state: RunState | null, context: TipContext, anchor: Rect, note?: string | null, merged?: string | null): void {
    const edge = graph.edges[id];
    const sender = graph.nodes[edge.sender];
    const receiver = graph.nodes[edge.receiver];
    this.element.dataset.edge = String(id);
    delete this.element.dataset.box;
    this.element.replaceChildren(
      el('p', { class: 'tip-title' }, edgeName(graph, id)),
      el('p', { class: 'tip-what' }, whatEdgeIs(graph, id)),
      el('p', { class: 'tip-patch' }, patchWords(graph, id, context.ablation)),
      el('p', { class: 'tip-verdict', 'data-testid': 'tip-verdict' }, note ?? verdict(id, state, context)),
      el(
        'p',
        { class: 'tip-hooks' },
        el('code', {}, ...breakable(nodeName(sender))),
        ' → ',
        el('code', {}, ...breakable(nodeName(receiver))),
        ` · ${edge.type.replace('_', ' ')} edge`,
      ),
      ...(merged ? [el('p', { class: 'tip-merged', 'data-testid': 'tip-merged' }, merged)] : []),
    );
    this.place(anchor);
  }

  showBox(graph: GraphInfo, box: DrawnBox, state: RunState | null, anchor: Rect): void {
    delete this.element.dataset.edge;
    this.element.dataset.box = box.key;
    const first = graph.nodes[box.nodes[0]];
    const names = [...new Set(box.nodes.map((n) => graph.nodes[n].name))];
    const children: (Node | string)[] = [
      el('p', { class: 'tip-title' }, `${box.label}: ${first ? partWords(first) : box.kind}`),
    ];
    if (box.kind === 'head') {
      children.push(el('p', {}, 'It reads through three ports on its left side: query (top), key (middle) and value (bottom).'));
    }
    if (state !== null) children.push(el('p', { class: 'tip-verdict' }, usage(graph, box, state)));
    if (box.kind === 'head') children.push(el('p', { class: 'tip-hint' }, 'Click (or Enter) for its attention pattern.'));
    children.push(el('p', { class: 'tip-hooks' }, ...names.flatMap((n, i) => [i > 0 ? ', ' : '', el('code', {}, ...breakable(n))])));
    this.element.replaceChildren(...children);
    this.place(anchor);
  }

  hide(): void {
    this.element.hidden = true;
    if (this.element.isConnected && this.element.matches(':popover-open')) this.element.hidePopover();
  }

  get shown(): boolean {
    return !this.element.hidden;
  }

  /** Shows the tooltip next to `anchor`, inside the viewport. */
  private place(anchor: Rect): void {
    const tip = this.element;
    tip.hidden = false;
    if (tip.isConnected && !tip.matches(':popover-open')) tip.showPopover();
    // Measured where it cannot wrap against an edge, then placed.
    tip.style.left = '0px';
    tip.style.top = '0px';
    const size = { width: tip.offsetWidth, height: tip.offsetHeight };
    const viewport = { width: document.documentElement.clientWidth, height: document.documentElement.clientHeight };
    const at = placeTooltip(anchor, size, viewport);
    tip.style.left = `${Math.round(at.left)}px`;
    tip.style.top = `${Math.round(at.top)}px`;
    tip.dataset.side = at.side;
  }
}

/**
 * Where a tooltip of `size` goes beside `anchor` (viewport pixels): right of
 * it if it fits, else left, else wherever it overlaps least; below its top
 * if it fits, else above its bottom; always inside the viewport (less
 * MARGIN) when it can be, and at its top-left corner when it is larger.
 */
export function placeTooltip(
  anchor: Rect,
  size: { width: number; height: number },
  viewport: { width: number; height: number },
): { left: number; top: number; side: 'right' | 'left' } {
  const maxLeft = viewport.width - MARGIN - size.width;
  const maxTop = viewport.height - MARGIN - size.height;
  const right = anchor.left + anchor.width + GAP;
  const left = anchor.left - GAP - size.width;
  let x: number;
  let side: 'right' | 'left' = 'right';
  if (right <= maxLeft) x = right;
  else if (left >= MARGIN) {
    x = left;
    side = 'left';
  } else x = maxLeft;
  const below = anchor.top + (anchor.height > 0 ? 0 : GAP);
  const above = anchor.top + anchor.height - size.height - (anchor.height > 0 ? 0 : GAP);
  const y = below <= maxTop ? below : above >= MARGIN ? above : maxTop;
  return { left: Math.max(MARGIN, Math.min(x, maxLeft)), top: Math.max(MARGIN, Math.min(y, maxTop)), side };
}

/** `blocks.0.attn.hook_result[3]`: the hook name and, for a head, its index. */
export function nodeName(node: NodeInfo): string {
  return node.head === null ? node.name : `${node.name}[${node.head}]`;
}

/** A hook name that may wrap after its dots and underscores, never inside a word. */
function breakable(name: string): (Node | string)[] {
  const parts = name.split(/(?<=[._])/);
  return parts.flatMap((part, i) => (i === 0 ? [part] : [document.createElement('wbr'), part]));
}

/** What the edge is: whose output reaches what. */
function whatEdgeIs(graph: GraphInfo, id: number): string {
  const edge = graph.edges[id];
  const sender = graph.nodes[edge.sender];
  const receiver = graph.nodes[edge.receiver];
  if (edge.type === 'direct_computation') {
    const port = portOf(receiver.hook) ?? 'output';
    return `Inside head ${boxLabel(graph, receiver.id)}: its ${port} input turned into its ${port} by the head’s own ${port} weights.`;
  }
  const from = who(graph, sender);
  const port = portOf(receiver.hook);
  if (receiver.hook === 'resid_post') return `What ${from} writes, read directly by the output (the logits).`;
  if (port) return `What ${from} writes, read by head ${boxLabel(graph, receiver.id)} to build its ${port}.`;
  return `What ${from} writes, read by ${boxLabel(graph, receiver.id)}.`;
}

function who(graph: GraphInfo, node: NodeInfo): string {
  switch (node.hook) {
    case 'resid_pre':
    case 'embed':
    case 'pos_embed':
      return `the input (${boxLabel(graph, node.id)})`;
    case 'mlp_out':
      return boxLabel(graph, node.id);
    default:
      return `head ${boxLabel(graph, node.id)}`;
  }
}

function verdict(id: number, state: RunState | null, context: TipContext): string {
  const fate = state?.fate[id] ?? Fate.Untested;
  const delta = state?.delta[id] ?? Number.NaN;
  const m = METRIC_WORDS[context.metric].short;
  const tau = formatTau(context.tau);
  const change = Number.isNaN(delta)
    ? ''
    : delta >= 0
      ? `removing it raised ${m} by ${formatShort(delta)} (Δ = ${formatShortDelta(delta)})`
      : `removing it lowered ${m} (Δ = ${formatShortDelta(delta)})`;
  switch (fate) {
    case Fate.Kept:
      return `Kept, part of the circuit: ${change}, not below τ = ${tau}.`;
    case Fate.Removed:
      return `Removed: ${change}, below τ = ${tau}.`;
    case Fate.Skipped:
      return 'Removed without a test: its receiver no longer feeds anything that is kept.';
    default:
      return state === null ? 'Not tested: no run yet.' : 'Not tested yet.';
  }
}

/** How much of a box (its graph nodes: a drawn box may be moved or merged) the run keeps: its edges in and out that are still there. */
function usage(graph: GraphInfo, box: DrawnBox, state: RunState): string {
  const mine = new Set(box.nodes);
  let inKept = 0;
  let outKept = 0;
  let inAll = 0;
  let outAll = 0;
  for (const e of graph.layout.edges) {
    const [into, out] = [mine.has(e.receiver), mine.has(e.sender)];
    if (into && out) continue;
    const present = state.fate[e.id] === Fate.Kept || state.fate[e.id] === Fate.Untested;
    if (into) {
      inAll++;
      if (present) inKept++;
    }
    if (out) {
      outAll++;
      if (present) outKept++;
    }
  }
  const done = state.status?.done ?? false;
  const word = done ? 'kept' : 'still there';
  const parts = [];
  if (inAll > 0) parts.push(`${inKept} of its ${inAll} incoming edges ${word}`);
  if (outAll > 0) parts.push(`${outKept} of its ${outAll} outgoing edges ${word}`);
  return parts.length > 0 ? `${parts.join('; ')}.` : '';
}
