/// <reference lib="webworker" />
// Faults the end-to-end tests cause on purpose (tests/e2e/faults-*.test.mjs),
// exposed as `self.__circuitscopeTest` only in a worker started under
// TEST_WORKER_NAME, which the page does only when the tests asked for hooks
// (../test-hooks.ts): an ordinary visit cannot reach them.

import { TEST_WORKER_NAME } from '../test-hooks';
import { gpuDevice, wasmMemory } from './backend';

declare const self: DedicatedWorkerGlobalScope & { __circuitscopeTest?: unknown };

export function exposeTestHooks(): void {
  if (self.name !== TEST_WORKER_NAME) return;
  self.__circuitscopeTest = {
    /** Destroys the WebGPU device as a lost GPU would end it; false on the CPU. */
    loseDevice(): boolean {
      const device = gpuDevice();
      device?.destroy();
      return device !== null;
    },
    /**
     * Grows the wasm memory until the browser refuses (near 4 GB), leaving the
     * module's allocator nothing to grow into: its next large allocation
     * aborts, as a run too big for the heap would. Growing reserves pages
     * without touching them, so it is cheap. Answers the heap's bytes.
     */
    fillMemory(): number {
      const memory = wasmMemory();
      if (memory === null) return 0;
      for (let pages = 16_384; pages >= 1; ) {
        try {
          memory.grow(pages);
        } catch {
          pages >>= 1;
        }
      }
      return memory.buffer.byteLength;
    },
  };
}
