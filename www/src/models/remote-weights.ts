// Weights fetched on request from another site (GPT-2 small from Hugging Face),
// with byte progress, and kept in the browser's Cache API under their URL so a
// second load reads them from disk. Nothing here runs unless the user asks.
// The page (not the worker) fetches, so a download can be cancelled without
// touching the model the worker holds, and the buffer is then transferred.

import { DownloadError, messageOf } from '../errors';
import { cancelledDownload, readBody } from '../read-body';

/** The Cache API store; bump the suffix to drop every cached copy. */
export const CACHE_NAME = 'circuitscope-weights-v1';

export type ProgressListener = (bytes: number, total: number | null, fromCache: boolean) => void;

export interface Download {
  bytes: ArrayBuffer;
  fromCache: boolean;
  /** Whether a copy is in the cache now. */
  cached: boolean;
  /** Why a fresh download could not be cached (quota, no Cache API), if it could not. */
  cacheError: string | null;
}

async function openCache(): Promise<Cache | null> {
  if (typeof caches === 'undefined') return null;
  try {
    return await caches.open(CACHE_NAME);
  } catch {
    // Opaque origins, private modes and file:// pages may refuse.
    return null;
  }
}

export async function isCached(url: string): Promise<boolean> {
  const cache = await openCache();
  return (await cache?.match(url)) !== undefined;
}

/** Drops the cached copy of `url`; true if there was one. */
export async function forgetCached(url: string): Promise<boolean> {
  const cache = await openCache();
  return (await cache?.delete(url)) ?? false;
}

/**
 * The bytes at `url`: from the cache when it holds them, else from the
 * network (then cached). `cacheOnly` never touches the network.
 */
export async function fetchWeights(
  url: string,
  options: { signal: AbortSignal; onProgress: ProgressListener; cacheOnly?: boolean },
): Promise<Download> {
  const { signal, onProgress } = options;
  const cache = await openCache();
  const hit = await cache?.match(url);
  if (hit !== undefined) {
    const bytes = await read(hit, signal, (b, t) => onProgress(b, t, true));
    return { bytes, fromCache: true, cached: true, cacheError: null };
  }
  if (options.cacheOnly) throw new DownloadError(`${url} is not in this browser's cache`);

  let response: Response;
  try {
    response = await fetch(url, { signal, mode: 'cors', credentials: 'omit' });
  } catch (error) {
    if (signal.aborted) throw cancelledDownload();
    throw new DownloadError(
      `GET ${url}: ${messageOf(error)} (no network, or the server does not allow this page to read it)`,
    );
  }
  if (!response.ok) throw new DownloadError(`GET ${url}: ${response.status} ${response.statusText}`.trim());
  // The cache reads its own copy of the stream as it arrives; a failed or
  // cancelled download leaves nothing behind.
  const stored: Promise<string | null> =
    cache === null
      ? Promise.resolve('this browser has no Cache API here')
      : cache.put(url, response.clone()).then(
          () => null,
          (error: unknown) => messageOf(error),
        );
  const bytes = await read(response, signal, (b, t) => onProgress(b, t, false));
  const cacheError = await stored;
  return { bytes, fromCache: false, cached: cacheError === null, cacheError };
}

/** The body as one transferable buffer, with progress about every 1 % (4 MiB when the size is unknown). */
async function read(
  response: Response,
  signal: AbortSignal,
  onProgress: (bytes: number, total: number | null) => void,
): Promise<ArrayBuffer> {
  return (await readBody(response, { signal, onProgress, unknownStep: 1 << 22 })).buffer;
}
