import { describe, expect, it } from 'vitest';
import { formatDelta, formatMoney, isNegative, isZero } from './money';

const NB = '\u00a0';

describe('formatMoney', () => {
  it('formats Russian with a comma, grouped thousands and the sign after', () => {
    expect(formatMoney('189.90', 'ru')).toBe(`189,90${NB}₽`);
    expect(formatMoney('1289.9', 'ru')).toBe(`1${NB}289,90${NB}₽`);
    expect(formatMoney('1234567', 'ru')).toBe(`1${NB}234${NB}567,00${NB}₽`);
  });

  it('formats English with the sign first and comma grouping', () => {
    expect(formatMoney('189.90', 'en')).toBe('₽189.90');
    expect(formatMoney('12345.5', 'en')).toBe('₽12,345.50');
  });

  it('keeps every digit the core sent: no rounding', () => {
    expect(formatMoney('0.105', 'en')).toBe('₽0.105');
    expect(formatMoney('2.500', 'en')).toBe('₽2.50');
    expect(formatMoney('0000.10', 'en')).toBe('₽0.10');
  });

  it('shows negative amounts with a minus sign, and zero without one', () => {
    expect(formatMoney('-76.30', 'ru')).toBe(`\u221276,30${NB}₽`);
    expect(formatMoney('-76.30', 'en')).toBe('\u2212₽76.30');
    expect(formatMoney('-0.00', 'en')).toBe('₽0.00');
  });

  it('shows a malformed string as it came', () => {
    expect(formatMoney('abc', 'ru')).toBe('abc');
    expect(formatMoney('1e5', 'en')).toBe('1e5');
  });
});

describe('formatDelta', () => {
  it('signs positive and negative differences and hides zero', () => {
    expect(formatDelta('40.00', 'ru')).toBe(`+40,00${NB}₽`);
    expect(formatDelta('-10', 'en')).toBe('\u2212₽10.00');
    expect(formatDelta('0.00', 'ru')).toBe('');
    expect(formatDelta('0', 'en')).toBe('');
  });
});

describe('isZero / isNegative', () => {
  it('reads the string, not a float', () => {
    expect(isZero('0')).toBe(true);
    expect(isZero('0.000')).toBe(true);
    expect(isZero('0.01')).toBe(false);
    expect(isNegative('-0.01')).toBe(true);
    expect(isNegative('-0.00')).toBe(false);
    expect(isNegative('5')).toBe(false);
  });
});
