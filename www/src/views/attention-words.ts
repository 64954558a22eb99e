// A head's attention pattern in words (pure: no DOM): where one query looks,
// and where the head looks on average — the previous token, itself, the first
// token, or further back — so a pattern can be read without the heatmap.

import { visibleToken } from './token-text';

const pct = (p: number) => `${Math.round(p * 100)}%`;

/** "From “dog” (position 5) it attends to “sun” (3) 74%, “cat” (1) 12%." */
export function describeQuery(tokens: readonly string[], pattern: readonly (readonly number[])[], q: number, k = 3): string {
  const row = pattern[q] ?? [];
  const top = row
    .map((p, key) => ({ p, key }))
    .filter((x) => x.p > 0.005)
    .sort((a, b) => b.p - a.p)
    .slice(0, k);
  const to = top.map((x) => `“${visibleToken(tokens[x.key] ?? '')}” (${x.key}) ${pct(x.p)}`).join(', ');
  return `From “${visibleToken(tokens[q] ?? '')}” (position ${q}) it attends to ${to || 'nothing above 0.5%'}.`;
}

/** Where the head's attention goes on average over the queries after the first. */
export function describeHead(tokens: readonly string[], pattern: readonly (readonly number[])[]): string {
  const n = pattern.length;
  if (n < 2) return 'The row is too short to say where it looks.';
  let prev = 0;
  let self = 0;
  let first = 0;
  let earlier = 0;
  for (let q = 1; q < n; q++) {
    const row = pattern[q];
    prev += row[q - 1] ?? 0;
    self += row[q] ?? 0;
    first += q > 1 ? (row[0] ?? 0) : 0;
    for (let k = 1; k < q - 1; k++) earlier += row[k] ?? 0;
  }
  const m = n - 1;
  const parts = [
    { what: 'the previous token', p: prev / m },
    { what: 'the token itself', p: self / m },
    { what: `the first token (“${visibleToken(tokens[0] ?? '')}”)`, p: first / m },
    { what: 'tokens further back', p: earlier / m },
  ].sort((a, b) => b.p - a.p);
  const [top, second] = parts;
  return `On average over the row, ${pct(top.p)} of its attention goes to ${top.what} and ${pct(second.p)} to ${second.what}.`;
}
