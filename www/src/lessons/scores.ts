// The arithmetic behind the lessons' checks, on numbers the model computed
// (pure: no DOM, no worker): where a position sits in a row (the last scored
// token, the names of an IOI sentence), where a head looks from one position
// to another, which heads score best, and the knee of a τ sweep.

/** One row as the measures read it: its ids, its tokens as text, and its last scored position. */
export interface Row {
  ids: number[];
  tokens: string[];
  /** The last position the task scores (the last token of a prompt). */
  end: number;
}

/** A name of an IOI sentence: a capitalised word (the tokenizer's leading space or Ġ aside). */
function isName(token: string): boolean {
  return /^[A-Z]/.test(token.replace(/^[\sĠ▁]+/, ''));
}

/** The positions of an IOI sentence's names: S1 and S2 (the repeated name), IO (the other one). */
export function ioiRoles(row: Row): { S1: number; S2: number; IO: number } | null {
  for (let s2 = row.end; s2 > 0; s2--) {
    if (!isName(row.tokens[s2] ?? '')) continue;
    const s1 = row.ids.slice(0, s2).indexOf(row.ids[s2]);
    if (s1 < 0) continue;
    // "Mary and John" / "John and Mary": IO is S1's partner across "and" (a capitalised word that
    // starts the sentence, "When", is not a name).
    const and = (p: number) => (row.tokens[p] ?? '').replace(/^[\sĠ▁]+/, '') === 'and';
    if (and(s1 + 1) && isName(row.tokens[s1 + 2] ?? '')) return { S1: s1, S2: s2, IO: s1 + 2 };
    if (and(s1 - 1) && s1 >= 2 && isName(row.tokens[s1 - 2] ?? '')) return { S1: s1, S2: s2, IO: s1 - 2 };
    let io = -1;
    for (let p = 1; p < s2; p++) {
      const once = row.ids.filter((id) => id === row.ids[p]).length === 1;
      if (p !== s1 && isName(row.tokens[p]) && once && (io < 0 || Math.abs(p - s1) < Math.abs(io - s1))) io = p;
    }
    if (io >= 0) return { S1: s1, S2: s2, IO: io };
  }
  return null;
}

/**
 * The query positions `spec` names: `last` (or END), a number, an IOI role
 * (S1, S2, IO, S1+1), `all` (every position after the first) or `repeat`
 * (every position whose token came before). Empty when the row has none.
 */
export function fromPositions(row: Row, spec: string): number[] {
  const n = row.ids.length;
  if (spec === 'last' || spec === 'END') return [row.end];
  if (/^\d+$/.test(spec)) return Number(spec) < n ? [Number(spec)] : [];
  if (spec === 'all') return Array.from({ length: Math.max(0, row.end) }, (_, i) => i + 1);
  if (spec === 'repeat') {
    const out: number[] = [];
    for (let q = 1; q <= row.end; q++) if (row.ids.slice(1, q).includes(row.ids[q])) out.push(q);
    return out;
  }
  const role = rolePosition(row, spec);
  return role === null ? [] : [role];
}

function rolePosition(row: Row, spec: string): number | null {
  const m = /^(S1|S2|IO)(\+1)?$/.exec(spec);
  if (!m) return null;
  const roles = ioiRoles(row);
  if (roles === null) return null;
  const at = roles[m[1] === 'S1' ? 'S1' : m[1] === 'S2' ? 'S2' : 'IO'] + (m[2] ? 1 : 0);
  return at < row.ids.length ? at : null;
}

/**
 * The key position `spec` names for query `q`: `prev` (q − 1), `self`,
 * `first`, `induction` (the token after the last earlier occurrence of q's
 * token), an IOI role, END, or a number. Null where there is none.
 */
export function targetPosition(row: Row, q: number, spec: string): number | null {
  switch (spec) {
    case 'prev':
      return q >= 1 ? q - 1 : null;
    case 'self':
      return q;
    case 'first':
      return 0;
    case 'END':
    case 'last':
      return row.end <= q ? row.end : null;
    case 'induction': {
      const before = q >= 1 ? row.ids.lastIndexOf(row.ids[q], q - 1) : -1;
      return before >= 1 && before + 1 < q ? before + 1 : null;
    }
  }
  if (/^\d+$/.test(spec)) return Number(spec) <= q ? Number(spec) : null;
  const role = rolePosition(row, spec);
  return role !== null && role <= q ? role : null;
}

/** Mean attention from the `from` positions to each one's `to` position, over the rows (null: no pair). */
export function meanAttention(
  rows: readonly { row: Row; pattern: number[][] }[],
  from: string,
  to: string,
): number | null {
  let sum = 0;
  let count = 0;
  for (const { row, pattern } of rows) {
    for (const q of fromPositions(row, from)) {
      const k = targetPosition(row, q, to);
      if (k === null) continue;
      sum += pattern[q]?.[k] ?? 0;
      count++;
    }
  }
  return count === 0 ? null : sum / count;
}

/** The labels whose score is within `within` of the best (best first). */
export function bestOf(scores: ReadonlyMap<string, number>, within: number): string[] {
  const best = Math.max(...scores.values());
  return [...scores.entries()]
    .filter(([, s]) => s >= best - within)
    .sort((a, b) => b[1] - a[1])
    .map(([label]) => label);
}

/** The largest weight any query gives a later key (0 under a causal mask). */
export function futureAttention(pattern: number[][]): number {
  let max = 0;
  pattern.forEach((row, q) => row.forEach((p, k) => {
    if (k > q) max = Math.max(max, p);
  }));
  return max;
}

/** One finished run of a sweep: its τ, the edges it kept and the circuit's faithfulness. */
export interface SweepPoint {
  tau: number;
  kept: number;
  f: number;
}

/**
 * The knee of a sweep: of the circuits whose faithfulness is at least `min`
 * times the best one's, the smallest (ties: the larger τ). Null for no points.
 */
export function knee(points: readonly SweepPoint[], min: number): SweepPoint | null {
  if (points.length === 0) return null;
  const best = Math.max(...points.map((p) => p.f));
  const good = points.filter((p) => p.f >= min * best);
  good.sort((a, b) => a.kept - b.kept || b.tau - a.tau);
  return good[0] ?? null;
}

/** A number as lessons show it: 3 significant digits, no exponent for everyday sizes. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e5) return String(Number(value.toPrecision(3)));
  return value.toExponential(2);
}

/** Spearman's rank correlation of two equally long lists (ties: average ranks). */
export function rankCorrelation(a: readonly number[], b: readonly number[]): number {
  const ranks = (xs: readonly number[]) => {
    const order = xs.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(xs.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let t = i; t <= j; t++) r[order[t][1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const [ra, rb] = [ranks(a), ranks(b)];
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const [ma, mb] = [mean(ra), mean(rb)];
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i] - ma) * (rb[i] - mb);
    da += (ra[i] - ma) ** 2;
    db += (rb[i] - mb) ** 2;
  }
  return da === 0 || db === 0 ? 0 : num / Math.sqrt(da * db);
}
