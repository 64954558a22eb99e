// Walking a lesson as a student: open it, wait for each step's setup, do
// what its question needs on the page (predict, run, step, sweep, compile,
// open a head), answer — right, from the oracles, or wrong, chosen against
// them — check, read the feedback, screenshot the step, go on to the end.
// Every wait is on the page's state, never on a clock.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitRun } from './acdc.mjs';
import { ARTIFACTS } from './harness.mjs';

export const PHONE = { width: 390, height: 844 };

/** CIRCUITSCOPE_E2E_TRACE=1 prints each step of a walk (to follow a slow run). */
const trace = (...what) => {
  if (process.env.CIRCUITSCOPE_E2E_TRACE) console.error(new Date().toISOString().slice(11, 19), ...what);
};

/** The page's answer set equal to the oracle's (order aside), or numbers within `tolerance`. */
export function sameValue(page, oracle, tolerance = 1e-4) {
  if (typeof oracle === 'number') return typeof page === 'number' && Math.abs(page - oracle) <= tolerance * Math.max(1, Math.abs(oracle));
  if (Array.isArray(oracle)) return Array.isArray(page) && [...page].sort().join('|') === [...oracle].sort().join('|');
  return page === oracle;
}

async function stepScreenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const feedback = page.getByTestId('feedback');
  if (await feedback.count()) await feedback.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** Does what the question's unmet needs ask, until none is left. */
async function doNeeds(page) {
  for (let round = 0; round < 10; round++) {
    const unmet = page.locator('[data-testid="needs"] li[data-met="false"]');
    if ((await unmet.count()) === 0) return;
    const text = (await unmet.first().getAttribute('data-need')) ?? '';
    trace('need:', text.split('\n')[0]);
    if (/Predict the next token/.test(text)) {
      await page.getByTestId('predict').click();
    } else if (/Run ACDC to the end/.test(text)) {
      await page.getByTestId('speed').selectOption('max');
      await page.getByTestId('run').click();
      await waitRun(page, (r) => r.phase === 'done', 600_000, 'the lesson run');
    } else if (/Test (one edge|(\d+) edges)/.test(text)) {
      const n = Number(/Test (\d+) edges/.exec(text)?.[1] ?? 1);
      for (;;) {
        const run = await waitRun(page, (r) => r.phase === 'paused' || r.phase === 'idle', 120_000, 'a paused run');
        if (run.tested >= n) break;
        await page.getByTestId('step').click();
        await waitRun(page, (r) => r.phase === 'paused' && r.tested > run.tested, 120_000, 'one more edge');
      }
    } else if (/Finish runs at/.test(text)) {
      await page.getByTestId('run-sweep').click();
      await page.waitForSelector('[data-testid="run-sweep"]:enabled', { timeout: 900_000 });
    } else if (/Change the program and compile it/.test(text)) {
      await page.getByTestId('put-program').click();
      await page.getByTestId('rasp-compile').click();
      await page.waitForSelector('[data-testid="rasp-note"]:has-text("is the current model")', { timeout: 120_000 });
      await page.waitForSelector('[data-testid="stage"][data-phase="idle"]');
    } else if (/Compile the program/.test(text)) {
      await page.getByTestId('rasp-compile').click();
      await page.waitForSelector('[data-testid="rasp-note"]:has-text("is the current model")', { timeout: 120_000 });
    } else if (/Open head (A\d+\.\d+)/.test(text)) {
      const [, l, h] = /Open head A(\d+)\.(\d+)/.exec(text) ?? [];
      await page.locator(`[data-testid="head"][data-key="head:${l}:${h}"]`).click();
    } else {
      throw new Error(`no way to do "${text}"`);
    }
    await page.waitForFunction(
      (before) => {
        const host = document.querySelector('circuit-playground')?.shadowRoot;
        const items = host ? Array.from(host.querySelectorAll('[data-testid="needs"] li[data-met="false"]')) : [];
        return items.length === 0 || items[0].getAttribute('data-need') !== before;
      },
      text,
      { timeout: 900_000 },
    );
  }
  throw new Error('the needs were never met');
}

