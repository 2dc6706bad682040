/**
 * The whole kiosk in jsdom over the fake backend: one order from the attract screen to the
 * confirmation, a declined payment, and the idle timeout.
 */
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { createFakeBackend, type FakeOptions } from './lib/ipc.fake';
import { useBackend } from './lib/ipc';
import { servicesFor } from './lib/services/ordering';
import { Kiosk } from './lib/state/kiosk.svelte';

let kiosk: Kiosk | null = null;

async function start(options: FakeOptions = {}) {
  const fake = createFakeBackend({ latency: 0, ...options });
  useBackend(fake);
  kiosk = new Kiosk(servicesFor(fake));
  render(App, { kiosk });
  await kiosk.boot();
  return { fake, kiosk };
}

const click = async (id: string) => fireEvent.click(await screen.findByTestId(id));

async function orderTea() {
  await click('attract');
  await click('lang-ru');
  await click('order-type-eat_in');
  await click('section-s-drinks');
  await click('card-d-tea');
  await click('add-to-cart');
  await click('cart-button');
  await waitFor(() => expect(screen.getByTestId('cart-total').dataset.source).toBe('pos'));
}

afterEach(() => {
  kiosk?.dispose();
  kiosk = null;
  useBackend(null);
  vi.useRealTimers();
});

