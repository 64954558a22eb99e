// The graph: SVG for the few nodes over a canvas for the many edges, where
// the crate's layout puts them (`GraphInfo.layout`: boxes, their labels and
// keys, edge end points; the curves in geometry.ts). A batch of events repaints the edge layer
// and touches only the node classes that changed. Hover shows a tooltip (hover
// is not state) and highlights the hovered edge; clicking a head (or Enter on
// it) selects it. A head's q/k/v ports are lettered; labels never render
// smaller than 12 px while the zoom allows it (labels.ts). An attribution
// run's scores paint the edges instead of a run's fates (`setScores`), and
// clicking an edge then inspects it (`onEdgeClick`).

import { el, svgEl } from '../dom';
import type { Ablation, DrawnBox, GraphInfo, GraphLayout } from '../generated/wire';
import type { RunState } from '../state/run-state';
import { EdgeTooltip, type TipContext } from './edge-tooltip';
import { distanceToEdge } from './geometry';
import { paintHighlight } from './highlight';
import { attachPanZoom } from './pan-zoom';
import { graphToolbar, legendItems, nodeElement, portLetters, PORTS_TITLE, sizeLabels, type LegendMode } from './labels';
import { DARK, edgePath, fading, LIGHT, paintEdges, type Palette, type ScorePaint, type Verdicts } from './paint';

const ZOOMS = [0.35, 0.5, 0.65, 0.8, 1, 1.25, 1.5, 2, 2.5];
/** Pointer within this many layout units of an edge hovers it. */
const HOVER_DISTANCE = 5;

export class GraphView {
  private readonly canvas = el('canvas', { class: 'edge-layer', 'aria-hidden': 'true' });
  private readonly svg = svgEl('svg', { class: 'node-layer', role: 'group', 'aria-label': 'Nodes of the graph' });
  private readonly tooltip = new EdgeTooltip();
  private readonly stage = el('div', { class: 'graph-stage' }, this.canvas, this.svg, this.tooltip.element);
  private readonly scroller = el('div', { class: 'graph-scroller', 'data-testid': 'graph' }, this.stage);
  private readonly circuitOnlyBox = el('input', { type: 'checkbox', id: 'circuit-only', 'data-testid': 'circuit-only', disabled: true });
  private readonly zoomLabel = el('span', { class: 'zoom-label', title: 'Drag to pan; Ctrl + wheel, or pinch, to zoom' }, '100%');
  private readonly legendElement = el('span', { class: 'legend', 'data-testid': 'legend', 'data-mode': 'fate', title: PORTS_TITLE });
  readonly element: HTMLElement;
  /** The edge under the pointer, drawn over the others (null: none). */
  private hovered: number | null = null;
  /** The run the tooltip describes (its metric, τ, ablation); null: the settings' ablation and no verdict words. */
  private tipContext: TipContext | null = null;
  /** The zoom was chosen by hand: resizing the panel no longer refits. */
  private zoomedByHand = false;
  /** An edge was clicked while scores are shown. */
  onEdgeClick: ((edge: number) => void) | null = null;
  /** A line about an edge for its tooltip while scores are shown (its score). */
  edgeNote: ((edge: number) => string | null) | null = null;
  /** An attribution run's scores, painted instead of the run's fates. */
  private scores: ScorePaint | null = null;

  private graph: GraphInfo | null = null;
  private layout: GraphLayout | null = null;
  private state: RunState | null = null;
  private nodes: SVGElement[] = [];
  private zoom = 1;
  private selected: string | null = null;
  /** The ground-truth overlay's verdict per edge, once a run on a model with one is done. */
  private truth: Verdicts | null = null;
  private frame = 0;
  private readonly dark = window.matchMedia('(prefers-color-scheme: dark)');
  /** Boxes (keys) and edges (ids) a lesson points at. */
  private marked: { boxes: Set<string>; edges: Set<number> } = { boxes: new Set(), edges: new Set() };
  /** Called with the edge under a click, if any (the inspector opens it). */
  onSelectEdge: ((edge: number) => void) | null = null;

