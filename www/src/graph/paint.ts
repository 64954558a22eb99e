// How an edge looks for its fate, and the canvas painter of the edge layer.
// Untested edges are faint, the edge tested last is highlighted, removed ones
// fade out, kept ones are coloured and sized by their effect |Δ|. Once a run
// on a model with a ground truth is done, the overlay colours edges by their
// verdict instead (true positive, miss, extra: the crate's `TruthOverlay`).
// An attribution run's scores paint every edge instead of a run's fates
// (`ScorePaint`: colour by sign, width by magnitude, the cut at the chosen
// size over the rest, and a compared circuit's overlap).
// The SVG export (export.ts) styles edges with the same `edgeStyle`.

import type { DrawnEdge, GraphLayout, TruthOverlay } from '../generated/wire';
import { Fate, type RunState } from '../state/run-state';
import { controlPoints } from './geometry';

/** What `TruthOverlay.verdict` says of an edge. */
export const Verdict = { None: 0, TruePositive: 1, Miss: 2, Extra: 3 } as const;

/** Per graph edge, the ground-truth overlay's verdict. */
export type Verdicts = TruthOverlay['verdict'];

/** How long a removed edge takes to fade out (ms). */
export const FADE_MS = 600;

export interface Palette {
  untested: string;
  removed: string;
  current: string;
  /** Kept edges run from `keptLow` (small |Δ|) to `keptHigh` (the largest): [hue, saturation %, lightness %]. */
  keptLow: [number, number, number];
  keptHigh: [number, number, number];
  /** The ground-truth overlay: kept and true, true but removed, kept but not true. */
  truePositive: string;
  miss: string;
  extra: string;
  /** Scores: removing the edge raises the metric (it helps the task), or lowers it. */
  positive: string;
  negative: string;
  /** Two circuits compared: kept by both, by the shown one only, by the other only. */
  both: string;
  onlyShown: string;
  onlyOther: string;
}

export const LIGHT: Palette = {
  untested: '#64748b',
  removed: '#94a3b8',
  current: '#2563eb',
  keptLow: [38, 92, 58],
  keptHigh: [350, 80, 38],
  truePositive: '#15803d',
  miss: '#dc2626',
  extra: '#d97706',
  positive: '#c2410c',
  negative: '#2563eb',
  both: '#7c3aed',
  onlyShown: '#c2410c',
  onlyOther: '#0d9488',
};

export const DARK: Palette = {
  untested: '#94a3b8',
  removed: '#475569',
  current: '#60a5fa',
  keptLow: [45, 95, 60],
  keptHigh: [350, 90, 62],
  truePositive: '#4ade80',
  miss: '#f87171',
  extra: '#fbbf24',
  positive: '#fb923c',
  negative: '#60a5fa',
  both: '#c084fc',
  onlyShown: '#fb923c',
  onlyOther: '#2dd4bf',
};

export interface EdgeStyle {
  color: string;
  width: number;
  alpha: number;
}

export interface PaintOptions {
  palette: Palette;
  /** Hide removed edges altogether (the "circuit only" view). */
  circuitOnly: boolean;
  /** The page's clock (ms), for fading. */
  now: number;
  /** Per edge id, the ground-truth overlay's verdict (none: no overlay). */
  truth?: Verdicts | null;
  /** An attribution run's scores, painted instead of the run's fates. */
  scores?: ScorePaint | null;
}

/** What an attribution view paints (per graph edge id). */
export interface ScorePaint {
  /** One score per graph edge; NaN where no method scores (DIRECT_COMPUTATION, PLACEHOLDER). */
  scores: Float64Array;
  /** The largest |score|, for widths. */
  max: number;
  /** The circuit cut at the chosen size (1 per kept edge); null: every edge by its score. */
  kept: Uint8Array | null;
  /** Another circuit to compare the cut with (1 per kept edge). */
  other: Uint8Array | null;
  /** The edge being inspected. */
  selected: number | null;
}

