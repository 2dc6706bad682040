import { describe, expect, it } from 'vitest';
import { createFakeBackend } from '../ipc.fake';
import { pickUpsell } from './upsell';

const view = () => createFakeBackend({ latency: 0 }).menu();

describe('pickUpsell', () => {
  it('suggests drinks when the order has none, popular and pictured first, never needing choices', async () => {
    const menu = await view();
    const pick = pickUpsell(menu, [{ dish: 'd-classic', qty: 1, modifiers: [{ id: 'm-bbq', qty: 1 }] }]);
    expect(pick?.theme).toBe('drink');
    const ids = pick!.cards.map((c) => c.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThanOrEqual(3);
    expect(ids).not.toContain('d-cola'); // needs a size
  });

  it('moves on to desserts when a drink is in the order, even inside a combo', async () => {
    const menu = await view();
    const pick = pickUpsell(menu, [
      { dish: 'c-lunch', qty: 1, modifiers: [], combo: [{ slot: 'drink', dish: 'd-mors', qty: 1, modifiers: [] }] },
    ]);
    expect(pick?.theme).toBe('dessert');
  });

  it('never suggests what is already in the order', async () => {
    const menu = await view();
    const lines = [
      { dish: 'd-mors', qty: 1, modifiers: [] },
      { dish: 'd-cheesecake', qty: 1, modifiers: [] },
    ];
    const pick = pickUpsell(menu, lines);
    expect(pick?.theme).toBe('side');
    expect(pick!.cards.map((c) => c.id)).not.toContain('d-cheesecake');
  });

  it('skips out-of-stock dishes and returns null when nothing fits', async () => {
    const menu = await view();
    const pick = pickUpsell(menu, [
      { dish: 'd-mors', qty: 1, modifiers: [] },
      { dish: 'd-icecream', qty: 1, modifiers: [] },
      { dish: 'd-fries', qty: 1, modifiers: [] },
    ]);
    expect(pick).toBeNull();
    const snacks = pickUpsell(menu, [{ dish: 'd-mors', qty: 1, modifiers: [] }, { dish: 'd-icecream', qty: 1, modifiers: [] }]);
    expect(snacks?.theme).toBe('side');
    const ids = snacks!.cards.map((c) => c.id);
    expect(ids).not.toContain('d-sticks'); // sold out
    expect(ids).not.toContain('d-wings'); // needs a sauce
  });
});
