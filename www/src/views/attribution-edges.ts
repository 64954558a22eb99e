// Estimate against truth, edge by edge (docs/methods.md): for the edge being
// inspected, every method that ran on this data side by side — EAP's and
// EAP-IG's score and their estimate of Δ (score × rows), the exact Δ of
// patching that edge alone, ACDC's Δ when it tested the edge — and the
// strongest edges of the shown run in a table with the same columns. Where
// an estimate is far from the exact Δ (another sign, or off by more than half)
// its cell is marked, so a wrong gradient estimate shows.

import { el } from '../dom';
import type { GraphInfo } from '../generated/wire';
import { ranked, type CircuitResult, type Result, type ScoredResult } from '../state/attribution-results';
import { formatMetric } from './run-stats';

/** Rows of the strongest-edges table. */
const TOP = 12;

/** An estimate is "off" when its sign differs from the exact Δ's, or it misses by more than this share of it. */
const OFF_BY = 0.5;

export function edgeLabel(graph: GraphInfo, id: number): string {
  const edge = graph.edges[id];
  return `${graph.nodes[edge.sender].label} → ${graph.nodes[edge.receiver].label}`;
}

/** What a scored method says Δ is for an edge: exact's score is Δ; EAP's and EAP-IG's are Δ / rows. */
export function estimateOfDelta(result: ScoredResult, edge: number): number {
  const score = result.scores[edge] ?? Number.NaN;
  return result.method === 'exact' ? score : score * result.rows;
}

/** Whether `estimate` is far from the exact `delta` (relative to the largest exact |Δ|, for Δ near 0). */
export function isOff(estimate: number, delta: number, scale: number): boolean {
  if (!Number.isFinite(estimate) || !Number.isFinite(delta)) return false;
  const floor = 0.02 * scale;
  if (Math.abs(delta) < floor && Math.abs(estimate) < floor) return false;
  return Math.sign(estimate) !== Math.sign(delta) || Math.abs(estimate - delta) > OFF_BY * Math.abs(delta) + floor;
}

export class AttributionEdges {
  private readonly inspector = el('div', { class: 'edge-inspector', 'data-testid': 'edge-inspector' });
  private readonly table = el('table', { class: 'top-edges', 'data-testid': 'top-edges' });
  readonly element = el(
    'section',
    { class: 'attribution-edges', 'aria-label': 'Estimate against truth' },
    el('h3', {}, 'Estimate vs truth'),
    el(
      'p',
      { class: 'hint' },
      'Click an edge in the graph or a row below. An EAP score is the first-order estimate of Δ divided by the rows, so the estimate of Δ is score × rows; "exact" patches the edge alone. Cells marked ⚠ are where the estimate is far from the exact Δ.',
    ),
    this.inspector,
    this.table,
  );

  /** @param select an edge was chosen in the table */
  constructor(private readonly select: (edge: number) => void) {}

  clear(): void {
    this.inspector.replaceChildren();
    this.table.replaceChildren();
    delete this.inspector.dataset.edge;
  }

  /** The edge `selected` (null: none) and the strongest edges of `shown`, against every result of this data. */
  show(graph: GraphInfo, shown: ScoredResult | null, results: readonly Result[], selected: number | null): void {
    const scored = results.filter((r): r is ScoredResult => r.kind === 'scores');
    const acdc = results.find((r): r is CircuitResult => r.kind === 'circuit');
    const exact = scored.find((r) => r.method === 'exact') ?? null;
    const estimates = scored.filter((r) => r.method !== 'exact');
    this.showEdge(graph, selected, scored, estimates, exact, acdc);
    if (shown === null) {
      this.table.replaceChildren();
      return;
    }
    const columns = [...estimates.map((r) => `${r.label}: estimate of Δ`), ...(exact ? ['exact Δ'] : []), ...(acdc ? ['ACDC Δ'] : [])];
    const head = el('tr', {}, el('th', {}, '#'), el('th', {}, 'edge'), el('th', {}, `${shown.label} score`), ...columns.map((c) => el('th', {}, c)));
    const rows = ranked(shown.scores)
      .slice(0, TOP)
      .map((id, rank) => {
        const row = el(
          'tr',
          { 'data-testid': 'top-edge', 'data-edge': id, tabindex: 0, class: id === selected ? 'selected' : null },
          el('td', {}, String(rank + 1)),
          el('td', {}, edgeLabel(graph, id)),
          el('td', {}, formatMetric(shown.scores[id])),
          ...estimates.map((r) => estimateCell(estimateOfDelta(r, id), exact, id)),
          ...(exact ? [el('td', {}, formatMetric(exact.scores[id]))] : []),
          ...(acdc ? [el('td', {}, acdcText(acdc, id))] : []),
        );
        row.addEventListener('click', () => this.select(id));
        row.addEventListener('keydown', (event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            this.select(id);
          }
        });
        return row;
      });
    this.table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
  }

  private showEdge(
    graph: GraphInfo,
    id: number | null,
    scored: readonly ScoredResult[],
    estimates: readonly ScoredResult[],
    exact: ScoredResult | null,
    acdc: CircuitResult | undefined,
  ): void {
    if (id === null || graph.edges[id] === undefined) {
      this.inspector.replaceChildren(el('p', { class: 'muted' }, 'No edge chosen.'));
      delete this.inspector.dataset.edge;
      return;
    }
    this.inspector.dataset.edge = String(id);
    const items: HTMLElement[] = [];
    const pair = (term: string, value: HTMLElement | string, testid: string, number: number | null) =>
      items.push(
        el('dt', {}, term),
        el('dd', { 'data-testid': testid, 'data-value': number ?? '' }, value),
      );
    for (const r of estimates) {
      pair(`${r.label} score`, formatMetric(r.scores[id]), `score-${r.method}`, r.scores[id]);
      const estimate = estimateOfDelta(r, id);
      pair(
        `${r.label}'s estimate of Δ (score × ${r.rows} rows)`,
        estimateCell(estimate, exact, id, 'span'),
        `estimate-${r.method}`,
        estimate,
      );
    }
    if (exact) pair('exact Δ (this edge alone patched)', formatMetric(exact.scores[id]), 'score-exact', exact.scores[id]);
    else if (scored.length > 0) pair('exact Δ', 'run "exact" to see the truth the estimates approximate', 'score-exact', null);
    if (acdc) pair('ACDC Δ (in the circuit left when it was tested)', acdcText(acdc, id), 'delta-acdc', acdc.delta[id]);
    this.inspector.replaceChildren(el('p', { class: 'tip-title' }, edgeLabel(graph, id)), el('dl', {}, ...items));
  }
}

function estimateCell(estimate: number, exact: ScoredResult | null, id: number, tag: 'td' | 'span' = 'td'): HTMLElement {
  const off = exact !== null && isOff(estimate, exact.scores[id], exact.maxAbs);
  return el(
    tag,
    { class: off ? 'estimate-off' : null, title: off ? 'far from the exact Δ' : null, 'data-off': off ? 'true' : null },
    `${off ? '⚠ ' : ''}${formatMetric(estimate)}`,
  );
}

function acdcText(acdc: CircuitResult, id: number): string {
  const delta = acdc.delta[id];
  const fate = acdc.kept[id] === 1 ? 'kept' : 'removed';
  return Number.isNaN(delta) ? `${fate}, untested` : `${formatMetric(delta)} (${fate})`;
}
