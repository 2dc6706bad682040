/**
 * The set-up wizard's state: the settings form being edited step by step, the problems the back
 * end found in it (by field), the secrets typed but not yet stored, the connection and payment
 * tests, and the end of the wizard (save, PIN, restart).
 *
 * The back end is the judge of every value (`setup_check_settings` at each "Next",
 * `setup_save_settings` at the end); the screens only show its problems beside their fields.
 * Secrets go to the OS keyring as soon as they are needed (a test, or leaving their step) and
 * are then dropped from memory: the UI never reads one back, it only learns which are set.
 *
 * Two uses: a new installation (`install`: no session until the PIN is set), and "Settings" in
 * the service menu (`edit`: with the service session, the PIN step optional).
 */
import type { ConnectionReport } from '../bindings/ConnectionReport';
import type { IpcError } from '../bindings/IpcError';
import type { OrderType } from '../bindings/OrderType';
import type { PaymentProgress } from '../bindings/PaymentProgress';
import type { PaymentTestReport } from '../bindings/PaymentTestReport';
import type { SecretKind } from '../bindings/SecretKind';
import type { SettingsForm } from '../bindings/SettingsForm';
import type { SettingsProblem } from '../bindings/SettingsProblem';
import type { SetupStatus } from '../bindings/SetupStatus';
import { asIpcError } from '../ipc-error';
import type { ServiceBackend, Session } from './ipc';
import { PIN_MAX, PIN_MIN } from './pin.svelte';

export const STEPS = ['device', 'pos', 'orders', 'payment', 'screen', 'pin', 'finish'] as const;
export type StepId = (typeof STEPS)[number];

/** Number fields are edited as text, so a half-typed value is never silently a zero. */
export const NUMBER_FIELDS = [
  'idle_timeout_s', 'idle_countdown_s', 'confirmation_timeout_s', 'menu_refresh_s', 'payment_timeout_s',
] as const;
export type NumberField = (typeof NUMBER_FIELDS)[number];

/** Which step shows each form field (and each secret, as `secret:<kind>`). */
export const FIELD_STEP: Record<string, StepId> = {
  mode: 'device', kiosk_id: 'device', restaurant_name: 'device',
  pos_kind: 'pos', pos_url: 'pos', jupiter_strategy: 'pos',
  'secret:pos_token': 'pos', 'secret:pos_user_password': 'pos',
  order_types: 'orders', eat_in_category: 'orders', takeaway_category: 'orders', table: 'orders',
  payment_provider: 'payment', payment_url: 'payment', sbpilot_binary: 'payment', sbpilot_install_dir: 'payment',
  tender: 'payment', tender_name: 'payment', payment_timeout_s: 'payment',
  'secret:tbank_terminal_key': 'payment', 'secret:tbank_password': 'payment',
  'secret:yookassa_shop_id': 'payment', 'secret:yookassa_secret_key': 'payment',
  languages: 'screen', idle_timeout_s: 'screen', idle_countdown_s: 'screen', confirmation_timeout_s: 'screen',
  menu_refresh_s: 'screen', callbacks_listen: 'screen', callbacks_public_url: 'screen',
  pin: 'pin', pin2: 'pin',
};

/** The step of a field the back end named; unknown fields (settings keys) go to the summary. */
export function stepOf(field: string): StepId {
  return FIELD_STEP[field] ?? 'finish';
}

/** The secrets each POS and payment provider needs. */
export function secretsFor(form: SettingsForm): { pos: SecretKind[]; payment: SecretKind[] } {
  const pos: SecretKind[] = form.pos_kind === 'jupiter' ? ['pos_token', 'pos_user_password'] : ['pos_token'];
  const payment: SecretKind[] =
    form.payment_provider === 'tbank' ? ['tbank_terminal_key', 'tbank_password']
    : form.payment_provider === 'yookassa' ? ['yookassa_shop_id', 'yookassa_secret_key']
    : [];
  return { pos, payment };
}

export type WizardPhase = 'editing' | 'saving' | 'restarting';

/** Client-side problems (the ones the back end cannot see: text in a number field, the PIN). */
export type ClientProblem = 'whole_number' | 'pin_shape' | 'pin_mismatch' | 'secret_required';

