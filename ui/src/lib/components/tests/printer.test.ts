/**
 * The receipt printer as the guest meets it, in the whole kiosk over the fake backend: the
 * dialog before paying when the slip cannot be printed (go back, or pay without a slip; or out
 * of service), and the confirmation's line about the slip.
 */
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../../../App.svelte';
import { createFakeBackend, type FakeOptions } from '../../ipc.fake';
import { useBackend } from '../../ipc';
import { servicesFor } from '../../services/ordering';
import { Kiosk } from '../../state/kiosk.svelte';
import { en } from '../../i18n/en';
import PrinterDialog from '../PrinterDialog.svelte';

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

/** Tea (no dessert suggestion afterwards: the upsell is skipped when offered). */
async function orderTeaAndPay() {
  await click('attract');
  await click('lang-ru');
  await click('order-type-eat_in');
  await click('section-s-drinks');
  await click('card-d-tea');
  await click('add-to-cart');
  await click('cart-button');
  await waitFor(() => expect(screen.getByTestId('cart-total').dataset.source).toBe('pos'));
  await click('checkout-button');
  const skip = await screen.findByTestId('upsell-skip').catch(() => null);
  if (skip) await fireEvent.click(skip);
}

afterEach(() => {
  kiosk?.dispose();
  kiosk = null;
  useBackend(null);
});

describe('the printer before payment', () => {
  it('asks before paying, goes back to the order, then pays without a slip', async () => {
    const { kiosk: k } = await start({ printer: 'paper_out' });
    await orderTeaAndPay();
    const problem = await screen.findByTestId('printer-problem');
    expect(problem.dataset.problem).toBe('paper_out');
    expect(problem.textContent).toContain('закончилась бумага');
    expect(screen.getByTestId('printer-dialog').textContent).toContain('Деньги не списаны');
    expect(k.screen).toBe('cart');

    await click('printer-cancel');
    await waitFor(() => expect(screen.queryByTestId('printer-dialog')).toBeNull());
    expect(k.screen).toBe('cart');
    expect(k.cart.count).toBe(1);

    await click('checkout-button');
    await click('printer-continue');
    const slip = await screen.findByTestId('order-slip');
    expect(slip.dataset.slip).toBe('skipped');
    expect(slip.textContent).toContain('запомните номер заказа');
  });

  it('is out of service when the settings take no payment without a slip', async () => {
    const { kiosk: k } = await start({ printer: 'cover_open', printerOutOfService: true });
    await orderTeaAndPay();
    await screen.findByTestId('printer-dialog');
    expect(screen.queryByTestId('printer-continue')).toBeNull();
    expect(screen.getByTestId('printer-dialog').textContent).toContain('не принимает заказы');
    await click('printer-cancel');
    await waitFor(() => expect(k.screen).toBe('attract'));
    expect(k.cart.isEmpty).toBe(true);
  });
});

describe('the slip after payment', () => {
  it('says the slip is printing, then that it printed', async () => {
    await start();
    await orderTeaAndPay();
    const slip = await screen.findByTestId('order-slip');
    expect(['pending', 'printed']).toContain(slip.dataset.slip);
    await waitFor(() => expect(screen.getByTestId('order-slip').dataset.slip).toBe('printed'));
    expect(screen.getByTestId('order-slip').textContent).toContain('Возьмите чек');
  });
});

describe('PrinterDialog', () => {
  it('offers both choices in the guest\'s language, and Escape goes back', async () => {
    let continued = 0;
    let cancelled = 0;
    render(PrinterDialog, {
      t: en,
      notice: { problem: 'not_responding', choices: ['continue_without_slip', 'cancel'] },
      onContinue: () => (continued += 1),
      onCancel: () => (cancelled += 1),
    });
    expect(screen.getByTestId('printer-problem').textContent).toBe('The printer is not answering.');
    expect(document.activeElement).toBe(screen.getByTestId('printer-continue'));
    await fireEvent.click(screen.getByTestId('printer-continue'));
    expect(continued).toBe(1);
    await fireEvent.keyDown(screen.getByTestId('printer-dialog'), { key: 'Escape' });
    expect(cancelled).toBe(1);
  });
});
