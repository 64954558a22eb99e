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

/** Segments of the polyline an edge is measured on (a curve's samples; a port mark's one segment, then its end repeated). */
export const SAMPLES = 24;

/** Writes the edge's SAMPLES + 1 points (x, y, x, y, …) into `out` from `offset`. */
export function samplePolyline(e: DrawnEdge, out: Float64Array, offset: number): void {
  const straight = e.type === 'direct_computation';
  const [c1, c2] = controlPoints(e);
  for (let i = 0; i <= SAMPLES; i++) {
    const t = straight ? Math.min(i, 1) : i / SAMPLES;
    const u = 1 - t;
    const x = straight ? u * e.from.x + t * e.to.x : u * u * u * e.from.x + 3 * u * u * t * c1.x + 3 * u * t * t * c2.x + t * t * t * e.to.x;
    const y = straight ? u * e.from.y + t * e.to.y : u * u * u * e.from.y + 3 * u * u * t * c1.y + 3 * u * t * t * c2.y + t * t * t * e.to.y;
    out[offset + 2 * i] = x;
    out[offset + 2 * i + 1] = y;
  }
}

/** Distance from `p` to the polyline of SAMPLES segments stored in `points` from `offset`. */
export function polylineDistance(points: Float64Array, offset: number, p: Point): number {
  let best = Infinity;
  for (let s = 0; s < SAMPLES; s++) {
    const o = offset + 2 * s;
    const d = segmentDistance2(p.x, p.y, points[o], points[o + 1], points[o + 2], points[o + 3]);
    if (d < best) best = d;
  }
  return Math.sqrt(best);
}

/** Distance from `p` to the drawn edge (the cubic sampled at SAMPLES segments; a port mark's straight line). */
export function distanceToEdge(e: DrawnEdge, p: Point): number {
  const points = new Float64Array(2 * (SAMPLES + 1));
  samplePolyline(e, points, 0);
  return polylineDistance(points, 0, p);
}

/** Squared distance from (px, py) to the segment a–b (numbers, not points, and no root: a hover measures thousands). */
function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2));
  const ex = px - (ax + t * dx);
  const ey = py - (ay + t * dy);
  return ex * ex + ey * ey;
}
