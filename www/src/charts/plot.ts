// A small, generic line plot on d3's scales and axes: a plot area with a
// linear x and y scale, both axes with their titles, any number of labelled
// lines, and labelled reference lines (a threshold such as τ, a baseline).
// The SVG is drawn at the size its box has on screen (a ResizeObserver
// redraws it), so its text is always at its CSS size (12 px), never scaled
// down with a viewBox. Tick labels come from ./format.ts (the minus sign "−").
//
//   const plot = new Plot({ xLabel: 'edges tested', yLabel: 'KL', label: 'KL against edges tested' });
//   box.append(plot.element);
//   plot.draw({
//     x: [0, 305], y: [0, 1.2],
//     lines: [{ id: 'run', points, label: 'this run', className: 'line-current' }],
//     rules: [{ id: 'tau', axis: 'y', value: 0.05, label: 'τ', className: 'rule-tau' }],
//   });
//
// Styles: .plot-axis, .plot-axis-title, .plot-line, .plot-line-label,
// .plot-rule, .plot-rule-label, plus each line's and rule's own className.

import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { select } from 'd3-selection';
import { line as d3line } from 'd3-shape';
import { tickFormatter } from './format';

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface PlotOptions {
  /** Title of the x axis, under it. */
  xLabel: string;
  /** Title of the y axis, above it. */
  yLabel: string;
  /** What the plot shows, for screen readers (the SVG's aria-label). */
  label: string;
  /** Space around the plot area for ticks, titles and line labels (px). */
  margin?: Partial<Margin>;
  /** About how many ticks per axis. */
  xTicks?: number;
  yTicks?: number;
  /** x values are counts: integer ticks only. */
  integerX?: boolean;
}

export interface PlotPoint {
  x: number;
  y: number;
}

/** A line through points, in x order; `label` is written at its last point. */
export interface PlotLine {
  id: string;
  points: readonly PlotPoint[];
  label?: string;
  className?: string;
  /** 'step': hold each value until the next point (a value that changes in steps). */
  curve?: 'linear' | 'step';
}

/** A reference line across the plot at a fixed x (axis 'x') or y (axis 'y'). */
export interface PlotRule {
  id: string;
  axis: 'x' | 'y';
  value: number;
  label: string;
  className?: string;
  /** Where along the line its label goes (default 'start': left or top). */
  labelAt?: 'start' | 'end';
}

export interface PlotData {
  x: readonly [number, number];
  y: readonly [number, number];
  lines: readonly PlotLine[];
  rules?: readonly PlotRule[];
}

const DEFAULT_MARGIN: Margin = { top: 22, right: 14, bottom: 34, left: 56 };
const SVG_NS = 'http://www.w3.org/2000/svg';

export class Plot {
  readonly element: HTMLDivElement;
  readonly x: ScaleLinear<number, number> = scaleLinear();
  readonly y: ScaleLinear<number, number> = scaleLinear();
  private readonly svg: SVGSVGElement;
  private readonly margin: Margin;
  private data: PlotData | null = null;
  private size = { width: 0, height: 0 };

  constructor(private readonly options: PlotOptions) {
    this.margin = { ...DEFAULT_MARGIN, ...options.margin };
    this.element = document.createElement('div');
    this.element.className = 'plot';
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('role', 'img');
    this.svg.setAttribute('aria-label', options.label);
    this.element.append(this.svg);
    new ResizeObserver(() => this.resize()).observe(this.element);
  }

  /** Sets the domains and what to draw, then draws (now if laid out, else once it is). */
  draw(data: PlotData): void {
    this.data = data;
    this.render();
  }

  /** The plot area in the SVG's pixels. */
  get area(): { left: number; top: number; right: number; bottom: number } {
    const { width, height } = this.size;
    const m = this.margin;
    return { left: m.left, top: m.top, right: Math.max(m.left + 10, width - m.right), bottom: Math.max(m.top + 10, height - m.bottom) };
  }

  private resize(): void {
    const width = Math.round(this.element.clientWidth);
    const height = Math.round(this.element.clientHeight);
    if (width === this.size.width && height === this.size.height) return;
    this.size = { width, height };
    this.render();
  }

