// Edges a lesson's feedback points at, painted over the rest of the graph
// (thick, in the page's accent colour), on the same curves as paint.ts.

import type { GraphLayout } from '../generated/wire';
import { controlPoints } from './geometry';

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
