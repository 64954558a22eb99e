// The graph's nodes, words and toolbar: a box's SVG element (a head is a button that
// shows its attention; a collapsed layer's box, one that expands it), the column
// labels (an attention layer's collapses or expands it), the legend for what the
// edges are coloured by, a head's q/k/v port letters, and node labels sized to
// stay legible at any zoom.

import { el, svgEl } from '../dom';
import type { DrawnBox, GraphInfo, GraphLayout } from '../generated/wire';

/** What the legend explains: the run's fates, the ground-truth overlay's verdicts, or an attribution run's scores. */
export type LegendMode = 'fate' | 'truth' | 'scores';

/** The legend's title: what a head's letters mean. */
export const PORTS_TITLE = 'A head’s q, k and v ports (on its left side) are its query, key and value inputs.';

/** Node and column labels are drawn at least this large on screen (px), as far as their box allows. */
const LABEL_PX = 12;

/** The legend's items for what the edges are coloured by. */
export function legendItems(mode: LegendMode): HTMLElement[] {
  const item = (cls: string, text: string) => el('span', { class: `legend-item ${cls}` }, text);
  if (mode === 'scores') {
    return [
      item('legend-positive', 'score > 0: removing it hurts'),
      item('legend-negative', 'score < 0'),
      el('span', { class: 'legend-note' }, 'width: |score|'),
    ];
  }
  if (mode === 'truth') {
    return [
      item('legend-true-positive', 'found (true positive)'),
      item('legend-miss', 'missed'),
      item('legend-extra', 'extra'),
      item('legend-removed', 'removed'),
    ];
  }
  return [
    item('legend-untested', 'not decided'),
    item('legend-current', 'just decided'),
    item('legend-kept', 'kept (width |Δ|)'),
    item('legend-removed', 'removed'),
  ];
}

/**
 * Labels at LABEL_PX or more on screen whatever the zoom (sizes in layout
 * units); a label wider than its box is narrowed to fit it, never made
 * smaller. The q/k/v letters need a zoom where they are legible.
 */
export function sizeLabels(svg: SVGElement, nodes: SVGElement[], layout: GraphLayout | null, zoom: number): void {
  const size = Math.max(LABEL_PX, LABEL_PX / zoom);
  const ports = zoom >= 0.75;
  svg.classList.toggle('ports-hidden', !ports);
  nodes.forEach((node, i) => {
    const box = layout?.boxes[i];
    const text = node.querySelector<SVGTextElement>('text.node-label');
    if (box === undefined || text === null) return;
    const head = box.kind === 'head';
    const room = box.w - (head && ports ? 14 : 4);
    text.setAttribute('x', String(box.x + box.w / 2 + (head && ports ? 3 : 0)));
    text.style.fontSize = `${size.toFixed(2)}px`;
    // Monospace glyphs are 0.6 em wide.
    if (0.6 * size * box.label.length > room) {
      text.setAttribute('textLength', room.toFixed(1));
      text.setAttribute('lengthAdjust', 'spacingAndGlyphs');
    } else {
      text.removeAttribute('textLength');
      text.removeAttribute('lengthAdjust');
    }
  });
  for (const text of svg.querySelectorAll<SVGTextElement>('text.column-label, text.node-count')) {
    text.style.fontSize = `${size.toFixed(2)}px`;
  }
  nameColumns([...svg.querySelectorAll<SVGTextElement>('text.column-label')], size);
}

/**
 * Column labels in full where they fit between their neighbours; else (GPT-2 small's 26 columns
 * at the zoom that fits them, where the full names overlapped) only the attention layers keep a
 * label, "A3 ▾" as their heads are named, and the others, whose boxes name themselves (embed,
 * MLP 3, logits), go blank. The label's text is its last child (an attention label has a
 * `<title>` first).
 */
function nameColumns(labels: SVGTextElement[], size: number): void {
  const full = labels.map((l) => l.dataset.full ?? '');
  const x = labels.map((l) => Number(l.getAttribute('x')));
  // Sans-serif glyphs average under 0.6 em; a gap of a third of an em between labels.
  const half = (i: number) => (0.6 * size * full[i].length) / 2;
  const crowded = labels.some((_, i) => i > 0 && x[i] - x[i - 1] < half(i - 1) + half(i) + size / 3);
  labels.forEach((l, i) => {
    const text = l.lastChild;
    if (text !== null) text.textContent = crowded ? (l.dataset.short ?? '') : full[i];
  });
}

/**
 * A head's q, k and v letters, inside its left side at the height of each
 * input port: where the crate draws the port's mark (its DIRECT_COMPUTATION edge).
 */
export function portLetters(graph: GraphInfo, layout: GraphLayout, boxIndex: number): SVGElement[] {
  const box = layout.boxes[boxIndex];
  if (box.kind !== 'head') return [];
  const letters: SVGElement[] = [];
  for (const e of layout.edges) {
    if (e.type !== 'direct_computation' || e.receiverBox !== boxIndex) continue;
    const hook = graph.nodes[e.receiver]?.hook;
    const letter = hook === 'q' ? 'q' : hook === 'k' ? 'k' : hook === 'v' ? 'v' : null;
    if (letter === null) continue;
    letters.push(svgEl('text', { x: box.x + 3, y: e.to.y, class: 'port-label', 'dominant-baseline': 'central' }, letter));
  }
  return letters;
}