export class Wizard {
  readonly mode: 'install' | 'edit';
  step = $state<StepId>('device');
  form = $state<SettingsForm>() as SettingsForm;
  /** Text of the number fields. */
  numbers = $state<Record<NumberField, string>>() as Record<NumberField, string>;
  /** Secrets typed and not yet stored; cleared once in the keyring. */
  secretDrafts = $state<Partial<Record<SecretKind, string>>>({});
  secretsSet = $state<SecretKind[]>([]);
  /** The back end's problems, by field. */
  problems = $state<SettingsProblem[]>([]);
  clientProblems = $state<Partial<Record<string, ClientProblem>>>({});
  /** Per-secret errors (an unusable keyring says what to install or unlock). */
  secretErrors = $state<Partial<Record<SecretKind, IpcError>>>({});
  pin = $state('');
  pin2 = $state('');
  connection = $state<ConnectionReport | null>(null);
  testingConnection = $state(false);
  payment = $state<PaymentTestReport | null>(null);
  paymentProgress = $state<PaymentProgress | null>(null);
  testingPayment = $state<'check' | 'sale' | null>(null);
  busy = $state(false);
  phase = $state<WizardPhase>('editing');
  /** An error not tied to a field (the back end down, the keyring missing, not authorized). */
  error = $state<IpcError | null>(null);
  readonly status: SetupStatus;
  session: Session;

  readonly index = $derived(STEPS.indexOf(this.step));
  readonly secrets = $derived(secretsFor(this.form));

  constructor(
    private readonly backend: ServiceBackend,
    status: SetupStatus,
    session: Session = null,
  ) {
    this.status = status;
    this.session = session;
    this.mode = session === null && !status.pin_set ? 'install' : 'edit';
    this.form = structuredClone(status.settings);
    this.secretsSet = [...status.secrets_set];
    this.numbers = {
      idle_timeout_s: String(status.settings.idle_timeout_s),
      idle_countdown_s: String(status.settings.idle_countdown_s),
      confirmation_timeout_s: String(status.settings.confirmation_timeout_s),
      menu_refresh_s: String(status.settings.menu_refresh_s),
      payment_timeout_s: status.settings.payment_timeout_s === null ? '' : String(status.settings.payment_timeout_s),
    };
  }

  /** The problem to show beside a field: the client's own first, then the back end's. */
  problemOf(field: string): { client: ClientProblem } | { message: string } | null {
    const c = this.clientProblems[field];
    if (c) return { client: c };
    const p = this.problems.find((x) => x.field === field);
    return p ? { message: p.message } : null;
  }

  /** The installer changed a field: its old problem no longer applies. */
  edited(field: string): void {
    if (this.clientProblems[field]) delete this.clientProblems[field];
    if (this.problems.some((p) => p.field === field)) this.problems = this.problems.filter((p) => p.field !== field);
  }

  isSet(kind: SecretKind): boolean {
    return this.secretsSet.includes(kind);
  }

  toggleOrderType(type: OrderType, on: boolean): void {
    const set = new Set(this.form.order_types);
    if (on) set.add(type);
    else set.delete(type);
    // Display order: eat in first.
    this.form.order_types = (['eat_in', 'takeaway'] as OrderType[]).filter((t) => set.has(t));
  }

  toggleLanguage(lang: string, on: boolean): void {
    const langs = this.form.languages.filter((l) => l !== lang);
    this.form.languages = on ? [...langs, lang] : langs;
  }

  /** The default language is the first of the list. */
  setDefaultLanguage(lang: string): void {
    if (!this.form.languages.includes(lang)) return;
    this.form.languages = [lang, ...this.form.languages.filter((l) => l !== lang)];
  }

  /** The form with the number fields parsed; text that is not a whole number is a problem. */
  private parsed(): SettingsForm | null {
    const out = $state.snapshot(this.form) as SettingsForm;
    const client: Partial<Record<string, ClientProblem>> = {};
    for (const f of NUMBER_FIELDS) {
      const text = this.numbers[f].trim();
      if (f === 'payment_timeout_s' && text === '') {
        out.payment_timeout_s = null;
        continue;
      }
      if (!/^\d{1,9}$/.test(text)) {
        client[f] = 'whole_number';
        continue;
      }
      out[f] = Number(text);
    }
    this.clientProblems = client;
    return Object.keys(client).length === 0 ? out : null;
  }

  private fail(e: unknown): void {
    this.error = asIpcError(e);
  }

  /** Stores the typed secrets of `kinds` in the keyring. False when one could not be stored. */
  async storeSecrets(kinds: readonly SecretKind[]): Promise<boolean> {
    let ok = true;
    for (const kind of kinds) {
      const value = this.secretDrafts[kind];
      if (value === undefined || value.trim() === '') continue;
      try {
        await this.backend.setSecret(this.session, kind, value);
        delete this.secretDrafts[kind];
        delete this.secretErrors[kind];
        if (!this.secretsSet.includes(kind)) this.secretsSet = [...this.secretsSet, kind];
      } catch (e) {
        this.secretErrors[kind] = asIpcError(e);
        ok = false;
      }
    }
    return ok;
  }

