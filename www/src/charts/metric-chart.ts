// The metric of the circuit against edges tested, as the run goes: the
// current circuit's metric after each decision (it rises in steps, one per
// removed edge, by less than τ each), the full model's value as a baseline,
// a line τ above it, and the previous run's curve to compare with. The x axis
// ends where this run can end at most (edges tested + edges not decided yet),
// so it shrinks to the run's true length as untested removals come in.

import { el } from '../dom';
import type { MetricKind } from '../generated/wire';
import type { MetricPoint } from '../state/run-state';
import { METRIC_WORDS } from '../explain/words';
import { formatTau } from './format';
import { paddedDomain, Plot, type PlotLine, type PlotPoint, type PlotRule } from './plot';

/** One run's curve as the chart draws it. */
export interface MetricCurve {
  points: readonly MetricPoint[];
  metric: MetricKind;
  tau: number;
  /** The full model's value (the curve's first point). */
  initial: number;
  /** Where the x axis may end: edges tested + edges not decided yet. */
  xMax: number;
}

export class MetricChart {
  private plot: Plot;
  private readonly caption = el('figcaption', { 'data-testid': 'metric-caption' });
  readonly element: HTMLElement;
  private metric: MetricKind = 'kl';
  private current: MetricCurve | null = null;
  private previous: (MetricCurve & { label: string }) | null = null;

  constructor() {
    this.plot = this.makePlot('kl');
    this.element = el('figure', { class: 'chart', 'data-testid': 'metric-chart', 'data-points': '0' }, this.plot.element, this.caption);
    this.setCaption('kl', null);
  }

  /** The run's curve (null: none yet); the axis follows `metric`. */
  show(curve: MetricCurve | null, metric: MetricKind, tau: number | null): void {
    if (metric !== this.metric) {
      this.metric = metric;
      const plot = this.makePlot(metric);
      this.plot.element.replaceWith(plot.element);
      this.plot = plot;
    }
    this.current = curve;
    this.element.dataset.points = String(curve?.points.length ?? 0);
    this.setCaption(metric, tau);
    this.redraw(tau);
  }

  /** Keeps a finished run's curve to draw under the next one (null: none). */
  setPrevious(curve: MetricCurve | null, label = ''): void {
    this.previous = curve ? { ...curve, label } : null;
    this.element.dataset.previous = curve ? 'shown' : 'none';
  }

  private makePlot(metric: MetricKind): Plot {
    const m = METRIC_WORDS[metric];
    return new Plot({
      xLabel: 'edges tested',
      yLabel: `${m.short} of the circuit (lower is better)`,
      label: `${m.name} of the circuit against edges tested`,
      integerX: true,
      margin: { right: 16 },
    });
  }

  private redraw(tau: number | null): void {
    const cur = this.current;
    const prev = this.previous !== null && this.previous.metric === this.metric ? this.previous : null;
    const lines: PlotLine[] = [];
    const rules: PlotRule[] = [];
    const ys: number[] = [];
    let xMax = 1;
    if (prev) {
      lines.push({ id: 'previous', points: toPoints(prev.points), label: prev.label, className: 'line-previous', curve: 'step' });
      ys.push(...prev.points.map((p) => p.metric));
      xMax = Math.max(xMax, prev.xMax);
    }
    const baseline = cur?.initial ?? prev?.initial ?? null;
    if (cur) {
      lines.push({ id: 'current', points: toPoints(cur.points), label: prev ? `τ ${formatTau(cur.tau)}` : undefined, className: 'line-current', curve: 'step' });
      ys.push(...cur.points.map((p) => p.metric));
      xMax = Math.max(xMax, cur.xMax);
    }
    const include: number[] = [];
    if (baseline !== null) {
      rules.push({ id: 'baseline', axis: 'y', value: baseline, label: 'full model', className: 'rule-baseline', labelAt: 'end' });
      include.push(baseline);
      if (tau !== null) {
        rules.push({ id: 'tau', axis: 'y', value: baseline + tau, label: `full model + τ (${formatTau(tau)})`, className: 'rule-tau' });
        include.push(baseline + tau);
      }
    }
    const y = paddedDomain(ys, include);
    this.plot.draw({ x: [0, xMax], y, lines, rules });
    // For tests: the axes' extent.
    this.element.dataset.xMax = String(xMax);
    this.element.dataset.yMin = String(y[0]);
    this.element.dataset.yMax = String(y[1]);
  }

  private setCaption(metric: MetricKind, tau: number | null): void {
    const m = METRIC_WORDS[metric];
    const negated = m.negated ? ` (${m.name}: negated, so that lower is better)` : '';
    const t = tau === null ? 'τ' : `τ = ${formatTau(tau)}`;
    this.caption.textContent = `Each removal may raise ${m.short} by less than ${t}${negated}; the rises add up, past the τ line.`;
  }
}

function toPoints(points: readonly MetricPoint[]): PlotPoint[] {
  return points.map((p) => ({ x: p.tested, y: p.metric }));
}
