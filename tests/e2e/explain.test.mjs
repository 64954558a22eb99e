// The page explains itself on a laptop screen (1280×900), for someone who has
// never heard of ACDC: before a run, what a box, an edge and τ are; during it,
// each decision in words and then numbers, from the run's own events (checked
// here against the circuit.json the run exports: the same edges by the same
// names, the same Δ); at the end, what was found (the heads of the kept
// edges, the final metric against τ), announced in a live region. The graph,
// the explanation, the chart and the selected head are on screen together;
// tooltips stay inside the viewport, highlight their edge and speak plainly
// first; τ says why it is locked during a run and offers a re-run, whose
// result is compared with the previous one; the keyboard reaches Run first.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readRun, waitRun } from './acdc.mjs';
import { ARTIFACTS, openPage, pageSession, waitSettled } from './harness.mjs';
import { assertInViewport, circuitHeads, edgeWords, focused, hoverAnEdge, prose, proseDelta } from './view.mjs';

const session = pageSession();
const MINUS = '\u2212';

/** What the explanation shows now. */
async function explanation(page) {
  const box = page.getByTestId('explanation');
  return {
    kind: await box.getAttribute('data-kind'),
    edge: await box.getAttribute('data-edge'),
    delta: Number(await box.getAttribute('data-delta')),
    headline: await page.getByTestId('explain-headline').innerText(),
    detail: await page.getByTestId('explain-detail').innerText(),
    progress: await page.getByTestId('explain-progress').innerText(),
  };
}

