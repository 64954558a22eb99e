// "Inspect", under the graph: why a head or an edge matters, each answer a
// real forward pass in the worker. A head (clicked on the graph) says where
// it looks in words and what it writes to the logits at a chosen position;
// an edge into a query or key (picked here, or clicked on the graph) shows
// which keys its removal changes the attention to; the logit lens reads the
// residual stream through the unembedding at every layer and position. The
// row is a prompt handed in (a lesson's), else the first clean row of the
// task data.

import { el } from '../dom';
import { messageOf } from '../errors';
import type { GraphInfo } from '../generated/wire';
import { edgeNames } from '../lessons/refs';
import type { PageState } from '../state/page-state';
import { acdcSettings } from '../state/settings';
import type { WorkerClient } from '../worker-client';
import { attentionView, edgeAttentionView, headLogitsView, lensView } from './inspect-views';
import { visibleToken } from './token-text';

export interface InspectorHost {
  client(): WorkerClient;
  readonly state: PageState;
  graph(): GraphInfo | null;
}

/** Promoted and suppressed tokens listed per position. */
const LOGIT_K = 5;

export class Inspector {
  private readonly headOut = el('div', { class: 'inspect-out', 'data-testid': 'inspect-head', role: 'status' }, 'Click a head on the graph (or Tab to it and press Enter).');
  private readonly edgeSelect = el('select', { id: 'inspect-edge', 'data-testid': 'inspect-edge-select' });
  private readonly edgeButton = el('button', { type: 'button', 'data-testid': 'inspect-edge-show' }, 'Show');
  private readonly edgeOut = el('div', { class: 'inspect-out', 'data-testid': 'inspect-edge', role: 'status' });
  private readonly lensButton = el('button', { type: 'button', 'data-testid': 'inspect-lens-show' }, 'Read the residual stream');
  private readonly lensOut = el('div', { class: 'inspect-out', 'data-testid': 'inspect-lens', role: 'status' });
  private readonly sections = {
    head: el('details', { class: 'inspect-section', open: true }, el('summary', {}, 'Head: where it looks, what it writes')),
    edge: el('details', { class: 'inspect-section' }, el('summary', {}, 'Edge into a query or key: what its removal changes')),
    lens: el('details', { class: 'inspect-section' }, el('summary', {}, 'Logit lens: the residual stream, read out')),
  };
  readonly element: HTMLElement;
  /** Ids a lesson's prompt gave (null: the first clean row). */
  private ids: number[] | null = null;
  private request = 0;

  constructor(private readonly host: InspectorHost) {
    this.sections.head.append(this.headOut);
    this.sections.edge.append(
      el('div', { class: 'inspect-bar' }, el('label', { for: 'inspect-edge' }, 'Edge'), this.edgeSelect, this.edgeButton),
      this.edgeOut,
    );
    this.sections.lens.append(el('div', { class: 'inspect-bar' }, this.lensButton), this.lensOut);
    this.element = el(
      'section',
      { class: 'panel inspector', 'aria-label': 'Inspect a head, an edge, the residual stream', 'data-testid': 'inspector' },
      el('h2', { class: 'inspect-title' }, 'Inspect'),
      this.sections.head,
      this.sections.edge,
      this.sections.lens,
    );
    this.edgeButton.addEventListener('click', () => void this.showEdge(Number(this.edgeSelect.value)));
    this.lensButton.addEventListener('click', () => void this.showLens());
  }

  /** A new model: its edges into queries and keys become the edge choices. */
  setGraph(graph: GraphInfo | null): void {
    this.ids = null;
    const names = graph ? edgeNames(graph) : [];
    const options = graph
      ? graph.edges
          .filter((e) => e.type === 'addition' && ['q_input', 'k_input'].includes(graph.nodes[e.receiver].hook))
          .map((e) => el('option', { value: e.id }, names[e.id]))
      : [];
    this.edgeSelect.replaceChildren(...options);
    this.headOut.replaceChildren('Click a head on the graph (or Tab to it and press Enter).');
    this.edgeOut.replaceChildren();
    this.lensOut.replaceChildren();
  }

