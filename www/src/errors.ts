// Errors as both sides of the worker protocol see them (no DOM, no wasm: the
// worker imports this too). A failure is shown as its message and a protocol
// error code (docs/worker-protocol.md#error-codes), which decides the hint.

import type { ErrorCode } from './protocol';

/** The text to show for anything thrown: an Error's message (the crate's own words), else its string. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An error that knows its protocol code: raised by the worker for the request
 * it fails, and by the client for a request that ended in `error` (or with the
 * worker gone).
 */
export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** A failed or cancelled download (read-body.ts); `cancelled` when it was asked to stop. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly cancelled = false,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** The protocol code of a failure; `fallback` for errors that carry none (a plain `Error` from the wasm API). */
export function codeOf(error: unknown, fallback: ErrorCode): ErrorCode {
  if (error instanceof RequestError) return error.code;
  if (error instanceof DownloadError) return 'fetch';
  return fallback;
}
