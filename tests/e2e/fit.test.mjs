// The page fits each reader: a phone (390×844: model, task and τ before the
// graph, labels of 12 px or more, counts that do not push the graph down,
// tooltips inside the screen), a blog's 736-px column (two compact demos of
// a reserved size: no layout shift as they load and run; graph, one-line
// explanation, Run/Step and the chart by default, more on request; the CPU
// where WebGPU is only emulated), and the app in a 720×520 iframe
// (`?embed=1`), all of it on screen. Screenshots of each land in
// tests/e2e/artifacts/.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitRun } from './acdc.mjs';
import { ARTIFACTS, pageSession, waitSettled } from './harness.mjs';
import { assertInViewport, hoverAnEdge, layoutShift, recordLayoutShifts, textSizes } from './view.mjs';

const session = pageSession();

/** CLS over this fails: "good" is 0.1; a reserved embed should shift nothing. */
const MAX_LAYOUT_SHIFT = 0.01;

test('on a phone: model, task and τ before the graph, readable labels, tooltips on screen', { timeout: 240_000 }, async () => {
  const page = await session.browser.context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${session.server.url}?backend=cpu&autorun=1&speed=max`);
  await waitSettled(page);
  const top = async (id) => (await page.getByTestId(id).boundingBox())?.y ?? Number.NaN;
  const graphTop = await top('graph-panel');
  for (const id of ['model-select', 'task', 'tau', 'run']) {
    assert.ok((await top(id)) < graphTop, `${id} comes before the graph (y ${await top(id)} < ${graphTop})`);
  }
  assert.ok((await top('model-select')) < (await top('task')) && (await top('task')) < (await top('tau')), 'model, then task, then τ');
  await waitRun(page, (r) => r.phase === 'done', 120_000, 'the phone’s run');
  // Nothing wider than the screen.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling');
  // The counts: one or two lines.
  const stats = await page.getByTestId('run-stats').boundingBox();
  assert.ok(stats && stats.height <= 52, `the counts take ${stats?.height} px`);
  // Every label on the graph, the chart, the counts and the legend: 12 px or more on screen.
  const sizes = await textSizes(page, '.node-label, .column-label, .plot text, .stat dt, .stat dd, .legend-item, .explain p');
  assert.ok(sizes.length > 30, `${sizes.length} labels measured`);
  const small = sizes.filter((s) => s.px < 11.95);
  assert.deepEqual(small, [], 'labels under 12 px');
  await page.getByTestId('graph-panel').scrollIntoViewIfNeeded();
  const tip = await hoverAnEdge(page, page, 'right');
  await assertInViewport(page, page.getByTestId('tooltip'), 'the tooltip on a phone');
  assert.equal(tip.hovered, tip.edge);
  await page.locator('[data-testid="head"][data-key="head:1:7"]').hover();
  await page.getByTestId('tooltip').and(page.locator('[data-box="head:1:7"]')).waitFor({ timeout: 5_000 });
  await assertInViewport(page, page.getByTestId('tooltip'), 'a head’s tooltip on a phone');
  await page.mouse.move(1, 1);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${ARTIFACTS}/layout-390x844.png` });
  await page.screenshot({ path: `${ARTIFACTS}/layout-390x844-full.png`, fullPage: true });
  await page.close();
});

