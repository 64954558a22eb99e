// ROC against a known circuit (docs/methods.md#roc-against-a-known-circuit),
// for models that ship one (the compiled tracr-* models' ground_truth.json):
// TPR against FPR of each method's circuits at MIB's sizes, the AUC of its
// ranking in the legend, and ACDC's circuit as one point. Drawn with d3.

import { format } from 'd3-format';
import { scaleLinear } from 'd3-scale';
import { select } from 'd3-selection';
import { line, symbol, symbolDiamond } from 'd3-shape';
import { drawAxes } from '../charts/axes';
import { el } from '../dom';
import type { Roc, RocPoint } from '../generated/wire';

const W = 260;
const H = 240;
const M = { left: 40, right: 12, top: 12, bottom: 34 };
const BOX = { width: W, height: H, margin: M };

export interface RocSeries {
  method: string;
  label: string;
  /** A method's ROC, or one circuit's point (ACDC's: `auc` null). */
  points: Pick<RocPoint, 'tpr' | 'fpr'>[];
  auc: number | null;
}

const f3 = format('.3f');

/** A method's series from the crate's `Roc`. */
export function rocSeries(method: string, label: string, roc: Roc): RocSeries {
  return { method, label, points: roc.points, auc: roc.auc };
}

export class RocChart {
  private readonly svg = select(document.createElementNS('http://www.w3.org/2000/svg', 'svg'))
    .attr('viewBox', `0 0 ${W} ${H}`)
    .attr('class', 'roc-svg')
    .attr('role', 'img')
    .attr('aria-label', 'True positive rate against false positive rate');
  private readonly legend = el('ul', { class: 'faithfulness-legend', 'data-testid': 'roc-legend' });
  readonly element: HTMLElement;

  constructor() {
    this.element = el(
      'figure',
      { class: 'chart roc-chart', 'data-testid': 'roc-chart', hidden: true },
      this.svg.node(),
      el('figcaption', {}, 'ROC against the circuit the model was compiled to have'),
      this.legend,
    );
  }

  /** Hidden when there is nothing to show (no ground truth, or no run yet). */
  show(series: readonly RocSeries[]): void {
    this.element.hidden = series.length === 0;
    const x = scaleLinear().domain([0, 1]).range([M.left, W - M.right]);
    const y = scaleLinear().domain([0, 1]).range([H - M.bottom, M.top]);
    const svg = this.svg;
    svg.selectAll('*').remove();
    drawAxes(svg, BOX, { scale: x, title: 'false positive rate', ticks: 5 }, { scale: y, title: 'true positive rate', ticks: 5 });
    svg
      .append('line')
      .attr('class', 'reference-line')
      .attr('x1', x(0))
      .attr('y1', y(0))
      .attr('x2', x(1))
      .attr('y2', y(1));
    const path = line<Pick<RocPoint, 'tpr' | 'fpr'>>()
      .x((p) => x(p.fpr))
      .y((p) => y(p.tpr));
    series.forEach((s) => {
      const g = svg.append('g').attr('class', `series method-${s.method}`).attr('data-method', s.method);
      if (s.auc === null) {
        g.selectAll('path')
          .data(s.points)
          .join('path')
          .attr('class', 'marker')
          .attr('d', symbol(symbolDiamond, 90)())
          .attr('transform', (p) => `translate(${x(p.fpr)},${y(p.tpr)})`);
        return;
      }
      const points = [{ fpr: 0, tpr: 0 }, ...[...s.points].sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr), { fpr: 1, tpr: 1 }];
      g.append('path').attr('class', 'curve').attr('d', path(points));
      g.selectAll('circle')
        .data(s.points)
        .join('circle')
        .attr('r', 2.5)
        .attr('cx', (p) => x(p.fpr))
        .attr('cy', (p) => y(p.tpr));
    });
    this.legend.replaceChildren(
      ...series.map((s) => {
        const item = el('li', { class: `method-${s.method}`, 'data-method': s.method }, el('span', { class: 'swatch' }), s.label);
        if (s.auc !== null) {
          item.append(' — AUC ', el('span', { class: 'number', 'data-testid': 'auc', 'data-method': s.method, 'data-value': s.auc }, f3(s.auc)));
        } else if (s.points[0]) {
          item.append(` — TPR ${f3(s.points[0].tpr)}, FPR ${f3(s.points[0].fpr)}`);
        }
        return item;
      }),
    );
  }
}
