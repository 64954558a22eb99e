// The graph: SVG for the few nodes over a canvas for the many edges, where
// the crate's layout puts them (`GraphInfo.layout`: boxes, their labels and
// keys, edge end points; the curves in geometry.ts), respaced to fill the panel
// and with the layers a person collapsed merged (scene.ts; clicking an
// attention column's label collapses it). A batch of events repaints the edge layer
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
import { paintHighlight, paintHovered } from './highlight';
import { LABEL_Y } from './layout';
import type { ExportedView } from './export';
import { attachPanZoom, fitZoom, panelRoom } from './pan-zoom';
import { columnLabels, graphToolbar, legendItems, markDeadNodes, nodeElement, portLetters, PORTS_TITLE, sizeLabels, type LegendMode } from './labels';
import { SettledLayer } from './settled-layer';
import { DARK, edgeWeight, fading, LIGHT, paintEdges, type Palette, type ScorePaint, type Verdicts } from './paint';
import { Scene } from './scene';

const ZOOMS = [0.2, 0.35, 0.5, 0.65, 0.8, 1, 1.25, 1.5, 2, 2.5];

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
  private scene: Scene | null = null;
  private state: RunState | null = null;
  private nodes: SVGElement[] = [];
  private zoom = 1;
  private selected: string | null = null;
  /** The ground-truth overlay's verdict per edge, once a run on a model with one is done. */
  private truth: Verdicts | null = null;
  private frame = 0;
  /** A large graph's edges that do not move, as a bitmap (settled-layer.ts). */
  private readonly settled = new SettledLayer();
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

  /** The layout drawn now (respaced, collapsed layers merged). */
  private get layout(): GraphLayout | null {
    return this.scene?.layout ?? null;
  }

  /** What the SVG and PNG exports draw: the graph as shown (collapsed layers merged) and its paint; null: no graph. */
  exported(): ExportedView | null {
    if (this.scene === null) return null;
    return { layout: this.scene.exported(), palette: this.palette, truth: this.truth, scores: this.scores };
  }

  /** A new model: draws its nodes, respaced for the panel, and clears the run and the collapsed layers. */
  setGraph(graph: GraphInfo): void {
    this.graph = graph;
    this.scene = new Scene(graph.layout, panelRoom(this.scroller));
    this.state = null;
    this.truth = null;
    this.selected = null;
    this.marked = { boxes: new Set(), edges: new Set() };
    this.circuitOnlyBox.checked = false;
    this.element.dataset.nodes = String(graph.layout.boxes.length);
    this.element.dataset.edges = String(graph.layout.edges.length);
    this.hovered = null;
    this.zoomedByHand = false;
    this.fit();
  }

  /** Collapses an attention layer's heads into one box, or expands them (kept until the model changes). */
  toggleLayer(layer: number): void {
    if (this.scene === null) return;
    this.scene.toggle(layer);
    this.hovered = null;
    this.drawNodes();
    this.redraw();
  }

  /** The nodes and column labels where the scene puts them (again after a reflow or a collapse). */
  private drawNodes(): void {
    const { graph, scene } = this;
    if (graph === null || scene === null) return;
    const layout = scene.layout;
    this.svg.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
    this.nodes = layout.boxes.map((box, i) => this.node(box, portLetters(graph, layout, i)));
    // Reading (and Tab) order: column by column, top to bottom.
    const order = layout.boxes.map((_, i) => i).sort((a, b) => {
      const [p, q] = [layout.boxes[a], layout.boxes[b]];
      return p.x - q.x || p.y - q.y;
    });
    const labels = columnLabels(layout, LABEL_Y, scene.collapsed, (layer) => this.toggleLayer(layer));
    this.svg.replaceChildren(...labels, ...order.map((i) => this.nodes[i]));
    for (const node of this.nodes) {
      node.classList.toggle('selected', node.dataset.key === this.selected);
      node.classList.toggle('highlight', this.marked.boxes.has(node.dataset.key ?? ''));
    }
    this.element.dataset.drawnEdges = String(layout.edges.length);
    this.element.dataset.collapsed = [...scene.collapsed].sort((a, b) => a - b).join(',');
    sizeLabels(this.svg, this.nodes, layout, this.zoom);
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
      if (fading(this.state, performance.now()) || this.settled.behind) this.redraw();
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
    // A merged edge shows the member that says most (kept over untested, the current decision over all).
    if (this.scene !== null && this.scene.collapsed.size > 0) this.scene.chooseShown((id) => edgeWeight(id, this.state, options));
    const scale = this.zoom * ratio;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    const moving = this.settled.draw(ctx, layout, this.state, options, scale, this.element.dataset.collapsed ?? '');
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    paintEdges(ctx, layout, this.state, options, moving ?? undefined);
    const index = this.hovered === null ? -1 : (layout.edgeIndex[this.hovered] ?? -1);
    if (index >= 0) {
      const style = getComputedStyle(this.element);
      paintHovered(ctx, layout.edges[index], style.getPropertyValue('--panel').trim() || '#ffffff', style.getPropertyValue('--text').trim() || '#1c1917');
    }
    paintHighlight(ctx, layout, this.marked.edges, this.dark.matches ? '#fbbf24' : '#b45309');
    markDeadNodes(this.nodes, layout, (id) => this.present(id), this.circuitOnly);
  }

  private node(box: DrawnBox, letters: SVGElement[]): SVGElement {
    return nodeElement(box, this.graph, letters, {
      // A collapsed layer's box expands it; a head shows its attention.
      choose: () => (box.head === null ? this.toggleLayer(box.layer) : this.onSelectHead(box)),
      focus: () => this.showNodeTip(box),
      blur: () => this.tooltip.hide(),
    });
  }

  /** Where a pointer is, in layout units. */
  private pointOf(event: MouseEvent): { x: number; y: number } {
    const rect = this.stage.getBoundingClientRect();
    return { x: (event.clientX - rect.left) / this.zoom, y: (event.clientY - rect.top) / this.zoom };
  }

  /** The drawn edge under a pointer (not over a box; found in the scene's spatial index), or −1. */
  private edgeAt(event: MouseEvent): number {
    const scene = this.scene;
    if (scene === null) return -1;
    const p = this.pointOf(event);
    if (scene.boxAt(p) >= 0) return -1;
    return scene.edgeAt(p, (e) => !this.circuitOnly || this.present(e.id))?.id ?? -1;
  }

  private hover(event: PointerEvent): void {
    const { graph, scene } = this;
    if (scene === null || graph === null) return;
    const box = scene.boxAt(this.pointOf(event));
    if (box >= 0 && !this.nodes[box].classList.contains('hidden')) {
      this.setHovered(null);
      this.showNodeTip(scene.layout.boxes[box]);
      return;
    }
    const hit = this.edgeAt(event);
    this.setHovered(hit < 0 ? null : hit);
    if (hit < 0) this.tooltip.hide();
    else {
      const context = this.tipContext ?? { ablation: this.ablation(), metric: 'kl', tau: Number.NaN };
      const anchor = { left: event.clientX, top: event.clientY, width: 0, height: 0 };
      const edge = scene.layout.edges[scene.layout.edgeIndex[hit] ?? -1];
      const merged = edge === undefined ? 1 : scene.membersOf(edge).length;
      const note = merged > 1 ? `One line for ${merged} edges of a collapsed layer; this is the one that says most.` : null;
      this.tooltip.showEdge(graph, hit, this.state, context, anchor, this.scores ? this.edgeNote?.(hit) : null, note);
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

  /** Respaces the graph for the panel's width and height limit and fits it there (at most 150%). */
  fit(): void {
    if (this.scene === null) return;
    this.zoomedByHand = false;
    const room = panelRoom(this.scroller);
    this.scene.reflow(room);
    this.drawNodes();
    this.setZoom(fitZoom(this.scene.layout, room));
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
