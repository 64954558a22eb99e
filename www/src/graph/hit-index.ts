// Which edge is under the pointer, without measuring the distance to every
// edge: GPT-2 small draws 32,923 curves, and a linear scan of them per pointer
// move (24 segments each) takes longer than a frame. Each curve is sampled once
// into the polyline that distanceToEdge measures (geometry.ts), and every
// segment is filed in the cells of a uniform grid that its bounding box,
// grown by the hover reach, overlaps. A query measures only the edges filed in
// the pointer's cell, so it answers exactly what the linear scan would
// (tests/unit/hit-index.test.mjs compares them). Pure: no DOM.

import type { DrawnEdge, Point } from '../generated/wire';
import { polylineDistance, SAMPLES, samplePolyline } from './geometry';

/** Cells of the grid along its longer side, at most (a cell is never under MIN_CELL units). */
const GRID = 96;
const MIN_CELL = 12;

export class HitIndex {
  private readonly points: Float64Array;
  /** Per edge, its polyline's bounding box (x0, y0, x1, y1): a candidate farther than that is skipped unmeasured. */
  private readonly bounds: Float64Array;
  private readonly cell: number;
  private readonly cols: number;
  private readonly rows: number;
  /** CSR: the edges (indices into `edges`) of cell c are items[starts[c] .. starts[c + 1]). */
  private readonly starts: Uint32Array;
  private readonly items: Uint32Array;
  /** Numbers per edge in `points`: its SAMPLES + 1 points, x then y. */
  private readonly stride = 2 * (SAMPLES + 1);

  /**
   * @param edges the drawn edges (in the order a tie goes to the first).
   * @param reach the farthest a pointer may be from an edge and still hover it (layout units).
   */
  constructor(
    private readonly edges: readonly DrawnEdge[],
    private readonly reach: number,
    width: number,
    height: number,
  ) {
    this.points = new Float64Array(edges.length * this.stride);
    this.bounds = new Float64Array(edges.length * 4);
    edges.forEach((e, i) => {
      samplePolyline(e, this.points, i * this.stride);
      const o = i * this.stride;
      let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
      for (let k = 0; k <= SAMPLES; k++) {
        const [x, y] = [this.points[o + 2 * k], this.points[o + 2 * k + 1]];
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
      this.bounds.set([x0, y0, x1, y1], 4 * i);
    });
    this.cell = Math.max(MIN_CELL, Math.max(width, height) / GRID);
    this.cols = Math.max(1, Math.ceil(width / this.cell) + 1);
    this.rows = Math.max(1, Math.ceil(height / this.cell) + 1);
    const counts = new Uint32Array(this.cols * this.rows + 1);
    this.visit((c) => counts[c]++);
    this.starts = new Uint32Array(counts.length);
    for (let c = 1; c < counts.length; c++) this.starts[c] = this.starts[c - 1] + counts[c - 1];
    this.items = new Uint32Array(this.starts[counts.length - 1]);
    const fill = this.starts.slice();
    this.visit((c, i) => (this.items[fill[c]++] = i));
  }

  /** Calls `file(cell, edge)` once per cell an edge's grown segments overlap. */
  private visit(file: (cell: number, edge: number) => void): void {
    const last = new Int32Array(this.cols * this.rows).fill(-1);
    const { points, stride, reach, cell } = this;
    const clampX = (x: number) => Math.max(0, Math.min(this.cols - 1, Math.floor(x / cell)));
    const clampY = (y: number) => Math.max(0, Math.min(this.rows - 1, Math.floor(y / cell)));
    for (let i = 0; i < this.edges.length; i++) {
      const o = i * stride;
      for (let s = 0; s < SAMPLES; s++) {
        const [ax, ay, bx, by] = [points[o + 2 * s], points[o + 2 * s + 1], points[o + 2 * s + 2], points[o + 2 * s + 3]];
        const [x0, x1] = [clampX(Math.min(ax, bx) - reach), clampX(Math.max(ax, bx) + reach)];
        const [y0, y1] = [clampY(Math.min(ay, by) - reach), clampY(Math.max(ay, by) + reach)];
        for (let y = y0; y <= y1; y++) {
          for (let x = x0; x <= x1; x++) {
            const c = y * this.cols + x;
            if (last[c] === i) continue;
            last[c] = i;
            file(c, i);
          }
        }
      }
    }
  }

  /** Edges filed in the cell of `p` (indices into `edges`): what a query measures. */
  candidates(p: Point): Uint32Array {
    const x = Math.floor(p.x / this.cell);
    const y = Math.floor(p.y / this.cell);
    if (x < 0 || y < 0 || x >= this.cols || y >= this.rows) return new Uint32Array(0);
    const c = y * this.cols + x;
    return this.items.subarray(this.starts[c], this.starts[c + 1]);
  }

  /**
   * The index (into `edges`) of the nearest edge `accept`ed within `reach` of `p`, or −1;
   * of equally near edges, the first.
   */
  nearest(p: Point, accept: (edge: DrawnEdge) => boolean = () => true): number {
    let best = this.reach;
    let hit = -1;
    const b = this.bounds;
    for (const i of this.candidates(p)) {
      if (p.x < b[4 * i] - best || p.x > b[4 * i + 2] + best || p.y < b[4 * i + 1] - best || p.y > b[4 * i + 3] + best) continue;
      if (!accept(this.edges[i])) continue;
      const d = this.distance(i, p);
      if (d < best || (d === best && hit >= 0 && i < hit)) {
        best = d;
        hit = i;
      }
    }
    return hit;
  }

  /** Distance from `p` to edge i's polyline: what distanceToEdge measures. */
  private distance(i: number, p: Point): number {
    return polylineDistance(this.points, i * this.stride, p);
  }
}
