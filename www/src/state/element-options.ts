// How a <circuit-playground> runs, beside its settings: from its attributes
// and, for the app page (`url-state`), the URL; and when it counts as seen.

import type { BackendPreference, Speed } from '../protocol';
import { parseBackend, parseFlag, parseSpeed, parseThreads, readPageOptions } from './url-state';

export interface Options {
  /** The URL is the settings' projection (the app page, not an embed). */
  urlState: boolean;
  /** Chrome-less: every embed, and the app with `?embed=1`. */
  compact: boolean;
  backend: BackendPreference;
  /** Threads the CPU backend computes on (null: the worker's default; wasm.ts). */
  threads: number | null;
  speed: Speed;
  autorun: boolean;
  /**
   * What a compact playground shows beside its default (graph, one-line
   * explanation, Run/Step, the chart): `show="settings stats controls
   * explain node exports toolbar methods"` or `all` (attribute, or `?show=` for the
   * app with `?embed=1`). Empty for the full page, which shows everything.
   */
  show: ReadonlySet<ShowPart>;
}

/** The parts a compact playground can be asked to show. */
export const SHOW_PARTS = ['settings', 'stats', 'controls', 'explain', 'node', 'exports', 'toolbar', 'methods'] as const;
export type ShowPart = (typeof SHOW_PARTS)[number];

/** `"settings stats"`, `"all"`, comma or space separated; unknown words are ignored. */
export function parseShow(value: string | null): Set<ShowPart> {
  const words = (value ?? '').toLowerCase().split(/[\s,]+/).filter(Boolean);
  if (words.includes('all')) return new Set(SHOW_PARTS);
  return new Set(SHOW_PARTS.filter((part) => words.includes(part)));
}

export function readOptions(element: HTMLElement): Options {
  const urlState = element.hasAttribute('url-state');
  const page = readPageOptions();
  const attr = (name: string) => element.getAttribute(name);
  return {
    urlState,
    compact: !urlState || page.embed,
    // An embedded element follows the page's ?backend= unless it says otherwise.
    backend: attr('backend') !== null ? parseBackend(attr('backend')) : page.backend,
    threads: attr('threads') !== null ? parseThreads(attr('threads')) : page.threads,
    speed: parseSpeed(attr('speed')) ?? page.speed ?? 1,
    autorun: element.hasAttribute('autorun') ? parseFlag(attr('autorun') || 'true') : urlState && page.autorun,
    show: parseShow(attr('show') ?? (urlState ? new URLSearchParams(location.search).get('show') : null)),
  };
}

/**
 * Calls `onChange(visible)` as `element` scrolls in and out of view. Visible
 * means a good part of it on screen: 240 px of it, or half when it is smaller.
 */
export function watchVisibility(element: HTMLElement, onChange: (visible: boolean) => void): { disconnect(): void } {
  const observer = new IntersectionObserver(
    (entries) => {
      const entry = entries[entries.length - 1];
      const shown = entry.intersectionRect.height;
      onChange(entry.isIntersecting && shown >= Math.min(240, entry.boundingClientRect.height / 2));
    },
    { threshold: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1] },
  );
  observer.observe(element);
  return observer;
}
