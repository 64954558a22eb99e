// The one streaming download with byte progress, for both sides: the worker
// reads a shipped model's weights with it (docs/worker-protocol.md: `progress`
// every 1 %), the page a model fetched on request (models/remote-weights.ts).
// No DOM, no wasm.

import { DownloadError, messageOf } from './errors';

export type ProgressListener = (bytes: number, total: number | null) => void;

export interface ReadOptions {
  onProgress: ProgressListener;
  /** Stops the read; it then throws a cancelled DownloadError. */
  signal?: AbortSignal;
  /** Bytes between progress reports when the size is unknown (1 % of it when known). */
  unknownStep?: number;
}

/**
 * Reads a response's body, reporting `(bytes, total)` from 0 to the end.
 * `total` is null when the server did not say or the body is compressed (its
 * length is not the length we count). Returns one buffer that holds exactly
 * the bytes (`.buffer` can be transferred as it is). A body that breaks off,
 * or ends before its announced length, throws a DownloadError.
 */
export async function readBody(response: Response, options: ReadOptions): Promise<Uint8Array<ArrayBuffer>> {
  const { onProgress, signal } = options;
  const length = Number(response.headers.get('content-length'));
  const total = length > 0 && !response.headers.get('content-encoding') ? length : null;
  onProgress(0, total);
  if (response.body === null) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress(bytes.byteLength, total);
    return bytes;
  }
  const step = total !== null ? total / 100 : (options.unknownStep ?? 1 << 18);
  // Filled in place when the size is known: one buffer, no copy at the end.
  let whole: Uint8Array<ArrayBuffer> | null = total === null ? null : new Uint8Array(total);
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let reported = 0;
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', stop);
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted) throw cancelledDownload();
        throw new DownloadError(`the download failed after ${megabytes(bytes)}: ${messageOf(error)}`);
      }
      if (signal?.aborted) throw cancelledDownload();
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
      if (bytes - reported >= step) {
        onProgress(bytes, total);
        reported = bytes;
      }
    }
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  if (total !== null && bytes < total) {
    throw new DownloadError(`the download ended early: ${megabytes(bytes)} of ${megabytes(total)}`);
  }
  onProgress(bytes, total);
  if (whole !== null) return whole;
  const out = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export function cancelledDownload(): DownloadError {
  return new DownloadError('the download was cancelled', true);
}

/** "154.4 MB": download sizes for messages. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Sizes beside a progress bar: a second decimal below 10 MB, so small downloads visibly move. */
export function progressMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;
}
