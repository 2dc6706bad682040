/**
 * TEST DOUBLE: an in-process stand-in for the service and set-up commands, used when the page
 * runs outside Tauri (a plain browser, Vitest). It keeps the rules the screens depend on the way
 * the Rust back end has them (`crates/kiosk-engine/src/service.rs`): sessions granted by the
 * right PIN and required once a PIN exists, three free wrong attempts then a lockout doubling
 * from 30 s, problems named by form field, secrets that can be set but never read back.
 *
 * Switches (URL query of the page): `?setup=1` a new installation (no settings, no PIN),
 * `?pin=2468` another PIN (default 1234).
 */
import type { CheckLine } from '../bindings/CheckLine';
import type { ConnectionReport } from '../bindings/ConnectionReport';
import type { DiagnosticsExport } from '../bindings/DiagnosticsExport';
import type { DiagnosticsView } from '../bindings/DiagnosticsView';
import type { IpcError } from '../bindings/IpcError';
import type { PaymentTestReport } from '../bindings/PaymentTestReport';
import type { PinState } from '../bindings/PinState';
import type { PinVerdict } from '../bindings/PinVerdict';
import type { SecretKind } from '../bindings/SecretKind';
import type { SettingsForm } from '../bindings/SettingsForm';
import type { SettingsProblem } from '../bindings/SettingsProblem';
import type { SettingsSaved } from '../bindings/SettingsSaved';
import type { SetupStatus } from '../bindings/SetupStatus';
import type { ServiceBackend, Session } from './ipc';

export interface FakeServiceOptions {
  /** A new installation: no settings file and no PIN. */
  fresh?: boolean;
  /** The service PIN (unless `fresh`). */
  pin?: string;
  /** Seconds since the epoch; tests pass their own clock. */
  now?: () => number;
}

export interface FakeService extends ServiceBackend {
  /** What the fake holds, for tests to look at. */
  readonly saved: SettingsForm | null;
  readonly secrets: ReadonlyMap<SecretKind, string>;
  readonly restarts: number;
  readonly currentPin: string | null;
}

export function fakeServiceOptionsFromUrl(search: string): FakeServiceOptions {
  const q = new URLSearchParams(search);
  return { fresh: q.has('setup') && q.get('setup') !== '0', pin: q.get('pin') ?? undefined };
}

/** The defaults of a new installation (as `service::default_form`). */
export function defaultForm(): SettingsForm {
  return {
    kiosk_id: 'kiosk-1', restaurant_name: null, languages: ['ru', 'en'], idle_timeout_s: 90,
    idle_countdown_s: 20, confirmation_timeout_s: 30, pos_kind: 'procart', pos_url: 'http://',
    table: null, jupiter_strategy: 'pay_first', payment_provider: 'counter', payment_url: null,
    sbpilot_binary: null, sbpilot_install_dir: null, tender: '1', tender_name: null,
    payment_timeout_s: null, order_types: ['eat_in', 'takeaway'], eat_in_category: null,
    takeaway_category: null, menu_refresh_s: 60, callbacks_listen: null, callbacks_public_url: null,
    mode: 'customer',
  };
}

const DEMO_FORM: SettingsForm = {
  ...defaultForm(),
  kiosk_id: 'demo-1',
  restaurant_name: 'Бургерная «Огонёк»',
  pos_url: 'http://127.0.0.1:11111',
  payment_provider: 'simulator',
  payment_url: 'http://127.0.0.1:11111',
  eat_in_category: '1',
  takeaway_category: '2',
};

const err = (code: IpcError['code'], message: string): IpcError => ({ code, message });
const blank = (v: string | null) => v === null || v.trim() === '';
const isUrl = (v: string) => /^https?:\/\/[^/\s]\S*$/.test(v.trim());

