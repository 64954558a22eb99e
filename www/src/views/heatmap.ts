// A small attention heatmap (queries down, keys across) on a canvas, with the
// tokens as labels and one query row outlined; its text alternative is given
// by the caller (attention-words.ts says the same in words).

import { el } from '../dom';
import { visibleToken } from './token-text';

const CELL = 12;
const LABEL = 56;

/** Draws `pattern` into a new canvas; `query` (if any) is outlined. `diff`: values in [−1, 1], red/blue. */
export function heatmap(
  tokens: readonly string[],
  pattern: readonly (readonly number[])[],
  label: string,
  query: number | null = null,
  diff = false,
): HTMLCanvasElement {
  const n = tokens.length;
  const canvas = el('canvas', { class: 'heatmap', role: 'img', 'aria-label': label });
  const ratio = globalThis.devicePixelRatio || 1;
  const size = LABEL + n * CELL + 4;
  canvas.width = size * ratio;
  canvas.height = size * ratio;
  canvas.style.width = `${size}px`;
  canvas.style.height = `${size}px`;
  const ctx = canvas.getContext('2d');
  if (ctx === null) return canvas;
  const dark = globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      const p = pattern[q]?.[k] ?? 0;
      if (diff) {
        const t = Math.min(1, Math.sqrt(Math.abs(p)));
        ctx.fillStyle = p >= 0 ? `hsl(350 80% ${Math.round(97 - 45 * t)}%)` : `hsl(215 85% ${Math.round(97 - 45 * t)}%)`;
      } else {
        const t = Math.sqrt(Math.max(0, Math.min(1, p)));
        ctx.fillStyle = dark ? `hsl(215 85% ${Math.round(16 + 52 * t)}%)` : `hsl(220 85% ${Math.round(97 - 55 * t)}%)`;
      }
      ctx.fillRect(LABEL + k * CELL, LABEL + q * CELL, CELL - 1, CELL - 1);
    }
  }
  if (query !== null && query < n) {
    ctx.strokeStyle = dark ? '#fbbf24' : '#b45309';
    ctx.lineWidth = 1.5;
    ctx.strokeRect(LABEL - 1, LABEL + query * CELL - 1, n * CELL + 1, CELL + 1);
  }
  ctx.fillStyle = dark ? '#e7e5e4' : '#1c1917';
  ctx.font = '10px ui-monospace, monospace';
  ctx.textBaseline = 'middle';
  tokens.forEach((token, i) => {
    const text = clip(visibleToken(token));
    ctx.textAlign = 'right';
    ctx.fillText(text, LABEL - 4, LABEL + i * CELL + CELL / 2);
    ctx.save();
    ctx.translate(LABEL + i * CELL + CELL / 2, LABEL - 4);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'left';
    ctx.fillText(text, 0, 0);
    ctx.restore();
  });
  return canvas;
}

function clip(text: string): string {
  return text.length > 7 ? `${text.slice(0, 6)}…` : text;
}
