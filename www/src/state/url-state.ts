// The page's inputs as the URL holds them, so a link reproduces a view
// (docs/README.md#the-pages-state-and-the-url). Only inputs live here, never
// results or hover.
// Only the page's own element (`<circuit-playground url-state>`) reads and
// writes the URL; embedded ones read their attributes.

import type { BackendPreference, Speed } from '../protocol';
import type { CustomTask } from '../generated/wire';
import { withCustomTask } from './custom-task-store';
import { PARAM, parseCount, parseSettings, settingsQuery, type Settings } from './settings';

/** How the page runs, beside the settings: not part of a copied link except `backend`. */
export interface PageOptions {
  /** `?backend=cpu|webgpu|auto`; anything else means auto. */
  backend: BackendPreference;
  /** `?embed=1`: the chrome-less view for iframes. */
  embed: boolean;
  /** `?autorun=1`: start the run once the model is loaded. */
  autorun: boolean;
  /** `?speed=1|5|20|max`. */
  speed: Speed | null;
  /** `?threads=N`: threads the CPU backend computes on (null: the default, one fewer than the cores). */
  threads: number | null;
}

export function parseBackend(value: string | null): BackendPreference {
  return value === 'cpu' || value === 'webgpu' ? value : 'auto';
}

export function parseSpeed(value: string | null): Speed | null {
  if (value === 'max') return 'max';
  const n = Number(value);
  return n === 1 || n === 5 || n === 20 ? n : null;
}

/** A thread count from 1 to MAX_THREADS; anything else means the default (null). */
export function parseThreads(value: string | null): number | null {
  return parseCount(value, MAX_THREADS);
}

/** More threads than this is a typo: each is a Web Worker holding the module. */
export const MAX_THREADS = 64;

/** A boolean flag: present and not "0"/"false". */
export function parseFlag(value: string | null): boolean {
  return value !== null && value !== '0' && value !== 'false';
}

export function readPageOptions(location: Location = window.location): PageOptions {
  const params = new URLSearchParams(location.search);
  return {
    backend: parseBackend(params.get('backend')),
    embed: parseFlag(params.get('embed')),
    autorun: parseFlag(params.get('autorun')),
    speed: parseSpeed(params.get('speed')),
    threads: parseThreads(params.get('threads')),
  };
}

export function readUrlSettings(location: Location = window.location): Partial<Settings> {
  const params = new URLSearchParams(location.search);
  return parseSettings((name) => params.get(name));
}

/** Records the settings in the URL, keeping its other parameters, without a history entry. */
export function writeSettingsToUrl(settings: Settings): void {
  const url = new URL(window.location.href);
  // A setting back at its default (rows: null) leaves the URL.
  for (const name of Object.values(PARAM)) url.searchParams.delete(name);
  for (const [name, value] of settingsQuery(settings)) url.searchParams.set(name, value);
  window.history.replaceState(window.history.state, '', url);
}

/** A link to the app (`base`: its index page) that opens with these settings. */
export function linkTo(settings: Settings, base: string, backend: BackendPreference): string {
  const url = new URL(base);
  url.search = settingsQuery(settings).toString();
  if (backend !== 'auto') url.searchParams.set('backend', backend);
  return url.href;
}

/**
 * The app page with these settings (and a person's own task while it is the
 * task): this page for the app (`urlState`), the site's index for an embed.
 */
export function appLink(settings: Settings | null, custom: CustomTask | null, urlState: boolean, backend: BackendPreference): string {
  const base = urlState ? `${location.origin}${location.pathname}` : new URL(import.meta.env.BASE_URL, location.href).href;
  if (settings === null) return base;
  return withCustomTask(new URL(linkTo(settings, base, backend)), custom).href;
}