test('in a 736-px blog column: two compact demos of reserved size, nothing shifts', { timeout: 300_000 }, async () => {
  const page = await session.browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await recordLayoutShifts(page);
  await page.goto(`${session.server.url}embed-example.html`);
  const widgets = page.locator('circuit-playground');
  const first = widgets.nth(0);
  const column = await page.locator('article').evaluate((a) => a.clientWidth - parseFloat(getComputedStyle(a).paddingLeft) - parseFloat(getComputedStyle(a).paddingRight));
  assert.equal(Math.round(column), 736, 'the article column');
  const heights = () => widgets.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().height)));
  const before = await heights();
  await waitRun(first, (r) => r.tested >= 20, 120_000, 'the first demo');
  assert.deepEqual(await heights(), before, 'the demos keep their size as they load and run');
  assert.equal(before[0], 520);
  const shift = await layoutShift(page);
  assert.ok(shift < MAX_LAYOUT_SHIFT, `layout shift ${shift}`);

  // The compact default: graph, one-line explanation, Run/Step, the chart; no toolbar, counts, exports or loaders.
  for (const id of ['run', 'step', 'graph', 'metric-chart', 'explain-line']) {
    assert.equal(await first.getByTestId(id).isVisible(), true, `${id} is shown`);
  }
  for (const id of ['run-stats', 'export-json', 'remote-load', 'model-select', 'reset', 'speed', 'explain-headline', 'attention']) {
    assert.equal(await first.getByTestId(id).isVisible(), false, `${id} is not shown by default`);
  }
  const line = await first.getByTestId('explain-line').evaluate((p) => ({ height: p.getBoundingClientRect().height, line: parseFloat(getComputedStyle(p).lineHeight) }));
  assert.ok(line.height <= 2 * line.line + 1, `the explanation takes at most two lines: ${JSON.stringify(line)}`);
  // The line follows the run at reading pace (one decision at a time, each left up a moment): wait for a decision.
  const decision = /^(Removing .* → .*: KL (rises|falls) by .* τ 0\.05, so it is (kept|removed)\.|.* feeds nothing that is kept: .*)$/;
  const explain = first.getByTestId('explain-line');
  for (let i = 0; i < 300 && !decision.test(await explain.innerText()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(await explain.innerText(), decision);
  // Where WebGPU is emulated (SwiftShader, here), the demo runs on the CPU and says why.
  const fallback = await page.evaluate(async () => {
    // @ts-ignore: navigator.gpu
    const adapter = await navigator.gpu?.requestAdapter();
    return adapter ? Boolean(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter) : null;
  });
  if (fallback) {
    assert.equal(await first.getByTestId('backend').getAttribute('data-backend'), 'cpu');
    assert.match((await first.getByTestId('backend').getAttribute('title')) ?? '', /software-emulated/);
  }
  // A tooltip at the right of the demo stays on screen.
  await first.scrollIntoViewIfNeeded();
  await hoverAnEdge(page, first, 'right');
  await assertInViewport(page, first.getByTestId('tooltip'), 'the embed’s tooltip');
  await page.mouse.move(1, 1);
  await first.screenshot({ path: `${ARTIFACTS}/layout-blog-736.png` });
  await page.screenshot({ path: `${ARTIFACTS}/layout-blog-page.png` });

  // More on request: `show` adds the counts and the settings.
  await page.evaluate(() => {
    const more = document.createElement('circuit-playground');
    for (const [k, v] of Object.entries({ model: 'induction-2l', tau: '0.05', backend: 'cpu', show: 'stats settings controls' })) more.setAttribute(k, v);
    more.id = 'more';
    document.querySelector('article')?.append(more);
  });
  const more = page.locator('#more');
  await more.scrollIntoViewIfNeeded();
  await more.locator('[data-testid="status"][data-state="ready"]').waitFor({ timeout: 90_000 });
  for (const id of ['run-stats', 'compact-settings', 'reset', 'speed']) assert.equal(await more.getByTestId(id).isVisible(), true, `show: ${id}`);
  await page.close();
});

test('?embed=1 in a 720×520 frame: everything on screen', { timeout: 180_000 }, async () => {
  const page = await session.browser.context.newPage();
  await page.setViewportSize({ width: 720, height: 520 });
  await recordLayoutShifts(page);
  await page.goto(`${session.server.url}?embed=1&backend=cpu&autorun=1&speed=max`);
  await waitRun(page, (r) => r.phase === 'done', 120_000, 'the embedded app’s run');
  assert.ok(await page.evaluate(() => document.documentElement.scrollHeight <= 520), 'no scrolling');
  for (const id of ['run', 'step', 'graph-panel', 'explain-line', 'metric-chart']) await assertInViewport(page, page.getByTestId(id), id);
  assert.match(await page.getByTestId('explain-line').innerText(), /^Done: \d+ of 305 edges kept, through A/);
  const shift = await layoutShift(page);
  assert.ok(shift < MAX_LAYOUT_SHIFT, `layout shift ${shift}`);
  await page.screenshot({ path: `${ARTIFACTS}/layout-embed-720x520.png` });
  await page.close();
});
