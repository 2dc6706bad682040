// Paying by SBP QR through T-Bank and through YooKassa, each against its simulator (pay-sim,
// started here like the POS simulator): the QR code is drawn on the kiosk from the bank's
// payload (no picture is fetched), the simulated bank app pays it and the order is placed once;
// Cancel while the QR is up closes it and takes no money; a QR that runs out says so and leads
// back to the order.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSim, startPaySim, kioskConfigWithPayment, paySecretArgs, openKioskWith, waitFor, tap, read,
  until, dishWithRequiredModifiers, startOrder, addDishWithModifiers, posTotal, pay, kop, screenshot,
} from '../lib.mjs';

/** How long the kiosk keeps a QR up in these tests. */
const WAIT_S = 8;

for (const provider of ['tbank', 'yookassa']) {
  describe(`SBP QR through ${provider}`, () => {
    let sim;
    let bank;
    let browser;
    /** The bank's payments with the fields the tests use, newest last. */
    const payments = async () =>
      (await bank.payments()).map((p) => ({
        id: p.payment_id ?? p.id,
        status: p.status,
        charged: provider === 'tbank' ? p.charged : kop(p.charged),
      }));

    before(async () => {
      sim = await startSim();
      bank = await startPaySim(provider);
      const config = kioskConfigWithPayment(sim, { provider, paySim: bank, waitS: WAIT_S });
      browser = await openKioskWith(config, paySecretArgs(provider));
    });

    after(async () => {
      await browser?.deleteSession().catch(() => {});
      await bank?.stop();
      await sim?.stop();
    });

    /** Orders a dish and taps Pay; returns the POS-confirmed total. */
    async function orderAndPay(orderType) {
      const pick = dishWithRequiredModifiers(await sim.menu());
      await startOrder(browser, { lang: 'en', orderType });
      await addDishWithModifiers(browser, pick);
      const total = await posTotal(browser);
      await pay(browser);
      return total;
    }

    /** Waits for the QR on screen; returns its payload, checked to be drawn locally. */
    async function qrShown() {
      const qr = await waitFor(browser, 'payment-qr', 30000);
      const payload = await qr.getAttribute('data-payload');
      assert.match(payload, /^https:\/\/qr\.nspk\.ru\//, 'an SBP payload');
      const drawn = await browser.execute(() => {
        const box = document.querySelector('[data-testid="payment-qr"]');
        return {
          modules: box.querySelector('svg path')?.getAttribute('d')?.length ?? 0,
          pictures: box.querySelectorAll('img').length,
        };
      });
      assert.ok(drawn.modules > 100, 'the QR is drawn from the payload as SVG');
      assert.equal(drawn.pictures, 0, 'no picture is fetched for it');
      assert.match((await read(browser, 'qr-countdown')).text, /0:0\d|0:\d\d/);
      return payload;
    }

    test('the QR is shown, the bank app pays it, the order is placed once', async () => {
      const total = await orderAndPay('takeaway');
      const payload = await qrShown();
      await screenshot(browser, `pay-sbp-${provider}-qr`);
      const [payment] = await payments();
      assert.equal(payment.status, provider === 'tbank' ? 'FORM_SHOWED' : 'pending');
      if (provider === 'tbank') assert.ok(payload.includes(payment.id), 'the payload is the bank payment');

      await bank.act(payment.id, 'pay');
      await waitFor(browser, 'confirmation', 30000);
      const orders = await sim.orders();
      assert.equal(orders.length, 1);
      const paid = (orders[0].payments ?? []).reduce((s, p) => s + kop(Number(p.amount).toFixed(2)), 0);
      assert.equal(paid, kop(total));
      assert.ok(JSON.stringify(orders[0]).includes(payment.id), 'the POS records the bank payment id');
      assert.equal((await payments())[0].charged, kop(total));
      await tap(browser, 'new-order');
    });

    test('Cancel while the QR is up closes it; no money, no order', async () => {
      await orderAndPay('eat_in');
      await qrShown();
      await tap(browser, 'payment-cancel');
      const end = await waitFor(browser, 'payment-declined', 20000);
      assert.equal(await end.getAttribute('data-reason'), 'cancelled_by_customer');
      const last = (await payments()).at(-1);
      // T-Bank closes the QR; YooKassa cannot cancel a pending SBP payment, so the kiosk gives it
      // up and its late-payment sweep refunds it should it still be paid.
      assert.equal(last.status, provider === 'tbank' ? 'CANCELED' : 'pending');
      assert.equal(last.charged, 0);
      assert.equal((await sim.orders()).length, 1, 'no new order');
      await tap(browser, 'back-to-cart');
      await waitFor(browser, 'cart');
    });

    test('a QR that runs out says so and leads back to the order', async () => {
      // From the cart of the previous test.
      await pay(browser);
      await qrShown();
      const end = await waitFor(browser, 'payment-declined', (WAIT_S + 20) * 1000);
      assert.equal(await end.getAttribute('data-reason'), 'expired');
      assert.match((await read(browser, 'payment-declined')).text, /Time to pay is up/);
      await screenshot(browser, `pay-sbp-${provider}-expired`);
      const last = (await payments()).at(-1);
      assert.equal(last.charged, 0);
      if (provider === 'tbank') assert.equal(last.status, 'CANCELED', 'the bank closed the QR');
      await tap(browser, 'back-to-cart');
      await until(browser, () => document.querySelector('[data-testid="cart"]'), [], { message: 'the cart' });
      assert.equal((await sim.orders()).length, 1, 'no new order');
    });
  });
}
