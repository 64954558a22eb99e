// <circuit-playground>: the whole app as one custom element, so the full page,
// an iframe and a blog post's <script type=module> run the same code. For now
// it holds the foundation: backend, model, prompt → next-token prediction.
//
// It owns the page state (which model is loaded, what is in flight) and wires
// the views to the worker client; the views only render.

import { el } from './dom';
import { fetchModelIndex, fetchModelTexts, pickModel, type ModelEntry } from './models';
import type { BackendPreference, ErrorCode, SessionInfo } from './protocol';
import { readUrlState, writeModelToUrl } from './url-state';
import { BackendBadge } from './views/backend-badge';
import { ErrorArea } from './views/error-area';
import { ModelPicker } from './views/model-picker';
import { PromptForm } from './views/prompt-form';
import { StatusLine } from './views/status-line';
import { TokensView } from './views/tokens-view';
import { TopTable } from './views/top-table';
import { WeightsInput, type PickedFiles } from './views/weights-input';
import { RequestError, WorkerClient } from './worker-client';

/** How many next-token candidates the table shows. */
const TOP_K = 10;

/** The model the worker holds, and where its weights came from. */
interface Loaded {
  entry: ModelEntry;
  info: SessionInfo;
  /** A file name when the weights came from disk; undefined for the shipped ones. */
  source?: string;
}

export class CircuitPlayground extends HTMLElement {
  private readonly badge = new BackendBadge();
  private readonly status = new StatusLine();
  private readonly errors = new ErrorArea();
  private readonly picker = new ModelPicker((entry) => {
    this.errors.clear();
    void this.loadModel(entry);
  });
  private readonly weights = new WeightsInput(
    (files) => void this.loadFiles(files),
    (names) => this.showError('load', `no weights file among ${names.join(', ')}; pick a .safetensors file`),
  );
  private readonly prompt = new PromptForm((text) => void this.predict(text));
  private readonly tokens = new TokensView();
  private readonly top = new TopTable();

  private client: WorkerClient | null = null;
  private prefer: BackendPreference = 'auto';
  private loaded: Loaded | null = null;
  /** Requests in flight that change the model; Predict waits for them. */
  private loads = 0;
  private predicting = false;

  connectedCallback(): void {
    if (this.client !== null) return;
    this.replaceChildren(this.render());
    this.client = new WorkerClient((message) => this.onCrash(message));
    this.prompt.value = this.getAttribute('prompt') ?? '';
    this.updateControls();
    void this.start();
  }

  disconnectedCallback(): void {
    this.client?.dispose();
    this.client = null;
  }

  private render(): DocumentFragment {
    const fragment = document.createDocumentFragment();
    fragment.append(
      el(
        'header',
        { class: 'app-header' },
        el('h1', {}, 'Circuitscope'),
        el('p', { class: 'tagline' }, 'A small transformer, running in your browser.'),
        this.badge.element,
      ),
      el(
        'main',
        { class: 'app-main' },
        this.status.element,
        this.errors.element,
        el('div', { class: 'panel' }, this.picker.element, this.weights.element),
        el('div', { class: 'panel' }, this.prompt.element, this.tokens.element, this.top.element),
      ),
    );
    return fragment;
  }

  /** Chooses the backend and reads the model index together, then loads a model. */
  private async start(): Promise<void> {
    const url = readUrlState();
    this.prefer = url.backend;
    this.status.set('starting', 'Starting the model worker…');
    const [ready, index] = await Promise.allSettled([this.initBackend(), fetchModelIndex()]);
    if (index.status === 'rejected') {
      this.showError('fetch', `could not read the model list: ${messageOf(index.reason)}`);
      return;
    }
    this.picker.setModels(index.value);
    const entry = pickModel(index.value, url.model);
    if (entry === undefined) {
      this.showError(
        'fetch',
        'no models found in /models/index.json',
        'Add a folder models/<id>/ with config.json and model.safetensors at the repository root.',
      );
      return;
    }
    this.picker.show(entry);
    if (ready.status === 'fulfilled' && ready.value) await this.loadModel(entry);
  }

  /** Returns false (after showing why) when no backend could be started. */
  private async initBackend(): Promise<boolean> {
    try {
      const ready = await this.worker().init(this.prefer);
      this.badge.show(ready.backend, ready.reason);
      return true;
    } catch (error) {
      this.badge.showFailed(messageOf(error));
      this.showError(codeOf(error, 'backend'), messageOf(error));
      return false;
    }
  }

