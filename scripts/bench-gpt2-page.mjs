// Measures ACDC on GPT-2 small's full shape in the page (reported, never asserted): what the
// threaded build buys where the products are large. A random checkpoint of GPT-2 small's own
// config (12 layers, d_model 768, the 50,257-token vocabulary: 550 MB of f32, written to a
// temporary folder) is picked with "Load weights from disk" (with the config and GPT-2's
// tokenizer); ACDC then runs on TASK (default `ioi`, the paper's GPT-2 rows) with ROWS of its rows
// (default 16: its own hundred need more than the page's 3.2 GB for this model) until EDGES edges
// (default 400: the output's 157 and into layer 11) are tested. Edges/s are counted from the first
// tested edge; the caches before it are timed apart.
// Each mode runs in a fresh browser on the served (cross-origin isolated) page: `threads` asks
// for a thread per core (`?threads=N`: the threaded build), `one` for one (the one-thread build),
// `default` asks for nothing (one fewer than the cores: on two cores, one thread).
// `circuitscope bench --gpt2-only` gives the CLI's edges/s on the same shape (random edges across
// the graph on 10 rows of 15 tokens: a reference, not a ratio).
// Run after `npm run build:web`:   [TASK=ioi] [ROWS=16] [EDGES=400] node scripts/bench-gpt2-page.mjs [threads] [one] [default]
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitRun } from '../tests/e2e/acdc.mjs';
import { randomGpt2 } from '../tests/e2e/gpt2-fixture.mjs';
import { launchBrowser, ROOT, startServer, waitSettled, writeBenchRecord } from '../tests/e2e/harness.mjs';

const modes = process.argv.length > 2 ? process.argv.slice(2) : ['threads', 'one'];
const ASKED = { threads: `&threads=${cpus().length}`, one: '&threads=1', default: '' };
const EDGES = Number(process.env.EDGES ?? 400);
const TASK = process.env.TASK ?? 'ioi';
const ROWS = Number(process.env.ROWS ?? 16);
const config = JSON.parse(readFileSync(join(ROOT, 'models/gpt2/config.json'), 'utf8'));
const temp = mkdtempSync(join(tmpdir(), 'circuitscope-gpt2-bench-'));
const files = ['config.json', 'model.safetensors', 'tokenizer.json'].map((f) => join(temp, f));
writeFileSync(files[0], JSON.stringify(config));
writeFileSync(files[1], randomGpt2(config, 99));
copyFileSync(join(ROOT, 'models/gpt2/tokenizer.json'), files[2]);

const server = await startServer();
const results = [];
try {
  for (const mode of modes) results.push(await bench(mode));
} finally {
  await server.close();
  rmSync(temp, { recursive: true, force: true });
}
console.log(`\nresults and the machine: ${writeBenchRecord('bench-gpt2-page', { task: TASK, rows: ROWS, edges: EDGES, results })}`);

/** Loads the checkpoint into a fresh page and times ACDC's first EDGES tested edges. */
async function bench(mode) {
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}?backend=cpu&speed=max&rows=${ROWS}${ASKED[mode] ?? ''}`);
    await waitSettled(page);
    const threads = Number(await page.getByTestId('backend').getAttribute('data-threads'));
    const loadStarted = Date.now();
    await page.getByTestId('weights-file').setInputFiles(files);
    await page.waitForFunction(() => {
      const facts = document.querySelector('circuit-playground')?.shadowRoot?.querySelector('[data-testid="model-facts"]');
      return /d_model 768\b/.test(facts?.textContent ?? '');
    }, undefined, { timeout: 600_000, polling: 500 });
    await waitSettled(page, 600_000);
    const loadS = (Date.now() - loadStarted) / 1000;
    await page.getByTestId('task').selectOption(TASK);
    await page.locator('[data-testid="sample-clean"]:visible').first().waitFor({ timeout: 120_000 });
    const runStarted = Date.now();
    await page.getByTestId('run').click();
    const first = await waitRun(page, (r) => r.tested >= 1, 600_000, 'the first tested edge').catch(async (error) => {
      const shown = await page.getByTestId('error').allInnerTexts().catch(() => []);
      throw new Error(`${error.message}; the page says: ${shown.join(' | ')}`);
    });
    const t0 = Date.now();
    const startS = (t0 - runStarted) / 1000;
    const run = await waitRun(page, (r) => r.tested >= first.tested + EDGES, 1_800_000, `${EDGES} tested edges`, 500);
    const seconds = (Date.now() - t0) / 1000;
    const edgesPerS = (run.tested - first.tested) / seconds;
    console.log(
      `${mode} (${threads} thread${threads === 1 ? '' : 's'}): load ${loadS.toFixed(1)} s; caches to the first tested edge ` +
        `${startS.toFixed(1)} s; ${run.tested - first.tested} edges in ${seconds.toFixed(1)} s: ${edgesPerS.toFixed(2)} edges/s`,
    );
    return { mode, threads, loadS, startS, tested: run.tested - first.tested, seconds, edgesPerS };
  } finally {
    await browser.close();
  }
}
