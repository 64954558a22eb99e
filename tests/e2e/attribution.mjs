// What the attribution tests share: running a method in the page and waiting
// for its scores and its faithfulness curve, reading the numbers the page
// shows, downloading what it exports, the CLI's `attribute` and
// `faithfulness` for the same inputs, and comparing the two
// (docs/methods.md: scores within 1e-5 + 1e-3·max|score|).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { CLI_PATH, MODELS_DIR, ROOT } from './harness.mjs';

/** MIB's sizes (www/src/generated/wire.ts FRACTIONS). */
export const FRACTIONS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0];

/** Metrics (and so f, CPR, CMD) of the page (wasm) and the CLI (native) agree to this, relative, plus a floor. */
export const RTOL = 1e-4;
export const ATOL = 1e-5;

/**
 * Runs the settings' method (the page's Run button) and waits until its
 * scores are in and its whole faithfulness curve is judged.
 * @param {import('playwright-core').Page} page
 * @param {string} method exact | eap | eap-ig
 */
export async function runAttribution(page, method, timeout = 180_000) {
  await page.waitForSelector('[data-testid="run"]:enabled', { timeout });
  await page.getByTestId('run').click();
  await waitAttribution(page, method, timeout);
}

/** Waits for the run of `method` to be done and its curve (CPR) judged. */
export async function waitAttribution(page, method, timeout = 180_000) {
  await page.waitForSelector('[data-testid="stage"]:is([data-phase="done"], [data-phase="failed"])', { timeout });
  assert.equal(await page.getByTestId('stage').getAttribute('data-phase'), 'done', (await visibleError(page)) ?? 'the run failed');
  await page.waitForSelector(`[data-testid="cpr"][data-method="${method}"]:not([data-value=""])`, { timeout });
}

/** @param {import('playwright-core').Page} page */
export async function visibleError(page) {
  const error = page.getByTestId('error');
  return (await error.isVisible()) ? error.innerText() : null;
}

/**
 * The curve the page shows for `method`: every point's numbers and CPR, CMD.
 * @param {import('playwright-core').Page} page
 */
export async function readCurve(page, method) {
  const points = await page.$$eval(`[data-testid="faithfulness-point"][data-method="${method}"]`, (cells) =>
    cells.map((c) => ({
      fraction: Number(c.getAttribute('data-fraction')),
      n: Number(c.getAttribute('data-n')),
      edges: Number(c.getAttribute('data-edges')),
      metric: Number(c.getAttribute('data-metric')),
      f: Number(c.getAttribute('data-f')),
    })),
  );
  const value = async (testid) =>
    Number(await page.locator(`[data-testid="${testid}"][data-method="${method}"]`).getAttribute('data-value'));
  return { points, cpr: await value('cpr'), cmd: await value('cmd') };
}

/**
 * Clicks an export button and parses the JSON file it downloads.
 * @param {import('playwright-core').Page} page
 */
export async function downloadJson(page, testid, filename) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  assert.equal(download.suggestedFilename(), filename);
  return JSON.parse(readFileSync(await download.path(), 'utf8'));
}

/** `models/<id>` as the CLI is given it (relative to the repository when it is inside). */
function modelArg(model) {
  const dir = isAbsolute(model) ? model : join(MODELS_DIR, model);
  const rel = relative(ROOT, dir);
  return rel.startsWith('..') || isAbsolute(rel) ? dir : rel;
}

/**
 * Runs the CLI with `args` plus files written for it: `files` maps a flag to a
 * JSON value written to a temporary file (`--data`, `--scores`, `--circuit`);
 * `out` names a flag whose file is read back as the result.
 * @param {string[]} args
 * @param {Record<string, unknown>} files
 * @param {string | null} out
 */
