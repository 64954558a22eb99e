// What the graph view draws, derived from the crate's layout: reflowed to the
// panel (layout.ts), with the layers a person collapsed merged (collapse.ts),
// and a spatial index of its edges for hovering (hit-index.ts), built when
// first asked for (a GPT-2 index takes a moment; a run never needs it).
// Pure: no DOM.

import type { DrawnBox, DrawnEdge, GraphLayout, Point } from '../generated/wire';
import { chooseShown, type Collapsed, collapseLayers } from './collapse';
import { HitIndex } from './hit-index';
import { fitLayout, type Room } from './layout';

/** A pointer within this many layout units of an edge hovers it. */
export const HOVER_DISTANCE = 5;

export class Scene {
  /** Layers whose heads are drawn as one box (kept across runs and redraws; a new model clears them). */
  readonly collapsed = new Set<number>();
  private fitted: GraphLayout;
  private drawn!: Collapsed;
  private index: HitIndex | null = null;

  constructor(
    readonly base: GraphLayout,
    room: Room,
  ) {
    this.fitted = fitLayout(base, room);
    this.merge();
  }

  /** What is drawn: the fitted layout with the collapsed layers merged. */
  get layout(): GraphLayout {
    return this.drawn.layout;
  }

  /**
   * What an export draws: the crate's layout (its own spacing, not the panel's) with the collapsed
   * layers merged, each merged edge standing for the member the view shows (`chooseShown`).
   */
  exported(): GraphLayout {
    if (this.collapsed.size === 0) return this.base;
    const merged = collapseLayers(this.base, this.collapsed).layout;
    // The same merge of the same edges: only the coordinates differ from the drawn layout's.
    merged.edges.forEach((e, i) => (e.id = this.layout.edges[i].id));
    return merged;
  }

  /** Respaced for a panel of a new size. */
  reflow(room: Room): void {
    this.fitted = fitLayout(this.base, room);
    this.merge();
  }

  /** Collapses a layer's heads into one box, or expands them again. */
  toggle(layer: number): void {
    if (!this.collapsed.delete(layer)) this.collapsed.add(layer);
    this.merge();
  }

  /** The graph edges a drawn edge stands for (itself unless merged). */
  membersOf(edge: DrawnEdge): number[] {
    const i = this.layout.edgeIndex[edge.id] ?? -1;
    return (i >= 0 ? this.drawn.members[i] : null) ?? [edge.id];
  }

  /** Picks which member each merged edge shows: the highest `weight`. */
  chooseShown(weight: (id: number) => number): void {
    chooseShown(this.drawn, weight);
  }

  /** The box under `p`, or −1. */
  boxAt(p: Point): number {
    return this.layout.boxes.findIndex((b) => inside(b, p));
  }

  /** The drawn edge `accept`ed nearest to `p` within HOVER_DISTANCE, or null. */
  edgeAt(p: Point, accept: (edge: DrawnEdge) => boolean): DrawnEdge | null {
    const layout = this.layout;
    this.index ??= new HitIndex(layout.edges, HOVER_DISTANCE, layout.width, layout.height);
    const i = this.index.nearest(p, accept);
    return i < 0 ? null : layout.edges[i];
  }

  private merge(): void {
    this.drawn = collapseLayers(this.fitted, this.collapsed);
    this.index = null;
  }
}

function inside(b: DrawnBox, p: Point): boolean {
  return p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h;
}
