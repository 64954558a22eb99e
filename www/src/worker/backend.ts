// The burn device the wasm module runs on, chosen once per worker: "auto"
// tries WebGPU, then the CPU. A later `init` gets the first answer, whatever
// it prefers; a failed start may be retried.
//
// It also keeps what tells how a worker ended (worker.ts `fail`): the wasm
// module's memory (a trap with the heap near its 4 GB is an out-of-memory)
// and the WebGPU device wgpu asked for, whose loss is reported at once.

import { RequestError } from '../errors';
import { startWasm } from './wasm';
import type { BackendPreference, ReadyResponse } from '../protocol';

let backend: Promise<ReadyResponse> | null = null;
let memory: WebAssembly.Memory | null = null;

/** The part of a WebGPU device this file uses (the worker's lib has no WebGPU types). */
export interface GpuDevice {
  destroy(): void;
  readonly lost: Promise<{ reason: string; message: string }>;
}
interface GpuAdapterClass {
  prototype: { requestDevice(...args: unknown[]): Promise<GpuDevice> };
}

let device: GpuDevice | null = null;
/** Why the device was lost (null: it was not). */
let lostBecause: string | null = null;

/**
 * Hears of every device wgpu requests (before the wasm module makes one) and
 * calls `onLost` with the reason when one is lost: a driver reset, the GPU
 * process gone, or `destroy()`. The worker must not wait for the wasm module's
 * own answer then: wgpu may hang or panic on a lost device.
 */
export function watchGpuDevice(onLost: (reason: string) => void): void {
  const adapter = (globalThis as { GPUAdapter?: GpuAdapterClass }).GPUAdapter;
  if (adapter === undefined) return;
  const request = adapter.prototype.requestDevice;
  adapter.prototype.requestDevice = async function (this: unknown, ...args: unknown[]) {
    const requested = await request.apply(this, args);
    device = requested;
    void requested.lost.then((info) => {
      if (device !== requested) return;
      lostBecause = info.message ? `${info.reason}: ${info.message}` : info.reason;
      onLost(lostBecause);
    });
    return requested;
  };
}

/** Why the GPU device was lost, if it was. */
export function gpuLost(): string | null {
  return lostBecause;
}

/** The device wgpu runs on (null on the CPU); for the tests' hooks. */
export function gpuDevice(): GpuDevice | null {
  return device;
}

/** The wasm module's memory (null before it is started). */
export function wasmMemory(): WebAssembly.Memory | null {
  return memory;
}

/** Instantiates the wasm module and picks the device (once); the answer's `id` is the caller's to set. */
export function chooseBackend(prefer: BackendPreference, threads?: number): Promise<ReadyResponse> {
  backend ??= (async () => {
    const { memory: started, ...ready } = await startWasm(prefer, threads);
    memory = started;
    return { type: 'ready', id: 0, ...ready };
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