function cli(args, files = {}, out = null) {
  if (!existsSync(CLI_PATH)) throw new Error(`no CLI at ${CLI_PATH}: cargo build the circuitscope binary, or set CIRCUITSCOPE_BIN`);
  const temp = mkdtempSync(join(tmpdir(), 'circuitscope-attr-'));
  try {
    const full = [...args];
    for (const [flag, value] of Object.entries(files)) {
      const path = join(temp, `${flag.replace(/^-+/, '')}.json`);
      writeFileSync(path, JSON.stringify(value));
      full.push(flag, path);
    }
    const outPath = join(temp, 'out.json');
    if (out) full.push(out, outPath);
    const run = spawnSync(CLI_PATH, full, { cwd: ROOT, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
    if (run.status !== 0) throw new Error(`circuitscope ${full.join(' ')} failed:\n${run.stderr || run.stdout}`);
    return { stdout: run.stdout, stderr: run.stderr, out: out ? JSON.parse(readFileSync(outPath, 'utf8')) : null };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * The flags that pick the data, metric and ablation.
 * @param {{model: string, task?: string, data?: object, metric?: string, ablation?: string, seed?: number}} s
 * @returns {{args: string[], files: Record<string, unknown>}}
 */
function dataArgs({ model, task, data, metric, ablation, seed }) {
  const args = ['--model', modelArg(model)];
  if (task) args.push('--task', task);
  if (metric) args.push('--metric', metric);
  if (ablation) args.push('--ablation', ablation);
  if (seed !== undefined) args.push('--seed', String(seed));
  return { args, files: data ? { '--data': data } : {} };
}

/**
 * `circuitscope attribute … --out scores.json`: the scores file, and what it printed on stderr.
 * @param {{model: string, task?: string, data?: object, method: string, metric?: string, ablation?: string, steps?: number, seed?: number}} s
 */
export function cliAttribute(s) {
  const { args, files } = dataArgs(s);
  args.unshift('attribute');
  args.push('--method', s.method);
  if (s.steps !== undefined) args.push('--steps', String(s.steps));
  const run = cli(args, files, '--out');
  return { scores: run.out, stderr: run.stderr };
}

/**
 * `circuitscope faithfulness …` of scores or of one circuit: its JSON from stdout.
 * @param {{model: string, task?: string, data?: object, metric?: string, ablation?: string, seed?: number, scores?: object, circuit?: object}} s
 */
export function cliFaithfulness(s) {
  const { args, files } = dataArgs(s);
  args.unshift('faithfulness');
  if (s.scores) files['--scores'] = s.scores;
  if (s.circuit) files['--circuit'] = s.circuit;
  const { stdout } = cli(args, files);
  return JSON.parse(stdout.slice(stdout.indexOf('{')));
}

export function close(a, b, what, rtol = RTOL, atol = ATOL) {
  assert.ok(Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + atol, `${what}: page ${a}, CLI ${b}`);
}

const edgeKey = (e) => `${e.sender}[${e.sender_head ?? ''}]->${e.receiver}[${e.receiver_head ?? ''}]`;

/**
 * Two scores.json files agree: the same settings and graph, the same edges,
 * every score within 1e-5 + 1e-3·max|score| (the crate's tolerance against its
 * torch reference).
 */
export function assertSameScores(page, cli) {
  assert.deepEqual(page.settings, cli.settings, 'settings');
  assert.deepEqual(page.graph, cli.graph, 'graph counts');
  assert.equal(typeof page.wall_time, 'number', 'wall_time');
  assert.equal(page.forward_passes, cli.forward_passes, 'forward passes');
  assert.equal(page.backward_passes, cli.backward_passes, 'backward passes');
  assert.deepEqual(page.edges.map(edgeKey), cli.edges.map(edgeKey), 'the same edges in the same order');
  const max = Math.max(...cli.edges.map((e) => Math.abs(e.score)));
  const tolerance = 1e-5 + 1e-3 * max;
  page.edges.forEach((e, i) => {
    const want = cli.edges[i].score;
    assert.ok(Math.abs(e.score - want) <= tolerance, `${edgeKey(e)}: page ${e.score}, CLI ${want} (tolerance ${tolerance})`);
  });
}

/** The page's curve equals `circuitscope faithfulness`'s: each size's edges and f, and CPR, CMD. */
export function assertSameCurve(page, cli) {
  assert.deepEqual(
    page.points.map((p) => p.fraction),
    cli.points.map((p) => p.fraction),
    'the sizes',
  );
  page.points.forEach((p, i) => {
    const c = cli.points[i];
    assert.equal(p.n, c.n, `size ${c.fraction}: edges asked for`);
    assert.equal(p.edges, c.edges, `size ${c.fraction}: edges after pruning`);
    close(p.metric, c.metric, `size ${c.fraction}: M(C)`);
    close(p.f, c.f, `size ${c.fraction}: f`);
  });
  close(page.cpr, cli.cpr, 'CPR');
  close(page.cmd, cli.cmd, 'CMD');
}

/**
 * `circuitscope acdc --data data.json …`: ACDC on a person's own rows; its circuit.json.
 * @param {{model: string, data: object, tau: number, metric: string, ablation: string, seed?: number}} s
 */
export function cliAcdcData(s) {
  const { args, files } = dataArgs(s);
  args.unshift('acdc');
  args.push('--tau', String(s.tau));
  return cli(args, files, '--out').out;
}
