// The one way the page changes its model: a load (a shipped model, files from
// disk, or whatever a controller brings: remote weights, a compiled program)
// either becomes the current model, with its graph, the settings made whole
// for it and its task data, or fails and leaves the old one in place. It
// writes the page state; the views follow it (playground.ts wires them).

import { codeOf, messageOf } from '../errors';
import type { CustomTask, GraphInfo, GroundTruth } from '../generated/wire';
import type { ErrorCode } from '../protocol';
import { CUSTOM_TASK } from '../state/custom-task';
import type { PageState } from '../state/page-state';
import { completeSettings, modelTask, pickTask, withTask, type Settings } from '../state/settings';
import type { ModelPicker } from '../views/model-picker';
import type { StatusLine } from '../views/status-line';
import type { PickedFiles } from '../views/weights-input';
import type { WorkerClient } from '../worker-client';
import type { Loaded } from './model-host';
import { fetchGroundTruth, fetchModelTexts, type ModelEntry } from './model-index';

/** What a new model changes beyond the page state: the views that hold the old one. */
export interface LoaderHost {
  client(): WorkerClient;
  readonly state: PageState;
  readonly status: StatusLine;
  readonly picker: ModelPicker;
  /** The model changed: what was shown of the old one (a prediction) goes. */
  modelChanged(): void;
  /** The loaded model's graph (null while it loads) and ground truth, for the stage. */
  showGraph(graph: GraphInfo | null, truth: GroundTruth | null): void;
  /** Its residual layout, when it is a compiled one (rasp-controller.ts). */
  showLayout(loaded: Loaded, graph: GraphInfo, truth: GroundTruth | null): Promise<void>;
  showError(code: ErrorCode, message: string, hint?: string): void;
  /** A load ended: the status line says where the page is now. */
  settleStatus(): void;
  /** After every model change, loaded or not (autorun). */
  changed(): void;
}

export class ModelLoader {
  constructor(private readonly host: LoaderHost) {}

  /** A shipped model, by id, with the weights' download progress on the status line. */
  async load(entry: ModelEntry): Promise<void> {
    const { host } = this;
    await this.change(`Loading ${entry.id}…`, async () => {
      const info = await host.client().load(entry.id, (bytes, total) =>
        host.status.progress(`Downloading ${entry.id} weights`, bytes, total ?? entry.weightsBytes),
      );
      return { entry, info };
    });
  }

  /** Weights from disk, with the current model's config and tokenizer unless picked too. */
  async loadFiles(files: PickedFiles): Promise<void> {
    const { host } = this;
    const entry = host.state.loaded?.entry ?? host.picker.entry(host.picker.selectedId);
    if (entry === undefined) {
      host.showError('load', 'pick a model first: its config.json says how to read the weights');
      return;
    }
    await this.change(`Loading ${files.weights.name}…`, async () => {
      const shipped = files.config && (files.tokenizer || !entry.hasTokenizer) ? null : await fetchModelTexts(entry);
      const config = files.config ? await files.config.text() : (shipped?.config ?? '');
      const tokenizer = files.tokenizer ? await files.tokenizer.text() : shipped?.tokenizer;
      const weights = await files.weights.arrayBuffer();
      const info = await host.client().loadFiles(config, weights, tokenizer);
      return { entry, info, source: files.weights.name };
    });
  }

  /**
   * Runs a load; on success it becomes the current model, on failure (or
   * null: nothing to load) the old one stays. `hint` may replace the error's
   * usual hint.
   */
  async change(
    label: string,
    load: () => Promise<Loaded | null>,
    hint: (error: unknown) => string | undefined = () => undefined,
  ): Promise<void> {
    const { host } = this;
    const { state } = host;
    state.countLoad(1);
    host.status.set('loading', label);
    try {
      const loaded = await load();
      if (loaded === null) return;
      // Asked before the page redraws for the new model: the worker answers meanwhile.
      const graph = host.client().graph();
      graph.catch(() => undefined);
      state.update({ loaded });
      this.showLoaded(loaded);
      host.modelChanged();
      await this.show(loaded, graph);
    } catch (error) {
      host.showError(codeOf(error, 'load'), messageOf(error), hint(error));
      // The picker may show the model that failed: back to the one still loaded.
      if (state.loaded) this.showLoaded(state.loaded);
    } finally {
      state.countLoad(-1);
      host.settleStatus();
    }
    host.changed();
  }

  /** The settings' task data for the loaded model (again: the task or seed changed, or the person's own rows or metric). */
  async loadTaskData(): Promise<void> {
    const { host } = this;
    const { state } = host;
    const settings = state.settings;
    state.update({ data: null });
    if (settings === null) return;
    const custom = state.custom;
    const wanted = dataInputs(settings, custom);
    try {
      const data =
        settings.task === CUSTOM_TASK
          ? (await host.client().customData(custom, settings.metric)).view
          : await host.client().taskData(settings.task, settings.seed, settings.rows ?? undefined);
      // Settings that do not change the rows (the algorithm, τ) may change meanwhile.
      if (state.settings && dataInputs(state.settings, state.custom) === wanted) state.update({ data });
    } catch (error) {
      host.showError(codeOf(error, 'task'), messageOf(error));
    }
  }

  private showLoaded(loaded: Loaded): void {
    this.host.picker.show(loaded.entry);
    this.host.picker.showInfo(loaded.info, loaded.source);
  }

  /**
   * The loaded model's graph (`graph`: asked for already; with its ground
   * truth, if it has one), the settings made whole for it, and its task data.
   * The settings come first, so the task data is asked for before the graph
   * is drawn: the worker computes it while the page draws.
   */
  private async show(loaded: Loaded, graph: Promise<GraphInfo>): Promise<void> {
    const { host } = this;
    const { state } = host;
    const { entry, truth } = loaded;
    const known = truth ? Promise.resolve(truth) : fetchGroundTruth(entry).catch(() => null);
    state.update({ hasGraph: false });
    host.showGraph(null, null);
    this.completeSettings(loaded);
    const data = this.loadTaskData();
    const shown = await graph;
    const truthShown = await known;
    host.showGraph(shown, truthShown);
    await host.showLayout(loaded, shown, truthShown);
    state.update({ hasGraph: true });
    await data;
  }

  /** The settings made whole for the loaded model: its own task when it asks for one or cannot run the current one. */
  private completeSettings({ entry, task: ownTask }: Loaded): void {
    const { host } = this;
    const { state } = host;
    const base: Partial<Settings> = state.settings ?? state.wanted;
    const own = state.task(ownTask ?? modelTask(state.settings, entry.config.tasks));
    const task = own ?? pickTask(state.tasks, base.task, entry.config.tasks);
    if (base.task !== undefined && task?.name !== base.task && !own) {
      host.showError('task', `unknown task "${base.task}"; showing ${task?.name ?? 'none'} instead`);
    }
    const complete = completeSettings(base, entry.id, task);
    state.update({ settings: own ? withTask(complete, own) : complete });
  }
}

/** What decides the task data: the task, seed and row count, or a person's rows and the metric they are read for. */
export function dataInputs(settings: Settings, custom: CustomTask): string {
  const { task, seed, metric, rows } = settings;
  return JSON.stringify(task === CUSTOM_TASK ? { task, metric, custom } : { task, seed, rows });
}