/** The options offered (values of the answer inputs). */
async function options(page) {
  await page.waitForSelector('[data-testid="question"] :is([data-testid="answer-option"], [data-testid="answer-number"])', { timeout: 600_000 });
  return page.$$eval('[data-testid="answer-option"]', (inputs) => inputs.map((i) => i.value));
}

/** An answer that the oracle's value makes wrong. */
function wrongAnswer(kind, select, oracle, offered) {
  if (kind === 'number') return typeof oracle === 'number' ? oracle + 1000 + Math.abs(oracle) * 10 : 1e6;
  const right = Array.isArray(oracle) ? oracle : [String(oracle)];
  const wrong = offered.filter((o) => !right.includes(o));
  assert.ok(wrong.length > 0, `some offered answer is wrong (offered ${offered}, right ${right})`);
  if (select === 'all' && right.length > 0) return [...right.slice(1), wrong[0]];
  return kind === 'choice' ? wrong[0] : [wrong[0]];
}

async function fill(page, kind, value, viaGraph) {
  if (kind === 'number') {
    await page.getByTestId('answer-number').fill(String(value));
    return;
  }
  for (const v of Array.isArray(value) ? value : [value]) {
    const head = /^A(\d+)\.(\d+)$/.exec(v);
    if (viaGraph && kind === 'heads' && head) {
      // A head picked on the graph answers the question too.
      await page.locator(`[data-testid="head"][data-key="head:${head[1]}:${head[2]}"]`).click();
      await page.waitForSelector(`[data-testid="answer-option"][value="${v}"]:checked`);
    } else {
      await page.locator(`[data-testid="answer-option"][value="${v}"]`).check();
    }
  }
}

/**
 * Walks the open lesson to its end. `mode` 'right' answers with the oracles'
 * values, 'wrong' against them; returns what each question's feedback said.
 * @param {import('playwright-core').Page} page
 * @param {{id: string, oracle: Record<string, any>, mode: 'right' | 'wrong', shots: string, viaGraph?: boolean}} o
 */
export async function walkLesson(page, { id, oracle, mode, shots, viaGraph = false }) {
  await page.waitForSelector(`[data-testid="lesson"][data-lesson="${id}"][data-state="open"]`, { timeout: 120_000 });
  const steps = await page.locator('[data-testid="lesson"] .step-link').count();
  const results = [];
  for (let i = 0; i < steps; i++) {
    trace(id, mode, 'step', i);
    await page.waitForSelector(`[data-testid="lesson"][data-step="${i}"][data-setup="done"]`, { timeout: 900_000 });
    const question = page.getByTestId('question');
    if ((await question.count()) > 0) {
      const qid = (await question.getAttribute('data-question')) ?? '';
      const kind = (await question.getAttribute('data-kind')) ?? '';
      assert.ok(qid in oracle, `an oracle for ${id}/${qid}`);
      const offered = await options(page);
      const select = (await page.locator('[data-testid="answer-option"][type="checkbox"]').count()) > 0 ? 'all' : 'one';
      const right = oracle[qid];
      const answer = mode === 'right' ? (kind === 'choice' ? String(right) : kind === 'number' ? right : select === 'one' ? [right[0]] : right) : wrongAnswer(kind, select, right, offered);
      const predict = await page.getByTestId('lock').isVisible();
      if (!predict) await doNeeds(page);
      await fill(page, kind, answer, viaGraph && i % 2 === 0);
      if (predict) {
        await page.getByTestId('lock').click();
        await doNeeds(page);
      } else {
        await page.getByTestId('check').click();
      }
      trace('checking', qid, JSON.stringify(answer));
      const feedback = page.getByTestId('feedback');
      // The verdict, or the notice that says why there is none.
      await page.waitForSelector('[data-testid="feedback"], [data-testid="notice"]:not(:empty)', { timeout: 600_000 });
      if ((await feedback.count()) === 0) {
        const notice = await page.getByTestId('notice').innerText();
        // Locked in and waiting for the needs, or revealing: the verdict is on its way.
        if (!/locked in|Revealing/.test(notice)) throw new Error(`${id}/${qid}: no verdict: ${notice}`);
        await feedback.waitFor({ timeout: 600_000 });
      }
      const correct = (await feedback.getAttribute('data-correct')) === 'true';
      const expected = JSON.parse((await feedback.getAttribute('data-expected')) ?? 'null');
      const text = await feedback.innerText();
      const evidence = await page.locator('[data-testid="evidence"] > *').count();
      const marked = Number((await page.getByTestId('graph-panel').getAttribute('data-highlight')) ?? 0);
      results.push({ step: i, question: qid, kind, answer, correct, expected, text, evidence, marked });
      assert.equal(correct, mode === 'right', `${id}/${qid}: answered ${JSON.stringify(answer)}, the page says ${correct ? 'right' : 'wrong'} (it computed ${JSON.stringify(expected)}; the oracle: ${JSON.stringify(right)})\n${text}`);
      assert.ok(
        sameValue(expected, kind === 'heads' || kind === 'edges' ? right : right, 1e-3) || (select === 'one' && Array.isArray(expected) && expected.includes(Array.isArray(right) ? right[0] : right)),
        `${id}/${qid}: the page computed ${JSON.stringify(expected)}, the oracle ${JSON.stringify(right)}`,
      );
    }
    await stepScreenshot(page, `${shots}-${String(i + 1).padStart(2, '0')}`);
    await page.getByTestId('lesson-next').click();
  }
  await page.waitForSelector('[data-testid="lesson"][data-step="end"]');
  await stepScreenshot(page, `${shots}-end`);
  return results;
}