  /** "Test the connection": stores the POS secrets first, then asks the POS. */
  async testConnection(): Promise<void> {
    if (this.testingConnection) return;
    this.testingConnection = true;
    this.error = null;
    this.connection = null;
    try {
      const form = this.parsed();
      if (!form || !(await this.storeSecrets(this.secrets.pos))) return;
      this.connection = await this.backend.testConnection(this.session, form);
    } catch (e) {
      this.fail(e);
    } finally {
      this.testingConnection = false;
    }
  }

  /** "Check" (nothing charged) or "Test sale" of the chosen payment provider. */
  async testPayment(sale: boolean): Promise<void> {
    if (this.testingPayment) return;
    this.testingPayment = sale ? 'sale' : 'check';
    this.error = null;
    this.payment = null;
    this.paymentProgress = null;
    try {
      const form = this.parsed();
      if (!form || !(await this.storeSecrets(this.secrets.payment))) return;
      this.payment = await this.backend.testPayment(this.session, form, sale, (p) => {
        this.paymentProgress = p;
      });
    } catch (e) {
      this.fail(e);
    } finally {
      this.testingPayment = null;
      this.paymentProgress = null;
    }
  }

  private pinProblems(required: boolean): Partial<Record<string, ClientProblem>> {
    const out: Partial<Record<string, ClientProblem>> = {};
    if (this.pin === '' && this.pin2 === '' && !required) return out;
    if (!/^\d+$/.test(this.pin) || this.pin.length < PIN_MIN || this.pin.length > PIN_MAX) out.pin = 'pin_shape';
    else if (this.pin !== this.pin2) out.pin2 = 'pin_mismatch';
    return out;
  }

  /** A new installation must set a PIN; "Settings" may keep the old one. */
  get pinRequired(): boolean {
    return this.mode === 'install';
  }

  /** Checks the current step (the back end's problems for its fields) and moves on. */
  async next(): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    try {
      const step = this.step;
      const form = this.parsed();
      const kinds = step === 'pos' ? this.secrets.pos : step === 'payment' ? this.secrets.payment : [];
      if (!(await this.storeSecrets(kinds))) return false;
      const client: Partial<Record<string, ClientProblem>> = Object.fromEntries(
        Object.entries(this.clientProblems).filter(([f]) => stepOf(f) === step),
      );
      for (const k of kinds) if (!this.isSet(k)) client[`secret:${k}`] = 'secret_required';
      if (step === 'pin') Object.assign(client, this.pinProblems(this.pinRequired));
      this.clientProblems = client;
      // Only this step's problems: later steps show theirs when the installer gets there.
      this.problems = form ? (await this.backend.checkSettings(this.session, form)).filter((p) => stepOf(p.field) === step) : [];
      if (this.problems.length > 0 || Object.keys(client).length > 0) return false;
      this.step = STEPS[Math.min(STEPS.length - 1, this.index + 1)];
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    } finally {
      this.busy = false;
    }
  }

  back(): void {
    if (this.index > 0 && !this.busy) this.step = STEPS[this.index - 1];
  }

  /** Jumps to a step already visited (the step list, the summary's "change"). */
  goTo(step: StepId): void {
    if (!this.busy && STEPS.indexOf(step) <= STEPS.indexOf(this.step)) this.step = step;
  }

  /**
   * The end: saves the settings (or shows the first step with a problem), sets the PIN, and
   * restarts the kiosk with them. True when the restart was asked for.
   */
  async finish(): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    this.phase = 'saving';
    try {
      const pinProblems = this.pinProblems(this.pinRequired);
      const form = this.parsed();
      this.clientProblems = { ...this.clientProblems, ...pinProblems };
      const firstClient = Object.keys(this.clientProblems)[0];
      if (!form || firstClient) {
        this.step = stepOf(firstClient ?? 'finish');
        return false;
      }
      if (!(await this.storeSecrets([...this.secrets.pos, ...this.secrets.payment]))) {
        const kind = Object.keys(this.secretErrors)[0];
        this.step = stepOf(`secret:${kind}`);
        return false;
      }
      const saved = await this.backend.saveSettings(this.session, form);
      this.problems = saved.problems;
      if (!saved.saved) {
        this.step = STEPS.find((s) => saved.problems.some((p) => stepOf(p.field) === s)) ?? 'finish';
        return false;
      }
      if (this.pin !== '') {
        await this.backend.setPin(this.session, this.pin);
        if (this.session === null) {
          // The PIN now guards every service command: this wizard's last one needs a session.
          const v = await this.backend.unlock(this.pin);
          if (v.kind === 'granted') this.session = v.session;
        }
        this.pin = '';
        this.pin2 = '';
      }
      this.phase = 'restarting';
      await this.backend.restart(this.session);
      return true;
    } catch (e) {
      this.fail(e);
      this.phase = 'editing';
      return false;
    } finally {
      if (this.phase === 'saving') this.phase = 'editing';
      this.busy = false;
    }
  }
}