/** The form's problems, a few of the back end's rules (enough for the screens). */
export function fakeProblems(f: SettingsForm): SettingsProblem[] {
  const out: SettingsProblem[] = [];
  const bad = (field: string, message: string) => out.push({ field, message });
  if (!/^[A-Za-z0-9_-]{1,20}$/.test(f.kiosk_id)) bad('kiosk_id', 'must be 1 to 20 characters of letters, digits, \'-\' and \'_\'');
  if (!['procart', 'jupiter'].includes(f.pos_kind)) bad('pos_kind', `"${f.pos_kind}" is not one of: procart, jupiter`);
  if (!isUrl(f.pos_url)) bad('pos_url', `must be an address starting with http:// or https:// (got "${f.pos_url}")`);
  if (f.languages.length === 0) bad('languages', 'must list at least one of: ru, en');
  if (f.idle_timeout_s < 10 || f.idle_timeout_s > 3600) bad('idle_timeout_s', `is ${f.idle_timeout_s}; allowed: 10 to 3600 seconds`);
  if (f.idle_countdown_s < 5 || f.idle_countdown_s > 120) bad('idle_countdown_s', `is ${f.idle_countdown_s}; allowed: 5 to 120 seconds`);
  if (f.payment_provider === 'simulator' && (blank(f.payment_url) || !isUrl(f.payment_url!))) bad('payment_url', 'is required for the simulator provider (e.g. http://127.0.0.1:8080)');
  if (f.payment_provider === 'sbpilot' && blank(f.sbpilot_binary)) bad('sbpilot_binary', 'is required for the sbpilot provider');
  if (!['simulator', 'counter', 'sbpilot', 'tbank', 'yookassa'].includes(f.payment_provider)) bad('payment_provider', 'is not one of: simulator, counter, sbpilot, tbank, yookassa');
  if (f.tender.trim() === '') bad('tender', 'is empty; give the POS payment type');
  if (f.order_types.length === 0) bad('order_types', 'must list at least one of: eat_in, takeaway');
  if (f.pos_kind === 'procart' && f.menu_refresh_s < 60) bad('menu_refresh_s', `is ${f.menu_refresh_s}; ProCart menus must not be fetched more than once a minute: allowed 60 to 86400`);
  return out;
}

