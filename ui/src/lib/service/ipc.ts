/**
 * The typed boundary of the set-up wizard and the service menu: the only module that calls
 * Tauri's `invoke` for the `setup_*` and `service_*` commands, following `../ipc.ts`.
 *
 * Every rejection is normalised to an `IpcError` (`asIpcError`), so the screens branch on
 * `code` (`not_authorized`, `keyring_unavailable`, `bad_input`), never on text. Outside Tauri (a
 * plain browser, Vitest) the calls go to the in-process fake of `ipc.fake.ts`.
 *
 * `session` is what a right PIN granted (`unlock`); it is `null` on a new installation, where
 * the back end allows the wizard's commands until the wizard sets the PIN.
 */
import { Channel, invoke } from '@tauri-apps/api/core';
import type { CheckLine } from '../bindings/CheckLine';
import type { ConnectionReport } from '../bindings/ConnectionReport';
import type { DiagnosticsExport } from '../bindings/DiagnosticsExport';
import type { DiagnosticsView } from '../bindings/DiagnosticsView';
import type { PaymentProgress } from '../bindings/PaymentProgress';
import type { PaymentTestReport } from '../bindings/PaymentTestReport';
import type { PinState } from '../bindings/PinState';
import type { PinVerdict } from '../bindings/PinVerdict';
import type { SecretKind } from '../bindings/SecretKind';
import type { SettingsForm } from '../bindings/SettingsForm';
import type { SettingsProblem } from '../bindings/SettingsProblem';
import type { SettingsSaved } from '../bindings/SettingsSaved';
import type { SetupStatus } from '../bindings/SetupStatus';
import { isTauri } from '../ipc';
import { asIpcError } from '../ipc-error';
import { createFakeService, fakeServiceOptionsFromUrl } from './ipc.fake';

export type Session = string | null;

/** Everything the wizard and the service menu ask of the back end. */
export interface ServiceBackend {
  setupStatus(): Promise<SetupStatus>;
  /** The form's problems by field, without saving; empty when it is right. */
  checkSettings(session: Session, settings: SettingsForm): Promise<SettingsProblem[]>;
  saveSettings(session: Session, settings: SettingsForm): Promise<SettingsSaved>;
  /** Into the OS keyring; the value is never read back. */
  setSecret(session: Session, kind: SecretKind, value: string): Promise<void>;
  /** With the form being edited, or the saved settings when `settings` is null. */
  testConnection(session: Session, settings: SettingsForm | null): Promise<ConnectionReport>;
  /** A check that charges nothing, or with `sale` a test sale given back at once. */
  testPayment(
    session: Session,
    settings: SettingsForm | null,
    sale: boolean,
    onProgress: (p: PaymentProgress) => void,
  ): Promise<PaymentTestReport>;
  pinState(): Promise<PinState>;
  unlock(pin: string): Promise<PinVerdict>;
  lock(session: string): Promise<void>;
  setPin(session: Session, pin: string): Promise<void>;
  diagnostics(session: Session): Promise<DiagnosticsView>;
  preflight(session: Session): Promise<CheckLine[]>;
  /** Into `destDir` (an absolute folder), or the data folder's `exports/` when null. */
  exportDiagnostics(session: Session, destDir: string | null): Promise<DiagnosticsExport>;
  /** The kiosk starts again with the saved settings; the window reloads. */
  restart(session: Session): Promise<void>;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw asIpcError(error);
  }
}

/** The real back end (`src-tauri/src/service.rs`). */
export const tauriService: ServiceBackend = {
  setupStatus: () => call('setup_status'),
  checkSettings: (session, settings) => call('setup_check_settings', { session, settings }),
  saveSettings: (session, settings) => call('setup_save_settings', { session, settings }),
  setSecret: (session, kind, value) => call('setup_set_secret', { session, kind, value }),
  testConnection: (session, settings) => call('setup_test_connection', { session, settings }),
  testPayment: (session, settings, sale, onProgress) => {
    const channel = new Channel<PaymentProgress>();
    channel.onmessage = onProgress;
    return call('setup_test_payment', { session, settings, sale, onProgress: channel });
  },
  pinState: () => call('service_pin_state'),
  unlock: (pin) => call('service_unlock', { pin }),
  lock: (session) => call('service_lock', { session }),
  setPin: (session, pin) => call('service_set_pin', { session, pin }),
  diagnostics: (session) => call('service_diagnostics', { session }),
  preflight: (session) => call('service_preflight', { session }),
  exportDiagnostics: (session, destDir) => call('service_export_diagnostics', { session, destDir }),
  restart: (session) => call('service_restart', { session }),
};

let active: ServiceBackend | null = null;

/** The back end in use: Tauri inside the app, otherwise the fake (built on first use). */
export function serviceBackend(): ServiceBackend {
  if (!active) {
    active = isTauri()
      ? tauriService
      : createFakeService(typeof location === 'undefined' ? {} : fakeServiceOptionsFromUrl(location.search));
  }
  return active;
}

/** Replaces the back end (tests). Returns the previous one. */
export function useServiceBackend(next: ServiceBackend | null): ServiceBackend | null {
  const previous = active;
  active = next;
  return previous;
}
