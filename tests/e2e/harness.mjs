// What every end-to-end test needs: the built page served by `vite preview` on
// a free localhost port, a fresh headless Chromium (Debian's, never a
// downloaded one: README.md#the-two-commands), the page's every request
// recorded, the CLI as the reference, and screenshots under tests/e2e/artifacts/.
//
// Environment:
//   CHROMIUM_PATH            browser binary (default /usr/lib/chromium/chromium)
//   CIRCUITSCOPE_BIN         the native CLI (default $CARGO_TARGET_DIR/debug/circuitscope,
//                            CARGO_TARGET_DIR defaulting to /root/.cache/circuitscope/target)
//   CIRCUITSCOPE_MODELS_DIR  the models folder (default <repo>/models); the page's
//                            server reads the same variable (www/vite.config.ts)
//   CIRCUITSCOPE_E2E_PROMPT  the prompt to predict (default: the first candidate the CLI accepts)

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { after, before } from 'node:test';
import { preview } from 'vite';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');
export const MODELS_DIR = resolve(process.env.CIRCUITSCOPE_MODELS_DIR ?? join(ROOT, 'models'));
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
export const CLI_PATH =
  process.env.CIRCUITSCOPE_BIN ??
  join(process.env.CARGO_TARGET_DIR ?? '/root/.cache/circuitscope/target', 'debug/circuitscope');

/** Flags for a quiet headless run with WebGPU (through SwiftShader, Chromium's CPU Vulkan, on a machine without a GPU). */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

/** How many next-token candidates the page shows (playground.ts TOP_K). */
export const TOP_K = 10;

/** Probabilities of the page and the CLI agree to this (absolute). */
export const PROB_TOLERANCE = 1e-4;

/**
 * Serves www/dist with `vite preview` (and so /models/ from MODELS_DIR) on a
 * free port of 127.0.0.1.
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 */
export async function startServer() {
  if (!existsSync(join(ROOT, 'www/dist/index.html'))) {
    throw new Error('www/dist/ is missing: build the page first (npm run build:web)');
  }
  const server = await preview({
    configFile: join(ROOT, 'www/vite.config.ts'),
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not say where it listens');
  return { url, close: () => server.close() };
}

/**
 * A fresh Chromium profile that records every request its pages make
 * (workers' included).
 * @returns {Promise<{context: import('playwright-core').BrowserContext, requests: string[], close: () => Promise<void>}>}
 */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'circuitscope-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 900 },
  });
  /** @type {string[]} */
  const requests = [];
  context.on('request', (request) => requests.push(request.url()));
  return {
    context,
    requests,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the page, keeps its console in `artifacts/<name>.log`, and waits
 * until its first model is loaded (or it settled on an error).
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} url
 * @param {string} name  used for the log file
 * @param {number} timeout ms
 * @param {Record<string, unknown>} [testHooks]  turns on the page's test hooks (www/src/test-hooks.ts) with these settings
 */
