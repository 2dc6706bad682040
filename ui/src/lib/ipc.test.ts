import { afterEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: class {
    onmessage: ((m: unknown) => void) | null = null;
  },
}));
vi.mock('@tauri-apps/api/event', () => ({
  listen: vi.fn(async () => () => {}),
}));

const ipc = await import('./ipc');
const { createFakeBackend } = await import('./ipc.fake');

const cart = { order_type: 'eat_in' as const, lines: [{ dish: 'd-tea', qty: 1, modifiers: [] }] };

afterEach(() => {
  invoke.mockReset();
  ipc.useBackend(null);
});

describe('image URLs', () => {
  it('use the kiosk scheme on Linux and macOS, kiosk.localhost on Windows, with the id encoded', () => {
    expect(ipc.tauriImageUrl('dish', 'a b/1', 'card', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit')).toBe(
      'kiosk://localhost/image/dish/a%20b%2F1?size=card',
    );
    expect(ipc.tauriImageUrl('combo', 'c1', 'detail', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/120')).toBe(
      'http://kiosk.localhost/image/combo/c1?size=detail',
    );
  });

  it('come from the fake outside Tauri, as inline pictures', () => {
    expect(ipc.isTauri()).toBe(false);
    expect(ipc.imageUrl('dish', 'd-classic', 'card')).toMatch(/^data:image\/svg\+xml/);
  });
});

describe('the Tauri backend', () => {
  it('passes the commands and argument names the core expects', async () => {
    invoke.mockResolvedValue({});
    await ipc.tauriBackend.appInfo();
    await ipc.tauriBackend.menu();
    await ipc.tauriBackend.estimateCart(3, cart);
    await ipc.tauriBackend.priceCart(4, cart);
    await ipc.tauriBackend.orderView('co-1');
    expect(invoke.mock.calls).toEqual([
      ['app_info', undefined],
      ['menu', undefined],
      ['estimate_cart', { revision: 3, cart }],
      ['price_cart', { revision: 4, cart }],
      ['order_view', { checkoutId: 'co-1' }],
    ]);
  });

  it('streams checkout progress through a channel', async () => {
    invoke.mockResolvedValue({ kind: 'payment_cancelled' });
    const events: unknown[] = [];
    const result = await ipc.tauriBackend.checkout(cart, '99.00', (e) => events.push(e));
    expect(result).toEqual({ kind: 'payment_cancelled' });
    const [command, args] = invoke.mock.calls[0];
    expect(command).toBe('checkout');
    expect(args.cart).toBe(cart);
    expect(args.expectedTotal).toBe('99.00');
    args.onEvent.onmessage({ kind: 'state', state: 'paid' });
    expect(events).toEqual([{ kind: 'state', state: 'paid' }]);
  });

  it('rejects with an IpcError whatever Tauri rejected with', async () => {
    invoke.mockRejectedValueOnce({ code: 'superseded', message: 'newer' });
    await expect(ipc.tauriBackend.priceCart(1, cart)).rejects.toEqual({ code: 'superseded', message: 'newer' });
    invoke.mockRejectedValueOnce('Command menu not allowed');
    await expect(ipc.tauriBackend.menu()).rejects.toEqual({ code: 'internal', message: 'Command menu not allowed' });
    invoke.mockRejectedValueOnce({ code: 'brand_new_code', message: 'from a newer core' });
    await expect(ipc.tauriBackend.menu()).rejects.toMatchObject({ code: 'internal' });
    const problems = [{ kind: 'empty' }];
    invoke.mockRejectedValueOnce({ code: 'cart_invalid', message: 'bad', problems });
    await expect(ipc.tauriBackend.priceCart(1, cart)).rejects.toEqual({ code: 'cart_invalid', message: 'bad', problems });
  });
});

describe('the fake backend', () => {
  const fake = () => createFakeBackend({ latency: 0 });

  it('serves a menu with sections, a combo, out-of-stock cards and a "from" price', async () => {
    const menu = await fake().menu();
    expect(menu.sections.length).toBeGreaterThanOrEqual(4);
    expect(menu.cards.find((c) => c.id === 'c-lunch')?.kind).toBe('combo');
    expect(menu.cards.find((c) => c.id === 'd-fish')?.availability.kind).toBe('out_of_stock');
    expect(menu.cards.find((c) => c.id === 'd-wings')?.from_price).toBe('219.00');
    expect(menu.cards.find((c) => c.id === 'd-classic')?.needs_choices).toBe(true);
  });

  it('estimates with rule problems and echoes the revision', async () => {
    const p = await fake().estimateCart(7, { order_type: 'eat_in', lines: [{ dish: 'd-classic', qty: 2, modifiers: [{ id: 'm-bacon', qty: 1 }] }] });
    expect(Number(p.revision)).toBe(7);
    expect(p.quote).toMatchObject({ source: 'estimate', total: '698.00' });
    expect(p.problems).toEqual([{ kind: 'too_few_modifiers', line: 1, group: 'g-sauce', group_name: 'Соус', min: 1, chosen: 0 }]);
  });

  it('prices like a POS: its own price for one drink, a discount from 1000 ₽, packaging for take-away', async () => {
    const p = await fake().priceCart(1, {
      order_type: 'takeaway',
      lines: [
        { dish: 'd-mors', qty: 1, modifiers: [] },
        { dish: 'd-double', qty: 3, modifiers: [{ id: 'm-bbq', qty: 1 }] },
      ],
    });
    expect(p.quote.source).toBe('pos');
    expect(p.changes).toEqual([{ dish: 'd-mors', name: 'Морс клюквенный', menu_price: '149.00', pos_price: '159.00' }]);
    expect(p.quote.subtotal).toBe('1326.00');
    expect(p.quote.adjustments.map((a) => a.amount)).toEqual(['-66.30', '15.00']);
    expect(p.quote.total).toBe('1274.70');
  });

  it('can refuse a dish or be unreachable', async () => {
    const b = createFakeBackend({ latency: 0, refuse: ['d-tea'] });
    await expect(b.priceCart(1, cart)).rejects.toMatchObject({ code: 'dish_unavailable' });
    b.setOptions({ refuse: [], posDown: true });
    await expect(b.priceCart(1, cart)).rejects.toMatchObject({ code: 'pos_unreachable' });
  });

  it('checks out with progress events, or declines', async () => {
    const b = fake();
    const events: string[] = [];
    const placed = await b.checkout(cart, '99.00', (e) => events.push(e.kind === 'state' ? e.state : e.progress.kind));
    expect(placed.kind).toBe('placed');
    expect(events).toEqual(['priced', 'payment_started', 'started', 'prompt', 'processing', 'paid', 'posting', 'posted']);
    b.setOptions({ decline: true });
    expect((await b.checkout(cart, '99.00', () => {})).kind).toBe('payment_declined');
    expect((await b.checkout(cart, '98.00', () => {})).kind).toBe('price_changed');
  });
});
