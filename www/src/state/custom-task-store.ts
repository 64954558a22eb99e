// Where a person's own task lives beside the page state: localStorage (it
// survives a reload and follows the person from model to model) and, while it
// is the chosen task on the app page, the URL (a copied link carries it).

import type { CustomTask } from '../generated/wire';
import { CUSTOM_PARAMS, customQuery, EXAMPLE_TASK, parseCustomQuery, parseStoredTask } from './custom-task';

const STORAGE_KEY = 'circuitscope.custom-task.v1';

/** The task to start with: the URL's (`?prompts=`), else the stored one, else the example. */
export function initialCustomTask(fromUrl: boolean): CustomTask {
  if (fromUrl) {
    const params = new URLSearchParams(window.location.search);
    const linked = parseCustomQuery((name) => params.get(name));
    if (linked) return linked;
  }
  return parseStoredTask(storage()?.getItem(STORAGE_KEY) ?? null) ?? EXAMPLE_TASK;
}

export function storeCustomTask(task: CustomTask): void {
  try {
    storage()?.setItem(STORAGE_KEY, JSON.stringify(task));
  } catch {
    // Storage full or denied: the task still lives in the page (and the URL).
  }
}

/** Writes the task into the URL (null: removes it), keeping the other parameters, without a history entry. */
export function writeCustomTaskToUrl(task: CustomTask | null): void {
  const url = new URL(window.location.href);
  withCustomTask(url, task);
  if (url.href !== window.location.href) window.history.replaceState(window.history.state, '', url);
}

/** `url` with the task's parameters (null: without them). */
export function withCustomTask(url: URL, task: CustomTask | null): URL {
  for (const name of Object.values(CUSTOM_PARAMS)) url.searchParams.delete(name);
  if (task) for (const [name, value] of customQuery(task)) url.searchParams.set(name, value);
  return url;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
