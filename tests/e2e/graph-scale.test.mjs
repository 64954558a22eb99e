// The graph on a laptop (1280×800) at every size: ioi (10 columns of 4) and
// docstring (6 columns of 8) fill the panel with labels of 12 px that are not
// squeezed; an attention layer collapses into one box with merged edges (its
// heads counted), stays collapsed while a run goes on, and expands back to the
// same picture; and on GPT-2's width (12 heads a layer, 2 of its layers to stay
// quick; all 12 are measured by scripts/bench-graph.mjs; a random stand-in,
// gpt2-fixture.mjs) the pointer hovers the edge drawn under it. Screenshots of
// each land in tests/e2e/artifacts/ (graph-*.png).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { waitRun } from './acdc.mjs';
import { GPT2_SHAPE, randomGpt2, routeGpt2 } from './gpt2-fixture.mjs';
import { ARTIFACTS, pageSession, waitSettled } from './harness.mjs';
import { hoverAnEdge, textSizes } from './view.mjs';

/** GPT-2 small's 12 heads a layer, 2 layers of them (678 edges). */
const WIDE = { ...GPT2_SHAPE, n_layer: 2 };

const session = pageSession({
  async setup() {
    await routeGpt2(session.browser.context, WIDE, randomGpt2(WIDE, 7));
  },
});

