// Measures what a visitor waits for and downloads, and the page against the CLI (reported, never
// asserted): a cold load of the default page to the first tested edge on the local server; the
// gzip transfer size of everything the first screen loads; the page's full ACDC run (circuit.json's
// wall_time: time in the wasm calls) beside the CLI's for the same settings, and their ratio.
// Run after `npm run build:web` (scripts/build-wasm.sh first), with a CLI built:
//   node scripts/bench-page.mjs [cpu|auto|webgpu]
// CIRCUITSCOPE_BIN picks the CLI (default: the release build, else the debug one).
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cliAcdc, waitRun } from '../tests/e2e/acdc.mjs';
import { DEFAULT_MODEL, launchBrowser, startServer } from '../tests/e2e/harness.mjs';

const backend = process.argv[2] ?? 'cpu';
if (!process.env.CIRCUITSCOPE_BIN) {
  const target = process.env.CARGO_TARGET_DIR ?? `${process.env.HOME}/.cache/circuitscope/target`;
  const release = `${target}/release/circuitscope`;
  process.env.CIRCUITSCOPE_BIN = existsSync(release) ? release : `${target}/debug/circuitscope`;
}
const server = await startServer();
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  let raw = 0;
  let gzip = 0;
  const sizes = [];
  page.context().on('response', async (response) => {
    try {
      const body = await response.body();
      raw += body.length;
      const z = gzipSync(body, { level: 9 }).length;
      gzip += z;
      sizes.push([z, new URL(response.url()).pathname]);
    } catch {
      // Redirects and aborted requests have no body.
    }
  });
  const started = Date.now();
  await page.goto(`${server.url}?backend=${backend}&autorun=1&speed=max`);
  await waitRun(page, (r) => r.tested >= 1, 120_000, 'the first tested edge');
  const firstEvent = Date.now() - started;
  const shown = await page.getByTestId('backend').innerText().catch(() => backend);
  const firstScreen = gzip;
  const done = await waitRun(page, (r) => r.phase === 'done', 600_000, 'the page’s run');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const pageCircuit = JSON.parse(readFileSync(await download.path(), 'utf8'));
  sizes.sort((a, b) => b[0] - a[0]);

  const s = pageCircuit.settings;
  const cli = cliAcdc({
    model: DEFAULT_MODEL,
    task: 'induction',
    tau: s.tau,
    metric: s.metric,
    ablation: s.ablation,
    seed: s.seed,
    indicesMode: s.indices_mode ?? 'normal',
    namesMode: s.names_mode ?? 'normal',
  });
  console.log(`backend ${backend} (${shown.replace(/\s+/g, ' ').trim()}); CLI ${process.env.CIRCUITSCOPE_BIN}`);
  console.log(`first tested edge ${(firstEvent / 1000).toFixed(2)} s after navigation (target < 2 s)`);
  console.log(`first screen: ${(firstScreen / 1e6).toFixed(2)} MB gzip; everything: ${(gzip / 1e6).toFixed(2)} MB gzip, ${(raw / 1e6).toFixed(2)} MB raw (target ≤ 3.5 MB gzip)`);
  for (const [z, path] of sizes.slice(0, 6)) console.log(`  ${(z / 1e3).toFixed(1).padStart(8)} kB gzip  ${path}`);
  const same = cli.kept.length === pageCircuit.kept.length;
  console.log(
    `full ACDC run (${DEFAULT_MODEL}, τ ${s.tau}, ${done.tested} edges tested): page ${pageCircuit.wall_time.toFixed(2)} s, ` +
      `CLI ${cli.wall_time.toFixed(2)} s, ratio ${(pageCircuit.wall_time / cli.wall_time).toFixed(2)}× (target ≤ 2×); ` +
      `${same ? 'same' : 'DIFFERENT'} kept count (${pageCircuit.kept.length})`,
  );
} finally {
  await browser.close();
  await server.close();
}
