// A collapsed layer: its heads drawn as one box, and the edges into or out of
// them merged where they would be drawn on top of each other. GPT-2 small has
// 12 heads a layer; collapsing the layers one is not looking at cuts the
// picture to what matters (and its edges by up to twelvefold). A merged edge
// stands for its members (graph edge ids): it is drawn, hovered and counted
// as alive as the member that says most (`chooseShown`). Expanding gives back
// the layout's own boxes and edges. Pure: no DOM.

import type { DrawnBox, DrawnEdge, GraphLayout } from '../generated/wire';
import { moveEnd } from './layout';

/** A layout with some layers collapsed, and per drawn edge the graph edges it stands for. */
export interface Collapsed {
  layout: GraphLayout;
  /** Per drawn edge: the graph edge ids merged into it, or null for an edge drawn as itself. */
  members: (number[] | null)[];
}

/** The key of a collapsed layer's box. */
export const layerKey = (layer: number) => `layer:${layer}`;

/** Heads of the layers in `layers` merged into one box each (the layout itself when none). */
export function collapseLayers(layout: GraphLayout, layers: ReadonlySet<number>): Collapsed {
  if (layers.size === 0) return { layout, members: layout.edges.map(() => null) };
  const boxes: DrawnBox[] = [];
  const newIndex: number[] = [];
  const merged = new Map<number, number>();
  layout.boxes.forEach((b, i) => {
    if (b.kind !== 'head' || !layers.has(b.layer)) {
      newIndex[i] = boxes.push(b) - 1;
      return;
    }
    let m = merged.get(b.layer);
    if (m === undefined) {
      const heads = layout.boxes.filter((h) => h.kind === 'head' && h.layer === b.layer);
      const top = Math.min(...heads.map((h) => h.y));
      const bottom = Math.max(...heads.map((h) => h.y + h.h));
      const h = 44;
      m = boxes.push({
        key: layerKey(b.layer),
        kind: 'head',
        layer: b.layer,
        head: null,
        label: `A${b.layer} ×${heads.length}`,
        x: b.x,
        y: (top + bottom) / 2 - h / 2,
        w: b.w,
        h,
        nodes: heads.flatMap((x) => x.nodes),
      }) - 1;
      merged.set(b.layer, m);
    }
    newIndex[i] = m;
  });

  const edges: DrawnEdge[] = [];
  const members: (number[] | null)[] = [];
  const groups = new Map<string, number>();
  const indexOf = new Map<number, number>();
  for (const e of layout.edges) {
    const [s, r] = [newIndex[e.senderBox], newIndex[e.receiverBox]];
    if (boxes[s] === layout.boxes[e.senderBox] && boxes[r] === layout.boxes[e.receiverBox]) {
      // Neither end is a collapsed head: drawn as itself, on its own boxes (renumbered).
      indexOf.set(e.id, edges.push(s === e.senderBox && r === e.receiverBox ? e : { ...e, senderBox: s, receiverBox: r }) - 1);
      members.push(null);
      continue;
    }
    const from = moveEnd(e.from, layout.boxes[e.senderBox], boxes[s]);
    const to = moveEnd(e.to, layout.boxes[e.receiverBox], boxes[r]);
    const key = `${e.type}|${s}|${r}|${from.y.toFixed(1)}|${to.y.toFixed(1)}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = edges.push({ ...e, from, to, senderBox: s, receiverBox: r }) - 1;
      members.push([]);
      groups.set(key, g);
    }
    members[g]?.push(e.id);
    indexOf.set(e.id, g);
  }
  return {
    layout: {
      ...layout,
      boxes,
      boxOf: layout.boxOf.map((b) => newIndex[b]),
      edges,
      edgeIndex: layout.edgeIndex.map((i, id) => (i < 0 ? -1 : (indexOf.get(id) ?? -1))),
    },
    members,
  };
}

/**
 * Which member a merged edge shows: the one `weight` ranks highest (a kept edge over an untested
 * one, the current decision over all). Sets the drawn edge's id to it; edges drawn as themselves
 * keep theirs.
 */
export function chooseShown(collapsed: Collapsed, weight: (id: number) => number): void {
  collapsed.members.forEach((ids, i) => {
    if (ids === null || ids.length === 0) return;
    let best = ids[0];
    let top = weight(best);
    for (let k = 1; k < ids.length; k++) {
      const w = weight(ids[k]);
      if (w > top) [best, top] = [ids[k], w];
    }
    collapsed.layout.edges[i].id = best;
  });
}
