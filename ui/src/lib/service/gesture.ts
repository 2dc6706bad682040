/**
 * The service menu's hidden gesture: five taps in the top-left corner of the screen within
 * three seconds. Pure (the caller passes each tap's position and time), so tests need no timers.
 *
 * Why a corner and not a button: nothing is drawn, so customers neither see it nor reach it with
 * the keyboard or a screen reader, and taps there still reach whatever is under them (the
 * listener only watches). Five quick taps on a bare corner do not happen by chance; if they do,
 * all a customer meets is a PIN pad with a Close button.
 */
export interface GestureOptions {
  /** Taps needed. */
  taps: number;
  /** Within this many milliseconds from the first to the last. */
  withinMs: number;
  /** The corner square's side, in CSS pixels. */
  size: number;
}

export const SERVICE_GESTURE: GestureOptions = { taps: 5, withinMs: 3000, size: 96 };

export class CornerTaps {
  private times: number[] = [];

  constructor(private readonly options: GestureOptions = SERVICE_GESTURE) {}

  /** True when the tap lands in the corner square. */
  inCorner(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < this.options.size && y < this.options.size;
  }

  /**
   * Records a tap at (`x`, `y`) at `nowMs`; true when it completes the gesture (the count then
   * starts again). A tap elsewhere breaks the sequence.
   */
  tap(x: number, y: number, nowMs: number): boolean {
    if (!this.inCorner(x, y)) {
      this.times = [];
      return false;
    }
    this.times = [...this.times, nowMs].filter((t) => nowMs - t <= this.options.withinMs);
    if (this.times.length >= this.options.taps) {
      this.times = [];
      return true;
    }
    return false;
  }
}