test('a first run on a laptop screen explains itself, in view, with the run’s own numbers', { timeout: 300_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'explain-laptop');
  await page.setViewportSize({ width: 1280, height: 900 });

  // The keyboard: a skip link first, then Run; the big download comes after every setting.
  const stops = [];
  for (let i = 0; i < 40 && !stops.includes('remote-load'); i++) {
    await page.keyboard.press('Tab');
    stops.push(await focused(page));
  }
  const at = (id) => stops.indexOf(id);
  assert.equal(at('skip-link'), 0, stops.join(' '));
  // The header's Lessons menu comes first on the full page; then Run, before any setting.
  assert.equal(at('run'), at('lessons-button') === 1 ? 2 : 1, `Run is the first stop after the header: ${stops.join(' ')}`);
  for (const [a, b] of [
    ['run', 'model-select'],
    ['model-select', 'task'],
    ['task', 'tau-slider'],
    ['tau-slider', 'tau'],
    ['tau', 'metric'],
    ['names', 'remote-load'],
  ]) {
    assert.ok(at(a) >= 0 && at(a) < at(b), `${a} before ${b}: ${stops.join(' ')}`);
  }
  await page.getByTestId('skip-link').focus();
  await page.keyboard.press('Enter');
  assert.equal(await focused(page), 'run', 'the skip link puts the keyboard on Run');
  // "Load GPT-2 small" is a secondary button: not the accent colour Run has.
  const colour = (id) => page.getByTestId(id).first().evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.notEqual(await colour('remote-load'), await colour('run'));

  // Before a run: what the picture is.
  const intro = await explanation(page);
  assert.equal(intro.kind, 'intro');
  assert.match(intro.headline, /each line is an edge, a path by which one part’s output reaches a later part/);
  assert.match(intro.detail, /query \(q\), key \(k\) and value \(v\)/);
  assert.match(intro.detail, /If KL rises by less than τ = 0\.05, the edge stays removed; otherwise it is kept\./);
  // Each head's three ports are lettered.
  assert.deepEqual(
    await page.locator('[data-key="head:1:3"] .port-label').allTextContents(),
    ['q', 'k', 'v'],
  );
  // The counts say what they count.
  assert.equal(await page.getByTestId('remaining').locator('xpath=..').locator('dt').innerText(), 'not decided yet');
  assert.equal(await page.getByTestId('kept').locator('xpath=..').locator('dt').innerText(), 'kept (circuit)');

  // Step by step: each decision shown, from its event.
  await page.getByTestId('step').click();
  const shown = [];
  for (;;) {
    const run = await waitRun(page, (r) => r.phase === 'paused' && r.tested >= shown.length + 1, 60_000, 'a step');
    await page.waitForFunction(
      (n) => {
        const root = document.querySelector('circuit-playground')?.shadowRoot;
        return root?.querySelector('[data-testid="explanation"]')?.getAttribute('data-kind') === 'tested' &&
          root?.querySelector('[data-testid="explain-progress"]')?.textContent?.startsWith(`So far: ${n} of`);
      },
      run.tested,
    );
    shown.push({ tested: run.tested, ...(await explanation(page)) });
    if (shown.length >= 6 && shown.some((s) => /keeps it/.test(s.headline)) && shown.some((s) => /stays removed/.test(s.headline))) break;
    if (shown.length > 40) break;
    await page.getByTestId('step').click();
  }

  // On screen together: the graph, the explanation, the chart.
  for (const id of ['graph-panel', 'explanation', 'metric-chart', 'run']) await assertInViewport(page, page.getByTestId(id), id);

  // τ during a run: why it is fixed, and a re-run at a new τ.
  assert.match(await page.getByTestId('tau-note').innerText(), /Locked for the run in progress: every one of its decisions compares an edge’s effect with τ = 0\.05/);
  assert.equal(await page.getByTestId('tau').isEnabled(), true, 'τ can be changed for a re-run');
  assert.equal(await page.getByTestId('metric').isEnabled(), false, 'the other settings are fixed');
  await page.getByTestId('tau').fill('0.1');
  await page.getByTestId('tau').press('Enter');
  assert.equal(await page.getByTestId('tau-rerun').innerText(), 'Re-run at τ = 0.1');
  assert.match(await page.getByTestId('explain-notice').innerText(), /The run in progress uses τ = 0\.05 for every decision; τ is now 0\.1\./);
  assert.equal((await readRun(page)).phase, 'paused', 'changing τ does not touch the run in progress');

  // A tooltip near the right edge: inside the viewport, its edge highlighted, plain words before hook names.
  const tip = await hoverAnEdge(page, page, 'right');
  await assertInViewport(page, page.getByTestId('tooltip'), 'the edge tooltip');
  assert.equal(tip.hovered, tip.edge, 'the hovered edge is highlighted');
  assert.ok(tip.box && tip.box.width >= 240, `the tooltip keeps its width: ${JSON.stringify(tip.box)}`);
  const hooks = tip.paragraphs.findIndex((p) => /blocks\.|hook_/.test(p));
  assert.equal(hooks, tip.paragraphs.length - 1, `hook names come last: ${JSON.stringify(tip.paragraphs)}`);
  assert.match(tip.paragraphs[1], /^(What .* writes|Inside head)/);
  assert.match(tip.paragraphs[2], /^Removing it /);
  await page.screenshot({ path: `${ARTIFACTS}/layout-1280x900-tooltip.png` });
  // A head's tooltip at the right of the graph stays inside too.
  await page.locator('[data-testid="head"][data-key="head:1:7"]').hover();
  await page.getByTestId('tooltip').and(page.locator('[data-box="head:1:7"]')).waitFor({ timeout: 5_000 });
  await assertInViewport(page, page.getByTestId('tooltip'), 'the head tooltip');
  await page.mouse.move(2, 2);

  // To the end, at the run's τ (0.05).
  await page.getByTestId('speed').selectOption('max');
  await page.getByTestId('run').click(); // Resume
  const done = await waitRun(page, (r) => r.phase === 'done', 120_000, 'the end of the run');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const circuit = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(circuit.settings.tau, 0.05);

  // The words were the run's: each step named the edge the run tested, with its Δ.
  for (const s of shown) {
    const t = circuit.tested[s.tested - 1];
    const name = edgeWords(t);
    assert.ok(s.headline.startsWith(`Removing ${name} `), `step ${s.tested}: “${s.headline}” names ${name}`);
    assert.ok(Math.abs(s.delta - (t.metric_after - t.metric_before)) < 1e-9, `step ${s.tested}: Δ ${s.delta} vs ${t.delta}`);
    assert.ok(s.detail.includes(`Δ = ${proseDelta(t.metric_after - t.metric_before)}`), `step ${s.tested}: ${s.detail}`);
    assert.ok(s.detail.includes(`KL ${prose(t.metric_before)} → ${prose(t.metric_after)}`), `step ${s.tested}: ${s.detail}`);
    assert.equal(/keeps it/.test(s.headline), !t.removed, `step ${s.tested}: kept or removed`);
  }

  // The end: what was found, in words, with the run's heads and numbers.
  const end = await explanation(page);
  assert.equal(end.kind, 'summary');
  const heads = circuitHeads(circuit);
  assert.equal(await page.getByTestId('explanation').getAttribute('data-heads'), heads.join(' '));
  assert.equal(
    end.headline,
    `ACDC found the circuit: ${circuit.kept.length} of the 305 edges, the paths the model needs for this task.`,
  );
  assert.equal(done.kept, circuit.kept.length);
  assert.match(end.detail, new RegExp(`It uses ${heads.length} of the 16 heads: `));
  assert.ok(end.detail.includes(`KL is ${prose(circuit.final_metric)} (full model: ${prose(circuit.initial_metric)}; lower is better)`), end.detail);
  assert.match(end.detail, /τ limits each removal, not their sum/);
  const strongest = [...circuit.tested].filter((t) => !t.removed).sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta))[0];
  assert.ok(end.detail.includes(`Strongest kept: ${edgeWords(strongest)} (Δ = ${proseDelta(strongest.metric_after - strongest.metric_before)})`), end.detail);
  // Announced: the status line is a polite live region, and it says what was found.
  const status = page.getByTestId('status');
  assert.equal(await status.getAttribute('role'), 'status');
  assert.equal(await status.getAttribute('aria-live'), 'polite');
  assert.match(await status.innerText(), new RegExp(`ACDC is done: ${circuit.kept.length} of 305 edges kept \\(the circuit\\)`));
  // The chart ends where the run ended, with the full model and τ marked, lower being better.
  const chart = page.getByTestId('metric-chart');
  assert.equal(Number(await chart.getAttribute('data-x-max')), done.tested);
  assert.equal(await chart.locator('[data-rule="baseline"]').count(), 1);
  assert.equal(await chart.locator('[data-rule="tau"]').count(), 1);
  assert.match(await chart.locator('.plot-axis-title').allTextContents().then((t) => t.join(' ')), /lower is better/);

  // A head clicked: its attention, on screen with the rest.
  await page.evaluate(() => window.scrollTo(0, 0)); // the export button is below the fold
  await page.locator('[data-testid="head"][data-key="head:1:4"]').click();
  await page.waitForSelector('[data-testid="attention"][data-state="shown"]', { timeout: 30_000 });
  await page.mouse.move(2, 2);
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'clicking a head scrolls nothing');
  await page.screenshot({ path: `${ARTIFACTS}/layout-1280x900.png` });
  for (const id of ['graph-panel', 'explanation', 'metric-chart', 'attention']) await assertInViewport(page, page.getByTestId(id), id);
  await page.screenshot({ path: `${ARTIFACTS}/layout-1280x900.png` });

  // The re-run at τ 0.1, compared with the run at τ 0.05.
  assert.match(await page.getByTestId('explain-notice').innerText(), /This run used τ = 0\.05 for every decision; τ is now 0\.1\./);
  await page.getByTestId('rerun').click();
  // The comparison is written when the re-run is done.
  const compare = page.getByTestId('compare-diff');
  await compare.and(page.locator('[data-both]')).waitFor({ timeout: 120_000 });
  const again = await readRun(page);
  assert.equal(again.phase, 'done');
  assert.equal(await chart.getAttribute('data-previous'), 'shown', 'the previous curve is drawn under the new one');
  assert.equal(await chart.locator('[data-line="previous"]').count(), 1);
  const n = async (name) => Number(await compare.getAttribute(name));
  assert.equal((await n('data-both')) + (await n('data-only-previous')), done.kept, 'the previous circuit');
  assert.equal((await n('data-both')) + (await n('data-only-current')), again.kept, 'the new circuit');
  assert.match(await compare.innerText(), /kept at both τ = 0\.05 and τ = 0\.1/);
  assert.equal(await page.getByTestId('explain-notice').isVisible(), false, 'the run shown is the form’s τ again');
  await page.getByTestId('compare').screenshot({ path: `${ARTIFACTS}/layout-compare.png` });
  await page.close();
});

