// What the ACDC tests share: reading a playground's run off the page, waiting
// for it, the CLI's circuit.json for the same settings, comparing two circuits,
// and checking that no request left localhost.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { CLI_PATH, MODELS_DIR, ROOT } from './harness.mjs';

/** Metrics of the page and the CLI agree to this, relative (plus a floor for values near 0). */
export const METRIC_RTOL = 1e-4;
export const METRIC_ATOL = 1e-6;

/**
 * @typedef {{phase: string, remaining: number, tested: number, kept: number, passes: number}} RunView
 * What a playground shows of its run.
 */

/**
 * @param {import('playwright-core').Page | import('playwright-core').Locator} scope the page, or one <circuit-playground>
 * @returns {Promise<RunView>}
 */
export async function readRun(scope) {
  const value = async (id) => Number((await scope.getByTestId(id).getAttribute('data-value')) ?? Number.NaN);
  // One attribute at a time, while the run goes on: `tested` (which only grows)
  // is read before `remaining` (which only shrinks), so "tested ≥ n" implies
  // what n tested edges imply for `remaining` in the same reading.
  const phase = (await scope.getByTestId('stage').getAttribute('data-phase')) ?? '';
  const tested = await value('tested');
  const remaining = await value('remaining');
  return { phase, remaining, tested, kept: await value('kept'), passes: await value('passes') };
}

/**
 * Polls `readRun` every `interval` ms until `predicate` holds (a bench polls less, each poll being
 * a few calls into the page it measures).
 * @param {import('playwright-core').Page | import('playwright-core').Locator} scope
 * @param {(run: RunView) => boolean} predicate
 * @returns {Promise<RunView>}
 */
export async function waitRun(scope, predicate, timeout = 120_000, what = 'the run', interval = 100) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await readRun(scope);
    if (predicate(last)) return last;
    if (last.phase === 'failed') throw new Error(`${what}: the run failed (${JSON.stringify(last)})`);
    if (Date.now() > deadline) throw new Error(`${what}: timed out at ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * `circuitscope acdc …` with the page's settings; returns its circuit.json.
 * @param {{model: string, task: string, tau: number, metric: string, ablation: string, seed: number, indicesMode: string, namesMode: string, rows?: number}} s
 */
export function cliAcdc(s) {
  if (!existsSync(CLI_PATH)) {
    throw new Error(`no CLI at ${CLI_PATH}: cargo build the circuitscope binary, or set CIRCUITSCOPE_BIN`);
  }
  const dir = join(MODELS_DIR, s.model);
  const rel = relative(ROOT, dir);
  const temp = mkdtempSync(join(tmpdir(), 'circuitscope-cli-'));
  const out = join(temp, 'circuit.json');
  // A string of its own: the CLI's flags, as a reader would type them.
  const args = ['acdc', '--model', rel.startsWith('..') || isAbsolute(rel) ? dir : rel, '--task', s.task];
  args.push('--tau', String(s.tau), '--metric', s.metric, '--ablation', s.ablation, '--seed', String(s.seed));
  args.push('--indices-mode', s.indicesMode, '--names-mode', s.namesMode, '--out', out);
  if (s.rows !== undefined) args.push('--rows', String(s.rows));
  try {
    const run = spawnSync(CLI_PATH, args, { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    if (run.status !== 0) throw new Error(`circuitscope ${args.join(' ')} failed:\n${run.stderr || run.stdout}`);
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function close(a, b, what) {
  assert.ok(
    Math.abs(a - b) <= METRIC_RTOL * Math.max(Math.abs(a), Math.abs(b)) + METRIC_ATOL,
    `${what}: page ${a}, CLI ${b}`,
  );
}

const edgeKey = (e) => `${e.sender}[${e.sender_head ?? ''}]->${e.receiver}[${e.receiver_head ?? ''}]`;

/**
 * The page's circuit.json equals the CLI's: the same settings and counts, the
 * same tested sequence (edge and decision) with metrics within tolerance, the
 * same kept set. wall_time and forward_passes may differ.
 */
export function assertSameCircuit(page, cli) {
  assert.deepEqual(page.settings, cli.settings, 'settings');
  assert.deepEqual(page.graph, cli.graph, 'graph counts');
  close(page.initial_metric, cli.initial_metric, 'initial_metric');
  close(page.final_metric, cli.final_metric, 'final_metric');
  const seq = (c) => c.tested.map((t) => `${edgeKey(t)} ${t.removed ? 'removed' : 'kept'}`);
  assert.deepEqual(seq(page), seq(cli), 'tested sequence (edge, decision)');
  page.tested.forEach((t, i) => {
    const c = cli.tested[i];
    close(t.metric_before, c.metric_before, `tested[${i}] ${edgeKey(t)} metric_before`);
    close(t.metric_after, c.metric_after, `tested[${i}] ${edgeKey(t)} metric_after`);
  });
  assert.deepEqual(page.kept.map(edgeKey).sort(), cli.kept.map(edgeKey).sort(), 'kept set');
  assert.deepEqual(
    page.skipped.map((s) => `${s.receiver}[${s.receiver_head ?? ''}] ${s.edges_removed}`),
    cli.skipped.map((s) => `${s.receiver}[${s.receiver_head ?? ''}] ${s.edges_removed}`),
    'skipped receivers',
  );
}

/** @param {string[]} requests every URL the browser asked for */
export function assertAllLocal(requests) {
  assert.ok(requests.length > 0, 'no request was recorded');
  const local = (u) => {
    const url = new URL(u);
    if (url.protocol === 'data:' || url.protocol === 'blob:') return true;
    return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  };
  assert.deepEqual(requests.filter((u) => !local(u)), [], 'requests that left localhost');
}