const line = (id: string, label: string, status: CheckLine['status'], detail: string, fix: string | null = null): CheckLine => ({ id, label, status, detail, fix });

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createFakeService(options: FakeServiceOptions = {}): FakeService {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  let saved: SettingsForm | null = options.fresh ? null : { ...DEMO_FORM };
  let pin: string | null = options.fresh ? null : (options.pin ?? '1234');
  let failures = 0;
  let lockedUntil = 0;
  let restarts = 0;
  const sessions = new Set<string>();
  const secrets = new Map<SecretKind, string>();
  if (!options.fresh) secrets.set('pos_token', 'demo-token');

  const authorize = (session: Session) => {
    if (session !== null && sessions.has(session)) return;
    if (pin === null) return;
    throw err('not_authorized', 'the service menu is locked: enter the service PIN first');
  };
  const retryIn = () => Math.max(0, lockedUntil - now());
  const lockout = (n: number) => (n < 3 ? 0 : Math.min(3600, 30 * 2 ** Math.min(20, n - 3)));
  const checkPin = (p: string) => {
    if (!/^\d{4,12}$/.test(p)) throw err('bad_input', 'the PIN must be 4 to 12 digits');
  };

  const fake: FakeService = {
    get saved() {
      return saved;
    },
    get secrets() {
      return secrets;
    },
    get restarts() {
      return restarts;
    },
    get currentPin() {
      return pin;
    },
    async setupStatus(): Promise<SetupStatus> {
      return {
        configured: saved !== null,
        demo: false,
        settings_path: '/etc/kiosk/kiosk.toml',
        settings_problem: saved ? null : 'no settings yet (/etc/kiosk/kiosk.toml does not exist)',
        settings: saved ? { ...saved } : defaultForm(),
        pos_token_set: secrets.has('pos_token'),
        pos_user_password_set: secrets.has('pos_user_password'),
        keyring: line('keyring', 'OS keyring', 'ok', 'the Secret Service answers and the login keyring is unlocked'),
        pin_set: pin !== null,
        secrets_set: [...secrets.keys()],
      };
    },
    async checkSettings(session, settings) {
      authorize(session);
      return fakeProblems(settings);
    },
    async saveSettings(session, settings): Promise<SettingsSaved> {
      authorize(session);
      const problems = fakeProblems(settings);
      if (problems.length === 0) saved = structuredClone(settings);
      return { saved: problems.length === 0, path: '/etc/kiosk/kiosk.toml', problems };
    },
    async setSecret(session, kind, value) {
      authorize(session);
      if (value.trim() === '' || /[\n\r]/.test(value)) throw err('bad_input', 'a secret must be one line, not empty');
      secrets.set(kind, value.trim());
    },
    async testConnection(session, settings): Promise<ConnectionReport> {
      authorize(session);
      const f = settings ?? saved ?? defaultForm();
      await wait(20);
      const problems = fakeProblems(f).filter((p) => p.field === 'pos_url' || p.field === 'pos_kind');
      if (problems.length > 0) {
        return { pos: f.pos_kind, ok: false, latency_ms: null, info: null, menu: null, lines: problems.map((p) => line(`settings.${p.field}`, p.field, 'fail', p.message, 'correct this field')) };
      }
      if (!secrets.has('pos_token')) {
        return { pos: f.pos_kind, ok: false, latency_ms: null, info: null, menu: null, lines: [line('pos.token', 'Access token', 'fail', 'no token in the OS keyring', 'enter it in the set-up screen and test again')] };
      }
      const down = f.pos_url.includes('down');
      const lines = down
        ? [line('pos.reachable', 'POS reachable', 'fail', `${f.pos_url}: connection refused`, 'check the address and that the gateway runs')]
        : [
            line('pos.reachable', 'POS reachable', 'ok', 'answers in 12 ms'),
            line('pos.versions', 'Versions', 'ok', 'ProCart 3.2.1, r_keeper 7.6'),
            line('pos.cash_server', 'Cash server', 'ok', 'reachable from ProCart'),
            line('pos.licence', 'Licence', 'ok', 'valid until 2026-12-31'),
            line('pos.token', 'Access token', 'ok', 'accepted'),
          ];
      return { pos: f.pos_kind, ok: !down, latency_ms: down ? null : 12, info: null, menu: null, lines };
    },
    async testPayment(session, settings, sale, onProgress): Promise<PaymentTestReport> {
      authorize(session);
      const f = settings ?? saved ?? defaultForm();
      const provider = f.payment_provider;
      const lines: CheckLine[] = [];
      const needs: Array<[SecretKind, string]> =
        provider === 'tbank' ? [['tbank_terminal_key', 'T-Bank terminal key'], ['tbank_password', 'T-Bank terminal password']]
        : provider === 'yookassa' ? [['yookassa_shop_id', 'YooKassa shop id'], ['yookassa_secret_key', 'YooKassa secret key']]
        : [];
      for (const [kind, what] of needs) {
        lines.push(secrets.has(kind) ? line('payment.key', what, 'ok', 'in the OS keyring') : line('payment.key', what, 'fail', 'not in the OS keyring', 'enter it in the payment step and test again'));
      }
      if (lines.some((l) => l.status === 'fail')) return { provider, ok: false, lines };
      lines.push(line('payment', 'Payment provider', 'ok', `${provider} answers (8 ms)`));
      if (sale && provider !== 'counter') {
        onProgress({ kind: 'started', amount: '1.00' });
        if (provider === 'tbank' || provider === 'yookassa') {
          onProgress({ kind: 'show_qr', payload: 'https://qr.nspk.ru/AD10006M8KH1MQ4V9LJ8M7CR4E5TLQ1S?type=02&bank=100000000004&sum=100&cur=RUB', expires_in_s: 120 });
        } else {
          onProgress({ kind: 'prompt', text: 'ПРИЛОЖИТЕ КАРТУ' });
        }
        await wait(50);
        lines.push(line('payment.sale', 'Test sale of 1.00', 'ok', 'approved, transaction fake-1'));
        lines.push(line('payment.refund', 'Refund', 'ok', 'given back (fake-r-1)'));
      }
      return { provider, ok: true, lines };
    },
    async pinState(): Promise<PinState> {
      return { set: pin !== null, retry_in_s: retryIn(), failed_attempts: failures };
    },
    async unlock(p): Promise<PinVerdict> {
      if (pin === null) return { kind: 'not_set' };
      if (retryIn() > 0) return { kind: 'locked_out', retry_in_s: retryIn() };
      failures += 1;
      const lock = lockout(failures);
      lockedUntil = lock > 0 ? now() + lock : 0;
      if (p === pin) {
        failures = 0;
        lockedUntil = 0;
        const session = `fake-${Math.random().toString(36).slice(2)}`;
        sessions.add(session);
        return { kind: 'granted', session, expires_in_s: 600 };
      }
      return { kind: 'wrong', attempts_before_lockout: Math.max(0, 3 - failures), retry_in_s: lock };
    },
    async lock(session) {
      sessions.delete(session);
    },
    async setPin(session, p) {
      authorize(session);
      checkPin(p);
      pin = p;
      failures = 0;
      lockedUntil = 0;
    },
    async diagnostics(session): Promise<DiagnosticsView> {
      authorize(session);
      return {
        version: '0.1.0', generated_at: new Date(now() * 1000).toISOString(), kiosk_id: saved?.kiosk_id ?? 'kiosk-1',
        data_dir: '/var/lib/kiosk',
        pos: { kind: saved?.pos_kind ?? 'procart', url: saved?.pos_url ?? '', reachable: true, latency_ms: 14, error: null, info: { pos: 'procart', gateway_version: '3.2.1', backend_version: '7.6.5.12', cash_server_available: true, licence_valid: true, licence_expires: '2026-12-31', licence_message: null, token_valid: true, source_name: null, latency_ms: 14 } },
        menu: { version: 'v42', source: 'pos', age_s: 75, last_refresh_at: new Date(now() * 1000 - 75000).toISOString(), last_error: null, stale: false, fault_count: 1 },
        journal: { available: true, error: null, backlog: 0, needs_staff: [], today: 12 },
        payment: { provider: saved?.payment_provider ?? 'counter', status: 'ok', detail: 'simulator answers (8 ms)', latency_ms: 8 },
        disk: { path: '/var/lib/kiosk', free_bytes: 12_884_901_888, total_bytes: 32_212_254_720 },
        checks: [
          line('settings', 'Settings file', 'ok', '/etc/kiosk/kiosk.toml'),
          line('pos.reachable', 'POS reachable', 'ok', 'answers in 14 ms'),
          line('menu.faults', 'Menu faults', 'warn', '1 dish without a price', 'give "Морс" a price in r_keeper or take it off the kiosk menu'),
          line('disk', 'Disk space', 'ok', '12288 MiB free'),
        ],
      };
    },
    async preflight(session) {
      authorize(session);
      await wait(20);
      return [
        line('menu.faults', 'Menu faults', 'warn', 'dish 1207 "Морс": no price', 'give it a price in r_keeper or take it off the kiosk menu'),
        line('menu.usable', 'Menu', 'ok', '6 sections, 38 dishes'),
        line('payment', 'Payment provider', 'ok', 'simulator answers (8 ms)'),
      ];
    },
    async exportDiagnostics(session, destDir): Promise<DiagnosticsExport> {
      authorize(session);
      if (destDir !== null && !destDir.startsWith('/')) throw err('bad_input', `"${destDir}" is not an existing folder (give an absolute path)`);
      const dir = destDir ?? '/var/lib/kiosk/exports';
      return { path: `${dir}/kiosk-diagnostics-${saved?.kiosk_id ?? 'kiosk-1'}.zip`, bytes: 48_213, files: ['diagnostics.json', 'settings.toml', 'catalog-faults.json', 'journal-summary.json', 'logs/kiosk.log'] };
    },
    async restart(session) {
      authorize(session);
      restarts += 1;
    },
  };
  return fake;
}
