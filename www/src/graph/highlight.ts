// Edges a lesson's feedback points at, painted over the rest of the graph
// (thick, in the page's accent colour), and the hovered edge, on the same
// curves as paint.ts.

import type { DrawnEdge, GraphLayout } from '../generated/wire';
import { controlPoints } from './geometry';
import { edgePath } from './paint';

export function paintHighlight(ctx: CanvasRenderingContext2D, layout: GraphLayout, edges: ReadonlySet<number>, color: string): void {
  if (edges.size === 0) return;
  ctx.save();
  ctx.lineCap = 'round';
  ctx.globalAlpha = 1;
  ctx.strokeStyle = color;
  ctx.lineWidth = 5;
  ctx.setLineDash([8, 4]);
  ctx.beginPath();
  for (const e of layout.edges) {
    if (!edges.has(e.id)) continue;
    ctx.moveTo(e.from.x, e.from.y);
    if (e.type === 'direct_computation') {
      ctx.lineTo(e.to.x, e.to.y);
      continue;
    }
    const [c1, c2] = controlPoints(e);
    ctx.bezierCurveTo(c1.x, c1.y, c2.x, c2.y, e.to.x, e.to.y);
  }
  ctx.stroke();
  ctx.restore();
}

/** The hovered edge over all the others: a halo in the panel's colour, then the edge in the text colour (no fate uses it). */
export function paintHovered(ctx: CanvasRenderingContext2D, edge: DrawnEdge, halo: string, color: string): void {
  const path = new Path2D(edgePath(edge));
  ctx.globalAlpha = 0.9;
  ctx.lineCap = 'round';
  ctx.strokeStyle = halo;
  ctx.lineWidth = 7;
  ctx.stroke(path);
  ctx.globalAlpha = 1;
  ctx.strokeStyle = color;
  ctx.lineWidth = 3;
  ctx.stroke(path);
}
