// The "why" views, as DOM built from the worker's answers: a head's pattern
// and where it looks in words, what a head writes to the logits (promoted
// and suppressed tokens), the logit lens (the residual stream read through
// the unembedding, per layer and position), and what removing an edge into
// a query or key changes in the attention of the head it feeds. Used by the
// inspector under the graph and by the lessons' feedback.

import { el } from '../dom';
import type { AttentionPattern, EdgeAttention, HeadLogits, LogitLens, Prediction, TokenScore } from '../generated/wire';
import { describeHead, describeQuery } from './attention-words';
import { heatmap } from './heatmap';
import { visibleToken } from './token-text';

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3));

/** A head's pattern with its description in words; `query` outlines one row. */
export function attentionView(label: string, attention: AttentionPattern, query: number | null): HTMLElement {
  const { tokens, pattern } = attention;
  const words = [describeHead(tokens, pattern)];
  if (query !== null) words.push(describeQuery(tokens, pattern, query));
  return el(
    'figure',
    { class: 'inspect-figure', 'data-testid': 'head-pattern', 'data-head': label },
    el('div', { class: 'heatmap-scroll' }, heatmap(tokens, pattern, `Attention pattern of ${label}: ${words.join(' ')}`, query)),
    el('figcaption', {}, el('strong', {}, `${label}. `), words.join(' ')),
  );
}

function tokenList(scores: readonly TokenScore[], sign: string): HTMLElement {
  return el(
    'ol',
    { class: 'token-scores' },
    ...scores.map((s) => el('li', {}, el('code', {}, visibleToken(s.token)), ` ${sign}${fmt(Math.abs(s.value))}`)),
  );
}

/** What head `label` writes to the logits at position `at` (direct effect). */
export function headLogitsView(label: string, logits: HeadLogits, at: number): HTMLElement {
  const token = visibleToken(logits.tokens[at] ?? '');
  return el(
    'section',
    { class: 'head-logits', 'data-testid': 'head-logits', 'aria-label': `What ${label} writes to the logits` },
    el('p', {}, `At “${token}” (position ${at}), ${label}'s output, read straight through the unembedding, raises and lowers these next tokens (logit change):`),
    el(
      'div',
      { class: 'promote-columns' },
      el('div', {}, el('h4', {}, 'Promotes'), tokenList(logits.promoted[at] ?? [], '+')),
      el('div', {}, el('h4', {}, 'Suppresses'), tokenList(logits.suppressed[at] ?? [], '−')),
    ),
  );
}

/** The logit lens: the likeliest next token per layer (rows) and position (columns); `at` is marked. */
export function lensView(lens: LogitLens, at: number | null = null): HTMLElement {
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col' }, 'read after'),
    ...lens.tokens.map((t, p) => el('th', { scope: 'col', class: p === at ? 'lens-at' : '' }, visibleToken(t))),
  );
  const rows = lens.layers.map((layer) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, layer.label),
      ...layer.top.map((top, p) => {
        const title = top.map((s) => `${visibleToken(s.token)} ${fmt(s.value)}`).join(', ');
        return el('td', { title, class: p === at ? 'lens-at' : '' }, visibleToken(top[0]?.token ?? ''));
      }),
    ),
  );
  return el(
    'div',
    { class: 'lens-scroll', 'data-testid': 'logit-lens' },
    el(
      'table',
      { class: 'lens-table' },
      el('caption', {}, 'Logit lens: the residual stream at each layer read through the final LayerNorm and the unembedding — the likeliest next token at each position (hover for the top 3 and their logits)'),
      el('thead', {}, head),
      el('tbody', {}, ...rows),
    ),
  );
}

/** Which keys the fed head attends to differently (last position) when the edge is removed. */
export function edgeAttentionView(name: string, attention: EdgeAttention): HTMLElement {
  const { tokens, present, removed, changes } = attention;
  const diff = removed.map((row, q) => row.map((p, k) => p - (present[q]?.[k] ?? 0)));
  const last = tokens.length - 1;
  const described = changes
    .map((c) => `${visibleToken(c.token)} ${c.value >= 0 ? '+' : '−'}${fmt(Math.abs(c.value))}`)
    .join('; ');
  return el(
    'section',
    { class: 'edge-attention', 'data-testid': 'edge-attention', 'aria-label': `What removing ${name} changes` },
    el('p', {}, `Removing ${name} changes the receiving head's attention from the last position most at: ${described || 'no key'}.`),
    el(
      'div',
      { class: 'heatmap-row' },
      el('figure', {}, heatmap(tokens, present, `Attention with ${name}`, last), el('figcaption', {}, 'with the edge')),
      el('figure', {}, heatmap(tokens, removed, `Attention without ${name}`, last), el('figcaption', {}, 'without it')),
      el('figure', {}, heatmap(tokens, diff, `Change of attention without ${name}: ${described}`, last, true), el('figcaption', {}, 'change (red: more, blue: less)')),
    ),
  );
}

/** The top next tokens of a prediction, as a small table. */
export function predictionView(prediction: Prediction, k = 5): HTMLElement {
  return el(
    'table',
    { class: 'mini-table', 'data-testid': 'evidence-prediction' },
    el('caption', {}, `After “${prediction.tokens.map((t) => visibleToken(t.text)).join(' ')}” the model predicts`),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'token'), el('th', { scope: 'col' }, 'probability'))),
    el('tbody', {}, ...prediction.top.slice(0, k).map((t) => el('tr', {}, el('td', {}, el('code', {}, visibleToken(t.token))), el('td', {}, t.prob.toFixed(3))))),
  );
}