describe('the kiosk', () => {
  it('takes an order from the attract screen to the order number', async () => {
    const { fake } = await start();
    expect(screen.getByTestId('screen-attract')).toBeTruthy();
    await orderTea();
    const total = screen.getByTestId('cart-total');
    expect(total.dataset.total).toBe('99.00');
    // Once when the tea was added, once more when the order was opened (the POS's price now).
    expect(fake.priceCalls).toBe(2);
    expect(screen.getByTestId('cart-line-0').textContent).toContain('Чай чёрный');

    await click('line-0-plus');
    await waitFor(() => expect(screen.getByTestId('cart-total').dataset.total).toBe('198.00'));
    await waitFor(() => expect(screen.getByTestId('cart-total').dataset.source).toBe('pos'));

    await click('checkout-button');
    // The order has a drink, so dessert is suggested; the suggestion is skippable in one tap.
    expect((await screen.findByTestId('upsell')).textContent).not.toContain('Чай чёрный');
    await click('upsell-skip');
    await screen.findByTestId('payment');
    const confirmation = await screen.findByTestId('confirmation', {}, { timeout: 3000 });
    expect(confirmation).toBeTruthy();
    expect(screen.getByTestId('order-number').textContent).toBe('42');
    // The status follows `order-updated` live, up to the POS closing the order.
    await waitFor(() => expect(screen.getByTestId('order-status').dataset.status).toBe('closed'));

    await click('new-order');
    expect(screen.getByTestId('screen-attract')).toBeTruthy();
    expect(kiosk!.cart.isEmpty).toBe(true);
  });

  it('adds the upsell and goes back to the order', async () => {
    await start();
    await orderTea();
    await click('checkout-button');
    const add = (await screen.findByTestId('upsell')).querySelector('[data-testid^="upsell-add-"]') as HTMLElement;
    await fireEvent.click(add);
    await screen.findByTestId('screen-cart');
    expect(kiosk!.cart.lines).toHaveLength(2);
  });

  it('says no money was taken when the payment is declined, and returns to the order', async () => {
    await start({ decline: true });
    await orderTea();
    await click('checkout-button');
    await click('upsell-skip');
    const declined = await screen.findByTestId('payment-declined', {}, { timeout: 3000 });
    expect(declined.textContent).toContain('Деньги не списаны');
    await click('back-to-cart');
    expect(screen.getByTestId('cart-line-0')).toBeTruthy();
  });

  it('shows the POS price notice and a refusal with what to do', async () => {
    await start({ refuse: ['d-tea'] });
    await click('attract');
    await click('lang-en');
    await click('order-type-takeaway');
    await click('section-s-drinks');
    await click('card-d-tea');
    await click('add-to-cart');
    await click('cart-button');
    const notice = await screen.findByTestId('price-notice');
    expect(notice.textContent).toContain('Remove or replace');
    expect((screen.getByTestId('checkout-button') as HTMLButtonElement).disabled).toBe(true);
  });

  it('keeps an out-of-stock dish visible but closed', async () => {
    await start();
    await click('attract');
    await click('lang-ru');
    await click('order-type-eat_in');
    const fish = await screen.findByTestId('card-d-fish');
    expect(fish.dataset.available).toBe('false');
    await fireEvent.click(fish);
    expect(screen.queryByTestId('dish-sheet')).toBeNull();
  });

  it('asks "are you still there?" and then starts over with an empty cart', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    await start({ idleTimeoutS: 30, idleCountdownS: 5 });
    await click('attract');
    await click('lang-ru');
    await click('order-type-eat_in');
    await click('card-d-chicken');
    await click('add-to-cart');
    expect(kiosk!.cart.count).toBe(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await screen.findByTestId('idle-dialog')).toBeTruthy();
    await vi.advanceTimersByTimeAsync(5_000);
    await screen.findByTestId('screen-attract');
    expect(kiosk!.cart.isEmpty).toBe(true);
  });

  it('takes a refreshed menu without losing the customer\'s place', async () => {
    const { fake } = await start();
    await click('attract');
    await click('lang-ru');
    await click('order-type-eat_in');
    await click('section-s-snacks');
    expect((await screen.findByTestId('card-d-sticks')).dataset.available).toBe('false');
    await click('card-d-rings');
    await screen.findByTestId('dish-sheet');
    fake.bumpMenu();
    await waitFor(() => expect(screen.getByTestId('card-d-sticks').dataset.available).toBe('true'));
    expect(kiosk!.menu.section).toBe('s-snacks');
    expect(screen.getByTestId('dish-sheet')).toBeTruthy();
  });

  it('toggles accessibility mode from any screen', async () => {
    await start();
    await click('a11y-toggle');
    expect(document.documentElement.classList.contains('a11y')).toBe(true);
    expect(screen.getByTestId('a11y-toggle').getAttribute('aria-pressed')).toBe('true');
    await click('a11y-toggle');
    expect(document.documentElement.classList.contains('a11y')).toBe(false);
  });

  it('builds a combo whose parts need their own choices, and sends them to the POS', async () => {
    const { fake } = await start();
    const asked: string[] = [];
    const price = fake.priceCart.bind(fake);
    fake.priceCart = (revision, cart) => {
      asked.push(JSON.stringify(cart.lines));
      return price(revision, cart);
    };
    await click('attract');
    await click('lang-en');
    await click('order-type-eat_in');
    await click('section-s-combo');
    await click('card-c-lunch');
    await click('combo-choice-main-d-classic');
    const part = await screen.findByTestId('combo-part-main-d-classic');
    expect(part.textContent).toContain('Your Классический бургер');
    await click('combo-next');
    expect((await screen.findByTestId('sheet-error')).textContent).toContain('Please choose for Классический бургер: соус');
    await fireEvent.click(part.querySelector('[data-testid="modifier-m-bbq"]')!);
    await click('combo-next');
    await click('combo-next');
    await click('combo-choice-drink-d-cola');
    await click('combo-next');
    expect((await screen.findByTestId('sheet-error')).textContent).toContain('Кола');
    await fireEvent.click((await screen.findByTestId('combo-part-drink-d-cola')).querySelector('[data-testid="modifier-m-size-05"]')!);
    await click('combo-next');
    expect(screen.getByTestId('combo-summary-main').textContent).toContain('Барбекю');
    await click('combo-add');
    await click('cart-button');
    await waitFor(() => expect(screen.getByTestId('cart-total').dataset.source).toBe('pos'));
    expect(screen.getByTestId('cart-line-0').textContent).toContain('Классический бургер (Барбекю)');
    expect(JSON.parse(asked.at(-1)!)[0].combo).toEqual([
      { slot: 'main', dish: 'd-classic', qty: 1, modifiers: [{ id: 'm-bbq', qty: 1 }] },
      { slot: 'side', dish: 'd-fries', qty: 1, modifiers: [] },
      { slot: 'drink', dish: 'd-cola', qty: 1, modifiers: [{ id: 'm-size-05', qty: 1 }] },
    ]);
    // 449 + 30 (classic burger) + 40 (0.5 l) from the fake POS.
    expect(screen.getByTestId('cart-total').dataset.total).toBe('519.00');
  });

  it('marks the line the POS refused, and lets the order go on once it is removed', async () => {
    const { fake } = await start({ refuse: ['d-mors'] });
    await click('attract');
    await click('lang-en');
    await click('order-type-eat_in');
    await click('section-s-drinks');
    await click('card-d-tea');
    await click('add-to-cart');
    await click('card-d-mors');
    await click('add-to-cart');
    await click('cart-button');
    await waitFor(() => expect(screen.getByTestId('cart-line-1').dataset.problem).toBe('true'));
    expect(screen.getByTestId('cart-line-0').dataset.problem).toBe('false');
    expect(screen.getByTestId('notice-pos-error').dataset.code).toBe('dish_unavailable');
    expect(screen.getByTestId('line-1-problem').textContent).toContain('is not available now');
    expect((screen.getByTestId('checkout-button') as HTMLButtonElement).disabled).toBe(true);
    await click('line-1-remove');
    await waitFor(() => expect(screen.getByTestId('cart-total').dataset.source).toBe('pos'));
    expect((screen.getByTestId('checkout-button') as HTMLButtonElement).disabled).toBe(false);
    void fake;
  });

  it('flags a price change and a dish that ran out when the menu is refreshed', async () => {
    const { fake } = await start();
    await click('attract');
    await click('lang-en');
    await click('order-type-eat_in');
    await click('section-s-drinks');
    await click('card-d-tea');
    await click('add-to-cart');
    await click('card-d-juice');
    await click('add-to-cart');
    await click('cart-button');
    await waitFor(() => expect(screen.getByTestId('cart-total').dataset.total).toBe('288.00'));
    fake.bumpMenu({ prices: { 'd-tea': '109.00' }, soldOut: ['d-juice'] });
    await waitFor(() => expect(screen.getByTestId('cart-line-1').dataset.problem).toBe('true'));
    expect(screen.getByTestId('screen-cart')).toBeTruthy(); // the customer stays where they were
    expect(screen.getByTestId('cart-line-0').dataset.priceChanged).toBe('true');
    expect(screen.getByTestId('notice-menu-change-d-tea').textContent).toContain('now costs ₽109.00 (was ₽99.00)');
    expect((screen.getByTestId('checkout-button') as HTMLButtonElement).disabled).toBe(true);
    await click('line-1-remove');
    await waitFor(() => expect(screen.getByTestId('cart-total').dataset.source).toBe('pos'));
    expect(screen.getByTestId('cart-total').dataset.total).toBe('109.00');
    expect(screen.getByTestId('notice-menu-change-d-tea')).toBeTruthy();
  });

  it('shows the restaurant\'s name and keeps the confirmation for the configured time', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { fake } = await start();
    const info = fake.appInfo.bind(fake);
    fake.appInfo = async () => ({ ...(await info()), confirmation_timeout_s: 7, restaurant_name: 'Огонёк' });
    await kiosk!.boot();
    expect(screen.getByTestId('brand').textContent).toBe('Огонёк');
    expect(kiosk!.confirmationS).toBe(7);
  });
});
