// The headers that make a page cross-origin isolated: SharedArrayBuffer, hence
// the threaded wasm build (rayon's pool shares the module's memory). Sent by
// the Vite servers (vite.config.ts) and added by the offline service worker to
// the pages and worker scripts a host served without them (sw.ts).

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;
