// The edges of a large graph that do not move, painted once into a layer of
// their own. Stroking all of GPT-2 small's 32,923 curves took the page ~100 ms
// (software rendering), so restroking them every frame while removed edges fade
// held a run's animation under 10 frames/s. Most edges at any moment are
// untested, or removed and done fading: their look depends on nothing but the
// zoom and the view's options. This layer keeps them as a bitmap, repainted when
// the view changes and, while a run changes fates, at most once a REFRESH_MS;
// each frame strokes only the edges in motion (fading, kept, under test) over it.
// Until the next refresh an edge just decided still shows its old stroke under
// its new one, for under a second. Small graphs skip all this.

import type { GraphLayout } from '../generated/wire';
import { Fate, type RunState } from '../state/run-state';
import { FADE_MS, paintEdges, type PaintOptions } from './paint';

/** Graphs with more drawn edges than this paint their settled edges from the layer. */
export const LARGE_GRAPH = 4000;
/** While a run changes fates, the layer is repainted at most this often (ms). */
const REFRESH_MS = 1000;

export class SettledLayer {
  private readonly canvas = document.createElement('canvas');
  /** What the bitmap was painted for: the view (zoom, size, options) and the run's progress. */
  private viewKey = '';
  private runKey = '';
  private paintedAt = Number.NEGATIVE_INFINITY;
  /** Per graph edge, its fate + 1 when the bitmap holds its stroke (0: not held). */
  private held = new Uint8Array(0);
  /** Fates changed since the bitmap was painted: it is due for a refresh (keep drawing frames). */
  behind = false;
  /** The layout painted (a respaced or collapsed view is a new one). */
  private layout: GraphLayout | null = null;

  /**
   * Draws the settled edges onto `ctx` (device pixels, identity transform) and returns which
   * edges the frame must still stroke itself; null when the graph is small, or painted by
   * scores or a verdict (they do not animate): the caller strokes everything as before.
   */
  draw(ctx: CanvasRenderingContext2D, layout: GraphLayout, state: RunState | null, options: PaintOptions, scale: number, view: string): ((e: number) => boolean) | null {
    if (layout.edges.length <= LARGE_GRAPH || options.scores || options.truth) return null;
    const { width, height } = ctx.canvas;
    const viewKey = `${view}|${width}x${height}|${scale}|${options.circuitOnly}|${options.palette.untested}`;
    const runKey = state === null ? 'none' : `${state.tested}|${state.status?.remaining}|${state.status?.done}|${state.current}`;
    const stale = layout !== this.layout || viewKey !== this.viewKey || (runKey !== this.runKey && options.now - this.paintedAt >= REFRESH_MS);
    if (stale) this.repaint(layout, state, options, scale, width, height, viewKey, runKey);
    this.behind = runKey !== this.runKey;
    ctx.drawImage(this.canvas, 0, 0);
    const held = this.held;
    // An edge decided since the refresh is stroked anew over its old stroke until the next one.
    return (e) => held[e] !== fateOf(state, e) + 1 || !settled(state, e, options.now);
  }

  private repaint(layout: GraphLayout, state: RunState | null, options: PaintOptions, scale: number, width: number, height: number, viewKey: string, runKey: string): void {
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const ctx = this.canvas.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    const held = new Uint8Array(Math.max(this.held.length, maxId(layout) + 1));
    paintEdges(ctx, layout, state, options, (e) => {
      const keep = settled(state, e, options.now);
      if (keep) held[e] = fateOf(state, e) + 1;
      return keep;
    });
    this.held = held;
    this.layout = layout;
    this.viewKey = viewKey;
    this.runKey = runKey;
    this.paintedAt = options.now;
  }
}

/** Whether an edge's look is fixed: untested (not under test), or removed and done fading. */
function settled(state: RunState | null, e: number, now: number): boolean {
  if (state === null) return true;
  if (state.current === e) return false;
  const fate = state.fate[e];
  if (fate === Fate.Untested) return true;
  return (fate === Fate.Removed || fate === Fate.Skipped) && now - state.changedAt[e] >= FADE_MS;
}

function fateOf(state: RunState | null, e: number): number {
  return state?.fate[e] ?? Fate.Untested;
}

function maxId(layout: GraphLayout): number {
  let max = 0;
  for (const e of layout.edges) max = Math.max(max, e.id);
  return max;
}
