/**
 * "Are you still there?": after `timeoutS` without a touch the kiosk asks, counts down
 * `countdownS` seconds, and then gives up on the order (`onExpire`).
 *
 * The owner enables it on the screens where a customer is ordering and disables it where it
 * must never interrupt (attract, payment, placing the order). Any touch restarts the wait and
 * dismisses the question.
 */
export type IdlePhase = 'off' | 'watching' | 'asking';

export class IdleTimer {
  phase = $state<IdlePhase>('off');
  /** Seconds left on the countdown while asking. */
  remaining = $state(0);
  timeoutS: number;
  countdownS: number;

  #onExpire: () => void;
  #wait: ReturnType<typeof setTimeout> | null = null;
  #tick: ReturnType<typeof setInterval> | null = null;

  constructor(opts: { timeoutS: number; countdownS: number; onExpire: () => void }) {
    this.timeoutS = opts.timeoutS;
    this.countdownS = opts.countdownS;
    this.#onExpire = opts.onExpire;
  }

  configure(timeoutS: number, countdownS: number): void {
    this.timeoutS = timeoutS;
    this.countdownS = countdownS;
    if (this.phase !== 'off') this.#watch();
  }

  /** Starts watching (no-op if already watching; a question on screen stays). */
  enable(): void {
    if (this.phase === 'off') this.#watch();
  }

  disable(): void {
    this.#clear();
    this.phase = 'off';
  }

  /** The customer touched the screen. */
  touch(): void {
    if (this.phase !== 'off') this.#watch();
  }

  #watch(): void {
    this.#clear();
    this.phase = 'watching';
    this.#wait = setTimeout(() => this.#ask(), this.timeoutS * 1000);
  }

  #ask(): void {
    this.#clear();
    this.phase = 'asking';
    this.remaining = this.countdownS;
    this.#tick = setInterval(() => {
      this.remaining -= 1;
      if (this.remaining <= 0) {
        this.disable();
        this.#onExpire();
      }
    }, 1000);
  }

  #clear(): void {
    if (this.#wait !== null) clearTimeout(this.#wait);
    if (this.#tick !== null) clearInterval(this.#tick);
    this.#wait = null;
    this.#tick = null;
  }
}
