import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { ServiceAccess } from './access.svelte';
import { createFakeService } from './ipc.fake';
import ServiceOverlay from './ServiceOverlay.svelte';
import SetupWizard from './SetupWizard.svelte';
import { Wizard } from './wizard.svelte';

async function freshWizard() {
  const backend = createFakeService({ fresh: true });
  return { backend, wizard: new Wizard(backend, await backend.setupStatus()) };
}

function cornerTaps(n: number, x = 10, y = 10) {
  for (let i = 0; i < n; i++) window.dispatchEvent(new MouseEvent('pointerdown', { clientX: x, clientY: y }));
}

async function typePin(pin: string) {
  for (const d of pin) await fireEvent.click(screen.getByTestId(`pin-key-${d}`));
  await fireEvent.click(screen.getByTestId('pin-enter'));
}

describe('SetupWizard', () => {
  it('shows the back end’s problem beside its field and stays on the step', async () => {
    const { wizard } = await freshWizard();
    render(SetupWizard, { wizard });
    expect(screen.getByTestId('wizard').dataset.step).toBe('device');
    await fireEvent.input(screen.getByTestId('kiosk_id'), { target: { value: 'no spaces allowed' } });
    await fireEvent.click(screen.getByTestId('wizard-next'));
    const problem = await screen.findByTestId('problem-kiosk_id');
    expect(problem.textContent).toContain('1 to 20');
    expect(screen.getByTestId('kiosk_id').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('wizard').dataset.step).toBe('device');
    // Typing in the field clears its old problem.
    await fireEvent.input(screen.getByTestId('kiosk_id'), { target: { value: 'hall-2' } });
    expect(screen.queryByTestId('problem-kiosk_id')).toBeNull();
  });

  it('offers the device modes and the five payment providers', async () => {
    const { wizard } = await freshWizard();
    render(SetupWizard, { wizard, lang: 'en' });
    for (const m of ['customer', 'staff', 'board']) expect(screen.getByTestId(`mode-${m}`)).toBeTruthy();
    await fireEvent.click(screen.getByTestId('mode-board').querySelector('input')!);
    expect(wizard.form.mode).toBe('board');
    wizard.step = 'payment';
    for (const p of ['simulator', 'counter', 'sbpilot', 'tbank', 'yookassa']) expect(await screen.findByTestId(`provider-${p}`)).toBeTruthy();
    await fireEvent.click(screen.getByTestId('provider-yookassa').querySelector('input')!);
    expect(screen.getByTestId('secret-yookassa_shop_id').getAttribute('type')).toBe('password');
    expect(screen.getByTestId('secret-yookassa_secret_key')).toBeTruthy();
  });

  it('lists every line of the connection test, with the fix of each failure', async () => {
    const { wizard } = await freshWizard();
    wizard.step = 'pos';
    render(SetupWizard, { wizard, lang: 'en' });
    await fireEvent.input(screen.getByTestId('pos_url'), { target: { value: 'http://down.example:11111' } });
    await fireEvent.input(screen.getByTestId('secret-pos_token'), { target: { value: 'tok' } });
    await fireEvent.click(screen.getByTestId('test-connection'));
    const result = await screen.findByTestId('connection-result');
    expect(result.dataset.ok).toBe('false');
    const lines = screen.getAllByTestId('check-line');
    expect(lines[0].dataset.status).toBe('fail');
    expect(lines[0].textContent).toContain('What to do');
    // The token went to the keyring: the field is empty and says it is stored.
    expect((screen.getByTestId('secret-pos_token') as HTMLInputElement).value).toBe('');
    expect(screen.getByText(/Stored in the OS keyring/)).toBeTruthy();
  });

  it('tells the kiosk is starting once saved', async () => {
    const { wizard } = await freshWizard();
    wizard.phase = 'restarting';
    render(SetupWizard, { wizard });
    expect(screen.getByTestId('wizard-starting').textContent).toContain('Запускаем');
  });
});

