// Registers the offline service worker (sw.ts) for the page's own origin,
// once the page has loaded, in a built page only (the dev server has none).
// A page of another site that embeds the playground's script never registers
// it: the worker is Circuitscope's, for Circuitscope's origin.

export function registerOffline(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const url = new URL(`${import.meta.env.BASE_URL}sw.js`, document.baseURI);
  if (url.origin !== location.origin || new URL(import.meta.url).origin !== location.origin) return;
  const register = () => {
    navigator.serviceWorker.register(url, { scope: import.meta.env.BASE_URL }).catch((error: unknown) => {
      console.warn('Circuitscope will not work offline:', error);
    });
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
