// Which model is loaded: a select over /models/index.json, the first
// paragraph of its card, and its size once the worker has loaded it.

import { formatCount } from '../charts/format';
import { el } from '../dom';
import { isOnRequest, type ModelEntry } from '../models/model-index';
import type { ModelInfo } from '../generated/wire';

/** The config fields shown under the card, in this order. */
const FACTS = ['n_layers', 'n_heads', 'd_model', 'd_head', 'd_mlp', 'n_ctx', 'd_vocab', 'attn_only'] as const;

export class ModelPicker {
  private readonly select = el('select', { id: 'model-select', 'data-testid': 'model-select' });
  private readonly card = el('p', { class: 'model-card', 'data-testid': 'model-card' });
  private readonly facts = el('p', { class: 'model-facts', 'data-testid': 'model-facts' });
  readonly element = el(
    'section',
    { class: 'model', 'aria-label': 'Model' },
    el('label', { for: 'model-select' }, 'Model'),
    this.select,
    this.card,
    this.facts,
  );
  private entries: ModelEntry[] = [];

  /** @param onPick called with the entry the user picked. */
  constructor(onPick: (entry: ModelEntry) => void) {
    // The card shows its first lines; a click (or Enter) shows all of it.
    this.card.tabIndex = 0;
    this.card.title = 'Show all of it';
    const toggle = () => this.card.classList.toggle('open');
    this.card.addEventListener('click', toggle);
    this.card.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        toggle();
      }
    });
    this.select.addEventListener('change', () => {
      const entry = this.entry(this.select.value);
      if (entry) onPick(entry);
    });
  }

  setModels(entries: ModelEntry[]): void {
    this.entries = entries;
    // Models fetched on request are listed, but loaded only by their own button.
    this.select.replaceChildren(
      ...entries.map((m) => {
        const label = m.name === m.id ? m.id : `${m.name} (${m.id})`;
        return isOnRequest(m)
          ? el('option', { value: m.id, disabled: true }, `${m.name} · on request`)
          : el('option', { value: m.id }, label);
      }),
    );
    this.select.disabled = entries.length === 0;
  }

  /** The id the select shows (which may not be loaded yet). */
  get selectedId(): string {
    return this.select.value;
  }

  entry(id: string): ModelEntry | undefined {
    return this.entries.find((m) => m.id === id);
  }

  /**
   * Shows `entry` as the current model (also used to revert after a failed
   * load). One in no index (compiled in the page) gets an option of its own.
   */
  show(entry: ModelEntry, source?: string): void {
    this.select.querySelector('option[data-compiled]')?.remove();
    // Compiled in the page: no weights file and none to fetch.
    if (entry.weightsBytes === null && entry.remote === null) {
      this.select.append(el('option', { value: entry.id, 'data-compiled': true }, `${entry.id} · compiled`));
      this.select.selectedIndex = this.select.options.length - 1;
    } else this.select.value = entry.id;
    this.card.textContent = entry.card;
    this.facts.textContent = source ? `Weights from ${source}` : '';
  }

  /** Adds what only the loaded Session knows: parameter count and backend. */
  showInfo(info: ModelInfo, source?: string): void {
    const config = info.config;
    const facts = FACTS.filter((key) => config[key] !== undefined).map((key) => `${key} ${String(config[key])}`);
    this.facts.textContent = [
      `${formatCount(info.parameterCount)} parameters`,
      ...facts,
      source ? `weights from ${source}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
  }
}
