/**
 * The payment screen with the real providers' progress: the card terminal's prompts in the
 * customer's language, the SBP QR code with its countdown and a Cancel that closes it, and the
 * QR running out with a clear message and the way back to the order.
 */
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { CheckoutEvent } from '../../bindings/CheckoutEvent';
import type { CheckoutResult } from '../../bindings/CheckoutResult';
import { en } from '../../i18n/en';
import { ru } from '../../i18n/ru';
import { CheckoutFlow, type CheckoutPort } from '../../state/checkout.svelte';
import PaymentScreen from '../PaymentScreen.svelte';

/** A port whose checkout the test drives: events go out at once, the result when `finish` is called. */
function drivenPort() {
  let emit: (e: CheckoutEvent) => void = () => {};
  let finish: (r: CheckoutResult) => void = () => {};
  const cancelPayment = vi.fn(async () => true);
  const port: CheckoutPort = {
    checkout: (_cart, _total, onEvent) =>
      new Promise<CheckoutResult>((done) => {
        emit = onEvent;
        finish = done;
      }),
    cancelPayment,
  };
  return { port, cancelPayment, emit: (e: CheckoutEvent) => emit(e), finish: (r: CheckoutResult) => finish(r) };
}

const cart = { order_type: 'takeaway' as const, lines: [] };
const QR = 'https://qr.nspk.ru/AD1000123?type=02&sum=84910&cur=RUB';

describe('PaymentScreen', () => {
  it('shows the card terminal prompts in the customer language, and unknown ones as written', async () => {
    const d = drivenPort();
    const flow = new CheckoutFlow(d.port, '849.10');
    const run = flow.run(cart);
    render(PaymentScreen, { t: en, flow, onBackToCart: () => {} });
    d.emit({ kind: 'state', state: 'payment_started' });
    d.emit({ kind: 'payment', progress: { kind: 'prompt', text: 'pin_prompt' } });
    expect((await screen.findByTestId('payment-status')).textContent).toBe('Enter your PIN on the terminal');
    d.emit({ kind: 'payment', progress: { kind: 'prompt', text: 'ВСТАВЬТЕ КАРТУ ДРУГОЙ СТОРОНОЙ' } });
    await vi.waitFor(() => expect(screen.getByTestId('payment-status').textContent).toBe('ВСТАВЬТЕ КАРТУ ДРУГОЙ СТОРОНОЙ'));
    // A card payment cannot be cancelled from the screen: the terminal has its own button.
    expect(screen.queryByTestId('payment-cancel')).toBeNull();
    d.finish({ kind: 'payment_declined', reason: 'ОТКАЗ' });
    await run;
  });

  it('draws the QR code with a countdown, and Cancel closes it; no money was taken', async () => {
    const d = drivenPort();
    const flow = new CheckoutFlow(d.port, '849.10');
    const run = flow.run(cart);
    const back = vi.fn();
    render(PaymentScreen, { t: ru, flow, onBackToCart: back });
    d.emit({ kind: 'state', state: 'payment_started' });
    d.emit({ kind: 'payment', progress: { kind: 'show_qr', payload: QR, expires_in_s: 125 } });
    const qr = await screen.findByTestId('payment-qr');
    expect(qr.dataset.payload).toBe(QR);
    expect(qr.querySelector('svg path')?.getAttribute('d')).toBeTruthy();
    expect(screen.getByTestId('qr-countdown').textContent).toContain('2:05');

    await fireEvent.click(screen.getByTestId('payment-cancel'));
    expect(d.cancelPayment).toHaveBeenCalledOnce();
    expect(screen.getByTestId('payment-status').textContent).toBe(ru.payments.cancelling);
    expect((screen.getByTestId('payment-cancel') as HTMLButtonElement).disabled).toBe(true);

    d.emit({ kind: 'state', state: 'payment_failed' });
    d.finish({ kind: 'payment_cancelled' });
    await run;
    const end = await screen.findByTestId('payment-declined');
    expect(end.dataset.reason).toBe('cancelled_by_customer');
    expect(end.textContent).toContain(ru.payments.cancelledByYouTitle);
    expect(end.textContent).toContain(ru.payments.noMoneyQr);
    await fireEvent.click(screen.getByTestId('back-to-cart'));
    expect(back).toHaveBeenCalledOnce();
  });

  it('says plainly when the QR ran out, and offers the way back to the order', async () => {
    const d = drivenPort();
    const flow = new CheckoutFlow(d.port, '300.00');
    const run = flow.run(cart);
    render(PaymentScreen, { t: en, flow, onBackToCart: () => {} });
    d.emit({ kind: 'payment', progress: { kind: 'show_qr', payload: QR, expires_in_s: 60 } });
    await screen.findByTestId('payment-qr');
    d.emit({ kind: 'payment', progress: { kind: 'expired' } });
    await vi.waitFor(() => expect(screen.queryByTestId('payment-qr')).toBeNull());
    expect(screen.getByTestId('payment-status').textContent).toBe(en.payments.expiring);
    expect(screen.queryByTestId('payment-cancel')).toBeNull();

    d.finish({ kind: 'payment_cancelled' });
    await run;
    const end = await screen.findByTestId('payment-declined');
    expect(end.dataset.reason).toBe('expired');
    expect(end.textContent).toContain(en.payments.expiredTitle);
    expect(end.textContent).toContain(en.payments.tryAgainHint);
    expect(screen.getByTestId('back-to-cart')).toBeTruthy();
  });

  it('lets the customer tap Cancel again when the core had nothing to stop', async () => {
    const d = drivenPort();
    d.cancelPayment.mockResolvedValueOnce(false);
    const flow = new CheckoutFlow(d.port, '10.00');
    void flow.run(cart);
    render(PaymentScreen, { t: en, flow, onBackToCart: () => {} });
    d.emit({ kind: 'payment', progress: { kind: 'show_qr', payload: QR, expires_in_s: 60 } });
    await fireEvent.click(await screen.findByTestId('payment-cancel'));
    await vi.waitFor(() => expect(flow.cancelling).toBe(false));
    expect((screen.getByTestId('payment-cancel') as HTMLButtonElement).disabled).toBe(false);
    d.finish({ kind: 'payment_cancelled' });
  });
});