  /** The row the views read: a lesson's prompt ids, or null for the first clean row. */
  setRow(ids: number[] | null): void {
    this.ids = ids;
  }

  private row(): number[] | null {
    return this.ids ?? this.host.state.data?.clean[0] ?? null;
  }

  /** The end of the row's scored part (the data's last scored position, else the last token). */
  private end(): number {
    const row = this.row() ?? [];
    const scored = this.ids === null ? this.host.state.data?.positions?.[0] : undefined;
    return scored && scored.length > 0 ? scored[scored.length - 1] : row.length - 1;
  }

  async showHead(layer: number, head: number): Promise<void> {
    const label = `A${layer}.${head}`;
    const ids = this.row();
    this.sections.head.open = true;
    if (ids === null) {
      this.headOut.replaceChildren('There is no row to look at yet.');
      return;
    }
    const request = ++this.request;
    this.headOut.replaceChildren(`${label}: computing…`);
    try {
      const client = this.host.client();
      const [attention, logits] = [await client.attention(ids, layer, head), await client.headLogits(ids, layer, head, LOGIT_K)];
      if (request !== this.request) return;
      const at = el('select', { id: 'inspect-position', 'data-testid': 'inspect-position' });
      at.append(...logits.tokens.map((t, p) => el('option', { value: p }, `${p}: ${visibleToken(t)}`)));
      at.value = String(this.end());
      const logitsSlot = el('div', {}, headLogitsView(label, logits, this.end()));
      at.addEventListener('change', () => logitsSlot.replaceChildren(headLogitsView(label, logits, Number(at.value))));
      this.headOut.replaceChildren(
        attentionView(label, attention, this.end()),
        el('div', { class: 'inspect-bar' }, el('label', { for: 'inspect-position' }, 'Position'), at),
        logitsSlot,
      );
      this.headOut.dataset.head = label;
    } catch (error) {
      if (request === this.request) this.headOut.replaceChildren(`${label}: ${messageOf(error)}`);
    }
  }

  async showEdge(edge: number): Promise<void> {
    const graph = this.host.graph();
    const settings = this.host.state.settings;
    this.sections.edge.open = true;
    if (graph === null || settings === null || !(edge >= 0)) return;
    const name = edgeNames(graph)[edge] ?? '';
    if ([...this.edgeSelect.options].some((o) => o.value === String(edge))) this.edgeSelect.value = String(edge);
    const receiver = graph.nodes[graph.edges[edge]?.receiver ?? 0];
    if (!['q_input', 'k_input'].includes(receiver?.hook ?? '')) {
      this.edgeOut.replaceChildren(`${name}: only an edge into a head's query or key changes where it looks; pick one above.`);
      return;
    }
    const request = ++this.request;
    this.edgeOut.replaceChildren(`${name}: computing…`);
    try {
      const attention = await this.host.client().edgeAttention(acdcSettings(settings), edge, 0);
      if (request === this.request) this.edgeOut.replaceChildren(edgeAttentionView(name, attention));
      this.edgeOut.dataset.edge = name;
    } catch (error) {
      if (request === this.request) this.edgeOut.replaceChildren(`${name}: ${messageOf(error)}`);
    }
  }

  async showLens(): Promise<void> {
    const ids = this.row();
    this.sections.lens.open = true;
    if (ids === null) {
      this.lensOut.replaceChildren('There is no row to read yet.');
      return;
    }
    const request = ++this.request;
    this.lensOut.replaceChildren('Computing…');
    try {
      const lens = await this.host.client().logitLens(ids, 3);
      if (request === this.request) this.lensOut.replaceChildren(lensView(lens, this.end()));
    } catch (error) {
      if (request === this.request) this.lensOut.replaceChildren(messageOf(error));
    }
  }
}