  private render(): void {
    if (this.size.width === 0) this.size = { width: this.element.clientWidth, height: this.element.clientHeight };
    const { width, height } = this.size;
    const data = this.data;
    if (data === null || width <= 0 || height <= 0) return;
    const area = this.area;
    const { options } = this;
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.x.domain(data.x).range([area.left, area.right]);
    this.y.domain(data.y).range([area.bottom, area.top]);

    const xTicks = Math.max(2, Math.min(options.xTicks ?? 6, Math.floor((area.right - area.left) / 60)));
    const yTicks = Math.max(2, Math.min(options.yTicks ?? 5, Math.floor((area.bottom - area.top) / 28)));
    let xAxis = axisBottom(this.x).ticks(xTicks).tickFormat(tickFormatter(this.x, xTicks) as (v: unknown) => string);
    if (options.integerX) {
      const ticks = this.x.ticks(xTicks).filter((t) => Number.isInteger(t));
      xAxis = xAxis.tickValues(ticks).tickFormat((v) => String(v));
    }
    const yAxis = axisLeft(this.y).ticks(yTicks).tickFormat(tickFormatter(this.y, yTicks) as (v: unknown) => string);

    const root = select(this.svg);
    root.selectAll('*').remove();
    root
      .append('g')
      .attr('class', 'plot-axis plot-axis-x')
      .attr('transform', `translate(0,${area.bottom})`)
      .call(xAxis);
    root
      .append('g')
      .attr('class', 'plot-axis plot-axis-y')
      .attr('transform', `translate(${area.left},0)`)
      .call(yAxis);
    root
      .append('text')
      .attr('class', 'plot-axis-title')
      .attr('x', (area.left + area.right) / 2)
      .attr('y', height - 4)
      .attr('text-anchor', 'middle')
      .text(options.xLabel);
    root
      .append('text')
      .attr('class', 'plot-axis-title')
      .attr('x', 4)
      .attr('y', 13)
      .attr('text-anchor', 'start')
      .text(options.yLabel);

    const clipId = `plot-clip-${clipCounter++}`;
    root
      .append('clipPath')
      .attr('id', clipId)
      .append('rect')
      .attr('x', area.left)
      .attr('y', area.top - 2)
      .attr('width', area.right - area.left)
      .attr('height', area.bottom - area.top + 4);

    const labels: { y: number; text: string; className: string; x: number; anchor: string }[] = [];
    for (const rule of data.rules ?? []) {
      const g = root.append('g').attr('class', `plot-rule ${rule.className ?? ''}`).attr('data-rule', rule.id);
      if (rule.axis === 'y') {
        const y = this.y(rule.value);
        if (y < area.top - 0.5 || y > area.bottom + 0.5) continue;
        g.append('line').attr('x1', area.left).attr('x2', area.right).attr('y1', y).attr('y2', y);
        const end = rule.labelAt === 'end';
        labels.push({
          y: y - 3,
          text: rule.label,
          className: `plot-rule-label ${rule.className ?? ''}`,
          x: end ? area.right - 2 : area.left + 4,
          anchor: end ? 'end' : 'start',
        });
      } else {
        const x = this.x(rule.value);
        if (x < area.left - 0.5 || x > area.right + 0.5) continue;
        g.append('line').attr('x1', x).attr('x2', x).attr('y1', area.top).attr('y2', area.bottom);
        labels.push({
          y: rule.labelAt === 'end' ? area.bottom - 4 : area.top - 4,
          text: rule.label,
          className: `plot-rule-label ${rule.className ?? ''}`,
          x: x + 3,
          anchor: 'start',
        });
      }
    }

    for (const series of data.lines) {
      if (series.points.length === 0) continue;
      const path = d3line<PlotPoint>()
        .x((p) => this.x(p.x))
        .y((p) => this.y(p.y));
      const points = series.curve === 'step' ? steps(series.points) : series.points;
      root
        .append('path')
        .attr('class', `plot-line ${series.className ?? ''}`)
        .attr('data-line', series.id)
        .attr('clip-path', `url(#${clipId})`)
        .attr('fill', 'none')
        .attr('d', path(points as PlotPoint[]) ?? '');
      if (series.label) {
        const last = series.points[series.points.length - 1];
        const x = Math.min(this.x(last.x), area.right);
        const right = x > (area.left + area.right) / 2;
        labels.push({
          y: clamp(this.y(last.y) - 5, area.top + 10, area.bottom - 3),
          text: series.label,
          className: `plot-line-label ${series.className ?? ''}`,
          x: right ? x - 2 : x + 4,
          anchor: right ? 'end' : 'start',
        });
      }
    }

    // Labels last, over the lines, nudged apart where they would overlap.
    labels.sort((a, b) => a.y - b.y);
    for (let i = 1; i < labels.length; i++) {
      if (labels[i].y - labels[i - 1].y < 13 && Math.abs(labels[i].x - labels[i - 1].x) < 120) labels[i].y = labels[i - 1].y + 13;
    }
    for (const label of labels) {
      root
        .append('text')
        .attr('class', label.className)
        .attr('x', label.x)
        .attr('y', Math.min(label.y, height - 2))
        .attr('text-anchor', label.anchor)
        .text(label.text);
    }
  }
}

let clipCounter = 0;

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

/** A step curve's corners: each value held until the next point's x. */
function steps(points: readonly PlotPoint[]): PlotPoint[] {
  const out: PlotPoint[] = [];
  points.forEach((p, i) => {
    if (i > 0) out.push({ x: p.x, y: points[i - 1].y });
    out.push(p);
  });
  return out;
}

/**
 * A y domain that shows `values` (and `include`, e.g. a baseline and a
 * threshold) with a little room, never a degenerate one: a flat line gets a
 * span of its own size (or 1 around 0).
 */
export function paddedDomain(values: readonly number[], include: readonly number[] = []): [number, number] {
  const all = [...values, ...include].filter(Number.isFinite);
  if (all.length === 0) return [0, 1];
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
    const pad = Math.abs(hi) > 0 ? Math.abs(hi) * 0.5 : 1;
    return [lo - pad, hi + pad];
  }
  const pad = (hi - lo) * 0.08;
  // Padding never crosses 0: a metric that is never negative gets no negative ticks.
  lo = lo >= 0 ? Math.max(0, lo - pad) : lo - pad;
  hi = hi <= 0 ? Math.min(0, hi + pad) : hi + pad;
  return [lo, hi];
}
