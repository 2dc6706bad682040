/**
 * The service menu's state once the PIN was right: diagnostics, pre-flight, export, PIN change,
 * restart. Every call carries the session; a `not_authorized` answer (the session expired after
 * its idle minutes, or the app restarted) ends the menu through `onExpired`, back to the PIN pad.
 */
import type { CheckLine } from '../bindings/CheckLine';
import type { DiagnosticsExport } from '../bindings/DiagnosticsExport';
import type { DiagnosticsView } from '../bindings/DiagnosticsView';
import type { IpcError } from '../bindings/IpcError';
import { asIpcError } from '../ipc-error';
import type { ServiceBackend, Session } from './ipc';
import { PIN_MAX, PIN_MIN } from './pin.svelte';

export type DeskPage = 'diagnostics' | 'preflight' | 'export' | 'pin' | 'restart';

export class ServiceDesk {
  page = $state<DeskPage>('diagnostics');
  diagnostics = $state<DiagnosticsView | null>(null);
  loading = $state(false);
  preflight = $state<CheckLine[] | null>(null);
  preflighting = $state(false);
  exportDir = $state('');
  exporting = $state(false);
  exported = $state<DiagnosticsExport | null>(null);
  pin = $state('');
  pin2 = $state('');
  pinProblem = $state<'pin_shape' | 'pin_mismatch' | null>(null);
  pinChanged = $state(false);
  restarting = $state(false);
  error = $state<IpcError | null>(null);

  constructor(
    private readonly backend: ServiceBackend,
    readonly session: Session,
    private readonly onExpired: () => void,
  ) {}

  private async run<T>(what: () => Promise<T>): Promise<T | null> {
    this.error = null;
    try {
      return await what();
    } catch (e) {
      const err = asIpcError(e);
      if (err.code === 'not_authorized') this.onExpired();
      else this.error = err;
      return null;
    }
  }

  open(page: DeskPage): void {
    this.page = page;
    this.error = null;
    if (page === 'diagnostics') void this.loadDiagnostics();
  }

  async loadDiagnostics(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    const d = await this.run(() => this.backend.diagnostics(this.session));
    if (d) this.diagnostics = d;
    this.loading = false;
  }

  async runPreflight(): Promise<void> {
    if (this.preflighting) return;
    this.preflighting = true;
    this.preflight = null;
    this.preflight = await this.run(() => this.backend.preflight(this.session));
    this.preflighting = false;
  }

  async exportDiagnostics(): Promise<void> {
    if (this.exporting) return;
    this.exporting = true;
    this.exported = null;
    const dir = this.exportDir.trim();
    this.exported = await this.run(() => this.backend.exportDiagnostics(this.session, dir === '' ? null : dir));
    this.exporting = false;
  }

  async changePin(): Promise<void> {
    this.pinChanged = false;
    if (!/^\d+$/.test(this.pin) || this.pin.length < PIN_MIN || this.pin.length > PIN_MAX) {
      this.pinProblem = 'pin_shape';
      return;
    }
    if (this.pin !== this.pin2) {
      this.pinProblem = 'pin_mismatch';
      return;
    }
    this.pinProblem = null;
    const pin = this.pin;
    const done = await this.run(async () => {
      await this.backend.setPin(this.session, pin);
      return true;
    });
    if (done) {
      this.pin = '';
      this.pin2 = '';
      this.pinChanged = true;
    }
  }

  async restart(): Promise<void> {
    if (this.restarting) return;
    this.restarting = true;
    const done = await this.run(async () => {
      await this.backend.restart(this.session);
      return true;
    });
    if (!done) this.restarting = false;
  }

  /** Leaves the menu; the back end forgets the session. */
  async lock(): Promise<void> {
    if (this.session !== null) await this.backend.lock(this.session).catch(() => {});
  }
}
