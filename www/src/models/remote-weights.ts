// Weights fetched on request from another site (GPT-2 small from Hugging Face),
// with byte progress, and kept in the browser's Cache API under their URL so a
// second load reads them from disk. Nothing here runs unless the user asks.
// The page (not the worker) fetches, so a download can be cancelled without
// touching the model the worker holds, and the buffer is then transferred.

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

/** A failed or cancelled download; `cancelled` when the user stopped it. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly cancelled = false,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
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
    const bytes = await readBody(hit, signal, (b, t) => onProgress(b, t, true));
    return { bytes, fromCache: true, cached: true, cacheError: null };
  }
  if (options.cacheOnly) throw new DownloadError(`${url} is not in this browser's cache`);

  let response: Response;
  try {
    response = await fetch(url, { signal, mode: 'cors', credentials: 'omit' });
  } catch (error) {
    if (signal.aborted) throw cancelled();
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
  const bytes = await readBody(response, signal, (b, t) => onProgress(b, t, false));
  const cacheError = await stored;
  return { bytes, fromCache: false, cached: cacheError === null, cacheError };
}

/** Reads a body, reporting progress about every 1% (or 4 MiB when the size is unknown). */
async function readBody(
  response: Response,
  signal: AbortSignal,
  onProgress: (bytes: number, total: number | null) => void,
): Promise<ArrayBuffer> {
  const length = Number(response.headers.get('content-length'));
  // A compressed body's length is not the length we will count.
  const total = length > 0 && !response.headers.get('content-encoding') ? length : null;
  onProgress(0, total);
  if (response.body === null) {
    const bytes = await response.arrayBuffer();
    onProgress(bytes.byteLength, total);
    return bytes;
  }
  // Filled in place when the size is known: one buffer, no copy at the end.
  let whole: Uint8Array | null = total === null ? null : new Uint8Array(total);
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let reported = 0;
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', stop);
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal.aborted) throw cancelled();
        throw new DownloadError(`the download failed after ${megabytes(bytes)}: ${messageOf(error)}`);
      }
      if (signal.aborted) throw cancelled();
      if (chunk.done) break;
      const value = chunk.value;
      if (whole !== null && bytes + value.byteLength > whole.byteLength) {
        // More than the server announced: keep what we have and collect the rest.
        chunks.push(whole.subarray(0, bytes));
        whole = null;
      }
      if (whole !== null) whole.set(value, bytes);
      else chunks.push(value);
      bytes += value.byteLength;
      if (bytes - reported >= (total ? total / 100 : 1 << 22)) {
        onProgress(bytes, total);
        reported = bytes;
      }
    }
  } finally {
    signal.removeEventListener('abort', stop);
  }
  if (total !== null && bytes < total) {
    throw new DownloadError(`the download ended early: ${megabytes(bytes)} of ${megabytes(total)}`);
  }
  onProgress(bytes, total);
  if (whole !== null) return whole.buffer as ArrayBuffer;
  const out = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}

function cancelled(): DownloadError {
  return new DownloadError('the download was cancelled', true);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
