// A model whose weights are fetched only on request (models/<id>/remote.json;
// GPT-2 small): its URL, a Load button (Cancel while downloading), a local
// file instead, the download's byte progress, and the cached copy's state
// with a "Forget cached model" action. The work is models/remote-controller.ts's.

import { el } from '../dom';
import { progressMegabytes } from '../read-body';
import type { ModelEntry } from '../models/model-index';

export interface RemoteModelActions {
  load(entry: ModelEntry, url: string): void;
  loadFile(entry: ModelEntry, file: File): void;
  cancel(): void;
  forget(entry: ModelEntry, url: string): void;
  /** The URL field changed: the cache state shown is for the old URL. */
  urlChanged(entry: ModelEntry, url: string): void;
}

export class RemoteModelPanel {
  private readonly url: HTMLInputElement;
  private readonly loadButton: HTMLButtonElement;
  private readonly cancelButton = el(
    'button',
    { type: 'button', 'data-testid': 'remote-cancel', hidden: true },
    'Cancel download',
  );
  private readonly file: HTMLInputElement;
  private readonly bar = el('progress', { class: 'remote-progress', 'data-testid': 'remote-progress', max: 1, hidden: true });
  private readonly barText = el('span', { class: 'remote-progress-text', 'data-testid': 'remote-progress-text' });
  private readonly cacheText = el('span', { 'data-testid': 'remote-cache' });
  private readonly forgetButton = el(
    'button',
    { type: 'button', 'data-testid': 'remote-forget', hidden: true },
    'Forget cached model',
  );
  readonly element: HTMLElement;
  private downloading = false;
  private enabled = false;

  constructor(
    readonly entry: ModelEntry,
    actions: RemoteModelActions,
  ) {
    const id = `remote-${entry.id}`;
    const size = entry.remote?.bytes ? ` (${(entry.remote.bytes / 1e6).toFixed(0)} MB)` : '';
    const host = hostOf(entry.remote?.url ?? '');
    this.url = el('input', {
      id: `${id}-url`,
      type: 'url',
      value: entry.remote?.url ?? '',
      spellcheck: false,
      'data-testid': 'remote-url',
    });
    // A secondary button: a large download on request, never competing with Run.
    this.loadButton = el('button', { type: 'button', class: 'secondary', 'data-testid': 'remote-load' }, `Load ${entry.name}${size}`);
    this.file = el('input', {
      id: `${id}-file`,
      type: 'file',
      accept: '.safetensors',
      class: 'visually-hidden',
      'data-testid': 'remote-file',
    });
    this.element = el(
      'section',
      { class: 'remote-model', 'aria-label': `${entry.name}, on request`, 'data-model': entry.id },
      el('h3', {}, `${entry.name}, on request`),
      el(
        'p',
        { class: 'remote-note' },
        `Its weights${size} are not part of this page: they are fetched${host ? ` from ${host}` : ''} only when you press Load, then kept in this browser.`,
      ),
      el('label', { for: `${id}-url` }, 'Weights URL (safetensors)'),
      this.url,
      el(
        'div',
        { class: 'remote-actions' },
        this.loadButton,
        this.cancelButton,
        el('label', { for: `${id}-file`, class: 'button' }, 'or a local file…'),
        this.file,
      ),
      el('div', { class: 'remote-status' }, this.bar, this.barText),
      el('div', { class: 'remote-cache' }, this.cacheText, this.forgetButton),
    );
    this.loadButton.addEventListener('click', () => actions.load(entry, this.url.value.trim()));
    this.cancelButton.addEventListener('click', () => actions.cancel());
    this.forgetButton.addEventListener('click', () => actions.forget(entry, this.url.value.trim()));
    this.file.addEventListener('change', () => {
      const picked = this.file.files?.[0];
      this.file.value = '';
      if (picked) actions.loadFile(entry, picked);
    });
    this.url.addEventListener('change', () => actions.urlChanged(entry, this.url.value.trim()));
    this.update();
  }

  get currentUrl(): string {
    return this.url.value.trim();
  }

  /** False while no backend is ready (or another model is loading). */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.update();
  }

  setDownloading(downloading: boolean): void {
    this.downloading = downloading;
    this.update();
  }

  /** Bytes so far; `total` null shows an indeterminate bar. */
  progress(bytes: number, total: number | null, fromCache: boolean): void {
    this.bar.hidden = false;
    this.bar.dataset.bytes = String(bytes);
    this.bar.dataset.source = fromCache ? 'cache' : 'network';
    if (total === null) this.bar.removeAttribute('value');
    else this.bar.value = total > 0 ? bytes / total : 1;
    const verb = fromCache ? 'Reading from the browser cache' : 'Downloading';
    this.barText.textContent = `${verb}: ${progressMegabytes(bytes)}${total === null ? '' : ` / ${progressMegabytes(total)}`}`;
  }

  /** The weights arrived (they are being loaded into the model next). */
  received(bytes: number, source: 'cache' | 'network' | 'file'): void {
    this.bar.hidden = false;
    this.bar.value = 1;
    this.bar.dataset.bytes = String(bytes);
    this.bar.dataset.source = source;
    const from = { cache: 'from the browser cache', network: 'downloaded', file: 'read from the file' }[source];
    this.barText.textContent = `${progressMegabytes(bytes)} ${from}`;
  }

  /** Clears the bar after a failed or cancelled download. */
  failed(message: string): void {
    this.bar.hidden = true;
    this.barText.textContent = message;
  }

  showCached(cached: boolean, note = ''): void {
    this.cacheText.dataset.cached = String(cached);
    this.cacheText.textContent = (cached ? 'A copy is cached in this browser.' : 'Not cached in this browser.') + (note ? ` ${note}` : '');
    this.forgetButton.hidden = !cached;
  }

  private update(): void {
    this.loadButton.hidden = this.downloading;
    this.cancelButton.hidden = !this.downloading;
    this.loadButton.disabled = !this.enabled;
    this.forgetButton.disabled = this.downloading;
    this.file.disabled = !this.enabled || this.downloading;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
