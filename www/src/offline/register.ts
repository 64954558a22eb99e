// Registers the offline service worker (sw.ts) for the page's own origin, in a
// built page only (the dev server has none), once the page has started: its
// install downloads every build of the wasm module and the shipped models
// (~15 MB), which, begun at the load event, took a second of CPU on two cores
// from the first tested edge (bench:page). So it waits for a playground of the
// page to settle (its model loaded and its first run, if one was asked for,
// ended), or SETTLE_LIMIT_MS after the load event, whichever comes first.
// A page of another site that embeds the playground's script never registers
// it: the worker is Circuitscope's, for Circuitscope's origin.

/** The longest the registration waits for a playground to settle. */
const SETTLE_LIMIT_MS = 20_000;

let settle: () => void = () => undefined;
const settled = new Promise<void>((resolve) => (settle = resolve));

/** A playground has started (its model loaded, its first run ended): the service worker may install. */
export function pageSettled(): void {
  settle();
}

export function registerOffline(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const url = new URL(`${import.meta.env.BASE_URL}sw.js`, document.baseURI);
  if (url.origin !== location.origin || new URL(import.meta.url).origin !== location.origin) return;
  const register = () => {
    navigator.serviceWorker.register(url, { scope: import.meta.env.BASE_URL }).catch((error: unknown) => {
      console.warn('Circuitscope will not work offline:', error);
    });
  };
  const later = () => void Promise.race([settled, new Promise((resolve) => setTimeout(resolve, SETTLE_LIMIT_MS))]).then(register);
  if (document.readyState === 'complete') later();
  else window.addEventListener('load', later, { once: true });
}
