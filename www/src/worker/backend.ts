// The burn device the wasm module runs on, chosen once per worker: "auto"
// tries WebGPU, then the CPU. A later `init` gets the first answer, whatever
// it prefers; a failed start may be retried.

import { messageOf, RequestError } from '../errors';
import init, { initBackend } from '../pkg/circuitscope.js';
import type { Backend, BackendPreference, ReadyResponse } from '../protocol';

let backend: Promise<ReadyResponse> | null = null;

/** Instantiates the wasm module and picks the device (once); the answer's `id` is the caller's to set. */
export function chooseBackend(prefer: BackendPreference): Promise<ReadyResponse> {
  backend ??= (async () => {
    try {
      await init();
    } catch (error) {
      throw new RequestError('backend', `could not start the wasm module: ${messageOf(error)}`);
    }
    const chosen = await initBackend(prefer);
    const name: Backend = chosen.backend === 'webgpu' ? 'webgpu' : 'cpu';
    return { type: 'ready', id: 0, backend: name, reason: String(chosen.reason ?? '') };
  })();
  // A failed start may be retried by the next init request.
  backend.catch(() => (backend = null));
  return backend;
}

/** Waits for the backend; fails with `not_ready` before any `init`. */
export async function requireBackend(): Promise<void> {
  if (backend === null) throw new RequestError('not_ready', 'the backend is not initialised yet (send init first)');
  await backend;
}

/** Whether the chosen device is WebGPU (false before a backend is chosen). */
export async function onWebGpu(): Promise<boolean> {
  return (await backend)?.backend === 'webgpu';
}
