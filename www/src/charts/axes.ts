// The axes of the attribution charts (faithfulness, ROC, estimate vs exact):
// d3's bottom and left axes with their ticks, and a title under the x axis and
// beside the y axis. d3-format writes negative ticks with the minus sign "−".

import { axisBottom, axisLeft } from 'd3-axis';
import type { ScaleContinuousNumeric } from 'd3-scale';
import type { Selection } from 'd3-selection';

/** A chart's box (px): its size and the margins the axes take. */
export interface Box {
  width: number;
  height: number;
  margin: { left: number; right: number; top: number; bottom: number };
}

export interface AxisSpec {
  scale: ScaleContinuousNumeric<number, number>;
  title: string;
  ticks: number;
  /** A d3-format specifier for the ticks (default: the scale's). */
  format?: string;
}

export function drawAxes(svg: Selection<SVGSVGElement, unknown, null, undefined>, box: Box, x: AxisSpec, y: AxisSpec): void {
  const { width: W, height: H, margin: M } = box;
  svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${H - M.bottom})`).call(axisBottom(x.scale).ticks(x.ticks, x.format));
  svg.append('g').attr('class', 'axis').attr('transform', `translate(${M.left},0)`).call(axisLeft(y.scale).ticks(y.ticks, y.format));
  svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('x', (M.left + W - M.right) / 2)
    .attr('y', H - 4)
    .attr('text-anchor', 'middle')
    .text(x.title);
  svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('transform', `translate(10,${(M.top + H - M.bottom) / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text(y.title);
}
