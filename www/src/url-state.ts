// The page's inputs as the URL holds them, so a link reproduces a view
// (STYLE.md, "The page"). Only inputs live here, never results or hover.

import type { BackendPreference } from './protocol';

export interface UrlState {
  /** `?backend=cpu|webgpu|auto`; anything else means auto. */
  backend: BackendPreference;
  /** `?model=<id>`; null when absent. */
  model: string | null;
}

export function readUrlState(location: Location = window.location): UrlState {
  const params = new URLSearchParams(location.search);
  const backend = params.get('backend');
  return {
    backend: backend === 'cpu' || backend === 'webgpu' ? backend : 'auto',
    model: params.get('model'),
  };
}

/** Records the chosen model in the URL without adding a history entry. */
export function writeModelToUrl(model: string): void {
  const url = new URL(window.location.href);
  url.searchParams.set('model', model);
  window.history.replaceState(window.history.state, '', url);
}
