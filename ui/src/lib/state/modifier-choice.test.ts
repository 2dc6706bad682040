import { describe, expect, it, vi } from 'vitest';
import type { ModifierGroup } from '../bindings/ModifierGroup';
import { hasChoices, ModifierChoice, ruleOf } from './modifier-choice.svelte';

const mod = (id: string, extra: Partial<ModifierGroup['modifiers'][number]> = {}) => ({
  id, name: id, price: '0.00', max_quantity: 1, auto: false, available: true, ...extra,
});
const size: ModifierGroup = { id: 'size', name: 'Объём', min: 1, max: 1, modifiers: [mod('s'), mod('m'), mod('l', { available: false })] };
const extras: ModifierGroup = { id: 'extras', name: 'Добавки', min: 0, max: 2, modifiers: [mod('cheese', { max_quantity: 2 }), mod('bacon')] };
const included: ModifierGroup = { id: 'inc', name: 'В составе', min: 0, max: null, modifiers: [mod('salad', { auto: true })] };

describe('ModifierChoice', () => {
  it('enforces single, required, maximum and per-modifier limits', () => {
    const onChange = vi.fn();
    const c = new ModifierChoice(() => [size, extras, included], [], onChange);
    expect(c.missing.map((g) => g.id)).toEqual(['size']);
    c.toggle('l'); // not available
    c.toggle('salad'); // automatic
    expect(c.chosen).toEqual({});
    c.toggle('s');
    c.toggle('m');
    expect(c.chosen).toEqual({ m: 1 });
    c.toggle('m'); // a required single choice stays
    expect(c.valid).toBe(true);
    c.plus('cheese');
    c.plus('cheese');
    expect(c.canAdd('bacon')).toBe(false);
    c.toggle('bacon');
    expect(c.qtyOf('bacon')).toBe(0);
    c.minus('cheese');
    c.toggle('bacon');
    expect(c.toList()).toEqual([{ id: 'm', qty: 1 }, { id: 'cheese', qty: 1 }, { id: 'bacon', qty: 1 }]);
    expect(onChange).toHaveBeenCalledTimes(6);
  });

  it('starts from given choices and reports a group over its maximum', () => {
    const c = new ModifierChoice(() => [extras], [{ id: 'cheese', qty: 2 }, { id: 'bacon', qty: 1 }]);
    expect(c.excess.map((g) => g.id)).toEqual(['extras']);
    expect(c.valid).toBe(false);
  });

  it('knows when a dish has something to choose', () => {
    expect(hasChoices([included])).toBe(false);
    expect(hasChoices([included, extras])).toBe(true);
    expect(ruleOf(included).includedOnly).toBe(true);
  });
});
