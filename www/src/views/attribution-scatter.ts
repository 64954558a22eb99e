// Every edge's estimate of Δ (EAP, EAP-IG: score × rows) against its exact Δ,
// once "exact" and an estimate have run on the same data: on the diagonal the
// gradient estimate is right, away from it (or across the axes) it is wrong.
// Clicking a dot inspects its edge. Drawn with d3.

import { scaleLinear } from 'd3-scale';
import { select } from 'd3-selection';
import { drawAxes } from '../charts/axes';
import { el } from '../dom';
import type { GraphInfo } from '../generated/wire';
import { ranked, type ScoredResult } from '../state/attribution-results';
import { edgeLabel, estimateOfDelta } from './attribution-edges';
import { formatMetric } from './run-stats';

const W = 300;
const H = 260;
const M = { left: 48, right: 12, top: 12, bottom: 36 };
const BOX = { width: W, height: H, margin: M };
/** Dots drawn per method at most (the edges with the largest exact |Δ|, and the chosen one). */
const MAX_DOTS = 2000;

export class AttributionScatter {
  private readonly svg = select(document.createElementNS('http://www.w3.org/2000/svg', 'svg'))
    .attr('viewBox', `0 0 ${W} ${H}`)
    .attr('class', 'scatter-svg')
    .attr('role', 'img')
    .attr('aria-label', 'Estimated against exact effect of each edge');
  readonly element: HTMLElement;

  constructor(private readonly choose: (edge: number) => void) {
    this.element = el(
      'figure',
      { class: 'chart scatter-chart', 'data-testid': 'estimate-scatter', hidden: true },
      this.svg.node(),
      el('figcaption', {}, 'Each edge: the estimate of Δ (score × rows) against the exact Δ; the diagonal is a perfect estimate'),
    );
  }

  /** Hidden unless `exact` and at least one estimate are there. */
  show(graph: GraphInfo, exact: ScoredResult | null, estimates: readonly ScoredResult[], selected: number | null): void {
    this.element.hidden = exact === null || estimates.length === 0;
    this.svg.selectAll('*').remove();
    if (exact === null || estimates.length === 0) return;
    const ids = ranked(exact.scores).slice(0, MAX_DOTS);
    if (selected !== null && !ids.includes(selected) && Number.isFinite(exact.scores[selected])) ids.push(selected);
    const values = ids.flatMap((id) => [exact.scores[id], ...estimates.map((r) => estimateOfDelta(r, id))]).filter(Number.isFinite);
    const lo = Math.min(0, ...values);
    const hi = Math.max(0, ...values);
    const pad = (hi - lo) * 0.05 || 1;
    const domain: [number, number] = [lo - pad, hi + pad];
    const x = scaleLinear().domain(domain).range([M.left, W - M.right]).nice();
    const y = scaleLinear().domain(x.domain()).range([H - M.bottom, M.top]);
    const svg = this.svg;
    drawAxes(svg, BOX, { scale: x, title: 'exact Δ', ticks: 4, format: '~g' }, { scale: y, title: 'estimate of Δ (score × rows)', ticks: 4, format: '~g' });
    const [d0, d1] = x.domain();
    svg.append('line').attr('class', 'reference-line').attr('x1', x(d0)).attr('y1', y(d0)).attr('x2', x(d1)).attr('y2', y(d1));
    for (const r of estimates) {
      const dots = ids
        .map((id) => ({ id, dx: exact.scores[id], dy: estimateOfDelta(r, id) }))
        .filter((d) => Number.isFinite(d.dx) && Number.isFinite(d.dy));
      svg
        .append('g')
        .attr('class', `series method-${r.method}`)
        .attr('data-method', r.method)
        .selectAll('circle')
        .data(dots)
        .join('circle')
        .attr('class', (d) => (d.id === selected ? 'dot selected' : 'dot'))
        .attr('r', (d) => (d.id === selected ? 5 : 2.5))
        .attr('cx', (d) => x(d.dx))
        .attr('cy', (d) => y(d.dy))
        .on('click', (_event, d) => this.choose(d.id))
        .append('title')
        .text((d) => `${edgeLabel(graph, d.id)}: ${r.label} ${formatMetric(d.dy)}, exact ${formatMetric(d.dx)}`);
    }
  }
}
