// The worker's one loaded model (a wasm `Session`) and its one lock: wasm calls
// run one at a time, in arrival order, so a predict never sees a half-loaded
// model (docs/worker-protocol.md#one-wasm-call-at-a-time). A new Session
// replaces the old one only once it has loaded; until then the old one serves.

import { RequestError } from '../errors';
import type { ModelInfo } from '../generated/wire';
import type { Session } from '../pkg/circuitscope.js';
import type { ErrorCode } from '../protocol';
import { requireBackend } from './backend';

/** Runs `work` when no other wasm call is in flight (the worker's one lock). */
export type Exclusive = <T>(work: () => T | Promise<T>) => Promise<T>;

let session: Session | null = null;
let lock: Promise<unknown> = Promise.resolve();

/** Runs `work` after every wasm call queued before it has settled. */
export const exclusive: Exclusive = <T>(work: () => T | Promise<T>): Promise<T> => {
  const result = lock.then(work);
  lock = result.catch(() => undefined);
  return result;
};

/** The loaded Session; `code` is what a missing one reports as ("no model is loaded"). */
export async function requireSession(code: ErrorCode): Promise<Session> {
  await requireBackend();
  if (session === null) throw new RequestError(code, 'no model is loaded');
  return session;
}

/** Makes `next` the loaded Session, freeing the old one. */
export function adopt(next: Session): ModelInfo {
  const info: ModelInfo = next.info();
  session?.free();
  session = next;
  return info;
}
