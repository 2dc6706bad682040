import { afterEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: class {
    onmessage: ((m: unknown) => void) | null = null;
  },
}));

const svc = await import('./ipc');
const { defaultForm } = await import('./ipc.fake');

afterEach(() => {
  invoke.mockReset();
  svc.useServiceBackend(null);
});

describe('the service commands over Tauri', () => {
  it('use the command and argument names of src-tauri/src/service.rs', async () => {
    invoke.mockResolvedValue(null);
    const form = defaultForm();
    const b = svc.tauriService;
    await b.setupStatus();
    await b.checkSettings(null, form);
    await b.saveSettings('s1', form);
    await b.setSecret(null, 'pos_token', 'tok');
    await b.testConnection('s1', null);
    await b.pinState();
    await b.unlock('1234');
    await b.lock('s1');
    await b.setPin(null, '2468');
    await b.diagnostics('s1');
    await b.preflight('s1');
    await b.exportDiagnostics('s1', '/media/usb');
    await b.restart('s1');
    expect(invoke.mock.calls).toEqual([
      ['setup_status', undefined],
      ['setup_check_settings', { session: null, settings: form }],
      ['setup_save_settings', { session: 's1', settings: form }],
      ['setup_set_secret', { session: null, kind: 'pos_token', value: 'tok' }],
      ['setup_test_connection', { session: 's1', settings: null }],
      ['service_pin_state', undefined],
      ['service_unlock', { pin: '1234' }],
      ['service_lock', { session: 's1' }],
      ['service_set_pin', { session: null, pin: '2468' }],
      ['service_diagnostics', { session: 's1' }],
      ['service_preflight', { session: 's1' }],
      ['service_export_diagnostics', { session: 's1', destDir: '/media/usb' }],
      ['service_restart', { session: 's1' }],
    ]);
  });

  it('streams the payment test progress through a channel', async () => {
    invoke.mockResolvedValue({ provider: 'tbank', ok: true, lines: [] });
    const seen: unknown[] = [];
    await svc.tauriService.testPayment(null, defaultForm(), true, (p) => seen.push(p));
    const [command, args] = invoke.mock.calls[0];
    expect(command).toBe('setup_test_payment');
    expect(args.sale).toBe(true);
    args.onProgress.onmessage({ kind: 'show_qr', payload: 'https://qr.nspk.ru/x', expires_in_s: 120 });
    expect(seen).toEqual([{ kind: 'show_qr', payload: 'https://qr.nspk.ru/x', expires_in_s: 120 }]);
  });

  it('normalises every rejection to an IpcError', async () => {
    invoke.mockRejectedValueOnce({ code: 'not_authorized', message: 'the service menu is locked' });
    await expect(svc.tauriService.diagnostics(null)).rejects.toEqual({ code: 'not_authorized', message: 'the service menu is locked' });
    invoke.mockRejectedValueOnce('Command setup_status not allowed by ACL');
    await expect(svc.tauriService.setupStatus()).rejects.toEqual({ code: 'internal', message: 'Command setup_status not allowed by ACL' });
    invoke.mockRejectedValueOnce({ code: 'some_future_code', message: 'x' });
    await expect(svc.tauriService.pinState()).rejects.toMatchObject({ code: 'internal' });
  });

  it('use the fake outside Tauri', async () => {
    const status = await svc.serviceBackend().setupStatus();
    expect(status.settings_path).toBe('/etc/kiosk/kiosk.toml');
    expect(invoke).not.toHaveBeenCalled();
  });
});