export async function openPage(context, url, name, timeout = 120_000, testHooks) {
  const page = await context.newPage();
  if (testHooks) await page.addInitScript((hooks) => Object.assign(globalThis, { __circuitscopeTest: hooks }), testHooks);
  const log = [];
  const stamp = () => new Date().toISOString().slice(11, 23);
  page.on('console', (m) => log.push(`${stamp()} console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`${stamp()} pageerror: ${e.message}`));
  page.on('worker', (w) => w.on('console', (m) => log.push(`${stamp()} worker.${m.type()}: ${m.text()}`)));
  page.on('close', () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, `${name}.log`), `${log.join('\n')}\n`);
  });
  await page.goto(url);
  await waitSettled(page, timeout);
  return page;
}

/**
 * Serves the app page to `context` as a host without COOP/COEP headers would (a static host, or a
 * site embedding it): not cross-origin isolated, so no SharedArrayBuffer and no threads.
 * @param {import('playwright-core').BrowserContext} context
 */
export async function serveWithoutIsolation(context) {
  await context.route(
    (url) => url.pathname === '/',
    async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers['cross-origin-opener-policy'];
      delete headers['cross-origin-embedder-policy'];
      await route.fulfill({ response, headers });
    },
  );
}

/**
 * The page's model workers (one per playground), without the threaded wasm build's pool workers
 * (wasm-bindgen-rayon's `workerHelpers`, which a model worker starts when the page is cross-origin
 * isolated).
 * @param {import('playwright-core').Page} page
 */
export function modelWorkers(page) {
  return page.workers().filter((worker) => !/\/workerHelpers[^/]*\.js$/.test(new URL(worker.url()).pathname));
}

/**
 * Waits for the status line to leave starting/loading/busy.
 * @param {import('playwright-core').Page} page
 */
export async function waitSettled(page, timeout = 120_000) {
  await page.waitForSelector('[data-testid="status"]:is([data-state="ready"], [data-state="failed"])', {
    timeout,
  });
}

/**
 * Types `prompt`, presses Enter, and reads what the page shows.
 * @param {import('playwright-core').Page} page
 * @param {string} prompt
 * @returns {Promise<{tokens: number[], top: {id: number, prob: number}[], error: string | null}>}
 */
export async function predictOnPage(page, prompt, timeout = 120_000) {
  await page.waitForSelector('[data-testid="predict"]:enabled', { timeout });
  await page.getByTestId('prompt').fill(prompt);
  await page.getByTestId('prompt').press('Enter');
  await waitSettled(page, timeout);
  const error = page.getByTestId('error');
  return {
    tokens: await page.$$eval('[data-testid="tokens"] [data-token-id]', (chips) =>
      chips.map((c) => Number(c.getAttribute('data-token-id'))),
    ),
    top: await readTop(page),
    error: (await error.isVisible()) ? await error.innerText() : null,
  };
}

/** @param {import('playwright-core').Page} page */
export function readTop(page) {
  return page.$$eval('[data-testid="top-row"]', (rows) =>
    rows.map((r) => ({ id: Number(r.getAttribute('data-token-id')), prob: Number(r.getAttribute('data-prob')) })),
  );
}

/** @param {import('playwright-core').Page} page @param {string} name */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * @typedef {{id: string, name: string, config: Record<string, unknown>, hasTokenizer: boolean, card: string}} ModelEntry
 * One entry of /models/index.json (www/src/models/model-index.ts).
 */

/**
 * The page's model list, as the server generates it.
 * @param {string} url
 * @returns {Promise<ModelEntry[]>}
 */
export async function fetchIndex(url) {
  const response = await fetch(new URL('models/index.json', url));
  assert.equal(response.status, 200, 'GET /models/index.json');
  return response.json();
}

/** package.json's `circuitscope.defaultModel`, the page's default too. */
export const DEFAULT_MODEL =
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).circuitscope?.defaultModel ?? 'induction-2l';

/**
 * The model the tests predict with: the default model when listed, else the
 * first listed model with a tokenizer (undefined when there is none).
 * @param {ModelEntry[]} index
 */
export function testModel(index) {
  const usable = index.filter((m) => m.hasTokenizer);
  return usable.find((m) => m.id === DEFAULT_MODEL) ?? usable[0];
}

/**
 * `circuitscope run --model models/<id> --prompt … --top k --json`.
 * @returns {{ok: true, prediction: {tokens: {id: number, text: string}[], top: {id: number, token: string, prob: number}[]}} | {ok: false, message: string}}
 */
export function cliPredict(model, prompt, k = TOP_K) {
  if (!existsSync(CLI_PATH)) {
    throw new Error(`no CLI at ${CLI_PATH}: cargo build the circuitscope binary, or set CIRCUITSCOPE_BIN`);
  }
  const dir = join(MODELS_DIR, model);
  const rel = relative(ROOT, dir);
  const modelArg = rel.startsWith('..') || isAbsolute(rel) ? dir : rel;
  const run = spawnSync(CLI_PATH, ['run', '--model', modelArg, '--prompt', prompt, '--top', String(k), '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) return { ok: false, message: `${run.stderr || run.stdout}`.trim() || `exit ${run.status}` };
  return { ok: true, prediction: parseJsonOutput(run.stdout) };
}

function parseJsonOutput(stdout) {
  try {
    return JSON.parse(stdout);
  } catch {
    const line = stdout.split('\n').findLast((l) => l.trim().startsWith('{'));
    if (line === undefined) throw new Error(`the CLI printed no JSON:\n${stdout}`);
    return JSON.parse(line);
  }
}

/**
 * A prompt the model's tokenizer accepts, with its CLI prediction: the env's,
 * else the first candidate the CLI accepts (a few generic ones, then words of
 * the tokenizer's own vocabulary).
 */
export function choosePrompt(model) {
  const candidates = process.env.CIRCUITSCOPE_E2E_PROMPT
    ? [process.env.CIRCUITSCOPE_E2E_PROMPT]
    : [
        'cat dog sun cat dog',
        'A B C D A B C',
        'a b c d a b c',
        'ABCDABC',
        '1 2 3 4 1 2 3',
        'The cat sat on the mat. The cat',
        ...vocabularyPrompts(join(MODELS_DIR, model, 'tokenizer.json')),
      ];
  const failures = [];
  for (const prompt of candidates) {
    const result = cliPredict(model, prompt);
    if (result.ok && result.prediction.tokens.length >= 2) return { prompt, expected: result.prediction };
    failures.push(`${JSON.stringify(prompt)}: ${result.ok ? 'fewer than 2 tokens' : result.message}`);
  }
  throw new Error(`the CLI accepted none of these prompts for ${model}:\n${failures.join('\n')}`);
}

/** Prompts made of plain alphanumeric tokens of a tokenizer.json's vocabulary. */
function vocabularyPrompts(path) {
  if (!existsSync(path)) return [];
  const vocab = JSON.parse(readFileSync(path, 'utf8')).model?.vocab;
  const tokens = Array.isArray(vocab) ? vocab.map((entry) => entry[0]) : Object.keys(vocab ?? {});
  const words = tokens.filter((t) => /^[A-Za-z0-9]+$/.test(t)).slice(0, 4);
  if (words.length < 2) return [];
  const cycle = [...words, ...words.slice(0, -1)];
  return [cycle.join(' '), cycle.join('')];
}

/**
 * The page's top-k equals the CLI's: the same probabilities rank by rank
 * within PROB_TOLERANCE, and the same ids except where two probabilities tie.
 * @param {{id: number, prob: number}[]} actual
 * @param {{id: number, prob: number}[]} expected
 */
export function assertSameTop(actual, expected, tolerance = PROB_TOLERANCE) {
  assert.equal(actual.length, expected.length, 'number of top tokens');
  actual.forEach((row, rank) => {
    const want = expected[rank];
    assert.ok(
      Math.abs(row.prob - want.prob) <= tolerance,
      `rank ${rank + 1}: page p=${row.prob} (id ${row.id}), CLI p=${want.prob} (id ${want.id})`,
    );
    if (row.id !== want.id) {
      const twin = expected.find((e) => e.id === row.id);
      const tied = Math.abs((twin ?? expected[expected.length - 1]).prob - want.prob) <= tolerance;
      assert.ok(tied, `rank ${rank + 1}: page id ${row.id}, CLI id ${want.id}, and their probabilities do not tie`);
    }
  });
}

/**
 * The built page's server and one fresh browser for a test file: started
 * before its tests, closed after them. `setup` runs once both are up and
 * `teardown` before they close (one hook each: Node 20 does not wait for one
 * top-level `before` hook before starting the next). Read `server` and
 * `browser` inside tests or those callbacks; before that they throw.
 * @param {{setup?: () => Promise<void> | void, teardown?: () => Promise<void> | void}} [hooks]
 */
export function pageSession({ setup, teardown } = {}) {
  /** @type {Awaited<ReturnType<typeof startServer>> | undefined} */
  let server;
  /** @type {Awaited<ReturnType<typeof launchBrowser>> | undefined} */
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    await setup?.();
  });
  after(async () => {
    try {
      await teardown?.();
    } finally {
      await browser?.close();
      await server?.close();
    }
  });
  const started = (/** @type {string} */ what) => new Error(`pageSession: the ${what} starts in the file's before hook`);
  return {
    get server() {
      if (!server) throw started('server');
      return server;
    },
    get browser() {
      if (!browser) throw started('browser');
      return browser;
    },
  };
}

/**
 * Writes a bench script's figures to tests/e2e/artifacts/`name`.json with the date and the
 * machine (cores, CPU, load: a bench's numbers mean nothing without them); returns the path.
 * @param {string} name
 * @param {Record<string, unknown>} figures
 */
export function writeBenchRecord(name, figures) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = `${ARTIFACTS}/${name}.json`;
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: loadavg() };
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine, ...figures }, null, 2));
  return file;
}
