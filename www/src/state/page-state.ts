// What one <circuit-playground> knows beside its views: the device the worker
// chose, the loaded model, the tasks, the settings (and, until a model makes
// them whole, what the URL or the attributes asked for), the task data, and
// what is in flight. One object, changed only through `update`, which tells
// the watchers of the fields that changed; the views and controllers read it,
// playground.ts wires them. Results, hover and zoom are not page state
// (docs/README.md#the-pages-state-and-the-url).

import type { CustomTask, TaskData, TaskInfo } from '../generated/wire';
import type { Loaded } from '../models/model-host';
import type { Backend } from '../protocol';
import { EXAMPLE_TASK } from './custom-task';
import type { Settings } from './settings';

export interface PageFields {
  /** The burn device, once the worker has chosen one. */
  backend: Backend | null;
  /** The model the worker holds (null before the first load, and after a crash). */
  loaded: Loaded | null;
  /** Every task the crate knows (`listTasks`). */
  tasks: readonly TaskInfo[];
  /** What the attributes or the URL asked for, until the first model makes it whole. */
  wanted: Partial<Settings>;
  /** The one serializable state (settings.ts); null until a model is loaded. */
  settings: Settings | null;
  /** The settings' task data for the loaded model (null while it loads, or when it does not fit). */
  data: TaskData | null;
  /** The loaded model's graph is shown. */
  hasGraph: boolean;
  /** Requests in flight that change the model or its data. */
  loads: number;
  /** A person's own task (state/custom-task.ts): the data when the settings' task is `custom`. */
  custom: CustomTask;
}

export type PageField = keyof PageFields;

interface Watcher {
  /** null: every field. */
  fields: ReadonlySet<PageField> | null;
  listener: () => void;
}

export class PageState {
  private fields: PageFields = {
    backend: null,
    loaded: null,
    tasks: [],
    wanted: {},
    settings: null,
    data: null,
    hasGraph: false,
    loads: 0,
    custom: EXAMPLE_TASK,
  };
  private readonly watchers: Watcher[] = [];

  get backend(): Backend | null {
    return this.fields.backend;
  }
  get loaded(): Loaded | null {
    return this.fields.loaded;
  }
  get tasks(): readonly TaskInfo[] {
    return this.fields.tasks;
  }
  get wanted(): Partial<Settings> {
    return this.fields.wanted;
  }
  get settings(): Settings | null {
    return this.fields.settings;
  }
  get data(): TaskData | null {
    return this.fields.data;
  }
  get hasGraph(): boolean {
    return this.fields.hasGraph;
  }
  get loads(): number {
    return this.fields.loads;
  }
  get custom(): CustomTask {
    return this.fields.custom;
  }

  /** A load is in flight: the model or its data may change under a new request. */
  get busy(): boolean {
    return this.fields.loads > 0;
  }

  /** A run may start: a model, its graph and its task data are there, and nothing is loading. */
  get ready(): boolean {
    const { loaded, hasGraph, data, loads } = this.fields;
    return loaded !== null && hasGraph && data !== null && loads === 0;
  }

  /** The task named `name`, if the crate knows it. */
  task(name: string | undefined): TaskInfo | undefined {
    return this.fields.tasks.find((t) => t.name === name);
  }

  /** Changes fields, then calls the watchers of those that changed (by identity), in the order they watched. */
  update(patch: Partial<PageFields>): void {
    const changed = (Object.keys(patch) as PageField[]).filter((key) => patch[key] !== this.fields[key]);
    if (changed.length === 0) return;
    this.fields = { ...this.fields, ...patch };
    for (const watcher of [...this.watchers]) {
      if (watcher.fields === null || changed.some((key) => watcher.fields?.has(key))) watcher.listener();
    }
  }

  /** One more (or one fewer, `delta` −1) load in flight. */
  countLoad(delta: 1 | -1): void {
    this.update({ loads: this.fields.loads + delta });
  }

  /** Calls `listener` after each change to one of `fields` (null: to any), until the returned function is called. */
  watch(fields: readonly PageField[] | null, listener: () => void): () => void {
    const watcher: Watcher = { fields: fields === null ? null : new Set(fields), listener };
    this.watchers.push(watcher);
    return () => {
      const at = this.watchers.indexOf(watcher);
      if (at >= 0) this.watchers.splice(at, 1);
    };
  }
}