/** A node is dead once no edge into or out of it is `present`; "circuit only" hides it. */
export function markDeadNodes(nodes: SVGElement[], layout: GraphLayout, present: (edge: number) => boolean, circuitOnly: boolean): void {
  const alive = new Uint8Array(layout.boxes.length);
  for (const e of layout.edges) {
    if (present(e.id)) {
      alive[e.senderBox] = 1;
      alive[e.receiverBox] = 1;
    }
  }
  nodes.forEach((node, i) => {
    const dead = alive[i] === 0;
    node.classList.toggle('dead', dead);
    node.classList.toggle('hidden', dead && circuitOnly);
  });
}

/** What a node does when chosen (heads only: click, Enter or Space), focused and left. */
export interface NodeActions {
  choose(): void;
  focus(): void;
  blur(): void;
}

/** A box of the layout as an SVG group: its rectangle, its label and (a head) its port letters. */
export function nodeElement(box: DrawnBox, graph: GraphInfo | null, letters: SVGElement[], actions: NodeActions): SVGElement {
  const head = box.kind === 'head';
  /** A collapsed layer's heads: labelled `A1.*` over their count. */
  const merged = head && box.head === null;
  const heads = merged ? new Set(box.nodes.map((n) => graph?.nodes[n]?.head)).size : 0;
  const label = merged
    ? `Layer ${box.layer}’s ${heads} heads, collapsed into one: expand them`
    : head
      ? `Head ${box.label}: show its attention pattern`
      : `${box.label} (${box.nodes.map((n) => graph?.nodes[n]?.name).join(', ')})`;
  const middle = box.y + box.h / 2;
  const text = (y: number, cls: string, words: string) =>
    svgEl('text', { x: box.x + box.w / 2, y, 'text-anchor': 'middle', 'dominant-baseline': 'central', class: cls }, words);
  const g = svgEl(
    'g',
    {
      class: `node node-${box.kind}${merged ? ' node-merged' : ''}`,
      'data-key': box.key,
      'data-testid': merged ? 'layer-node' : head ? 'head' : 'node',
      'data-heads': merged ? heads : null,
      tabindex: head ? 0 : null,
      role: head ? 'button' : 'img',
      'aria-label': label,
    },
    svgEl('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: 5 }),
    text(merged ? middle - 8 : middle, 'node-label', merged ? `A${box.layer}.*` : box.label),
    ...(merged ? [text(middle + 9, 'node-count', `×${heads}`)] : []),
    ...letters,
  );
  g.addEventListener('focus', actions.focus);
  if (head) {
    g.addEventListener('click', actions.choose);
    g.addEventListener('keydown', (event) => {
      if (event instanceof KeyboardEvent && (event.key === 'Enter' || event.key === ' ')) {
        event.preventDefault();
        actions.choose();
      }
    });
    g.addEventListener('blur', actions.blur);
  }
  return g;
}

/**
 * The column labels; an attention layer's is a button that collapses its heads into one box
 * (`toggle`), or expands them.
 */
export function columnLabels(layout: GraphLayout, y: number, collapsed: ReadonlySet<number>, toggle: (layer: number) => void): SVGElement[] {
  return layout.columns.map((c) => {
    const layer = /^attn (\d+)$/.exec(c.label)?.[1];
    if (layer === undefined) return svgEl('text', { x: c.x, y, class: 'column-label', 'text-anchor': 'middle', 'data-full': c.label, 'data-short': '' }, c.label);
    const l = Number(layer);
    const shut = collapsed.has(l);
    const mark = shut ? '▸' : '▾';
    const text = svgEl(
      'text',
      {
        x: c.x,
        y,
        class: 'column-label layer-toggle',
        'text-anchor': 'middle',
        role: 'button',
        tabindex: 0,
        'aria-expanded': String(!shut),
        'data-testid': 'layer-toggle',
        'data-layer': l,
        'data-full': `${c.label} ${mark}`,
        'data-short': `A${l} ${mark}`,
      },
      svgEl('title', {}, shut ? `Expand layer ${l}: one box per head` : `Collapse layer ${l}’s heads into one box`),
      `${c.label} ${mark}`,
    );
    text.addEventListener('click', () => toggle(l));
    text.addEventListener('keydown', (event) => {
      if (event instanceof KeyboardEvent && (event.key === 'Enter' || event.key === ' ')) {
        event.preventDefault();
        toggle(l);
      }
    });
    return text;
  });
}

/** The toolbar above the graph: zoom out, the zoom, zoom in, fit, "circuit only" and the legend. */
export function graphToolbar(
  zoom: { zoomOut(): void; zoomIn(): void; fit(): void },
  zoomLabel: HTMLElement,
  circuitOnly: HTMLInputElement,
  legend: HTMLElement,
): HTMLElement {
  const button = (label: string, title: string, action: () => void) => {
    const b = el('button', { type: 'button', class: 'icon', title, 'aria-label': title }, label);
    b.addEventListener('click', action);
    return b;
  };
  return el(
    'div',
    { class: 'graph-toolbar' },
    button('−', 'Zoom out', zoom.zoomOut),
    zoomLabel,
    button('+', 'Zoom in', zoom.zoomIn),
    button('Fit', 'Fit the graph to the panel', zoom.fit),
    el('label', { class: 'check', for: 'circuit-only' }, circuitOnly, 'circuit only'),
    legend,
  );
}
