// Measures the graph at GPT-2 small's size (reported, never asserted): a random checkpoint of
// GPT-2's shape (12 layers of 12 heads: 32,923 edges; a tiny body, tests/e2e/gpt2-fixture.mjs)
// served in place of the real weights and loaded with "Load GPT-2 small" into a 1280×800 page;
// then frames/s while ACDC runs on it (edges fading out as they are removed: every frame
// repaints), and hovering: the time the page's pointermove handler takes at points across the
// graph (its spatial index, then the tooltip), and frames/s while the mouse sweeps the graph.
// Run after `npm run build:web`:   node scripts/bench-graph.mjs [layers]
// `layers` (default 12) trims the shape.
import { GPT2_SHAPE, randomGpt2, routeGpt2 } from '../tests/e2e/gpt2-fixture.mjs';
import { waitRun } from '../tests/e2e/acdc.mjs';
import { ARTIFACTS, launchBrowser, startServer, waitSettled } from '../tests/e2e/harness.mjs';

/** Frames the page paints in `ms` (requestAnimationFrame callbacks), and the longest gap between two. */
function countFrames(page, ms) {
  return page.evaluate(
    (ms) =>
      new Promise((resolve) => {
        const times = [];
        const start = performance.now();
        const tick = (t) => {
          times.push(t);
          if (t - start < ms) requestAnimationFrame(tick);
          else {
            const gaps = times.slice(1).map((t, i) => t - times[i]);
            resolve({ fps: ((times.length - 1) * 1000) / (times[times.length - 1] - times[0]), worst: Math.max(...gaps) });
          }
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

const layers = Number(process.argv[2] ?? 12);
const shape = { ...GPT2_SHAPE, n_layer: layers };
const server = await startServer();
const browser = await launchBrowser();
try {
  await routeGpt2(browser.context, shape, randomGpt2(shape, 7));
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${server.url}?backend=cpu&speed=max`);
  await waitSettled(page);
  const loadStart = Date.now();
  await page.locator('[data-model="gpt2"]').getByTestId('remote-load').click();
  const panel = page.getByTestId('graph-panel');
  await page.locator('[data-testid="model-facts"]', { hasText: `n_layers ${layers} ` }).waitFor({ timeout: 3_600_000 });
  await waitSettled(page, 3_600_000);
  const edges = Number(await panel.getAttribute('data-edges'));
  const loaded = (Date.now() - loadStart) / 1000;
  const zoom = Number(await panel.getAttribute('data-zoom'));
  const idle = await countFrames(page, 3000);

  // Hovering: the pointermove handler, timed in the page at points across the graph.
  const hover = await page.getByTestId('graph').evaluate((scroller) => {
    const stage = scroller.querySelector('.graph-stage');
    const rect = scroller.getBoundingClientRect();
    const times = [];
    let hits = 0;
    const panel = scroller.closest('[data-testid="graph-panel"]');
    for (let i = 0; i < 400; i++) {
      const x = rect.left + 4 + ((i * 37) % 97) / 97 * (rect.width - 8);
      const y = rect.top + 4 + ((i * 61) % 89) / 89 * (rect.height - 8);
      const t = performance.now();
      stage.dispatchEvent(new PointerEvent('pointermove', { clientX: x, clientY: y, bubbles: true }));
      times.push(performance.now() - t);
      if (panel.dataset.hovered) hits++;
    }
    times.sort((a, b) => a - b);
    return { median: times[200], p95: times[380], max: times[399], hits };
  });
  const box = await page.getByTestId('graph').boundingBox();
  const [sweepFrames] = await Promise.all([
    countFrames(page, 3000),
    (async () => {
      for (let i = 0; i < 60 && box; i++) await page.mouse.move(box.x + 10 + ((box.width - 20) * i) / 59, box.y + box.height * (0.2 + 0.6 * ((i % 7) / 6)));
    })(),
  ]);
  await page.mouse.move(1, 1);

  // A run: edges removed in a stream, each fading out over 600 ms.
  await page.getByTestId('run').click();
  await waitRun(page, (r) => r.tested >= 1, 900_000, 'the first tested edge');
  const running = await countFrames(page, 5000);
  const tested = await page.getByTestId('run-stats').innerText();
  // To look at: the large graph's settled layer (settled-layer.ts) under the edges in motion.
  await page.getByTestId('graph').screenshot({ path: `${ARTIFACTS}/bench-graph-running.png` });
  await waitRun(page, (r) => r.phase === 'done', 300_000, 'the run’s end').catch(() => undefined);
  await page.waitForTimeout(1500);
  await page.getByTestId('graph').screenshot({ path: `${ARTIFACTS}/bench-graph-done.png` });

  console.log(`GPT-2 small's shape, ${layers} layers of 12 heads (${edges} edges), 1280×800, headless Chromium: loaded and drawn ${loaded.toFixed(1)} s after the click; fitted at ${Math.round(zoom * 100)} %`);
  console.log(`idle: ${idle.fps.toFixed(1)} frames/s`);
  console.log(`hover (pointermove handler, 400 points): median ${hover.median.toFixed(2)} ms, 95th ${hover.p95.toFixed(2)} ms, max ${hover.max.toFixed(2)} ms; ${hover.hits} over an edge`);
  console.log(`mouse sweeping the graph: ${sweepFrames.fps.toFixed(1)} frames/s (longest frame ${sweepFrames.worst.toFixed(0)} ms)`);
  console.log(`ACDC running (edges fading out): ${running.fps.toFixed(1)} frames/s (longest frame ${running.worst.toFixed(0)} ms); ${tested.replace(/\s+/g, ' ')}`);
} finally {
  await browser.close();
  await server.close();
}
