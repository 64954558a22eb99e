// Small pure parts of the page: where a tooltip goes (never out of the
// viewport), what an embed shows (`show`), and when an embed prefers the CPU
// to a software-emulated or slow WebGPU.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { importSrc } from './load-ts.mjs';

let tooltip;
let options;
let probe;
before(async () => {
  tooltip = await importSrc('graph/edge-tooltip.ts');
  options = await importSrc('state/element-options.ts');
  probe = await importSrc('state/gpu-probe.ts');
});

const viewport = { width: 390, height: 844 };
const size = { width: 300, height: 200 };
const inside = (at) => at.left >= 8 && at.top >= 8 && at.left + size.width <= viewport.width - 8 && at.top + size.height <= viewport.height - 8;

test('a tooltip goes right of its anchor, else left, else inside the viewport; below, else above', () => {
  const right = tooltip.placeTooltip({ left: 20, top: 100, width: 0, height: 0 }, size, { width: 1280, height: 900 });
  assert.deepEqual([right.left, right.top, right.side], [32, 112, 'right']);
  const left = tooltip.placeTooltip({ left: 1200, top: 100, width: 0, height: 0 }, size, { width: 1280, height: 900 });
  assert.deepEqual([left.left, left.side], [1200 - 12 - 300, 'left']);
  const up = tooltip.placeTooltip({ left: 20, top: 850, width: 0, height: 0 }, size, { width: 1280, height: 900 });
  assert.equal(up.top, 850 - 12 - 200);
  // A phone: neither side has room; it stays on screen.
  for (const x of [0, 100, 200, 389]) {
    for (const y of [0, 400, 843]) assert.ok(inside(tooltip.placeTooltip({ left: x, top: y, width: 0, height: 0 }, size, viewport)), `${x},${y}`);
  }
  // A box near the right edge: the tooltip goes to its left, level with its top.
  const box = tooltip.placeTooltip({ left: 1100, top: 300, width: 60, height: 30 }, size, { width: 1280, height: 900 });
  assert.deepEqual([box.left, box.top, box.side], [1100 - 12 - 300, 300, 'left']);
});

test('`show` lists what a compact playground adds to its default', () => {
  assert.deepEqual([...options.parseShow(null)], []);
  assert.deepEqual([...options.parseShow('stats, Settings nonsense')].sort(), ['settings', 'stats']);
  assert.deepEqual([...options.parseShow('all')].sort(), [...options.SHOW_PARTS].sort());
});

test('an embed takes the CPU where WebGPU is software-emulated, missing, failing or slow', async () => {
  const device = { destroy() {} };
  const gpu = (adapter, delay = 0) => ({
    requestAdapter: () => new Promise((resolve) => setTimeout(() => resolve(adapter), delay)),
  });
  const hardware = { info: { isFallbackAdapter: false, architecture: 'ampere' }, requestDevice: async () => device };
  assert.deepEqual(await probe.probeGpu(gpu(hardware)), { cpu: false, reason: null });
  assert.equal((await probe.probeGpu(undefined)).cpu, false, 'no WebGPU at all: the worker falls back by itself');
  const swiftshader = { info: { isFallbackAdapter: true, architecture: 'swiftshader' }, requestDevice: async () => device };
  assert.match((await probe.probeGpu(gpu(swiftshader))).reason, /software-emulated/);
  const legacy = { isFallbackAdapter: true, requestDevice: async () => device };
  assert.equal((await probe.probeGpu(gpu(legacy))).cpu, true, 'the older adapter.isFallbackAdapter');
  assert.equal((await probe.probeGpu(gpu(null))).cpu, true);
  const slow = await probe.probeGpu(gpu(hardware, 200), 50);
  assert.deepEqual([slow.cpu, /to start/.test(slow.reason)], [true, true]);
  const failing = { requestAdapter: async () => { throw new Error('lost'); } };
  assert.equal((await probe.probeGpu(failing)).cpu, true);
});
