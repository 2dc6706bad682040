/**
 * The PIN pad's state: the digits typed, the back end's verdict, and the lockout counting down.
 *
 * The back end decides everything (`service_unlock`: argon2 check, attempts counted before the
 * check, lockout with back-off persisted across restarts); this only shows it. While locked the
 * pad is disabled and nothing is sent. The clock is injected so tests need no real time.
 */
import type { IpcError } from '../bindings/IpcError';
import { asIpcError } from '../ipc-error';
import type { ServiceBackend } from './ipc';

export const PIN_MIN = 4;
export const PIN_MAX = 12;

export type PinNotice =
  | { kind: 'wrong'; attemptsLeft: number }
  | { kind: 'locked' }
  | { kind: 'not_set' }
  | { kind: 'error'; error: IpcError };

export class PinEntry {
  digits = $state('');
  checking = $state(false);
  notice = $state<PinNotice | null>(null);
  /** Wall-clock milliseconds until which the back end refuses attempts. */
  lockedUntil = $state(0);
  now = $state(0);
  readonly retryIn = $derived(Math.max(0, Math.ceil((this.lockedUntil - this.now) / 1000)));
  readonly locked = $derived(this.retryIn > 0);
  readonly canSubmit = $derived(!this.locked && !this.checking && this.digits.length >= PIN_MIN);

  constructor(
    private readonly backend: ServiceBackend,
    private readonly clock: () => number = () => Date.now(),
  ) {
    this.now = clock();
  }

  /** Reads the lockout left from an earlier visit (or before a restart). */
  async load(): Promise<boolean> {
    try {
      const s = await this.backend.pinState();
      this.tick();
      if (s.retry_in_s > 0) this.lock(s.retry_in_s);
      return s.set;
    } catch (e) {
      this.notice = { kind: 'error', error: asIpcError(e) };
      return true;
    }
  }

  private lock(seconds: number): void {
    this.lockedUntil = this.clock() + seconds * 1000;
    this.notice = { kind: 'locked' };
  }

  /** Call every second while the pad shows: the countdown, and the pad back when it ends. */
  tick(): void {
    this.now = this.clock();
    if (this.notice?.kind === 'locked' && !this.locked) this.notice = null;
  }

  press(digit: string): void {
    if (this.locked || this.checking || !/^\d$/.test(digit) || this.digits.length >= PIN_MAX) return;
    this.digits += digit;
  }

  erase(): void {
    this.digits = this.digits.slice(0, -1);
  }

  /** Sends the PIN; the session when it was right, else null (the notice says why). */
  async submit(): Promise<string | null> {
    if (!this.canSubmit) return null;
    const pin = this.digits;
    this.digits = '';
    this.checking = true;
    try {
      const v = await this.backend.unlock(pin);
      this.tick();
      switch (v.kind) {
        case 'granted':
          this.notice = null;
          return v.session;
        case 'wrong':
          if (v.retry_in_s > 0) this.lock(v.retry_in_s);
          else this.notice = { kind: 'wrong', attemptsLeft: v.attempts_before_lockout };
          return null;
        case 'locked_out':
          this.lock(v.retry_in_s);
          return null;
        case 'not_set':
          this.notice = { kind: 'not_set' };
          return null;
      }
    } catch (e) {
      this.notice = { kind: 'error', error: asIpcError(e) };
      return null;
    } finally {
      this.checking = false;
    }
  }
}