/** The style of an edge, or null when it is not drawn. A port mark (DIRECT_COMPUTATION) is drawn thick. */
export function edgeStyle(edge: DrawnEdge, state: RunState | null, options: PaintOptions): EdgeStyle | null {
  const style = baseStyle(edge.id, state, options);
  if (style !== null && edge.type === 'direct_computation') style.width = Math.max(style.width, 3);
  return style;
}

function baseStyle(e: number, state: RunState | null, options: PaintOptions): EdgeStyle | null {
  const { palette } = options;
  switch (options.truth?.[e] ?? Verdict.None) {
    case Verdict.TruePositive:
      return { color: palette.truePositive, width: 3, alpha: 0.95 };
    case Verdict.Miss:
      // Shown even in "circuit only": a miss is what the circuit lacks.
      return { color: palette.miss, width: 3, alpha: 0.95 };
    case Verdict.Extra:
      return { color: palette.extra, width: 3, alpha: 0.95 };
  }
  if (options.scores) return scoreStyle(e, options.scores, options);
  const fate = state?.fate[e] ?? Fate.Untested;
  if (state?.current === e) return { color: palette.current, width: 3.5, alpha: 1 };
  switch (fate) {
    case Fate.Untested:
      return { color: palette.untested, width: 1, alpha: state?.status?.done ? 0.2 : 0.35 };
    case Fate.Removed:
    case Fate.Skipped: {
      if (options.circuitOnly) return null;
      const t = Math.min(1, (options.now - (state?.changedAt[e] ?? 0)) / FADE_MS);
      return { color: palette.removed, width: 1, alpha: 0.35 + (0.06 - 0.35) * t };
    }
    case Fate.Kept: {
      const max = state?.maxKeptDelta ?? 0;
      const delta = Math.abs(state?.delta[e] ?? 0);
      const t = max > 0 ? Math.sqrt(Math.min(1, delta / max)) : 0;
      return { color: keptColor(palette, t), width: 1.25 + 3.25 * t, alpha: 0.9 };
    }
    default:
      return null;
  }
}

/**
 * An edge by its score: colour by sign, width by |score| (square root, so
 * small scores stay visible), quantised so edges share strokes. With a cut,
 * the edges outside it are faint (gone in "circuit only"); with a compared
 * circuit, the cut's edges are coloured by who keeps them.
 */
function scoreStyle(e: number, paint: ScorePaint, options: PaintOptions): EdgeStyle | null {
  const { palette } = options;
  if (paint.selected === e) return { color: palette.current, width: 5, alpha: 1 };
  const score = paint.scores[e] ?? Number.NaN;
  const inCut = paint.kept === null || paint.kept[e] === 1;
  if (paint.other !== null && paint.kept !== null) {
    const inOther = paint.other[e] === 1;
    if (inCut || inOther) {
      const color = inCut && inOther ? palette.both : inCut ? palette.onlyShown : palette.onlyOther;
      return { color, width: 2.5, alpha: 0.9 };
    }
  }
  if (!inCut && options.circuitOnly) return null;
  const t = paint.max > 0 && Number.isFinite(score) ? Math.sqrt(Math.min(1, Math.abs(score) / paint.max)) : 0;
  const width = Math.round((0.75 + 4.75 * t) * 4) / 4;
  const color = Number.isNaN(score) ? palette.untested : score >= 0 ? palette.positive : palette.negative;
  const alpha = !inCut ? 0.1 : Number.isNaN(score) ? 0.35 : 0.85;
  return { color, width, alpha };
}

function keptColor(palette: Palette, t: number): string {
  const [h0, s0, l0] = palette.keptLow;
  const [h1, s1, l1] = palette.keptHigh;
  // Hue the short way round (38 → 350 passes through 0).
  let dh = h1 - h0;
  if (dh > 180) dh -= 360;
  if (dh < -180) dh += 360;
  const h = (h0 + dh * t + 360) % 360;
  return `hsl(${h.toFixed(0)} ${(s0 + (s1 - s0) * t).toFixed(0)}% ${(l0 + (l1 - l0) * t).toFixed(0)}%)`;
}

