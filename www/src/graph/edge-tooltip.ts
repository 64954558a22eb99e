// The tooltip over the graph: for an edge, its sender, receiver, what
// removing it patches, and its effect on the metric; for a node, what it
// stands for. Positioned in the graph stage's pixels.

import { el } from '../dom';
import type { Ablation, DrawnBox, GraphInfo, NodeInfo, Point } from '../generated/wire';
import { Fate, type RunState } from '../state/run-state';
import { formatMetric } from '../views/run-stats';

export class EdgeTooltip {
  readonly element = el('div', { class: 'graph-tooltip', role: 'tooltip', 'data-testid': 'tooltip', hidden: true });

  /** `ablation` says what replaces the removed edge's value; `note` (an attribution score) replaces the run's result. */
  showEdge(graph: GraphInfo, id: number, state: RunState | null, ablation: Ablation, at: Point, note?: string | null): void {
    const edge = graph.edges[id];
    const sender = graph.nodes[edge.sender];
    const receiver = graph.nodes[edge.receiver];
    const value = ablation === 'zero' ? 'zero-ablated' : 'corrupted-input';
    const patched =
      edge.type === 'direct_computation'
        ? `removing it replaces ${nodeName(receiver)} by its ${value} value`
        : `removing it replaces ${nodeName(sender)}’s term in ${nodeName(receiver)} by its ${value} value`;
    this.element.dataset.edge = String(id);
    this.element.replaceChildren(
      el('p', { class: 'tip-title' }, `${sender.label} → ${receiver.label}`),
      el(
        'dl',
        {},
        el('dt', {}, 'sender'),
        el('dd', {}, el('code', {}, nodeName(sender))),
        el('dt', {}, 'receiver'),
        el('dd', {}, el('code', {}, nodeName(receiver))),
        el('dt', {}, 'type'),
        el('dd', {}, edge.type.replace('_', ' ')),
        el('dt', {}, 'patch'),
        el('dd', {}, patched),
        el('dt', {}, note ? 'score' : 'result'),
        el('dd', {}, note ?? verdict(id, state)),
      ),
    );
    this.place(at);
  }

  showBox(graph: GraphInfo, box: DrawnBox, at: Point): void {
    delete this.element.dataset.edge;
    const names = [...new Set(box.nodes.map((n) => graph.nodes[n].name))];
    this.element.replaceChildren(
      el('p', { class: 'tip-title' }, box.label),
      el('p', {}, ...names.flatMap((n, i) => [i > 0 ? ', ' : '', el('code', {}, n)])),
    );
    if (box.kind === 'head') this.element.append(el('p', { class: 'tip-hint' }, 'Click for its attention pattern.'));
    this.place(at);
  }

  hide(): void {
    this.element.hidden = true;
  }

  private place(at: Point): void {
    this.element.hidden = false;
    this.element.style.left = `${Math.round(at.x + 12)}px`;
    this.element.style.top = `${Math.round(at.y + 12)}px`;
  }
}

/** `blocks.0.attn.hook_result[3]`: the hook name and, for a head, its index. */
export function nodeName(node: NodeInfo): string {
  return node.head === null ? node.name : `${node.name}[${node.head}]`;
}

function verdict(id: number, state: RunState | null): string {
  const fate = state?.fate[id] ?? Fate.Untested;
  const delta = state?.delta[id] ?? Number.NaN;
  const d = Number.isNaN(delta) ? '' : ` (Δ metric ${delta >= 0 ? '+' : ''}${formatMetric(delta)})`;
  switch (fate) {
    case Fate.Kept:
      return `kept${d}`;
    case Fate.Removed:
      return `removed${d}`;
    case Fate.Skipped:
      return 'removed untested: its receiver feeds nothing any more';
    default:
      return 'not tested yet';
  }
}
