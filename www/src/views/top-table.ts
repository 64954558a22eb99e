// The k most likely next tokens, probabilities drawn as bars (full width = 1). Each row carries
// its exact numbers in data attributes for tests (`data-token-id`, `data-prob`).

import { el } from '../dom';
import type { TopToken } from '../generated/wire';
import { visibleToken } from './token-text';

export class TopTable {
  private readonly body = el('tbody');
  readonly element = el(
    'table',
    { class: 'top', 'data-testid': 'top', hidden: true },
    el('caption', {}, 'Next token'),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, '#'),
        el('th', { scope: 'col' }, 'Token'),
        el('th', { scope: 'col' }, 'Id'),
        el('th', { scope: 'col', class: 'prob-col' }, 'Probability'),
      ),
    ),
    this.body,
  );

  show(top: TopToken[]): void {
    this.body.replaceChildren(
      ...top.map((t, rank) =>
        el(
          'tr',
          { 'data-testid': 'top-row', 'data-token-id': t.id, 'data-prob': String(t.prob) },
          el('td', { class: 'rank' }, String(rank + 1)),
          el('td', { class: 'token-cell' }, el('code', {}, visibleToken(t.token))),
          el('td', { class: 'id' }, String(t.id)),
          el(
            'td',
            { class: 'prob' },
            el('span', { class: 'bar', style: `--fill: ${t.prob.toFixed(4)}` }),
            el('span', { class: 'prob-text' }, `${(t.prob * 100).toFixed(2)}%`),
          ),
        ),
      ),
    );
    this.element.hidden = top.length === 0;
  }

  clear(): void {
    this.body.replaceChildren();
    this.element.hidden = true;
  }
}
