// The graph: SVG for the few nodes over a canvas for the many edges, where
// the crate's layout puts them (`GraphInfo.layout`: boxes, their labels and
// keys, edge end points; the curves in geometry.ts). A batch of events repaints the edge layer
// and touches only the node classes that changed. Hover shows a tooltip (hover
// is not state); clicking a head (or Enter on it) selects it.

import { el, svgEl } from '../dom';
import type { Ablation, DrawnBox, GraphInfo, GraphLayout } from '../generated/wire';
import type { RunState } from '../state/run-state';
import { EdgeTooltip } from './edge-tooltip';
import { distanceToEdge } from './geometry';
import { paintHighlight } from './highlight';
import { DARK, fading, LIGHT, paintEdges, type Palette, type Verdicts } from './paint';

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
  private readonly zoomLabel = el('span', { class: 'zoom-label' }, '100%');
  readonly element: HTMLElement;

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
    const button = (label: string, title: string, action: () => void) => {
      const b = el('button', { type: 'button', class: 'icon', title, 'aria-label': title }, label);
      b.addEventListener('click', action);
      return b;
    };
    this.element = el(
      'section',
      { class: 'graph-panel', 'aria-label': 'Computational graph', 'data-testid': 'graph-panel' },
      el(
        'div',
        { class: 'graph-toolbar' },
        button('−', 'Zoom out', () => this.stepZoom(-1)),
        this.zoomLabel,
        button('+', 'Zoom in', () => this.stepZoom(1)),
        button('Fit', 'Fit the graph to the width', () => this.fit()),
        el('label', { class: 'check', for: 'circuit-only' }, this.circuitOnlyBox, 'circuit only'),
        legend(),
      ),
      this.scroller,
    );
    this.circuitOnlyBox.addEventListener('change', () => this.redraw());
    this.stage.addEventListener('pointermove', (event) => this.hover(event));
    this.stage.addEventListener('pointerleave', () => this.tooltip.hide());
    this.stage.addEventListener('click', (event) => {
      const edge = this.edgeAt(event);
      if (edge >= 0) this.onSelectEdge?.(edge);
    });
    this.dark.addEventListener('change', () => this.redraw());
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
    this.nodes = layout.boxes.map((box) => this.node(box));
    // Reading (and Tab) order: column by column, top to bottom.
    const order = layout.boxes.map((_, i) => i).sort((a, b) => {
      const [p, q] = [layout.boxes[a], layout.boxes[b]];
      return p.x - q.x || p.y - q.y;
    });
    this.svg.replaceChildren(...headers, ...order.map((i) => this.nodes[i]));
    this.element.dataset.nodes = String(layout.boxes.length);
    this.element.dataset.edges = String(layout.edges.length);
    this.fit();
  }

  /** The run to show (null: none, every edge untested). */
  setState(state: RunState | null): void {
    this.state = state;
    if (state === null) this.circuitOnlyBox.checked = false;
    this.redraw();
  }

  /** Colours edges by their ground-truth verdict (null: the run's own colours). */
  setTruth(verdict: Verdicts | null): void {
    this.truth = verdict;
    this.element.dataset.truth = verdict ? 'shown' : 'none';
    this.redraw();
  }

  get truthVerdict(): Verdicts | null {
    return this.truth;
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
    const options = { palette: this.palette, circuitOnly: this.circuitOnly, now: performance.now(), truth: this.truth };
    paintEdges(ctx, layout, this.state, options);
    paintHighlight(ctx, layout, this.marked.edges, this.dark.matches ? '#fbbf24' : '#b45309');
    this.paintNodes(layout);
  }

  /** A node is dead once no edge into or out of it is left; "circuit only" hides it. */
  private paintNodes(layout: GraphLayout): void {
    const alive = new Uint8Array(layout.boxes.length);
    const state = this.state;
    for (const e of layout.edges) {
      if (state === null || state.present(e.id)) {
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

  private node(box: DrawnBox): SVGElement {
    const head = box.kind === 'head';
    const label = head
      ? `Head ${box.label}: show its attention pattern`
      : `${box.label} (${box.nodes.map((n) => this.graph?.nodes[n]?.name).join(', ')})`;
    const g = svgEl(
      'g',
      {
        class: `node node-${box.kind}`,
        'data-key': box.key,
        'data-testid': head ? 'head' : 'node',
        tabindex: head ? 0 : null,
        role: head ? 'button' : 'img',
        'aria-label': label,
      },
      svgEl('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: 5 }),
      svgEl('text', { x: box.x + box.w / 2, y: box.y + box.h / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, box.label),
    );
    if (head) {
      const choose = () => this.onSelectHead(box);
      g.addEventListener('click', choose);
      g.addEventListener('keydown', (event) => {
        if (event instanceof KeyboardEvent && (event.key === 'Enter' || event.key === ' ')) {
          event.preventDefault();
          choose();
        }
      });
      g.addEventListener('focus', () => this.showNodeTip(box));
      g.addEventListener('blur', () => this.tooltip.hide());
    }
    return g;
  }

  /** The drawn edge under a pointer (not over a box), or −1. */
  private edgeAt(event: MouseEvent): number {
    const layout = this.layout;
    if (layout === null) return -1;
    const rect = this.stage.getBoundingClientRect();
    const p = { x: (event.clientX - rect.left) / this.zoom, y: (event.clientY - rect.top) / this.zoom };
    if (layout.boxes.some((b) => p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h)) return -1;
    let best = HOVER_DISTANCE;
    let hit = -1;
    for (const e of layout.edges) {
      if (this.circuitOnly && this.state !== null && !this.state.present(e.id)) continue;
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
    const rect = this.stage.getBoundingClientRect();
    const p = { x: (event.clientX - rect.left) / this.zoom, y: (event.clientY - rect.top) / this.zoom };
    const box = layout.boxes.findIndex((b) => p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h);
    if (box >= 0 && !this.nodes[box].classList.contains('hidden')) {
      this.showNodeTip(layout.boxes[box]);
      return;
    }
    const hit = this.edgeAt(event);
    if (hit < 0) this.tooltip.hide();
    else this.tooltip.showEdge(this.graph, hit, this.state, this.ablation(), { x: p.x * this.zoom, y: p.y * this.zoom });
  }

  private showNodeTip(box: DrawnBox): void {
    if (this.graph === null) return;
    this.tooltip.showBox(this.graph, box, { x: (box.x + box.w) * this.zoom, y: box.y * this.zoom });
  }

  private stepZoom(direction: number): void {
    const index = ZOOMS.findIndex((z) => z >= this.zoom - 1e-6);
    const next = ZOOMS[Math.max(0, Math.min(ZOOMS.length - 1, (index < 0 ? ZOOMS.length - 1 : index) + direction))];
    this.setZoom(next);
  }

  /** Fits the graph to the panel's width and height limit (between 50% and 150%). */
  fit(): void {
    if (this.layout === null) return;
    const width = this.scroller.clientWidth;
    const maxHeight = Number.parseFloat(getComputedStyle(this.scroller).maxHeight);
    let zoom = width > 0 ? width / this.layout.width : 1;
    if (Number.isFinite(maxHeight) && maxHeight > 0) zoom = Math.min(zoom, maxHeight / this.layout.height);
    this.setZoom(Math.max(0.5, Math.min(1.5, zoom)));
  }

  private setZoom(zoom: number): void {
    this.zoom = zoom;
    this.zoomLabel.textContent = `${Math.round(zoom * 100)}%`;
    this.tooltip.hide();
    this.redraw();
  }
}

function legend(): HTMLElement {
  const item = (cls: string, text: string) => el('span', { class: `legend-item ${cls}` }, text);
  return el(
    'span',
    { class: 'legend', 'aria-hidden': 'true' },
    item('legend-untested', 'untested'),
    item('legend-current', 'just tested'),
    item('legend-kept', 'kept (width: |Δ|)'),
    item('legend-removed', 'removed'),
  );
}