  /**
   * @param onSelectHead a head's box was clicked (or chosen with the keyboard).
   * @param ablation the run's ablation, for the tooltip's "what is patched".
   */
  constructor(
    private readonly onSelectHead: (box: DrawnBox) => void,
    private readonly ablation: () => Ablation,
  ) {
    this.element = el(
      'section',
      { class: 'graph-panel', 'aria-label': 'Computational graph', 'data-testid': 'graph-panel' },
      graphToolbar(
        { zoomOut: () => this.stepZoom(-1), zoomIn: () => this.stepZoom(1), fit: () => this.fit() },
        this.zoomLabel,
        this.circuitOnlyBox,
        this.legendElement,
      ),
      this.scroller,
    );
    this.setLegend('fate');
    attachPanZoom(this.scroller, this.stage, { zoom: () => this.zoom, setZoom: (zoom) => this.setZoom(zoom, true) });
    this.circuitOnlyBox.addEventListener('change', () => this.redraw());
    this.stage.addEventListener('pointermove', (event) => this.hover(event));
    this.stage.addEventListener('pointerleave', () => this.unhover());
    this.scroller.addEventListener('scroll', () => this.unhover());
    this.stage.addEventListener('click', (event) => this.click(event));
    this.dark.addEventListener('change', () => this.redraw());
    // Refit when the panel changes size (a rotated phone, a resized window), unless zoomed by hand.
    let size = { width: 0, height: 0 };
    new ResizeObserver(() => {
      const { clientWidth: width, clientHeight: height } = this.scroller;
      if (Math.abs(width - size.width) < 2 && Math.abs(height - size.height) < 2) return;
      size = { width, height };
      if (!this.zoomedByHand) this.fit();
    }).observe(this.scroller);
  }

  /** What the tooltip says a decision was measured with (the shown run's settings). */
  setTipContext(context: TipContext | null): void {
    this.tipContext = context;
  }

  /** The legend for what the edges are coloured by. */
  setLegend(mode: LegendMode): void {
    this.legendElement.dataset.mode = mode;
    this.legendElement.replaceChildren(...legendItems(mode));
  }

  /** A new model: draws its nodes where its layout says (once) and clears the run. */
  setGraph(graph: GraphInfo): void {
    const layout = graph.layout;
    this.graph = graph;
    this.layout = layout;
    this.state = null;
    this.truth = null;
    this.selected = null;
    this.marked = { boxes: new Set(), edges: new Set() };
    this.circuitOnlyBox.checked = false;
    this.svg.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
    const headers = layout.columns.map((c) => svgEl('text', { x: c.x, y: 24, class: 'column-label', 'text-anchor': 'middle' }, c.label));
    this.nodes = layout.boxes.map((box, i) => this.node(box, portLetters(graph, i)));
    // Reading (and Tab) order: column by column, top to bottom.
    const order = layout.boxes.map((_, i) => i).sort((a, b) => {
      const [p, q] = [layout.boxes[a], layout.boxes[b]];
      return p.x - q.x || p.y - q.y;
    });
    this.svg.replaceChildren(...headers, ...order.map((i) => this.nodes[i]));
    this.element.dataset.nodes = String(layout.boxes.length);
    this.element.dataset.edges = String(layout.edges.length);
    this.hovered = null;
    this.zoomedByHand = false;
    this.fit();
  }

  /** The run to show (null: none, every edge untested). */
  setState(state: RunState | null): void {
    this.state = state;
    if (state === null) this.circuitOnlyBox.checked = false;
    this.redraw();
  }

  /**
   * Paints edges by an attribution run's scores (null: back to the run's
   * fates). "circuit only" is offered while a cut is shown.
   */
  setScores(paint: ScorePaint | null): void {
    this.scores = paint;
    this.element.dataset.scores = paint === null ? 'none' : paint.kept === null ? 'all' : 'cut';
    this.setLegend(paint !== null ? 'scores' : this.truth ? 'truth' : 'fate');
    this.circuitOnlyBox.disabled = paint === null ? this.state?.status?.done !== true : paint.kept === null;
    if (this.circuitOnlyBox.disabled) this.circuitOnlyBox.checked = false;
    this.redraw();
  }

  /** Colours edges by their ground-truth verdict (null: the run's own colours). */
  setTruth(verdict: Verdicts | null): void {
    this.truth = verdict;
    this.element.dataset.truth = verdict ? 'shown' : 'none';
    this.setLegend(this.scores !== null ? 'scores' : verdict ? 'truth' : 'fate');
    this.redraw();
  }

  get truthVerdict(): Verdicts | null {
    return this.truth;
  }

  /** The attribution scores painted now (null: the run's fates). */
  get scorePaint(): ScorePaint | null {
    return this.scores;
  }

