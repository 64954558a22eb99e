// What the end-to-end tests may change in the page, and nothing an ordinary
// visit can reach: the tests set `__circuitscopeTest` on the page's global
// before any script runs (Playwright's addInitScript). Then the worker is
// started under TEST_WORKER_NAME, which makes it expose its own hooks
// (worker/test-hooks.ts: lose the GPU device, fill the wasm heap), and the
// watchdog may be given a shorter floor.

/** The worker's name when the tests asked for hooks (worker/test-hooks.ts reads it). */
export const TEST_WORKER_NAME = 'circuitscope-test';

interface PageTestHooks {
  /** The watchdog's floor, in ms (worker-watchdog.ts). */
  watchdogMs?: number;
}

/** The tests' settings, or null on an ordinary visit. */
export function pageTestHooks(): PageTestHooks | null {
  const hooks: unknown = (globalThis as { __circuitscopeTest?: unknown }).__circuitscopeTest;
  return typeof hooks === 'object' && hooks !== null ? (hooks as PageTestHooks) : null;
}
