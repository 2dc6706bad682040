/**
 * Display formatting of money.
 *
 * Money crosses the IPC boundary as a decimal string (`"189.90"`) computed in Rust. The UI never
 * does arithmetic on it: these helpers only re-arrange the characters for display (grouping,
 * decimal mark, currency sign), so no float rounding can ever change an amount.
 */
import type { Money } from './bindings/Money';

export type MoneyLang = 'ru' | 'en';

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;
const MINUS = '\u2212';
const NBSP = '\u00a0';

interface Parts {
  negative: boolean;
  int: string;
  frac: string;
}

/** Splits a decimal string into sign, integer digits and exactly-two-or-more fraction digits. */
function parts(m: Money): Parts | null {
  const match = DECIMAL.exec(m.trim());
  if (!match) return null;
  const int = match[2].replace(/^0+(?=\d)/, '');
  let frac = match[3] ?? '';
  // Drop trailing zeros beyond the cents, then pad to two digits: "1.500" → "50", "2" → "00".
  while (frac.length > 2 && frac.endsWith('0')) frac = frac.slice(0, -1);
  frac = frac.padEnd(2, '0');
  const zero = /^0+$/.test(int) && /^0*$/.test(frac);
  return { negative: match[1] === '-' && !zero, int, frac };
}

function group(int: string, sep: string): string {
  let out = '';
  for (let i = 0; i < int.length; i++) {
    if (i > 0 && (int.length - i) % 3 === 0) out += sep;
    out += int[i];
  }
  return out;
}

function unsigned(p: Parts, lang: MoneyLang): string {
  return lang === 'ru'
    ? `${group(p.int, NBSP)},${p.frac}${NBSP}₽`
    : `₽${group(p.int, ',')}.${p.frac}`;
}

/**
 * `"1289.9"` → `1 289,90 ₽` (ru) or `₽1,289.90` (en). A string that is not a decimal is shown as
 * it came, so a surprise from the backend is visible rather than hidden.
 */
export function formatMoney(m: Money, lang: MoneyLang): string {
  const p = parts(m);
  if (!p) return m;
  return (p.negative ? MINUS : '') + unsigned(p, lang);
}

/** A price difference: `+40,00 ₽`, `−50,00 ₽`; empty for zero, so "no extra cost" shows nothing. */
export function formatDelta(m: Money, lang: MoneyLang): string {
  const p = parts(m);
  if (!p) return m;
  if (isZero(m)) return '';
  return (p.negative ? MINUS : '+') + unsigned(p, lang);
}

/** True for `"0"`, `"0.00"`, `"-0.0"`; a string test, not a numeric one. */
export function isZero(m: Money): boolean {
  const match = DECIMAL.exec(m.trim());
  return !!match && /^0+$/.test(match[2]) && /^0*$/.test(match[3] ?? '');
}

/** True when the amount carries a minus sign and is not zero (a discount). */
export function isNegative(m: Money): boolean {
  const p = parts(m);
  return !!p && p.negative;
}
