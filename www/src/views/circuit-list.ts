// The circuit as text, once the run is done: every kept edge with its effect,
// largest first. What the graph shows by hover, for the keyboard and for
// screen readers.

import { el } from '../dom';
import { Fate, type RunState } from '../state/run-state';
import { nodeName } from '../graph/edge-tooltip';
import { formatMetric } from './run-stats';

export class CircuitList {
  private readonly summary = el('summary', {}, 'Circuit');
  private readonly list = el('ol', { class: 'circuit-edges' });
  readonly element = el(
    'details',
    { class: 'circuit-list', 'data-testid': 'circuit-list', hidden: true },
    this.summary,
    this.list,
  );

  show(state: RunState): void {
    const { graph } = state;
    const kept = graph.edges
      .filter((e) => state.fate[e.id] === Fate.Kept)
      .sort((a, b) => Math.abs(state.delta[b.id]) - Math.abs(state.delta[a.id]));
    this.summary.textContent = `Circuit: ${kept.length} of ${graph.counts.edges} edges kept (largest effect first)`;
    this.list.replaceChildren(
      ...kept.map((e) =>
        el(
          'li',
          {},
          el('code', {}, `${nodeName(graph.nodes[e.sender])} → ${nodeName(graph.nodes[e.receiver])}`),
          ` Δ ${formatMetric(state.delta[e.id])}`,
        ),
      ),
    );
    this.element.hidden = false;
  }

  clear(): void {
    this.element.hidden = true;
    this.list.replaceChildren();
  }
}
