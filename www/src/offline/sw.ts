/// <reference lib="webworker" />
// The service worker that keeps Circuitscope usable offline after one visit
// (classroom networks fail): on install it caches the page, its scripts, the
// wasm module, the shipped models and the lessons (the build writes the list
// into PRECACHE, www/offline-plugin.ts); then every same-origin GET goes to
// the network first — fresh when online — and falls back to that cache when
// the network fails. It never answers a request of another origin, nor one
// for a model whose weights are fetched on request (GPT-2: its own cache),
// and it deletes only caches it made itself. It also gives the pages it
// answers the COOP/COEP headers a static host does not send (`isolated`).

import { ISOLATION_HEADERS } from './isolation';

declare const self: ServiceWorkerGlobalScope;

interface Precache {
  /** Changes with every build whose files changed. */
  version: string;
  /** Paths relative to the worker's scope. */
  urls: string[];
  /** Path prefixes it never answers. */
  bypass: string[];
}

/** Replaced by the build with the real list (offline-plugin.ts). */
declare const __CIRCUITSCOPE_PRECACHE__: Precache;
const PRECACHE: Precache = __CIRCUITSCOPE_PRECACHE__;

const PREFIX = 'circuitscope-offline-';
const CACHE = `${PREFIX}${PRECACHE.version}`;
const scope = new URL(self.registration.scope);

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(PRECACHE.urls.map((u) => new Request(new URL(u, scope), { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
    })(),
  );
});

/** Whether this worker answers `request` at all. */
function handles(request: Request): boolean {
  if (request.method !== 'GET' || request.headers.has('range')) return false;
  const url = new URL(request.url);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return false;
  const path = url.pathname.slice(scope.pathname.length);
  return !PRECACHE.bypass.some((prefix) => path.startsWith(prefix));
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (!handles(request)) return;
  event.respondWith(networkFirst(request));
});

/** The cache key of a request: a page without its query (`/?lesson=…` is the app page). */
function keyOf(request: Request): string {
  if (request.mode !== 'navigate') return request.url;
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  if (url.pathname === `${scope.pathname}index.html`) url.pathname = scope.pathname;
  return url.href;
}

async function networkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const key = keyOf(request);
  try {
    const response = await fetch(request);
    // Keep the cached copy fresh; only what was cached at install is cached at all.
    if (response.ok && response.type === 'basic' && (await cache.match(key))) await cache.put(key, response.clone());
    return isolated(request, response);
  } catch (error) {
    const cached = await cache.match(key);
    if (cached) return isolated(request, cached);
    throw error;
  }
}

/**
 * A page from a host that sends no COOP/COEP (a static host) gets them here, so that from the
 * visit after the first it is cross-origin isolated and its worker runs the threaded CPU build
 * (src/worker/wasm.ts); so do its workers' scripts, which an isolated page may only start when
 * they carry COEP too. Everything the page loads is same-origin or fetched with CORS, which
 * `require-corp` allows. A response that has the headers, or is neither, is left as it is.
 */
function isolated(request: Request, response: Response): Response {
  const pageOrWorker = request.mode === 'navigate' || request.destination === 'worker';
  if (!pageOrWorker || !response.ok || response.headers.has('cross-origin-embedder-policy')) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
