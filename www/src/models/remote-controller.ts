// Models whose weights are fetched only on request (GPT-2 small): one panel
// each under the picker, with its cache state; the download (or a local file),
// its progress and cancellation; and opening one a link asked for. A failed
// or cancelled download leaves the current model in place; a file that is not
// a checkpoint is not kept in the cache. playground.ts lends it a RemoteHost.

import { el } from '../dom';
import { DownloadError, messageOf } from '../errors';
import { cancelledDownload, megabytes } from '../read-body';
import { RemoteModelPanel, type RemoteModelActions } from '../views/remote-model';
import type { Loaded, ModelHost } from './model-host';
import { fetchModelTexts, isOnRequest, type ModelEntry } from './model-index';
import { fetchWeights, forgetCached, isCached } from './remote-weights';

/** Hints for a model fetched on request. */
const REMOTE_HINTS = {
  fetch:
    'The download failed; the current model is still loaded. Check the URL and the connection, or pick a local copy of the safetensors file.',
  cancelled: 'The current model is still loaded.',
  webgpu:
    'The WebGPU device may have refused the model’s buffers (GPT-2 small’s 154 MB embedding is more than WebGPU’s default 128 MiB per binding). Reload the page with ?backend=cpu to run it on the CPU. The current model is still loaded.',
};

export interface RemoteHost extends ModelHost {
  /** Loads a shipped model again (after a crash, when the remote one is not cached). */
  loadShipped(): Promise<void>;
}

export class RemoteController {
  /** One panel per model fetched on request. */
  private panels: RemoteModelPanel[] = [];
  readonly element = el('div', { class: 'remote-models' });
  /** The download in progress, if any. */
  private download: AbortController | null = null;

  constructor(private readonly host: RemoteHost) {}

  /** One panel per model whose weights are fetched on request, with its cache state. */
  setModels(index: ModelEntry[]): void {
    const actions: RemoteModelActions = {
      load: (entry, url) => void this.load(entry, { url }),
      loadFile: (entry, file) => void this.load(entry, { file }),
      cancel: () => this.cancel(),
      forget: (entry, url) => void this.forget(entry, url),
      urlChanged: (entry, url) => void this.showCached(entry, url),
    };
    this.panels = index.filter(isOnRequest).map((entry) => new RemoteModelPanel(entry, actions));
    this.element.replaceChildren(...this.panels.map((p) => p.element));
    for (const panel of this.panels) void this.showCached(panel.entry, panel.currentUrl);
    this.host.updateControls();
  }

  /** Stops the download in flight, if any (another model was picked). */
  cancel(): void {
    this.download?.abort();
  }

  setEnabled(enabled: boolean): void {
    for (const panel of this.panels) panel.setEnabled(enabled);
  }

  private panel(entry: ModelEntry): RemoteModelPanel | undefined {
    return this.panels.find((p) => p.entry.id === entry.id);
  }

  private async showCached(entry: ModelEntry, url: string, note = ''): Promise<void> {
    const cached = await isCached(url).catch(() => false);
    this.panel(entry)?.showCached(cached, note);
  }

  private async forget(entry: ModelEntry, url: string): Promise<void> {
    const forgotten = await forgetCached(url).catch(() => false);
    await this.showCached(entry, url, forgotten ? 'The cached copy was deleted.' : '');
  }

  /**
   * A link asked for a model fetched on request: from the cache if it is there
   * (nothing leaves the machine), else a message that says how to load it.
   */
  async open(entry: ModelEntry): Promise<void> {
    const url = this.panel(entry)?.currentUrl ?? entry.remote?.url ?? '';
    if (await isCached(url).catch(() => false)) {
      await this.load(entry, { url }, true);
      return;
    }
    this.host.showError(
      'fetch',
      `${entry.name} is loaded only on request`,
      `Its weights are not part of this page. Press "Load ${entry.name}" in the model panel to fetch them, or pick a local copy; until then this is ${this.host.state.loaded?.entry.id ?? 'no model'}.`,
    );
  }

  /**
   * Loads a model fetched on request: the weights from `source` (a URL, read
   * from the cache when it has them, or a local file), config.json and
   * tokenizer.json from the model's folder.
   */
  private async load(entry: ModelEntry, source: { url: string } | { file: File }, cacheOnly = false): Promise<void> {
    const { host } = this;
    const panel = this.panel(entry);
    if (host.state.busy && this.download === null) return;
    host.clearErrors();
    this.download?.abort();
    const controller = new AbortController();
    this.download = controller;
    panel?.setDownloading(true);
    const url = 'url' in source ? source.url : null;
    const load = async (): Promise<Loaded> => {
      // In parallel with the weights: small, and from this page's own server.
      const texts = fetchModelTexts(entry);
      texts.catch(() => undefined);
      let weights: ArrayBuffer;
      let from: string;
      if ('file' in source) {
        weights = await source.file.arrayBuffer();
        panel?.received(weights.byteLength, 'file');
        from = source.file.name;
      } else {
        if (!/^https?:\/\//.test(source.url)) throw new DownloadError(`not an http(s) URL: ${JSON.stringify(source.url)}`);
        const got = await fetchWeights(source.url, {
          signal: controller.signal,
          cacheOnly,
          onProgress: (bytes, total, fromCache) => {
            panel?.progress(bytes, total, fromCache);
            const label = fromCache ? `Reading ${entry.name} from the browser cache` : `Downloading ${entry.name}`;
            host.status.progress(label, bytes, total ?? entry.remote?.bytes ?? null);
          },
        });
        weights = got.bytes;
        panel?.received(weights.byteLength, got.fromCache ? 'cache' : 'network');
        panel?.showCached(got.cached, got.cacheError ? `(Not cached: ${got.cacheError}.)` : '');
        from = `${new URL(source.url).host}${got.fromCache ? ', cached' : ''}`;
      }
      const { config, tokenizer } = await texts;
      if (controller.signal.aborted) throw cancelledDownload();
      // The worker holds the old model until this one has loaded.
      this.download = null;
      panel?.setDownloading(false);
      host.status.set('loading', `Loading ${entry.name} (${megabytes(weights.byteLength)}) into the model…`);
      const info = await host.client().loadFiles(config, weights, tokenizer);
      const reload = async () => {
        const again = url !== null && (await isCached(url).catch(() => false));
        if (again) await this.load(entry, { url }, true);
        else await host.loadShipped();
      };
      return { entry, info, source: from, reload };
    };
    const hint = (error: unknown): string | undefined => {
      if (error instanceof DownloadError) return error.cancelled ? REMOTE_HINTS.cancelled : REMOTE_HINTS.fetch;
      if (host.state.backend === 'webgpu' && !/^(config|tokenizer|weights):/.test(messageOf(error))) return REMOTE_HINTS.webgpu;
      return undefined;
    };
    await host.changeModel(`Loading ${entry.name}…`, load, (error) => {
      if (error instanceof DownloadError) panel?.failed(messageOf(error));
      else if (url !== null && /^weights: not a valid safetensors file/.test(messageOf(error))) {
        // Not a safetensors file at all (an HTML page, a truncated file): do not keep it.
        void forgetCached(url).then(() => this.showCached(entry, url));
      }
      return hint(error);
    });
    if (this.download === controller) this.download = null;
    panel?.setDownloading(false);
    host.updateControls();
  }
}