test('a negative metric keeps its minus sign; a flat one gets a readable axis', { timeout: 240_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu&model=greater-than&autorun=1&speed=max`, 'explain-minus');
  await page.setViewportSize({ width: 1280, height: 900 });
  await waitRun(page, (r) => r.phase === 'done', 180_000, 'the greater-than run');
  const ticks = await page.locator('[data-testid="metric-chart"] .plot-axis-y .tick text').allTextContents();
  assert.ok(ticks.length >= 2, ticks.join(' '));
  assert.ok(ticks.every((t) => t.startsWith(MINUS) || t === '0'), `every y tick of a negative metric has "−": ${ticks.join(' ')}`);
  assert.ok(ticks.every((t) => !t.includes('-')), `no hyphen for a minus: ${ticks.join(' ')}`);
  assert.ok((await page.getByTestId('current-metric').innerText()).startsWith(MINUS));
  assert.match(await page.locator('[data-testid="metric-chart"] .plot-axis-title').allTextContents().then((t) => t.join(' ')), /−prob diff of the circuit \(lower is better\)/);
  assert.match(await page.getByTestId('metric-caption').innerText(), /negated, so that lower is better/);
  const summary = await page.getByTestId('explain-detail').innerText();
  assert.match(summary, /−probability difference is −0\.\d+, against −0\.\d+ for the full model \(lower is better/);
  await page.getByTestId('metric-chart').screenshot({ path: `${ARTIFACTS}/layout-chart-negative.png` });

  // tracr-hist's metric stays 0: its axis spans τ, not 1e-9.
  await page.getByTestId('model-select').selectOption('tracr-hist');
  await waitSettled(page);
  await page.waitForSelector('[data-testid="run"]:enabled', { timeout: 60_000 });
  await page.getByTestId('run').click();
  await waitRun(page, (r) => r.phase === 'done', 60_000, 'the tracr-hist run');
  const chart = page.getByTestId('metric-chart');
  const span = Number(await chart.getAttribute('data-y-max')) - Number(await chart.getAttribute('data-y-min'));
  assert.ok(span >= 1e-3, `the y axis spans ${span}`);
  const flat = await chart.locator('.plot-axis-y .tick text').allTextContents();
  assert.equal(new Set(flat).size, flat.length, `distinct ticks: ${flat.join(' ')}`);
  await page.close();
});
