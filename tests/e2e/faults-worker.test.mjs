// Three ways the model's worker ends that no error event reports well, each
// caused on purpose through the page's test hooks (www/src/test-hooks.ts):
// the WebGPU device lost mid-run, the worker gone without a word, and the
// wasm heap full (on one thread, and on the threaded build whose memory the
// pool shares). Each ends in a message that says what happened and what to
// do, the settings kept, the model loaded again, and a next run that finds
// the CLI's circuit (faults.mjs `recoversFrom`).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faultQuery, recoversFrom, runUntilUnderWay, SETTINGS } from './faults.mjs';
import { modelWorkers, openPage, pageSession } from './harness.mjs';

const session = pageSession();

/** A page with the test hooks on (`hooks`: their settings), closed after `body` whatever happens (a failed test leaves no run going). */
async function withPage(name, query, hooks, body) {
  const page = await openPage(session.browser.context, `${session.server.url}${query}`, name, 120_000, hooks);
  try {
    await body(page);
  } finally {
    await page.close();
  }
}

/** The page's one model worker. */
function modelWorker(page) {
  const workers = modelWorkers(page);
  assert.equal(workers.length, 1, 'one model worker');
  return workers[0];
}

// τ = 1 keeps few edges, so many receivers feed nothing and are skipped: the
// run after the loss takes half the passes, each slow on SwiftShader's WebGPU.
const GPU_SETTINGS = { ...SETTINGS, tau: 1 };

test('a WebGPU device lost mid-run: the page says so, loads the model again on a new device, and the next run equals the CLI’s', { timeout: 900_000 }, async () => {
  await withPage('faults-gpu-lost', faultQuery('webgpu', '1', GPU_SETTINGS), {}, async (page) => {
    assert.equal(await page.getByTestId('backend').getAttribute('data-backend'), 'webgpu', 'Chromium’s WebGPU (SwiftShader) is on');
    await runUntilUnderWay(page, 1);
    // As a driver reset or a GPU process gone would end it; wgpu is not asked.
    assert.equal(await modelWorker(page).evaluate(() => /** @type {any} */ (self).__circuitscopeTest.loseDevice()), true);
    const said = [/GPU device was lost/, /new GPU device if one can be had/, /settings are kept/];
    await recoversFrom(page, { code: 'gpu_lost', said, name: 'faults-gpu-lost', settings: GPU_SETTINGS, runTimeout: 600_000 });
    const badge = page.getByTestId('backend');
    const backend = await badge.getAttribute('data-backend');
    assert.ok(backend === 'webgpu' || (backend === 'cpu' && /GPU device was lost/.test(await badge.innerText())), `the badge says where it runs: ${backend}`);
  });
});

test('a worker gone without a word mid-run: the watchdog notices, the page says so and recovers', { timeout: 400_000 }, async () => {
  // A shorter floor for the watchdog: the dead worker is noticed in seconds, not half a minute.
  await withPage('faults-hung', faultQuery(), { watchdogMs: 10_000 }, async (page) => {
    await runUntilUnderWay(page);
    // Closed from inside: no error event, no message, as a killed process or a terminate() would leave it.
    await modelWorker(page).evaluate(() => void setTimeout(() => self.close(), 0));
    await recoversFrom(page, { code: 'worker_hung', said: [/stopped answering/, /restarted/, /settings are kept/], name: 'faults-hung' });
  });
});

// One thread, and the threaded build (its memory shared with the pool's workers, grown the same way).
for (const [build, threads] of [['one thread', ''], ['threads', '&threads=2']]) {
  test(`a wasm heap that is full (${build}): the run says it ran out of memory and what to do, and the next run equals the CLI’s`, { timeout: 400_000 }, async () => {
    const name = `faults-oom${threads ? '-threads' : ''}`;
    await withPage(name, `${faultQuery('cpu', 'max')}${threads}`, {}, async (page) => {
      const badge = await page.getByTestId('backend').innerText();
      assert.match(badge, threads ? /2 threads/ : /1 thread/);
      // Grown up to the browser's limit (pages reserved, not touched): the allocator has nowhere to grow.
      const heap = await modelWorker(page).evaluate(() => /** @type {any} */ (self).__circuitscopeTest.fillMemory());
      assert.ok(heap >= 3.5 * 2 ** 30, `the wasm heap grew to ${heap} bytes`);
      await page.getByTestId('run').click();
      await recoversFrom(page, { code: 'out_of_memory', said: [/ran out of memory/, /fewer rows/, /backend=webgpu/], name });
    });
  });
}
