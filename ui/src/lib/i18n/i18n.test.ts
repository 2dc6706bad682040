import { describe, expect, it } from 'vitest';
import { en } from './en';
import { MESSAGES, messagesFor } from './index';
import { ru } from './ru';

describe('languages', () => {
  it('have exactly the same keys (the type checker enforces this too)', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ru).sort());
  });

  it('have the same kind of value for each key, and no empty text', () => {
    for (const [lang, m] of Object.entries(MESSAGES)) {
      for (const [key, value] of Object.entries(m)) {
        expect(typeof value, `${lang}.${key}`).toBe(typeof (ru as Record<string, unknown>)[key]);
        if (typeof value === 'string') expect(value.length, `${lang}.${key}`).toBeGreaterThan(0);
      }
    }
  });

  it('use Russian plural forms', () => {
    expect(ru.items(1)).toBe('1 позиция');
    expect(ru.items(3)).toBe('3 позиции');
    expect(ru.items(5)).toBe('5 позиций');
    expect(ru.items(11)).toBe('11 позиций');
    expect(ru.items(22)).toBe('22 позиции');
    expect(en.items(1)).toBe('1 item');
    expect(en.items(2)).toBe('2 items');
  });

  it('format money per language', () => {
    expect(ru.money('849.10')).toBe('849,10\u00a0₽');
    expect(en.money('849.10')).toBe('₽849.10');
  });

  it('fall back to Russian for an unknown language', () => {
    expect(messagesFor('de')).toBe(ru);
    expect(messagesFor('en')).toBe(en);
  });
});