/** Whether some removed edge is still fading (the painter wants another frame). */
export function fading(state: RunState | null, now: number): boolean {
  if (state === null) return false;
  const { changedAt, fate } = state;
  for (let e = 0; e < fate.length; e++) {
    if ((fate[e] === Fate.Removed || fate[e] === Fate.Skipped) && now - changedAt[e] < FADE_MS) return true;
  }
  return false;
}

/**
 * Paints every drawn edge onto `ctx` (already scaled to layout units).
 * Edges of the same style share one path; removed edges go under the rest,
 * kept ones over, the current edge last.
 */
export function paintEdges(
  ctx: CanvasRenderingContext2D,
  layout: GraphLayout,
  state: RunState | null,
  options: PaintOptions,
  /** Only these edges (settled-layer.ts paints the others from its bitmap). */
  only?: (e: number) => boolean,
): void {
  const groups = new Map<string, { style: EdgeStyle; edges: DrawnEdge[]; rank: number }>();
  for (const geometry of layout.edges) {
    if (only && !only(geometry.id)) continue;
    const style = edgeStyle(geometry, state, options);
    if (style === null) continue;
    const key = `${style.color}|${style.width.toFixed(2)}|${style.alpha.toFixed(2)}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { style, edges: [], rank: paintRank(geometry.id, state, options) };
      groups.set(key, group);
    }
    group.edges.push(geometry);
  }
  ctx.lineCap = 'round';
  const ordered = [...groups.values()].sort((a, b) => a.rank - b.rank || a.style.width - b.style.width);
  for (const { style, edges } of ordered) {
    ctx.beginPath();
    for (const e of edges) trace(ctx, e);
    ctx.globalAlpha = style.alpha;
    ctx.strokeStyle = style.color;
    ctx.lineWidth = style.width;
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
}

/** Paint order: with a verdict over all, else by scores or by fate. */
function paintRank(e: number, state: RunState | null, options: PaintOptions): number {
  if ((options.truth?.[e] ?? Verdict.None) !== Verdict.None) return 4;
  return options.scores ? scoreRank(e, options.scores) : rankOf(e, state);
}

/**
 * How much an edge says, for choosing which member a merged edge shows (collapse.ts): what is
 * painted over the rest, then the wider; −1 for an edge not drawn.
 */
export function edgeWeight(e: number, state: RunState | null, options: PaintOptions): number {
  const style = baseStyle(e, state, options);
  return style === null ? -1 : paintRank(e, state, options) * 100 + style.width;
}

/** Paint order: removed, untested, kept, current (the overlay's edges over all). */
function rankOf(e: number, state: RunState | null): number {
  if (state?.current === e) return 3;
  switch (state?.fate[e] ?? Fate.Untested) {
    case Fate.Removed:
    case Fate.Skipped:
      return 0;
    case Fate.Kept:
      return 2;
    default:
      return 1;
  }
}

/** Paint order with scores: outside the cut, inside it, the inspected edge. */
function scoreRank(e: number, paint: ScorePaint): number {
  if (paint.selected === e) return 3;
  const inCut = (paint.kept === null || paint.kept[e] === 1) || paint.other?.[e] === 1;
  return inCut ? 2 : 0;
}

function trace(ctx: CanvasRenderingContext2D, e: DrawnEdge): void {
  ctx.moveTo(e.from.x, e.from.y);
  if (e.type === 'direct_computation') {
    ctx.lineTo(e.to.x, e.to.y);
    return;
  }
  const [c1, c2] = controlPoints(e);
  ctx.bezierCurveTo(c1.x, c1.y, c2.x, c2.y, e.to.x, e.to.y);
}

/** The SVG path of an edge (the same curve as `trace`). */
export function edgePath(e: DrawnEdge): string {
  const f = (n: number) => n.toFixed(1);
  if (e.type === 'direct_computation') return `M${f(e.from.x)} ${f(e.from.y)}L${f(e.to.x)} ${f(e.to.y)}`;
  const [c1, c2] = controlPoints(e);
  return `M${f(e.from.x)} ${f(e.from.y)}C${f(c1.x)} ${f(c1.y)} ${f(c2.x)} ${f(c2.y)} ${f(e.to.x)} ${f(e.to.y)}`;
}