describe('ServiceOverlay', () => {
  it('draws nothing until five quick taps on the corner, then asks for the PIN', async () => {
    const backend = createFakeService({ pin: '2468' });
    const access = new ServiceAccess(backend);
    render(ServiceOverlay, { access, lang: 'en' });
    expect(document.querySelector('.svc-screen')).toBeNull();
    cornerTaps(5, 600, 10);
    cornerTaps(4);
    await new Promise((r) => setTimeout(r, 0));
    expect(access.phase).toBe('closed');
    cornerTaps(1);
    expect(await screen.findByTestId('pin-pad')).toBeTruthy();
  });

  it('never opens the menu on a wrong PIN, locks out, and opens diagnostics on the right one', async () => {
    let now = 1_700_000_000;
    const backend = createFakeService({ pin: '2468', now: () => now });
    const access = new ServiceAccess(backend, () => now * 1000);
    render(ServiceOverlay, { access, lang: 'en' });
    await access.open();
    await screen.findByTestId('pin-pad');
    await typePin('1111');
    await waitFor(() => expect(screen.getByTestId('pin-notice').dataset.kind).toBe('wrong'));
    expect(screen.getByTestId('pin-notice').textContent).toContain('Attempts before lockout: 2');
    await typePin('1112');
    await typePin('1113');
    await waitFor(() => expect(screen.getByTestId('pin-notice').dataset.kind).toBe('locked'));
    expect(screen.getByTestId('pin-notice').textContent).toContain('0:30');
    expect((screen.getByTestId('pin-key-2') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByTestId('service-menu')).toBeNull();
    now += 30;
    access.entry!.tick();
    await waitFor(() => expect((screen.getByTestId('pin-key-2') as HTMLButtonElement).disabled).toBe(false));
    await typePin('2468');
    const menu = await screen.findByTestId('service-menu');
    expect(menu.dataset.page).toBe('diagnostics');
    expect((await screen.findByTestId('diag-pos')).dataset.reachable).toBe('true');
    expect(screen.getByTestId('diag-menu').textContent).toContain('refreshed 1 min ago');
    expect(screen.getByTestId('diag-version-value').textContent).toBe('0.1.0');
    expect(screen.getByTestId('diagnostics-checks').querySelectorAll('[data-status="warn"]').length).toBe(1);
  });

  it('exports the diagnostics and shows where the zip went; leaving ends the session', async () => {
    const backend = createFakeService({ pin: '2468' });
    const access = new ServiceAccess(backend);
    render(ServiceOverlay, { access, lang: 'en' });
    await access.open();
    await screen.findByTestId('pin-pad');
    await typePin('2468');
    await screen.findByTestId('service-menu');
    await fireEvent.click(screen.getByTestId('service-tab-export'));
    await fireEvent.input(screen.getByLabelText('Folder for the zip'), { target: { value: '/media/usb' } });
    await fireEvent.click(screen.getByTestId('export-run'));
    expect((await screen.findByTestId('export-path')).textContent).toBe('/media/usb/kiosk-diagnostics-demo-1.zip');
    const session = access.desk!.session!;
    await fireEvent.click(screen.getByTestId('service-lock'));
    await waitFor(() => expect(screen.queryByTestId('service-menu')).toBeNull());
    await expect(backend.diagnostics(session)).rejects.toMatchObject({ code: 'not_authorized' });
  });

  it('asks a device without a PIN for one first', async () => {
    const backend = createFakeService({ fresh: true });
    const access = new ServiceAccess(backend);
    render(ServiceOverlay, { access, lang: 'en' });
    await access.open();
    await screen.findByTestId('first-pin');
    await fireEvent.input(screen.getByLabelText('PIN (4–12 digits)'), { target: { value: '13579' } });
    await fireEvent.input(screen.getByLabelText('Repeat the PIN'), { target: { value: '13579' } });
    await fireEvent.click(screen.getByTestId('first-pin-save'));
    await screen.findByTestId('service-menu');
    expect(backend.currentPin).toBe('13579');
  });

  it('puts the kiosk back to its start after a visit to the menu, not after a closed PIN pad', async () => {
    const access = new ServiceAccess(createFakeService({ pin: '2468' }));
    let left = 0;
    render(ServiceOverlay, { access, lang: 'en', onLeave: () => (left += 1) });
    await access.open();
    await fireEvent.click(await screen.findByTestId('pin-close'));
    expect(left).toBe(0);
    await access.open();
    await screen.findByTestId('pin-pad');
    await typePin('2468');
    await fireEvent.click(await screen.findByTestId('service-lock'));
    await waitFor(() => expect(left).toBe(1));
  });

  it('locks itself after the idle time', async () => {
    let now = 0;
    const access = new ServiceAccess(createFakeService(), () => now, 1000);
    await access.open();
    access.checkIdle();
    expect(access.phase).toBe('pin');
    now = 1000;
    access.checkIdle();
    await waitFor(() => expect(access.phase).toBe('closed'));
  });
});
