// The right answers to the shipped lessons' questions, computed here without
// the page: by the CLI (predictions, ACDC's circuits and tested edges, exact
// patching, faithfulness, compiled programs) and by the wasm module loaded in
// node with this file's own arithmetic (attention scores, IOI roles, head
// ablations, the logit lens, a head's direct effect). The lesson tests answer
// with these and check that the page agrees, so a check that drifted from the
// model would fail here.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliAcdc } from './acdc.mjs';
import { CLI_PATH, cliPredict, MODELS_DIR, ROOT } from './harness.mjs';
import { loadModel, wasm } from '../unit/wasm.mjs';

const SETTINGS = { algorithm: 'acdc', tau: null, metric: null, ablation: null, indicesMode: 'normal', namesMode: 'normal', absValueThreshold: false, seed: 0, rows: null, steps: 5 };
const ACDC = { seed: 0, indicesMode: 'normal', namesMode: 'normal' };

function cli(args) {
  const run = spawnSync(CLI_PATH, args, { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) throw new Error(`circuitscope ${args.join(' ')}:\n${run.stderr || run.stdout}`);
  return run.stdout;
}

/** A TransformerLens node name as the crate labels it (GraphInfo's `label`). */
function label(name, head) {
  if (name === 'blocks.0.hook_resid_pre') return 'embed';
  if (name === 'hook_embed') return 'tok';
  if (name === 'hook_pos_embed') return 'pos';
  const m = /^blocks\.(\d+)\.(?:attn\.hook_(result|q|k|v)|hook_(q|k|v)_input|hook_mlp_(in|out)|hook_resid_post)$/.exec(name);
  if (!m) throw new Error(`no label for ${name}`);
  const [, layer, attn, input, mlp] = m;
  if (name.endsWith('hook_resid_post')) return 'logits';
  if (attn === 'result') return `A${layer}.${head}`;
  if (attn) return `A${layer}.${head} ${attn}`;
  if (input) return `A${layer}.${head} ${input}_in`;
  return mlp === 'in' ? `MLP ${layer} in` : `MLP ${layer}`;
}

/**
 * An edge as lessons write it (www/src/lessons/refs.ts `edgeNames`): a head's q/k/v computation
 * `A1.2 q_in -> A1.2 q`; an addition into a head's input or an MLP names the head's port
 * (`A0.3 -> A1.2 k`) or the MLP (`A0.1 -> MLP 2`).
 */
function edgeLabel(e) {
  const sender = label(e.sender, e.sender_head);
  const receiver = label(e.receiver, e.receiver_head);
  if (/\.attn\.hook_[qkv]$/.test(e.receiver)) return `${sender} -> ${receiver}`;
  return `${sender} -> ${receiver.replace(/ ([qkv])_in$/, ' $1').replace(/ in$/, '')}`;
}

/** The task's first `n` clean rows: ids, tokens, last scored position. */
async function rows(session, task, n) {
  const data = session.taskData({ ...SETTINGS, task });
  const out = [];
  for (let r = 0; r < Math.min(n, data.clean.length); r++) {
    const ids = data.clean[r];
    const { tokens } = await session.attention(Uint32Array.from(ids), 0, 0);
    const scored = data.positions?.[r];
    out.push({ ids, tokens, end: scored?.length ? scored[scored.length - 1] : ids.length - 1 });
  }
  return out;
}

/** IOI roles of a row: S2 the repeated capitalised word, S1 its first occurrence, IO the other name of the pair around "and". */
function roles(row) {
  const cap = (t) => /^[A-Z]/.test(t);
  for (let s2 = row.end; s2 > 0; s2--) {
    const s1 = row.ids.indexOf(row.ids[s2]);
    if (!cap(row.tokens[s2]) || s1 === s2) continue;
    const io = row.tokens[s1 + 1] === 'and' ? s1 + 2 : s1 - 2;
    return { S1: s1, S2: s2, IO: io, END: row.end };
  }
  throw new Error(`no IOI roles in ${row.tokens.join(' ')}`);
}

/** Mean attention of every head (layer `layer`, or all) from `from(row)` to `to(row, q)`. */
async function scores(session, rowsList, layers, heads, from, to) {
  const out = new Map();
  for (const l of layers) {
    for (let h = 0; h < heads; h++) {
      let sum = 0;
      let count = 0;
      for (const row of rowsList) {
        const { pattern } = await session.attention(Uint32Array.from(row.ids), l, h);
        for (const q of from(row)) {
          const k = to(row, q);
          if (k === null) continue;
          sum += pattern[q][k];
          count++;
        }
      }
      out.set(`A${l}.${h}`, sum / count);
    }
  }
  return out;
}

const within = (map, d) => {
  const best = Math.max(...map.values());
  return [...map].filter(([, s]) => s >= best - d).map(([h]) => h).sort();
};
const atLeast = (map, min) => [...map].filter(([, s]) => s >= min).map(([h]) => h).sort();
const argmax = (row) => row.reduce((b, p, i) => (p > row[b] ? i : b), 0);
const keptHeads = (circuit, test) => [...new Set(circuit.kept.map(edgeLabel).filter(test).map((n) => n.split(' -> ')[0]))].sort();

/** Metric without each of `heads` (all their outputs), minus the full model's: a JudgeRun in node. */
async function headEffects(session, settings, heads) {
  const { JudgeRun } = await wasm();
  const judge = await JudgeRun.start(session, settings, undefined);
  const graph = session.graph();
  const out = new Map();
  for (const label_ of heads) {
    const [l, h] = label_.slice(1).split('.').map(Number);
    const kept = Uint8Array.from(graph.edges, (e) => {
      const s = graph.nodes[e.sender];
      return e.type === 'addition' && s.hook === 'result' && s.layer === l && s.head === h ? 0 : 1;
    });
    out.set(label_, (await judge.pointOf(kept)).metric - judge.fullMetric);
  }
  judge.free();
  return out;
}

/** `circuitscope attribute --method exact`: each edge's Δ alone, under `ablation`. */
function exactScore(model, task, ablation, edge) {
  const dir = mkdtempSync(join(tmpdir(), 'circuitscope-oracle-'));
  try {
    cli(['attribute', '--model', join(MODELS_DIR, model), '--task', task, '--method', 'exact', '--ablation', ablation, '--out', join(dir, 's.json')]);
    const s = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    return s.edges.find((e) => edgeLabel(e) === edge).score;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function faithfulness(model, task, circuit) {
  const dir = mkdtempSync(join(tmpdir(), 'circuitscope-oracle-'));
  try {
    writeFileSync(join(dir, 'c.json'), JSON.stringify(circuit));
    return JSON.parse(cli(['faithfulness', '--model', join(MODELS_DIR, model), '--task', task, '--circuit', join(dir, 'c.json')])).points[0].f;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** TPR and FPR of a circuit against a ground_truth.json (over ADD + DC edges). */
function truthRates(circuit, truth) {
  const key = (e) => `${e.sender}[${e.sender_head}]>${e.receiver}[${e.receiver_head}]`;
  const t = new Set(truth.edges.map(key));
  const kept = circuit.kept.map(key);
  const tp = kept.filter((k) => t.has(k)).length;
  return { tpr: tp / t.size, fpr: (kept.length - tp) / (circuit.graph.edges - t.size) };
}

/** `circuitscope attribute` on ioi: each scored edge's estimate of Δ (EAP's and EAP-IG's times the rows, as the page shows them). */
function estimates(method, metric) {
  const dir = mkdtempSync(join(tmpdir(), 'circuitscope-oracle-'));
  try {
    cli(['attribute', '--model', join(MODELS_DIR, 'ioi'), '--task', 'ioi', '--method', method, '--metric', metric, '--ablation', 'resample', '--out', join(dir, 's.json')]);
    const s = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    const rows = method === 'exact' ? 1 : 50;
    return new Map(s.edges.map((e) => [edgeLabel(e), e.score * rows]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spearman(a, b) {
  const rank = (xs) => {
    const order = xs.map((x, i) => [x, i]).sort((p, q) => p[0] - q[0]);
    const r = new Array(xs.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let t = i; t <= j; t++) r[order[t][1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const [ra, rb] = [rank(a), rank(b)];
  const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const [ma, mb] = [mean(ra), mean(rb)];
  let n = 0;
  let da = 0;
  let db = 0;
  ra.forEach((x, i) => {
    n += (x - ma) * (rb[i] - mb);
    da += (x - ma) ** 2;
    db += (rb[i] - mb) ** 2;
  });
  return n / Math.sqrt(da * db);
}

const change = (before, after) => (after > before ? 'more' : after < before ? 'fewer' : 'same');

/** A compiled program in a temporary model folder, its ACDC circuit and ground truth. */
function compiled(source, task) {
  const dir = mkdtempSync(join(tmpdir(), 'circuitscope-rasp-'));
  try {
    writeFileSync(join(dir, 'program.rasp'), source);
    cli(['rasp', 'compile', '--out', join(dir, 'model'), '--task', task, join(dir, 'program.rasp')]);
    cli(['acdc', '--model', join(dir, 'model'), '--task', task, '--out', join(dir, 'c.json')]);
    return { circuit: JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')), truth: JSON.parse(readFileSync(join(dir, 'model', 'ground_truth.json'), 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const top = (model, prompt) => {
  const p = cliPredict(model, prompt);
  if (!p.ok) throw new Error(p.message);
  return p.prediction;
};

export const ORACLES = {
  async 'attribution-vs-patching'() {
    const exact = estimates('exact', 'logit_diff');
    const eap = estimates('eap', 'logit_diff');
    const ig = estimates('eap-ig', 'logit_diff');
    const intoLogits = (m) => [...m].filter(([n]) => n.endsWith(' -> logits'));
    const biggest = (list) => list.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))[0][0];
    const names = [...exact.keys()];
    const rho = (m) => spearman(names.map((n) => Math.abs(m.get(n))), names.map((n) => Math.abs(exact.get(n))));
    const misled = intoLogits(eap).map(([n, e]) => [n, e - exact.get(n)]);
    return {
      exact: [biggest(intoLogits(exact))],
      kl: Math.max(...[...estimates('eap', 'kl').values()].map(Math.abs)),
      closer: rho(eap) > rho(ig) ? 'eap' : 'eap-ig',
      misled: [biggest(misled)],
    };
  },

  async 'what-the-model-does'() {
    const prompt = 'cat dog sun cat dog';
    const p = top('induction-2l', prompt);
    const session = await loadModel('induction-2l');
    const ids = Uint32Array.from(p.tokens.map((t) => t.id));
    const a = await session.attention(ids, 1, 0);
    const last = a.pattern[a.pattern.length - 1];
    let future = 0;
    a.pattern.forEach((row, q) => row.forEach((w, k) => (future = k > q ? Math.max(future, w) : future)));
    const lens = typeof session.logitLens === 'function' ? await session.logitLens(ids, 1) : null; // TEMP until the pkg has it
    const at = ids.length - 1;
    const final = lens?.layers[lens.layers.length - 1].top[at][0].id;
    session.free();
    return {
      predict: p.top[0].token,
      tokens: p.tokens.length,
      probability: p.top[0].prob,
      attention: last.reduce((s, w) => s + w, 0),
      causal: future,
      read: a.tokens[argmax(last)],
      lens: lens?.layers.find((l) => l.top[at][0].id === final).label,
    };
  },

  async 'induction-heads'() {
    const session = await loadModel('induction-2l');
    const r = await rows(session, 'induction', 8);
    const all = (row) => Array.from({ length: row.end }, (_, i) => i + 1);
    const prev = await scores(session, r, [0], 8, all, (_, q) => q - 1);
    const repeat = (row) => all(row).filter((q) => row.ids.slice(1, q).includes(row.ids[q]));
    const induction = (row, q) => {
      const before = row.ids.lastIndexOf(row.ids[q], q - 1);
      return before >= 1 && before + 1 < q ? before + 1 : null;
    };
    const ind = await scores(session, r, [1], 8, repeat, induction);
    const settings = { ...SETTINGS, task: 'induction', tau: 0.05, metric: 'kl', ablation: 'resample' };
    const effects = await headEffects(session, settings, Array.from({ length: 8 }, (_, h) => `A1.${h}`));
    const circuit = cliAcdc({ model: 'induction-2l', task: 'induction', tau: 0.05, metric: 'kl', ablation: 'resample', ...ACDC });
    return {
      'previous-token': within(prev, 0.005),
      induction: within(ind, 0.005),
      ablation: within(new Map([...effects].map(([h, d]) => [h, Math.abs(d)])), 0),
      circuit: keptHeads(circuit, (n) => /^A0\.\d+ -> A1\.\d+ k$/.test(n)),
      circuitJson: circuit,
    };
  },

  async 'edges-and-patching'() {
    const circuit = cliAcdc({ model: 'induction-2l', task: 'induction', tau: 0.05, metric: 'kl', ablation: 'resample', ...ACDC });
    const effects = Object.fromEntries(['resample', 'zero', 'mean'].map((a) => [a, exactScore('induction-2l', 'induction', a, 'A1.0 -> logits')]));
    const strongest = Object.entries(effects).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))[0][0];
    return {
      'first-edge': circuit.tested[0].removed ? 'removed' : 'kept',
      delta: circuit.tested[0].delta,
      more: [edgeLabel(circuit.tested[3])],
      ablations: strongest,
      zero: effects.zero,
    };
  },

  async 'acdc-and-tau'() {
    const taus = [0.05, 0.01, 0.3, 0.1, 0.03, 0.003];
    const points = taus.map((tau) => {
      const circuit = cliAcdc({ model: 'induction-2l', task: 'induction', tau, metric: 'kl', ablation: 'resample', ...ACDC });
      return { tau, kept: circuit.kept.length, f: faithfulness('induction-2l', 'induction', circuit) };
    });
    const best = Math.max(...points.map((p) => p.f));
    const knee = points.filter((p) => p.f >= 0.8 * best).sort((a, b) => a.kept - b.kept || b.tau - a.tau)[0];
    return { baseline: points[0].kept, smaller: change(points[0].kept, points[1].kept), sweep: String(knee.tau), points };
  },

  async ioi() {
    const prompt = 'When Mary and John went to the store , John gave a drink to';
    const session = await loadModel('ioi');
    const r = await rows(session, 'ioi', 8);
    const layers = [0, 1, 2, 3];
    const endToS2 = await scores(session, r, layers, 4, (row) => [row.end], (row) => roles(row).S2);
    const s2ToIo = await scores(session, r, layers, 4, (row) => [roles(row).S2], (row) => roles(row).IO);
    const movers = [];
    for (const l of layers) {
      for (let h = 0; h < 4; h++) {
        let hits = 0;
        for (const row of r) {
          const logits = await session.headLogits(Uint32Array.from(row.ids), l, h, 1);
          if (logits.promoted[row.end][0].id === row.ids[roles(row).IO]) hits++;
        }
        if (hits / r.length >= 0.5) movers.push(`A${l}.${h}`);
      }
    }
    const late = await scores(session, r, [3], 4, (row) => [row.end], (row) => roles(row).IO);
    const lateS2 = await scores(session, r, [3], 4, (row) => [row.end], (row) => roles(row).S2);
    const mean = (m) => [...m.values()].reduce((s, x) => s + x, 0) / m.size;
    const circuit = cliAcdc({ model: 'ioi', task: 'ioi', tau: 0.1, metric: 'logit_diff', ablation: 'resample', ...ACDC });
    return {
      task: top('ioi', prompt).top[0].token,
      end: atLeast(endToS2, 0.5),
      s2: atLeast(s2ToIo, 0.5),
      movers: movers.sort(),
      acdc: keptHeads(circuit, (n) => n.endsWith(' -> logits') && /^A/.test(n)),
      gpt2: mean(late) > mean(lateS2) ? 'IO' : 'S2',
    };
  },

  async 'ground-truth'() {
    const truth = JSON.parse(readFileSync(join(MODELS_DIR, 'tracr-reverse', 'ground_truth.json'), 'utf8'));
    const circuit = cliAcdc({ model: 'tracr-reverse', task: 'tracr-reverse', tau: 0.001, metric: 'l2', ablation: 'zero', ...ACDC });
    const rates = truthRates(circuit, truth);
    const source = readFileSync(join(MODELS_DIR, 'tracr-reverse', 'program.rasp'), 'utf8').replace('opp_idx = length - indices - 1', 'opp_idx = length - indices - 2');
    const broken = compiled(source, 'tracr-program');
    return {
      compile: truth.edges.length,
      run: rates.tpr,
      fpr: rates.fpr,
      break: change(circuit.kept.length, broken.circuit.kept.length),
      'truth-again': truthRates(broken.circuit, broken.truth).tpr,
    };
  },
};