/** "Export my answers": the downloaded JSON. */
export async function exportAnswers(page) {
  const { readFileSync } = await import('node:fs');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('lesson-export').click()]);
  return { name: download.suggestedFilename(), data: JSON.parse(readFileSync(await download.path(), 'utf8')) };
}

/** SHA-256 of a circuit.json's kept edges as the page names them (sorted, one per line). */
export async function circuitHashOf(circuit) {
  const { createHash } = await import('node:crypto');
  const node = (name, head) => (head === null ? name : `${name}[${head}]`);
  const text = circuit.kept.map((e) => `${node(e.sender, e.sender_head)} -> ${node(e.receiver, e.receiver_head)}`).sort().join('\n');
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A lesson walked right on a desktop (in the file's browser) and wrong on a
 * phone (in a fresh profile), with the checks every walk makes: the score,
 * the wrong feedback's explanation and evidence, marks on the graph for heads
 * and edges, no sideways scrolling at 390 px.
 * @param {{server: {url: string}, browser: {context: import('playwright-core').BrowserContext}}} session
 * @param {string} id
 * @param {() => Record<string, any>} oracle
 * @param {{prefix: string, viaGraph?: boolean, afterRight?: (page: import('playwright-core').Page, results: any[]) => Promise<void>}} o
 */
export async function walkRightThenWrong(session, id, oracle, { prefix, viaGraph = false, afterRight }) {
  const { launchBrowser, openPage } = await import('./harness.mjs');
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu&lesson=${id}`, `${prefix}-right`);
  const right = await walkLesson(page, { id, oracle: oracle(), mode: 'right', shots: `${prefix}-right`, viaGraph });
  assert.match(await page.getByTestId('lesson-score').innerText(), new RegExp(`${right.length} of ${right.length}`));
  await afterRight?.(page, right);
  await page.close();

  const browser = await launchBrowser();
  try {
    const phone = await browser.context.newPage();
    await phone.setViewportSize(PHONE);
    await phone.goto(`${session.server.url}?backend=cpu&lesson=${id}`);
    const wrong = await walkLesson(phone, { id, oracle: oracle(), mode: 'wrong', shots: `${prefix}-wrong-phone` });
    assert.equal(wrong.length, right.length);
    for (const r of wrong) {
      assert.match(r.text, /Not quite/, `${r.question}: the verdict`);
      assert.match(r.text, /right answer is|model's value is|Any of these/, `${r.question}: says what is right`);
      assert.ok(r.evidence > 0 || /Δ|edges|probability|tokens/.test(r.text), `${r.question}: shows evidence`);
      if (r.kind === 'heads' || r.kind === 'edges') assert.ok(r.marked > 0, `${r.question}: marks the graph`);
    }
    assert.match(await phone.getByTestId('lesson-score').innerText(), new RegExp(`0 of ${wrong.length}`));
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px at 390 px`);
    await phone.close();
  } finally {
    await browser.close();
  }
  return right;
}
