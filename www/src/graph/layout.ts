// The crate's layout (`GraphInfo.layout`) reflowed to the panel it is drawn
// in. The crate places boxes for one fixed shape (columns 150 units apart,
// rows at most 90), so a model with many layers and few heads (ioi: 10 columns
// of 4 rows) became a thin strip at 50–60 % in a laptop's 636-px panel, its
// labels squeezed. Here columns are spaced to fill the panel's width and rows
// its height, within limits that keep a label at 12 px legible and a curve room
// to bend; a graph too large even so (GPT-2 small) keeps those limits and is
// zoomed out to fit. Which box is where in the graph (column by depth, head by
// row) and every edge's end on its box (a port's offset from the box's middle)
// stay the crate's: only the spacing changes. Pure: no DOM.

import type { DrawnBox, DrawnEdge, GraphLayout, Point } from '../generated/wire';

/** The room to fill (CSS px at zoom 1). */
export interface Room {
  width: number;
  height: number;
}

const MARGIN = 12;
/** Column labels sit above the first row. */
const TOP = 40;
export const LABEL_Y = 22;
/** Column spacing and row height limits (layout units). */
const MIN_COL = 64;
const MAX_COL = 150;
const MIN_ROW = 34;
const MAX_ROW = 90;
/** Box widths: a head's and a wide box's (embedding, MLP, logits) at the widest and the narrowest. */
const HEAD_W = [44, 56] as const;
const WIDE_W = [50, 64] as const;

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/** The crate's layout respaced to fill `room` (or as near as the limits allow). */
export function fitLayout(base: GraphLayout, room: Room): GraphLayout {
  const columns = base.columns.length;
  const rows = Math.max(2, ...base.boxes.map((b) => (b.head ?? 0) + 1));
  const wideMax = Math.max(...base.boxes.filter((b) => b.kind !== 'head').map((b) => b.w), WIDE_W[0]);
  const col = clamp((room.width - 2 * MARGIN - wideMax) / Math.max(1, columns - 1), MIN_COL, MAX_COL);
  const row = clamp((room.height - TOP - MARGIN) / rows, MIN_ROW, MAX_ROW);
  const headW = clamp(col - 20, ...HEAD_W);
  const wideW = clamp(col - 14, ...WIDE_W);
  const xs = base.columns.map((_, i) => MARGIN + wideW / 2 + i * col);
  // The crate's columns are evenly spaced: a box's column is its centre's nearest.
  const colOf = (b: DrawnBox) => {
    const cx = b.x + b.w / 2;
    let best = 0;
    base.columns.forEach((c, i) => (Math.abs(c.x - cx) < Math.abs(base.columns[best].x - cx) ? (best = i) : 0));
    return best;
  };
  const middle = TOP + (rows * row) / 2;
  const baseMiddle = middleOf(base);
  const boxes = base.boxes.map((b): DrawnBox => {
    const w = b.kind === 'head' ? headW : wideW;
    const cy = b.kind === 'head' ? TOP + ((b.head ?? 0) + 0.5) * row : middle + (b.y + b.h / 2 - baseMiddle);
    return { ...b, x: xs[colOf(b)] - w / 2, y: cy - b.h / 2, w };
  });
  const edges = base.edges.map(
    (e): DrawnEdge => ({
      ...e,
      from: moveEnd(e.from, base.boxes[e.senderBox], boxes[e.senderBox]),
      to: moveEnd(e.to, base.boxes[e.receiverBox], boxes[e.receiverBox]),
    }),
  );
  return {
    ...base,
    width: xs[xs.length - 1] + wideW / 2 + MARGIN,
    height: TOP + rows * row + MARGIN,
    boxes,
    edges,
    columns: base.columns.map((c, i) => ({ ...c, x: xs[i] })),
  };
}

/** The middle of the crate's rows: where it centres the boxes that are not heads (the logits always). */
function middleOf(layout: GraphLayout): number {
  const logits = layout.boxes.find((b) => b.kind === 'output') ?? layout.boxes[0];
  return logits.y + logits.h / 2;
}

/**
 * An edge's end on a moved box: on its right side it stays there; otherwise it keeps its offset
 * from the left side (a port mark sticks out of it). Its offset from the box's middle is kept.
 */
export function moveEnd(p: Point, from: DrawnBox, to: DrawnBox): Point {
  const right = Math.abs(p.x - (from.x + from.w)) < 0.5;
  return {
    x: right ? to.x + to.w : to.x + (p.x - from.x),
    y: to.y + to.h / 2 + (p.y - (from.y + from.h / 2)),
  };
}