/** @param {string} query */
async function open(query) {
  const page = await session.browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${session.server.url}?backend=cpu&${query}`);
  await waitSettled(page);
  return page;
}

/** The panel's room and what is drawn in it (px), and its labels: their on-screen size and whether any is squeezed. */
async function measure(page) {
  const scroller = page.getByTestId('graph');
  const room = await scroller.evaluate((s) => ({ width: s.clientWidth, maxHeight: parseFloat(getComputedStyle(s).maxHeight) }));
  const drawn = await scroller.locator('.graph-stage').boundingBox();
  const sizes = await textSizes(page, '.node-label, .column-label');
  const squeezed = await scroller.locator('text.node-label[textLength]').count();
  return { room, drawn, sizes, squeezed };
}

/** @type {[string, number][]} */
const MODELS = [
  ['ioi', 10],
  ['docstring-4l', 6],
];
for (const [model, columns] of MODELS) {
  test(`${model} fills the panel at 1280×800 with readable labels`, { timeout: 180_000 }, async () => {
    const page = await open(`model=${model}`);
    assert.equal(await page.locator('.column-label').count(), columns);
    const { room, drawn, sizes, squeezed } = await measure(page);
    assert.ok(drawn, 'the graph is drawn');
    assert.ok(drawn.width >= room.width * 0.9 && drawn.width <= room.width + 1, `width ${drawn.width} of ${room.width}`);
    assert.ok(drawn.height >= room.maxHeight * 0.85 && drawn.height <= room.maxHeight + 1, `height ${drawn.height} of ${room.maxHeight}`);
    assert.ok(sizes.length > columns, `${sizes.length} labels`);
    assert.deepEqual(sizes.filter((s) => s.px < 11.95), [], 'labels under 12 px');
    assert.equal(squeezed, 0, 'no label squeezed to fit its box');
    await page.getByTestId('graph-panel').screenshot({ path: `${ARTIFACTS}/graph-${model}-1280x800.png` });
    await page.close();
  });
}

test('a layer collapses into one box with merged edges, stays so during a run, and expands back the same', { timeout: 240_000 }, async () => {
  const page = await open('model=ioi&speed=max');
  const panel = page.getByTestId('graph-panel');
  const canvas = page.locator('canvas.edge-layer');
  const picture = () => canvas.evaluate((c) => /** @type {HTMLCanvasElement} */ (c).toDataURL());
  const boxes = () => page.locator('.node rect').evaluateAll((rs) => rs.map((r) => ['x', 'y', 'width', 'height'].map((a) => r.getAttribute(a)).join(' ')));
  const drawnEdges = async () => Number(await panel.getAttribute('data-drawn-edges'));
  const before = { edges: await drawnEdges(), boxes: await boxes(), picture: await picture() };
  assert.equal(before.edges, Number(await panel.getAttribute('data-edges')), 'every edge drawn as itself');

  await page.locator('[data-testid="layer-toggle"][data-layer="1"]').click();
  const merged = page.getByTestId('layer-node');
  await merged.waitFor();
  assert.equal(await merged.getAttribute('data-heads'), '4');
  assert.match(await merged.innerText().catch(() => merged.textContent()) ?? '', /A1\.\*\s*×4/);
  assert.equal(await page.locator('[data-testid="head"][data-key^="head:1:"]').count(), 0, 'layer 1’s heads are one box');
  const collapsed = await drawnEdges();
  assert.ok(collapsed < before.edges, `edges merged: ${collapsed} < ${before.edges}`);
  assert.equal(await panel.getAttribute('data-collapsed'), '1');
  // The merged box's tooltip speaks for the four heads.
  await merged.hover();
  await page.getByTestId('tooltip').and(page.locator('[data-box="layer:1"]')).waitFor({ timeout: 5_000 });
  await page.mouse.move(1, 1);
  await panel.screenshot({ path: `${ARTIFACTS}/graph-ioi-collapsed.png` });

  // A run redraws the graph many times: the layer stays collapsed.
  await page.getByTestId('run').click();
  await waitRun(page, (r) => r.tested >= 10, 120_000, 'the ioi run');
  assert.equal(await panel.getAttribute('data-collapsed'), '1');
  assert.equal(await drawnEdges(), collapsed);
  // The SVG export draws what the panel shows: the merged box and its merged edges.
  const exported = await exportedSvg(page);
  assert.equal(paths(exported), collapsed, 'one path per drawn edge');
  assert.match(exported, />A1 ×4</);
  await page.getByTestId('reset').click();
  await waitRun(page, (r) => r.tested === 0, 60_000, 'the reset');

  // Expanded (by its box): the same boxes, edges and picture as before.
  await merged.click();
  await page.locator('[data-testid="head"][data-key="head:1:0"]').waitFor();
  assert.equal(await panel.getAttribute('data-collapsed'), '');
  assert.equal(await drawnEdges(), before.edges);
  assert.deepEqual(await boxes(), before.boxes);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.equal(await picture(), before.picture, 'the same edges drawn');
  const expanded = await exportedSvg(page);
  assert.equal(paths(expanded), before.edges, 'expanded, every edge exported as itself');
  assert.doesNotMatch(expanded, />A1 ×4</);
  await page.close();
});

/** The graph as the results bar's SVG download. */
async function exportedSvg(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
  return readFileSync(await download.path(), 'utf8');
}

/** How many edges an exported SVG draws. */
const paths = (svg) => (svg.match(/<path /g) ?? []).length;

test('GPT-2’s width: 12 heads a layer drawn, and the pointer hovers the edge under it', { timeout: 300_000 }, async () => {
  const page = await open('');
  await page.locator('[data-model="gpt2"]').getByTestId('remote-load').click();
  const panel = page.getByTestId('graph-panel');
  await panel.and(page.locator('[data-edges="678"]')).waitFor({ timeout: 240_000 });
  await waitSettled(page, 240_000);
  await page.getByTestId('graph-panel').screenshot({ path: `${ARTIFACTS}/graph-gpt2-shape-1280x800.png` });
  const tip = await hoverAnEdge(page, page, 'left');
  assert.equal(tip.hovered, tip.edge, 'the tooltip describes the hovered edge');
  // The hovered edge is painted over the rest in the text colour: some pixel near the pointer has it.
  const near = await page.locator('canvas.edge-layer').evaluate((c, at) => {
    const canvas = /** @type {HTMLCanvasElement} */ (c);
    const rect = canvas.getBoundingClientRect();
    const ratio = canvas.width / rect.width;
    const ctx = canvas.getContext('2d');
    const text = getComputedStyle(canvas.closest('[data-testid="graph-panel"]') ?? canvas).getPropertyValue('--text').trim();
    const probe = document.createElement('canvas').getContext('2d');
    if (!ctx || !probe) return null;
    probe.fillStyle = text;
    probe.fillRect(0, 0, 1, 1);
    const want = probe.getImageData(0, 0, 1, 1).data;
    const r = Math.ceil(8 * ratio);
    const data = ctx.getImageData(Math.round((at.x - rect.left) * ratio) - r, Math.round((at.y - rect.top) * ratio) - r, 2 * r + 1, 2 * r + 1).data;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - want[0]) + Math.abs(data[i + 1] - want[1]) + Math.abs(data[i + 2] - want[2]) < 30 && data[i + 3] > 200) return true;
    }
    return false;
  }, tip.at);
  assert.equal(near, true, `the hovered edge ${tip.edge} is drawn at the pointer`);
  await page.close();
});
