// The charts' pieces (www/src/charts/): numbers with the minus sign "−"
// (U+2212, never a hyphen, never dropped), tick labels from d3's scales, and
// y domains that never collapse around a flat line.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { importSrc } from './load-ts.mjs';

let format;
let plot;
before(async () => {
  format = await importSrc('charts/format.ts');
  plot = await importSrc('charts/plot.ts');
});

const MINUS = '\u2212';

test('metric values and changes keep their sign, written "−"', () => {
  assert.equal(format.formatMetric(-11.7911), `${MINUS}11.7911`);
  assert.equal(format.formatMetric(0.9934), '0.9934');
  assert.equal(format.formatMetric(-2.5e-7), `${MINUS}2.50e${MINUS}7`);
  assert.equal(format.formatDelta(0.31), '+0.3100');
  assert.equal(format.formatDelta(-0.0042), `${MINUS}0.0042`);
  assert.equal(format.formatShort(-11.7911), `${MINUS}11.8`);
  assert.equal(format.formatShortDelta(0.0229), '+0.0229');
  assert.equal(format.formatShortDelta(-0.01), `${MINUS}0.01`);
  assert.equal(format.formatTau(0.05), '0.05');
  assert.equal(format.formatCount(124416), '124,416');
  assert.equal(format.formatCount(85_054_464), '85,054,464');
  assert.equal(format.formatCount(999), '999');
  for (const text of [format.formatMetric(-3), format.formatShort(-3), format.formatDelta(-3)]) {
    assert.ok(!text.includes('-'), `no hyphen-minus in ${text}`);
  }
});

test('tick labels of a negative domain carry "−"', async () => {
  const { scaleLinear } = await import('d3-scale');
  const scale = scaleLinear().domain([-12, -5]).range([0, 100]);
  const ticks = scale.ticks(5).map(format.tickFormatter(scale, 5));
  assert.ok(ticks.length >= 3, ticks.join(' '));
  for (const t of ticks) assert.ok(t.startsWith(MINUS), `tick ${t}`);
  const tiny = scaleLinear().domain([0, 2e-6]).range([0, 100]);
  assert.ok(tiny.ticks(4).map(format.tickFormatter(tiny, 4)).every((t) => t === '0' || /e/.test(t)), 'tiny values in e-notation');
});

test('a flat line still gets a y domain of some height', () => {
  const [lo, hi] = plot.paddedDomain([0, 0, 0]);
  assert.ok(hi - lo >= 1, `${lo}..${hi}`);
  const [a, b] = plot.paddedDomain([0, 0, 0], [0, 0.001]);
  assert.equal(a, 0, 'a metric that is never negative gets no negative axis');
  assert.ok(b > 0.001 && b < 0.002, `${a}..${b}`);
  const [c, d] = plot.paddedDomain([-0.93, -0.85, -0.82], [-0.93, -0.92]);
  assert.ok(c < -0.93 && d > -0.82 && d <= 0, `${c}..${d}`);
});