  private async loadModel(entry: ModelEntry): Promise<void> {
    await this.changeModel(`Loading ${entry.id}…`, async () => {
      const info = await this.worker().load(entry.id, (bytes, total) =>
        this.status.progress(`Downloading ${entry.id} weights`, bytes, total ?? entry.weightsBytes),
      );
      return { entry, info };
    });
  }

  /** Weights from disk, with the current model's config and tokenizer unless picked too. */
  private async loadFiles(files: PickedFiles): Promise<void> {
    this.errors.clear();
    const entry = this.loaded?.entry ?? this.picker.entry(this.picker.selectedId);
    if (entry === undefined) {
      this.showError('load', 'pick a model first: its config.json says how to read the weights');
      return;
    }
    await this.changeModel(`Loading ${files.weights.name}…`, async () => {
      const shipped = files.config && (files.tokenizer || !entry.hasTokenizer) ? null : await fetchModelTexts(entry);
      const config = files.config ? await files.config.text() : (shipped?.config ?? '');
      const tokenizer = files.tokenizer ? await files.tokenizer.text() : shipped?.tokenizer;
      const weights = await files.weights.arrayBuffer();
      const info = await this.worker().loadFiles(config, weights, tokenizer);
      return { entry, info, source: files.weights.name };
    });
  }

  /** Runs a load; on success it becomes the current model, on failure the old one stays. */
  private async changeModel(label: string, load: () => Promise<Loaded>): Promise<void> {
    this.loads++;
    this.updateControls();
    this.status.set('loading', label);
    try {
      this.loaded = await load();
      this.picker.show(this.loaded.entry);
      this.picker.showInfo(this.loaded.info, this.loaded.source);
      writeModelToUrl(this.loaded.entry.id);
      this.tokens.clear();
      this.top.clear();
    } catch (error) {
      this.showError(codeOf(error, 'load'), messageOf(error));
      if (this.loaded) {
        this.picker.show(this.loaded.entry);
        this.picker.showInfo(this.loaded.info, this.loaded.source);
      }
    } finally {
      this.loads--;
      this.updateControls();
      this.settleStatus();
    }
  }

  private async predict(text: string): Promise<void> {
    this.errors.clear();
    if (this.loaded === null) {
      this.showError('predict', 'no model is loaded yet');
      return;
    }
    this.predicting = true;
    this.updateControls();
    this.status.set('busy', 'Predicting…');
    this.tokens.clear();
    this.top.clear();
    const started = performance.now();
    try {
      const prediction = await this.worker().predict(text, TOP_K);
      this.tokens.show(prediction.tokens);
      this.top.show(prediction.top);
      this.status.set('ready', `Predicted in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      this.predicting = false;
      this.showError(codeOf(error, 'predict'), messageOf(error));
    } finally {
      this.predicting = false;
      this.updateControls();
    }
  }

  /**
   * The worker died and the client started a fresh one (or gave up): say so,
   * then bring the fresh worker back to where the page was.
   */
  private onCrash(message: string): void {
    this.showError('worker_crashed', message);
    const lost = this.loaded;
    this.loaded = null;
    this.updateControls();
    // Let the failed requests' handlers run first, so that they do not
    // overwrite the status of the recovery.
    setTimeout(() => void this.recover(lost), 0);
  }

  private async recover(lost: Loaded | null): Promise<void> {
    if (!this.client?.alive) {
      this.badge.showFailed('the worker is down');
      this.settleStatus();
      return;
    }
    if ((await this.initBackend()) && lost) await this.loadModel(lost.entry);
  }

  private updateControls(): void {
    this.prompt.setEnabled(this.loaded !== null && this.loads === 0 && !this.predicting);
  }

  /** After an action ends: ready if a model is usable, failed otherwise. */
  private settleStatus(): void {
    if (this.loads > 0 || this.predicting) return;
    if (this.loaded) this.status.set('ready', `Ready: ${this.loaded.entry.id}${this.loaded.source ? ` (${this.loaded.source})` : ''}`);
    else this.status.set('failed', 'No model loaded');
  }

  private showError(code: ErrorCode, message: string, hint?: string): void {
    this.errors.show(code, message, hint);
    this.settleStatus();
  }

  private worker(): WorkerClient {
    if (this.client === null) throw new RequestError('not_ready', 'the playground is not attached to a page');
    return this.client;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The protocol code of a failed request; `fallback` for errors raised on this side. */
function codeOf(error: unknown, fallback: ErrorCode): ErrorCode {
  return error instanceof RequestError ? error.code : fallback;
}
