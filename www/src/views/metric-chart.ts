// The metric against edges tested: a small SVG line chart that grows as the
// run goes. The x axis spans every ADD + DC edge, so the line's length is the
// run's progress.

import { el, svgEl as svg } from '../dom';
import type { MetricPoint } from '../state/run-state';
import { formatMetric } from './run-stats';

const W = 320;
const H = 140;
const PAD = { left: 44, right: 8, top: 10, bottom: 22 };

export class MetricChart {
  private readonly line = svg('polyline', { class: 'chart-line', fill: 'none' });
  private readonly yTop = svg('text', { x: PAD.left - 4, y: PAD.top + 8, 'text-anchor': 'end', class: 'chart-tick' });
  private readonly yBottom = svg('text', { x: PAD.left - 4, y: H - PAD.bottom, 'text-anchor': 'end', class: 'chart-tick' });
  private readonly xRight = svg('text', { x: W - PAD.right, y: H - 6, 'text-anchor': 'end', class: 'chart-tick' });
  private readonly chart = svg(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, class: 'metric-chart', role: 'img', 'aria-label': 'Metric against edges tested' },
    svg('line', { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, class: 'chart-axis' }),
    svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, class: 'chart-axis' }),
    svg('text', { x: PAD.left, y: H - 6, class: 'chart-tick' }, '0'),
    this.xRight,
    this.yTop,
    this.yBottom,
    this.line,
  );
  readonly element = el(
    'figure',
    { class: 'chart', 'data-testid': 'metric-chart' },
    this.chart,
    el('figcaption', {}, 'metric vs edges tested'),
  );

  show(points: MetricPoint[], totalEdges: number): void {
    const ys = points.map((p) => p.metric);
    let lo = Math.min(0, ...ys);
    let hi = Math.max(...ys, lo + 1e-9);
    if (!Number.isFinite(hi)) hi = 1;
    if (!Number.isFinite(lo)) lo = 0;
    const x = (t: number) => PAD.left + (t / Math.max(totalEdges, 1)) * (W - PAD.left - PAD.right);
    const y = (m: number) => H - PAD.bottom - ((m - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
    this.line.setAttribute('points', points.map((p) => `${x(p.tested).toFixed(1)},${y(p.metric).toFixed(1)}`).join(' '));
    this.yTop.textContent = points.length > 0 ? formatMetric(hi) : '';
    this.yBottom.textContent = points.length > 0 ? formatMetric(lo) : '';
    this.xRight.textContent = String(totalEdges);
    this.element.dataset.points = String(points.length);
  }

  clear(totalEdges: number): void {
    this.show([], totalEdges);
  }
}
