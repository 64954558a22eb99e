// The drawing math of an edge, on the layout the crate computes
// (`GraphInfo.layout`, crate/src/graph/layout.rs; docs/graph.md#in-code-and-json):
// an ADDITION edge is a cubic from its sender's right side to the receiving
// port or box, leaving and arriving horizontally; a DIRECT_COMPUTATION edge is
// the short straight mark of its port. The boxes, their keys and labels, and
// every edge's end points come from Rust; only the curve between two given
// points and the distance to it (for hovering) are computed here. Pure: no DOM.

import type { DrawnEdge, Point } from '../generated/wire';

/** The cubic's control points: leave and arrive horizontally. */
export function controlPoints(e: DrawnEdge): [Point, Point] {
  const dx = Math.max((e.to.x - e.from.x) * 0.5, 10);
  return [
    { x: e.from.x + dx, y: e.from.y },
    { x: e.to.x - dx, y: e.to.y },
  ];
}

/** Distance from `p` to the drawn edge (the cubic sampled at 24 points). */
export function distanceToEdge(e: DrawnEdge, p: Point): number {
  if (e.type === 'direct_computation') return distanceToSegment(p, e.from, e.to);
  const [c1, c2] = controlPoints(e);
  let best = Infinity;
  let prev = e.from;
  for (let i = 1; i <= 24; i++) {
    const t = i / 24;
    const u = 1 - t;
    const next = {
      x: u * u * u * e.from.x + 3 * u * u * t * c1.x + 3 * u * t * t * c2.x + t * t * t * e.to.x,
      y: u * u * u * e.from.y + 3 * u * u * t * c1.y + 3 * u * t * t * c2.y + t * t * t * e.to.y,
    };
    best = Math.min(best, distanceToSegment(p, prev, next));
    prev = next;
  }
  return best;
}

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}
