// The faithfulness chart (docs/methods.md#faithfulness-cpr-and-cmd-mib-2025):
// f(C) of the circuits cut from each method's scores at MIB's sizes, drawn as
// each size is evaluated, with CPR and CMD in the legend; ACDC's circuit is one
// point at its own size; the size chosen on the slider is a vertical rule.
// x is the fraction of ADDITION edges on a log scale (the areas are over the
// linear fractions, as MIB computes them); y is f, 1 being the full model.
// Drawn with d3 (scales, axes, line, symbols); the numbers also sit in a table
// with their full precision in data attributes.

import { format } from 'd3-format';
import { scaleLinear, scaleLog } from 'd3-scale';
import { select } from 'd3-selection';
import { line, symbol, symbolDiamond } from 'd3-shape';
import { drawAxes } from '../charts/axes';
import { el } from '../dom';
import { FRACTIONS, type CurvePoint } from '../generated/wire';
import { areas } from '../state/attribution-results';

const W = 420;
const H = 240;
const M = { left: 44, right: 12, top: 12, bottom: 34 };
const BOX = { width: W, height: H, margin: M };
/** The smallest fraction drawn (MIB's smallest size); a circuit below it sits at the edge. */
const X_MIN = FRACTIONS[0];

/** One method's curve (or ACDC's one point). */
export interface Series {
  /** `eap-ig`, `acdc`, …: the key of its colour and of its numbers in the DOM. */
  method: string;
  label: string;
  points: CurvePoint[];
  /** A single circuit (ACDC's), drawn as one marker. */
  single: boolean;
}

const f4 = format('.4f');

export class FaithfulnessChart {
  private readonly svg = select(document.createElementNS('http://www.w3.org/2000/svg', 'svg'))
    .attr('viewBox', `0 0 ${W} ${H}`)
    .attr('class', 'faithfulness-svg')
    .attr('role', 'img')
    .attr('aria-label', 'Faithfulness against circuit size');
  private readonly legend = el('ul', { class: 'faithfulness-legend', 'data-testid': 'faithfulness-legend' });
  private readonly table = el('table', { class: 'faithfulness-table', 'data-testid': 'faithfulness-table' });
  readonly element: HTMLElement;

  constructor() {
    const svgNode = this.svg.node();
    this.element = el(
      'figure',
      { class: 'chart faithfulness-chart', 'data-testid': 'faithfulness-chart' },
      svgNode,
      el('figcaption', {}, 'Faithfulness f of the circuit against its size (share of edges, log scale); 1 = the full model, 0 = every edge removed'),
      this.legend,
      el('details', { class: 'faithfulness-numbers' }, el('summary', {}, 'The numbers'), this.table),
    );
    this.show([], null);
  }

