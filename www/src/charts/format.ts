// Numbers as the page writes them: d3-format, whose default locale writes the
// minus sign "−" (U+2212), never the hyphen "-" and never nothing. Charts,
// counters, tooltips and the explanation all format through here, so a
// negative value reads the same everywhere. Pure: no DOM.

import { format } from 'd3-format';
import type { ScaleLinear } from 'd3-scale';

/** The minus sign the page writes (U+2212). */
export const MINUS = '\u2212';

/** d3-format writes "−" before a number but "-" in an exponent ("1e-7"): every minus as "−". */
const minus = (f: (n: number) => string) => (n: number) => f(n).replaceAll('-', MINUS);

const fixed4 = minus(format('.4f'));
const exp2 = minus(format('.2e'));
const signedFixed4 = minus(format('+.4f'));
const signedExp2 = minus(format('+.2e'));
const short = minus(format('.3~g'));
const signedShort = minus(format('+.3~g'));
const grouped = minus(format(','));

/**
 * A count with thousands grouped ("124,416"). Not `toLocaleString`: its first call loads the
 * locale's data, 60 ms of the first screen's main thread.
 */
export function formatCount(value: number): string {
  return grouped(value);
}

/** A metric value: 4 decimals between 1e-3 and 1e4, else 2 significant decimals in e-notation. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e-3 && abs < 1e4 ? fixed4(value) : exp2(value);
}

/** A change of the metric, always with its sign: "+0.3100", "−0.0042". */
export function formatDelta(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e-3 && abs < 1e4 ? signedFixed4(value) : signedExp2(value);
}

/** Three significant digits, trailing zeros dropped ("0.31", "−11.8", "0.001"): for prose. */
export function formatShort(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return short(value);
}

/** As `formatShort`, with a sign: "+0.31", "−0.004". */
export function formatShortDelta(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  return signedShort(value);
}

/** τ as typed (0.05, 0.001, 1e-4): the shortest exact form, with "−" if ever negative. */
export function formatTau(tau: number): string {
  return String(tau).replace('-', MINUS);
}

/**
 * The tick formatter for a linear scale: d3's (precision from the tick step,
 * SI-free, "−" for negatives), so neighbouring ticks differ in their digits.
 */
export function tickFormatter(scale: ScaleLinear<number, number>, count: number): (value: number) => string {
  const [lo, hi] = scale.domain();
  const span = Math.abs(hi - lo);
  const magnitude = Math.max(Math.abs(lo), Math.abs(hi));
  // Tiny or huge values read better in e-notation than as 0.000012.
  if (magnitude > 0 && (magnitude < 1e-3 || magnitude >= 1e5) && span > 0) return minus(scale.tickFormat(count, '~e'));
  return minus(scale.tickFormat(count));
}
