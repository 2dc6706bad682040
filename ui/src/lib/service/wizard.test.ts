import { describe, expect, it, vi } from 'vitest';
import { createFakeService } from './ipc.fake';
import { Wizard, stepOf } from './wizard.svelte';

async function fresh() {
  const backend = createFakeService({ fresh: true });
  const wizard = new Wizard(backend, await backend.setupStatus());
  return { backend, wizard };
}

/** Fills the steps of a working ProCart kiosk with the simulator, up to the PIN step. */
async function fillToPin(wizard: Wizard) {
  wizard.form.kiosk_id = 'hall-2';
  expect(await wizard.next()).toBe(true);
  wizard.form.pos_url = 'http://10.0.0.5:11111';
  wizard.secretDrafts.pos_token = 'tok-1';
  expect(await wizard.next()).toBe(true);
  wizard.form.eat_in_category = '1';
  wizard.form.takeaway_category = '2';
  expect(await wizard.next()).toBe(true);
  wizard.form.payment_provider = 'simulator';
  wizard.form.payment_url = 'http://10.0.0.5:8080';
  expect(await wizard.next()).toBe(true);
  expect(await wizard.next()).toBe(true);
  expect(wizard.step).toBe('pin');
}

describe('the set-up wizard', () => {
  it('is an installation without a session until a PIN exists', async () => {
    const { wizard } = await fresh();
    expect(wizard.mode).toBe('install');
    expect(wizard.pinRequired).toBe(true);
    expect(wizard.form.pos_url).toBe('http://');
  });

  it('keeps the installer on a step while the back end finds a problem in its fields', async () => {
    const { wizard } = await fresh();
    wizard.form.kiosk_id = 'kiosk 1!';
    expect(await wizard.next()).toBe(false);
    expect(wizard.step).toBe('device');
    expect(wizard.problemOf('kiosk_id')).toMatchObject({ message: expect.stringContaining('1 to 20') });
    wizard.form.kiosk_id = 'kiosk-1';
    // Problems of later steps (the address is still "http://") do not hold this one.
    expect(await wizard.next()).toBe(true);
    expect(wizard.step).toBe('pos');
    expect(await wizard.next()).toBe(false);
    expect(wizard.problemOf('pos_url')).not.toBeNull();
    expect(wizard.problemOf('secret:pos_token')).toEqual({ client: 'secret_required' });
  });

  it('stores a typed secret in the keyring once and forgets it', async () => {
    const { wizard, backend } = await fresh();
    wizard.step = 'pos';
    wizard.form.pos_url = 'http://10.0.0.5:11111';
    wizard.secretDrafts.pos_token = '  tok-42 ';
    await wizard.testConnection();
    expect(backend.secrets.get('pos_token')).toBe('tok-42');
    expect(wizard.secretDrafts.pos_token).toBeUndefined();
    expect(wizard.isSet('pos_token')).toBe(true);
    expect(wizard.connection?.ok).toBe(true);
    expect(wizard.connection?.lines.map((l) => l.id)).toContain('pos.token');
  });

  it('shows each failing line of the connection test with its fix', async () => {
    const { wizard } = await fresh();
    wizard.form.pos_url = 'http://down.example:11111';
    wizard.secretDrafts.pos_token = 'tok';
    await wizard.testConnection();
    expect(wizard.connection?.ok).toBe(false);
    const failed = wizard.connection!.lines.filter((l) => l.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((l) => l.fix)).toBe(true);
  });

  it('reports a secret the keyring refused beside its field', async () => {
    const { wizard, backend } = await fresh();
    vi.spyOn(backend, 'setSecret').mockRejectedValueOnce({ code: 'keyring_unavailable', message: 'no Secret Service: install gnome-keyring' });
    wizard.step = 'pos';
    wizard.form.pos_url = 'http://10.0.0.5:11111';
    wizard.secretDrafts.pos_token = 'tok';
    expect(await wizard.next()).toBe(false);
    expect(wizard.secretErrors.pos_token?.code).toBe('keyring_unavailable');
    // The typed value stays, so the installer can try again once the keyring works.
    expect(wizard.secretDrafts.pos_token).toBe('tok');
  });

  it('asks for the keys of the chosen payment provider and tests it, with its progress', async () => {
    const { wizard, backend } = await fresh();
    wizard.step = 'payment';
    wizard.form.payment_provider = 'tbank';
    expect(wizard.secrets.payment).toEqual(['tbank_terminal_key', 'tbank_password']);
    await wizard.testPayment(false);
    expect(wizard.payment?.ok).toBe(false);
    expect(wizard.payment?.lines[0]).toMatchObject({ id: 'payment.key', status: 'fail' });
    wizard.secretDrafts.tbank_terminal_key = 'TinkoffBankTest';
    wizard.secretDrafts.tbank_password = 'pw';
    const run = wizard.testPayment(true);
    expect(wizard.testingPayment).toBe('sale');
    // The QR to scan shows while the sale runs, and goes when it ends.
    await vi.waitFor(() => expect(wizard.paymentProgress?.kind).toBe('show_qr'));
    await run;
    expect(wizard.paymentProgress).toBeNull();
    expect(wizard.payment?.ok).toBe(true);
    expect(wizard.payment?.lines.map((l) => l.id)).toEqual(['payment.key', 'payment.key', 'payment', 'payment.sale', 'payment.refund']);
    expect(backend.secrets.get('tbank_password')).toBe('pw');
    expect(wizard.testingPayment).toBeNull();
  });

  it('refuses text in a number field before asking the back end', async () => {
    const { wizard } = await fresh();
    wizard.step = 'screen';
    wizard.numbers.idle_timeout_s = '90s';
    expect(await wizard.next()).toBe(false);
    expect(wizard.problemOf('idle_timeout_s')).toEqual({ client: 'whole_number' });
    wizard.numbers.idle_timeout_s = '5';
    expect(await wizard.next()).toBe(false);
    expect(wizard.problemOf('idle_timeout_s')).toMatchObject({ message: expect.stringContaining('10 to 3600') });
  });

  it('orders languages with the default first, and order types eat-in first', async () => {
    const { wizard } = await fresh();
    wizard.setDefaultLanguage('en');
    expect(wizard.form.languages).toEqual(['en', 'ru']);
    wizard.toggleLanguage('ru', false);
    expect(wizard.form.languages).toEqual(['en']);
    wizard.toggleOrderType('eat_in', false);
    wizard.toggleOrderType('eat_in', true);
    expect(wizard.form.order_types).toEqual(['eat_in', 'takeaway']);
  });

  it('needs a PIN of 4 to 12 digits, typed twice', async () => {
    const { wizard } = await fresh();
    await fillToPin(wizard);
    expect(await wizard.next()).toBe(false);
    expect(wizard.problemOf('pin')).toEqual({ client: 'pin_shape' });
    wizard.pin = '2468';
    wizard.pin2 = '2469';
    expect(await wizard.next()).toBe(false);
    expect(wizard.problemOf('pin2')).toEqual({ client: 'pin_mismatch' });
    wizard.pin2 = '2468';
    expect(await wizard.next()).toBe(true);
    expect(wizard.step).toBe('finish');
  });

  it('saves, sets the PIN, enters with it and restarts the kiosk', async () => {
    const { wizard, backend } = await fresh();
    await fillToPin(wizard);
    wizard.pin = '2468';
    wizard.pin2 = '2468';
    await wizard.next();
    expect(await wizard.finish()).toBe(true);
    expect(backend.saved).toMatchObject({ kiosk_id: 'hall-2', payment_provider: 'simulator', eat_in_category: '1' });
    expect(backend.currentPin).toBe('2468');
    expect(backend.restarts).toBe(1);
    expect(wizard.phase).toBe('restarting');
    expect(wizard.session).toMatch(/^fake-/);
    expect(wizard.pin).toBe('');
  });

  it('goes back to the step of a field the save refused', async () => {
    const { wizard, backend } = await fresh();
    await fillToPin(wizard);
    wizard.pin = '2468';
    wizard.pin2 = '2468';
    await wizard.next();
    vi.spyOn(backend, 'saveSettings').mockResolvedValueOnce({
      saved: false,
      path: '/etc/kiosk/kiosk.toml',
      problems: [{ field: 'tender', message: 'is empty; give the POS payment type' }],
    });
    expect(await wizard.finish()).toBe(false);
    expect(wizard.step).toBe('payment');
    expect(wizard.phase).toBe('editing');
    expect(backend.restarts).toBe(0);
    expect(backend.currentPin).toBeNull();
  });

  it('edits the settings of a running kiosk with the service session, the PIN optional', async () => {
    const backend = createFakeService({ pin: '1234' });
    const v = await backend.unlock('1234');
    const session = v.kind === 'granted' ? v.session : null;
    const wizard = new Wizard(backend, await backend.setupStatus(), session);
    expect(wizard.mode).toBe('edit');
    expect(wizard.pinRequired).toBe(false);
    expect(wizard.isSet('pos_token')).toBe(true);
    wizard.form.restaurant_name = 'Огонёк-2';
    wizard.step = 'finish';
    expect(await wizard.finish()).toBe(true);
    expect(backend.saved?.restaurant_name).toBe('Огонёк-2');
    expect(backend.currentPin).toBe('1234');
  });

  it('says when the back end refuses for want of a session', async () => {
    const backend = createFakeService({ pin: '1234' });
    const wizard = new Wizard(backend, await backend.setupStatus(), 'forged');
    expect(await wizard.next()).toBe(false);
    expect(wizard.error?.code).toBe('not_authorized');
  });

  it('maps every field to the step that shows it', () => {
    expect(stepOf('pos_url')).toBe('pos');
    expect(stepOf('secret:yookassa_secret_key')).toBe('payment');
    expect(stepOf('eat_in_category')).toBe('orders');
    expect(stepOf('pos.secret')).toBe('finish');
  });
});
