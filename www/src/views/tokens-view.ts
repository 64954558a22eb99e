// The prompt as the tokenizer split it: one chip per token, its id on hover.

import { el } from '../dom';
import type { TokenText } from '../generated/wire';
import { visibleToken } from './token-text';

export class TokensView {
  readonly element = el('ol', { class: 'tokens', 'data-testid': 'tokens', 'aria-label': 'Prompt tokens' });

  show(tokens: TokenText[]): void {
    this.element.replaceChildren(
      ...tokens.map((t) =>
        el('li', { class: 'token', 'data-token-id': t.id, title: `id ${t.id}` }, visibleToken(t.text)),
      ),
    );
  }

  clear(): void {
    this.element.replaceChildren();
  }
}