  /** Redraws every series; `size` is the slider's fraction (null: none). */
  show(series: readonly Series[], size: number | null): void {
    const x = scaleLog().domain([X_MIN, 1]).range([M.left, W - M.right]).clamp(true);
    const fs = series.flatMap((s) => s.points.map((p) => p.f)).filter(Number.isFinite);
    const y = scaleLinear()
      .domain([Math.min(0, ...fs), Math.max(1, ...fs)])
      .range([H - M.bottom, M.top])
      .nice();
    const svg = this.svg;
    svg.selectAll('*').remove();
    drawAxes(svg, BOX, { scale: x, title: 'edges kept (share of ADDITION edges)', ticks: 4, format: '~%' }, { scale: y, title: 'faithfulness f', ticks: 5 });
    for (const level of [0, 1]) {
      svg
        .append('line')
        .attr('class', `reference-line level-${level}`)
        .attr('x1', M.left)
        .attr('x2', W - M.right)
        .attr('y1', y(level))
        .attr('y2', y(level));
    }
    if (size !== null) {
      svg
        .append('line')
        .attr('class', 'size-rule')
        .attr('data-testid', 'size-rule')
        .attr('x1', x(Math.max(X_MIN, size)))
        .attr('x2', x(Math.max(X_MIN, size)))
        .attr('y1', M.top)
        .attr('y2', H - M.bottom);
    }
    const path = line<CurvePoint>()
      .x((p) => x(Math.max(X_MIN, p.fraction)))
      .y((p) => y(p.f));
    series.forEach((s) => {
      const g = svg.append('g').attr('class', `series method-${s.method}`).attr('data-method', s.method);
      const points = [...s.points].filter((p) => Number.isFinite(p.f)).sort((a, b) => a.fraction - b.fraction);
      if (s.single) {
        g.selectAll('path')
          .data(points)
          .join('path')
          .attr('class', 'marker')
          .attr('d', symbol(symbolDiamond, 90)())
          .attr('transform', (p) => `translate(${x(Math.max(X_MIN, p.fraction))},${y(p.f)})`);
        return;
      }
      g.append('path').attr('class', 'curve').attr('d', path(points));
      g.selectAll('circle')
        .data(points)
        .join('circle')
        .attr('r', 2.5)
        .attr('cx', (p) => x(Math.max(X_MIN, p.fraction)))
        .attr('cy', (p) => y(p.f));
    });
    this.element.dataset.series = String(series.length);
    this.showLegend(series);
    this.showTable(series);
  }

  private showLegend(series: readonly Series[]): void {
    this.legend.replaceChildren(
      ...series.map((s) => {
        const item = el('li', { class: `method-${s.method}`, 'data-method': s.method }, el('span', { class: 'swatch' }), s.label);
        if (s.single) {
          const p = s.points[0];
          if (p) {
            const attrs = { 'data-testid': 'circuit-point', 'data-method': s.method, 'data-f': p.f, 'data-edges': p.edges, 'data-fraction': p.fraction };
            item.append(' — ', el('span', attrs, `${p.edges} edges, f = ${f4(p.f)}`), ' (one circuit: one point)');
          } else {
            item.append(' — judging…');
          }
          return item;
        }
        const done = s.points.length === FRACTIONS.length;
        const { cpr, cmd } = areas(s.points);
        item.append(
          ' — CPR ',
          number(done ? cpr : null, 'cpr', s.method),
          ' (higher is better), CMD ',
          number(done ? cmd : null, 'cmd', s.method),
          ' (lower is better)',
          done ? '' : ` · ${s.points.length}/${FRACTIONS.length} sizes`,
        );
        return item;
      }),
    );
  }

  /** Every point, with its full precision in data attributes (for tests and for copying). */
  private showTable(series: readonly Series[]): void {
    const head = el('tr', {}, el('th', {}, 'size'), ...series.map((s) => el('th', { colspan: 2 }, s.label)));
    const sub = el('tr', {}, el('th', {}), ...series.flatMap(() => [el('th', {}, 'edges'), el('th', {}, 'f')]));
    const rows = FRACTIONS.map((fraction) =>
      el(
        'tr',
        {},
        el('th', {}, format('~%')(fraction)),
        ...series.flatMap((s) => {
          const p = s.single ? undefined : s.points.find((q) => q.fraction === fraction);
          if (p === undefined) return [el('td', {}), el('td', {})];
          const attrs = { 'data-testid': 'faithfulness-point', 'data-method': s.method, 'data-fraction': fraction };
          return [
            el('td', {}, String(p.edges)),
            el('td', { ...attrs, 'data-f': p.f, 'data-edges': p.edges, 'data-n': p.n, 'data-metric': p.metric }, f4(p.f)),
          ];
        }),
      ),
    );
    this.table.replaceChildren(el('thead', {}, head, sub), el('tbody', {}, ...rows));
  }
}

function number(value: number | null, testid: string, method: string): HTMLElement {
  return el(
    'span',
    { class: 'number', 'data-testid': testid, 'data-method': method, 'data-value': value ?? '' },
    value === null ? '…' : f4(value),
  );
}
