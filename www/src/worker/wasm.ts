/// <reference lib="webworker" />
// The wasm module, in one of its three builds (scripts/build-wasm.sh), chosen
// when the worker starts it:
// - WebGPU (`pkg/`, one thread), when WebGPU is asked for or `auto` finds an
//   adapter (it also falls back to the CPU there, if the device fails);
// - CPU, threaded (`pkg-threads/`: atomics, a shared memory, rayon's pool on
//   Web Workers), where the page is cross-origin isolated (the served page
//   sends COOP and COEP: www/vite.config.ts) and the browser reports more than
//   two cores: the pool has one thread fewer than the cores, since the page's
//   own thread needs one to draw the run (on GPT-2 small's 32,923 edges, a
//   core's worth). On two cores a pool of two lost to one thread on the default
//   model and on GPT-2 small (bench:page, bench:gpt2-page; README), so two
//   cores run one thread unless `threads` asks otherwise;
// - CPU, one thread (`pkg-cpu/`) everywhere else: a page that embeds the
//   element without those headers has no SharedArrayBuffer, and a shared
//   memory cannot be made there.
// The CPU builds are a quarter of the WebGPU one's size. Only the chosen
// build's glue and module are fetched. Everything else in the worker reaches
// the module through `wasm()`.

import { messageOf, RequestError } from '../errors';
import type * as Glue from '../pkg/circuitscope.js';
import type { Backend, BackendPreference } from '../protocol';
import { deadline, GPU_START_BUDGET_MS, navigatorGpu } from '../state/gpu-probe';

declare const self: DedicatedWorkerGlobalScope;

/** The glue of any of the three builds (typed as the WebGPU one; the threaded one adds `initThreadPool`). */
type Module = typeof Glue & { initThreadPool?: (threads: number) => Promise<void> };

/** How the module was started. */
export interface Started {
  memory: WebAssembly.Memory;
  backend: Backend;
  /** Why this backend (e.g. why not WebGPU). */
  reason: string;
  /** Threads the CPU backend uses (1: the one-thread build). */
  threads: number;
  /** Why there is one thread only (empty when threaded). */
  oneThreadWhy: string;
}

let glue: Module | null = null;
/** The threaded build's pool size once started (1 before). */
let poolThreads = 1;

/** The started module's glue; callers have awaited `startWasm` (requireBackend) first. */
export function wasm(): typeof Glue {
  if (glue === null) throw new Error('the wasm module is not started yet (send init first)');
  return glue;
}

/** The threaded build's pool for `asked` threads (undefined: the default), or why one thread. */
function poolFor(asked: number | undefined): { threads: number } | { why: string } {
  const cores = navigator.hardwareConcurrency ?? 1;
  const threads = asked ?? cores - 1;
  if (threads < 2) {
    if (asked !== undefined) return { why: 'one thread: asked for (threads=1)' };
    return { why: `one thread: the browser reports ${cores} core${cores === 1 ? '' : 's'}, and the page's own thread needs one to draw` };
  }
  if (!self.crossOriginIsolated) return { why: 'one thread: the page is not cross-origin isolated (COOP/COEP headers)' };
  if (typeof SharedArrayBuffer === 'undefined') return { why: 'one thread: this browser has no SharedArrayBuffer' };
  return { threads };
}

/**
 * Whether "auto" will find WebGPU, asked before any module is fetched: an adapter sends the worker
 * to the WebGPU build, whose Rust side then starts the device; none, to a CPU build (a quarter of
 * the size, and threaded where it can be). Null: an adapter was found; else why the CPU is taken.
 */
async function noAdapter(): Promise<string | null> {
  const gpu = navigatorGpu();
  if (gpu === undefined) return 'this browser has no WebGPU (navigator.gpu is missing)';
  // As long as the embed's probe waits for WebGPU to start.
  const { late, clear } = deadline(GPU_START_BUDGET_MS);
  try {
    const adapter = await Promise.race([gpu.requestAdapter(), late]);
    if (adapter === 'late') return `WebGPU gave no adapter within ${GPU_START_BUDGET_MS / 1000} s`;
    return adapter === null ? 'no WebGPU adapter' : null;
  } catch (error) {
    return `WebGPU did not start: ${String(error)}`;
  } finally {
    clear();
  }
}

type Build = 'webgpu' | 'cpu' | 'threads';

/** The build this context runs for `prefer` (and `threads`), what the module is then asked for, and why. */
async function pickBuild(
  prefer: BackendPreference,
  threads: number | undefined,
): Promise<{ build: Build; prefer: BackendPreference; cpuWhy: string; why: string; pool: number }> {
  let cpuWhy = '';
  if (prefer === 'webgpu') return { build: 'webgpu', prefer, cpuWhy, why: 'one thread: the WebGPU build', pool: 1 };
  if (prefer === 'auto') {
    const none = await noAdapter();
    if (none === null) return { build: 'webgpu', prefer, cpuWhy, why: 'one thread: WebGPU was tried first (the WebGPU build)', pool: 1 };
    cpuWhy = none;
  }
  const pool = poolFor(threads);
  if ('why' in pool) return { build: 'cpu', prefer: 'cpu', cpuWhy, why: pool.why, pool: 1 };
  return { build: 'threads', prefer: 'cpu', cpuWhy, why: '', pool: pool.threads };
}

/** The glue of `build` (the three differ only in the module's private exports and `initThreadPool`). */
async function importGlue(build: Build): Promise<Module> {
  switch (build) {
    case 'webgpu':
      return import('../pkg/circuitscope.js');
    case 'cpu':
      return (await import('../pkg-cpu/circuitscope.js')) as unknown as Module;
    case 'threads':
      return (await import('../pkg-threads/circuitscope.js')) as unknown as Module;
  }
}

/**
 * Fetches, compiles and instantiates the build this context runs for `prefer`, starts its thread
 * pool (the threaded build: `asked` threads, else one fewer than the cores), and chooses the device.
 */
export async function startWasm(prefer: BackendPreference, asked?: number): Promise<Started> {
  const pick = await pickBuild(prefer, asked);
  let module: Module;
  let memory: WebAssembly.Memory;
  try {
    module = await importGlue(pick.build);
    ({ memory } = await module.default());
  } catch (error) {
    throw new RequestError('backend', `could not start the wasm module: ${messageOf(error)}`);
  }
  if (module.initThreadPool !== undefined && poolThreads === 1) {
    // Once per worker: rayon's global pool cannot be built twice (a failed start is retried).
    await module.initThreadPool(pick.pool);
    poolThreads = pick.pool;
  }
  const threads = pick.build === 'threads' ? poolThreads : 1;
  glue = module;
  const chosen = await module.initBackend(pick.prefer);
  const backend: Backend = chosen.backend === 'webgpu' ? 'webgpu' : 'cpu';
  const reason = pick.cpuWhy || String(chosen.reason ?? '');
  return { memory, backend, reason, threads, oneThreadWhy: threads > 1 ? '' : pick.why };
}