  /** "circuit only" is offered once the run is done. */
  setDone(done: boolean): void {
    this.circuitOnlyBox.disabled = !done;
    if (!done) this.circuitOnlyBox.checked = false;
  }

  get circuitOnly(): boolean {
    return this.circuitOnlyBox.checked;
  }

  get palette(): Palette {
    return this.dark.matches ? DARK : LIGHT;
  }

  /** Marks the box whose attention is shown (null: none). */
  select(box: DrawnBox | null): void {
    this.selected = box?.key ?? null;
    for (const node of this.nodes) node.classList.toggle('selected', node.dataset.key === this.selected);
  }

  /** Marks boxes (`head:1:0`) and edges (graph ids) for a lesson's feedback; empty lists clear it. */
  highlight(boxes: readonly string[], edges: readonly number[]): void {
    this.marked = { boxes: new Set(boxes), edges: new Set(edges) };
    for (const node of this.nodes) node.classList.toggle('highlight', this.marked.boxes.has(node.dataset.key ?? ''));
    this.element.dataset.highlight = String(boxes.length + edges.length);
    this.redraw();
  }

  /** Repaints on the next frame (and keeps painting while removed edges fade). */
  redraw(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.paint();
      if (fading(this.state, performance.now())) this.redraw();
    });
  }

  private paint(): void {
    const layout = this.layout;
    if (layout === null) return;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.ceil(layout.width * this.zoom);
    const height = Math.ceil(layout.height * this.zoom);
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
    }
    for (const target of [this.canvas, this.svg, this.stage]) {
      target.style.width = `${width}px`;
      target.style.height = `${height}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(this.zoom * ratio, 0, 0, this.zoom * ratio, 0, 0);
    const options = { palette: this.palette, circuitOnly: this.circuitOnly, now: performance.now(), truth: this.truth, scores: this.scores };
    paintEdges(ctx, layout, this.state, options);
    this.paintHovered(ctx, layout);
    paintHighlight(ctx, layout, this.marked.edges, this.dark.matches ? '#fbbf24' : '#b45309');
    this.paintNodes(layout);
  }

  /** The hovered edge over all the others: a halo in the panel's colour, then the edge in the text colour (no fate uses it). */
  private paintHovered(ctx: CanvasRenderingContext2D, layout: GraphLayout): void {
    const index = this.hovered === null ? -1 : (layout.edgeIndex[this.hovered] ?? -1);
    const edge = index >= 0 ? layout.edges[index] : undefined;
    if (edge === undefined) return;
    const path = new Path2D(edgePath(edge));
    const style = getComputedStyle(this.element);
    ctx.globalAlpha = 0.9;
    ctx.lineCap = 'round';
    ctx.strokeStyle = style.getPropertyValue('--panel').trim() || '#ffffff';
    ctx.lineWidth = 7;
    ctx.stroke(path);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = style.getPropertyValue('--text').trim() || '#1c1917';
    ctx.lineWidth = 3;
    ctx.stroke(path);
  }

  /** A node is dead once no edge into or out of it is left; "circuit only" hides it. */
  private paintNodes(layout: GraphLayout): void {
    const alive = new Uint8Array(layout.boxes.length);
    for (const e of layout.edges) {
      if (this.present(e.id)) {
        alive[e.senderBox] = 1;
        alive[e.receiverBox] = 1;
      }
    }
    this.nodes.forEach((node, i) => {
      const dead = alive[i] === 0;
      node.classList.toggle('dead', dead);
      node.classList.toggle('hidden', dead && this.circuitOnly);
    });
  }

  private node(box: DrawnBox, letters: SVGElement[]): SVGElement {
    return nodeElement(box, this.graph, letters, {
      choose: () => this.onSelectHead(box),
      focus: () => this.showNodeTip(box),
      blur: () => this.tooltip.hide(),
    });
  }

  /** Where a pointer is, in layout units. */
  private pointOf(event: MouseEvent): { x: number; y: number } {
    const rect = this.stage.getBoundingClientRect();
    return { x: (event.clientX - rect.left) / this.zoom, y: (event.clientY - rect.top) / this.zoom };
  }

  /** The drawn edge under a pointer (not over a box), or −1. */
  private edgeAt(event: MouseEvent): number {
    const layout = this.layout;
    if (layout === null) return -1;
    const p = this.pointOf(event);
    if (layout.boxes.some((b) => p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h)) return -1;
    let best = HOVER_DISTANCE;
    let hit = -1;
    for (const e of layout.edges) {
      if (this.circuitOnly && !this.present(e.id)) continue;
      const d = distanceToEdge(e, p);
      if (d < best) {
        best = d;
        hit = e.id;
      }
    }
    return hit;
  }

  private hover(event: PointerEvent): void {
    const layout = this.layout;
    if (layout === null || this.graph === null) return;
    const p = this.pointOf(event);
    const box = layout.boxes.findIndex((b) => p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h);
    if (box >= 0 && !this.nodes[box].classList.contains('hidden')) {
      this.setHovered(null);
      this.showNodeTip(layout.boxes[box]);
      return;
    }
    const hit = this.edgeAt(event);
    this.setHovered(hit < 0 ? null : hit);
    if (hit < 0) this.tooltip.hide();
    else {
      const context = this.tipContext ?? { ablation: this.ablation(), metric: 'kl', tau: Number.NaN };
      const anchor = { left: event.clientX, top: event.clientY, width: 0, height: 0 };
      this.tooltip.showEdge(this.graph, hit, this.state, context, anchor, this.scores ? this.edgeNote?.(hit) : null);
    }
  }

  private unhover(): void {
    this.setHovered(null);
    this.tooltip.hide();
  }

  private setHovered(edge: number | null): void {
    if (edge === this.hovered) return;
    this.hovered = edge;
    this.element.dataset.hovered = edge === null ? '' : String(edge);
    this.redraw();
  }

  /** Whether an edge is in what is shown: the cut of the scores, else the run's circuit. */
  private present(edge: number): boolean {
    const scores = this.scores;
    if (scores !== null) return scores.kept === null || scores.kept[edge] === 1 || scores.other?.[edge] === 1;
    return this.state === null || this.state.present(edge);
  }

  /**
   * A click near an edge: with scores shown it inspects the edge (`onEdgeClick`); a lesson or
   * the inspector may select it too (`onSelectEdge`).
   */
  private click(event: MouseEvent): void {
    const edge = this.edgeAt(event);
    if (edge < 0) return;
    if (this.scores !== null) this.onEdgeClick?.(edge);
    this.onSelectEdge?.(edge);
  }

  private showNodeTip(box: DrawnBox): void {
    if (this.graph === null) return;
    const stage = this.stage.getBoundingClientRect();
    const anchor = {
      left: stage.left + box.x * this.zoom,
      top: stage.top + box.y * this.zoom,
      width: box.w * this.zoom,
      height: box.h * this.zoom,
    };
    this.tooltip.showBox(this.graph, box, this.state, anchor);
  }

  private stepZoom(direction: number): void {
    this.zoomedByHand = true;
    const index = ZOOMS.findIndex((z) => z >= this.zoom - 1e-6);
    const next = ZOOMS[Math.max(0, Math.min(ZOOMS.length - 1, (index < 0 ? ZOOMS.length - 1 : index) + direction))];
    this.setZoom(next);
  }

  /** Fits the graph to the panel's width and height limit (between 50% and 150%). */
  fit(): void {
    if (this.layout === null) return;
    this.zoomedByHand = false;
    const width = this.scroller.clientWidth;
    const style = getComputedStyle(this.scroller);
    // A panel of fixed height (a compact embed) says so with --graph-fit: height.
    const maxHeight =
      style.getPropertyValue('--graph-fit').trim() === 'height' ? this.scroller.clientHeight : Number.parseFloat(style.maxHeight);
    let zoom = width > 0 ? width / this.layout.width : 1;
    if (Number.isFinite(maxHeight) && maxHeight > 0) zoom = Math.min(zoom, maxHeight / this.layout.height);
    this.setZoom(Math.max(0.5, Math.min(1.5, zoom)));
  }

  /** `byHand`: the person chose it (a resized panel no longer refits). */
  private setZoom(zoom: number, byHand = false): void {
    this.zoomedByHand ||= byHand;
    this.zoom = zoom;
    // The stage takes its new size now (the layers repaint next frame): zooming around a point reads it.
    if (this.layout) Object.assign(this.stage.style, { width: `${Math.ceil(this.layout.width * zoom)}px`, height: `${Math.ceil(this.layout.height * zoom)}px` });
    this.zoomLabel.textContent = `${Math.round(zoom * 100)}%`;
    this.element.dataset.zoom = String(zoom);
    this.tooltip.hide();
    sizeLabels(this.svg, this.nodes, this.layout, this.zoom);
    this.redraw();
  }
}
