/**
 * The way into the service menu from any screen of the running kiosk (the customer screens, the
 * out-of-service screen): the hidden gesture, the PIN pad, the menu, the settings wizard, and
 * back out. One instance per window.
 *
 * A device that has settings but no PIN yet (set up by hand, or by `kioskctl`) asks for a new
 * PIN first: the back end lets anyone in until one exists, so the first visit closes that door.
 * The menu locks itself after `idleLockMs` without a touch, like the back end's session.
 */
import type { IpcError } from '../bindings/IpcError';
import { asIpcError } from '../ipc-error';
import { ServiceDesk } from './desk.svelte';
import type { ServiceBackend } from './ipc';
import { PIN_MAX, PIN_MIN, PinEntry } from './pin.svelte';
import { Wizard } from './wizard.svelte';

export type AccessPhase = 'closed' | 'pin' | 'first_pin' | 'menu' | 'settings';

export class ServiceAccess {
  phase = $state<AccessPhase>('closed');
  entry = $state<PinEntry | null>(null);
  desk = $state<ServiceDesk | null>(null);
  wizard = $state<Wizard | null>(null);
  firstPin = $state('');
  firstPin2 = $state('');
  firstPinProblem = $state<'pin_shape' | 'pin_mismatch' | null>(null);
  error = $state<IpcError | null>(null);
  /**
   * Called when someone leaves the menu they had entered (not when a PIN pad is just closed):
   * the kiosk goes back to its start, since the taps of the gesture also reached its screens.
   */
  onLeave: (() => void) | null = null;
  private lastActivity = 0;

  constructor(
    private readonly backend: ServiceBackend,
    private readonly clock: () => number = () => Date.now(),
    readonly idleLockMs = 180_000,
  ) {}

  /** The gesture was made: the PIN pad (or the first PIN). */
  async open(): Promise<void> {
    if (this.phase !== 'closed') return;
    this.touch();
    this.error = null;
    const entry = new PinEntry(this.backend, this.clock);
    const set = await entry.load();
    this.entry = entry;
    this.phase = set ? 'pin' : 'first_pin';
  }

  touch(): void {
    this.lastActivity = this.clock();
  }

  /** Called now and then while open: locks the menu after the idle time. */
  checkIdle(): void {
    if (this.phase !== 'closed' && this.clock() - this.lastActivity >= this.idleLockMs) void this.close();
  }

  granted(session: string | null): void {
    this.desk = new ServiceDesk(this.backend, session, () => void this.expired());
    this.phase = 'menu';
    this.desk.open('diagnostics');
  }

  /** The session ended on the back end: back to the PIN pad. */
  private async expired(): Promise<void> {
    this.desk = null;
    this.wizard = null;
    this.phase = 'closed';
    await this.open();
  }

  /** No PIN yet: sets one, then enters with it. */
  async setFirstPin(): Promise<void> {
    const pin = this.firstPin;
    if (!/^\d+$/.test(pin) || pin.length < PIN_MIN || pin.length > PIN_MAX) {
      this.firstPinProblem = 'pin_shape';
      return;
    }
    if (pin !== this.firstPin2) {
      this.firstPinProblem = 'pin_mismatch';
      return;
    }
    this.firstPinProblem = null;
    try {
      await this.backend.setPin(null, pin);
      const v = await this.backend.unlock(pin);
      this.firstPin = '';
      this.firstPin2 = '';
      if (v.kind === 'granted') this.granted(v.session);
      else this.phase = 'pin';
    } catch (e) {
      this.error = asIpcError(e);
    }
  }

  /** "Settings": the wizard over the current settings, with the session. */
  async openSettings(): Promise<void> {
    if (!this.desk) return;
    try {
      const status = await this.backend.setupStatus();
      this.wizard = new Wizard(this.backend, status, this.desk.session);
      this.phase = 'settings';
    } catch (e) {
      this.desk.error = asIpcError(e);
    }
  }

  closeSettings(): void {
    this.wizard = null;
    this.phase = this.desk ? 'menu' : 'closed';
  }

  /** Leaves the menu (or the PIN pad); the session ends on the back end. */
  async close(): Promise<void> {
    const desk = this.desk;
    this.phase = 'closed';
    this.desk = null;
    this.wizard = null;
    this.entry = null;
    this.firstPin = '';
    this.firstPin2 = '';
    if (desk) this.onLeave?.();
    await desk?.lock();
  }
}
