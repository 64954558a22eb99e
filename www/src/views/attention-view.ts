// One head's attention pattern on the first clean row: a heatmap (queries
// down, keys across) with the tokens as labels, drawn on a canvas.

import { el } from '../dom';
import type { AttentionPattern } from '../generated/wire';
import { visibleToken } from './token-text';

/** The largest and smallest cell (px): cells shrink so that the pattern fits its panel's width. */
const CELL = 12;
const MIN_CELL = 5;
/** The heatmap's largest side (px). */
const MAX_SIZE = 230;
const LABEL = 56;

export class AttentionView {
  private readonly title = el('figcaption', {}, 'Click a head to see its attention pattern.');
  private readonly canvas = el('canvas', { class: 'attention-canvas', role: 'img', 'aria-label': 'Attention pattern' });
  readonly element = el(
    'figure',
    { class: 'attention', 'data-testid': 'attention' },
    this.title,
    el('div', { class: 'attention-scroll' }, this.canvas),
  );
  private readonly dark = window.matchMedia('(prefers-color-scheme: dark)');
  private shown: { label: string; pattern: AttentionPattern } | null = null;

  constructor() {
    this.dark.addEventListener('change', () => {
      if (this.shown) this.show(this.shown.label, this.shown.pattern);
    });
  }

  /** Counts requests: only the latest one's answer is shown. */
  private request = 0;
  /** The first clean row of the task's data, whose attention a clicked head shows. */
  row: number[] | null = null;
  /** A row shown in its place (a lesson's prompt). */
  override: number[] | null = null;

  /** `label`'s pattern on the row shown (the override, else the first clean row); an error is thrown on. */
  async showHead(label: string, pattern: (row: number[]) => Promise<AttentionPattern>): Promise<void> {
    const row = this.override ?? this.row;
    if (row === null) throw new Error('there is no task data to look at yet');
    await this.fetch(label, () => pattern(row));
  }

  /** Shows `label`'s pattern once `fetch` brings it; an error clears the view and is thrown on. */
  async fetch(label: string, fetch: () => Promise<AttentionPattern>): Promise<void> {
    const request = ++this.request;
    this.loading(label);
    try {
      const pattern = await fetch();
      if (request === this.request) this.show(label, pattern);
    } catch (error) {
      if (request === this.request) this.clear();
      throw error;
    }
  }

  loading(label: string): void {
    this.title.textContent = `${label}: computing…`;
    this.element.dataset.state = 'loading';
  }

  clear(): void {
    this.shown = null;
    this.title.textContent = 'Click a head to see its attention pattern.';
    this.element.dataset.state = 'empty';
    this.canvas.width = 0;
    this.canvas.height = 0;
  }

  show(label: string, attention: AttentionPattern): void {
    this.shown = { label, pattern: attention };
    const { tokens, pattern } = attention;
    const n = tokens.length;
    this.title.textContent = `${label}’s attention: each row (query) looks at the columns (keys)`;
    this.title.title = `${label}’s attention pattern on the first clean row: row i shows where position i looks`;
    this.element.dataset.state = 'shown';
    const ratio = window.devicePixelRatio || 1;
    const room = this.element.clientWidth - 20;
    // As large as the panel's width and MAX_SIZE allow: beside the graph, it stays on screen.
    const fit = Math.min(room > LABEL ? room : MAX_SIZE, MAX_SIZE) - LABEL - 4;
    const cell = Math.max(MIN_CELL, Math.min(CELL, Math.floor(fit / Math.max(1, n))));
    const size = LABEL + n * cell + 4;
    this.canvas.width = size * ratio;
    this.canvas.height = size * ratio;
    this.canvas.style.width = `${size}px`;
    this.canvas.style.height = `${size}px`;
    this.canvas.setAttribute('aria-label', `Attention pattern of ${label} over ${n} tokens`);
    const ctx = this.canvas.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const style = getComputedStyle(this.element);
    const text = style.color || '#000';
    ctx.clearRect(0, 0, size, size);
    for (let q = 0; q < n; q++) {
      for (let k = 0; k < n; k++) {
        const p = pattern[q]?.[k] ?? 0;
        const t = Math.sqrt(Math.max(0, Math.min(1, p)));
        ctx.fillStyle = this.dark.matches
          ? `hsl(215 85% ${Math.round(16 + 52 * t)}%)`
          : `hsl(220 85% ${Math.round(97 - 55 * t)}%)`;
        ctx.fillRect(LABEL + k * cell, LABEL + q * cell, cell - 1, cell - 1);
      }
    }
    ctx.fillStyle = text;
    ctx.font = `${Math.min(10, cell + 2)}px ui-monospace, monospace`;
    ctx.textBaseline = 'middle';
    tokens.forEach((token, i) => {
      const label = clip(visibleToken(token));
      ctx.textAlign = 'right';
      if (cell >= 8 || i % 2 === 0) ctx.fillText(label, LABEL - 4, LABEL + i * cell + cell / 2);
      ctx.save();
      ctx.translate(LABEL + i * cell + cell / 2, LABEL - 4);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = 'left';
      if (cell >= 8 || i % 2 === 0) ctx.fillText(label, 0, 0);
      ctx.restore();
    });
  }
}

function clip(text: string): string {
  return text.length > 7 ? `${text.slice(0, 6)}…` : text;
}
