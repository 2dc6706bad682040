/**
 * The order board's state: the latest board from the core, kept fresh by `order-updated` events
 * and a periodic refresh, and the languages to show it in.
 *
 * The core decides everything on the board (which column, the order, which number is new); this
 * class only asks for it at the right moments. Refreshes coalesce: while one request is in
 * flight, any number of events cause exactly one more request after it. A failed refresh keeps
 * the last board on screen (a board that goes blank is worse than one a few seconds old).
 */
import type { BoardView } from '../bindings/BoardView';
import type { IpcError } from '../bindings/IpcError';
import { messagesFor, type Messages } from '../i18n';
import { asIpcError } from '../ipc-error';
import type { BoardBackend } from './ipc';

/** Used until the core says otherwise (its `refresh_s`). */
export const DEFAULT_REFRESH_S = 5;

export class BoardState {
  view = $state.raw<BoardView | null>(null);
  error = $state.raw<IpcError | null>(null);
  /** The main language, large. */
  primary = $state.raw<Messages>(messagesFor('ru'));
  /** The second language, smaller under the main one; null when the kiosk speaks one. */
  secondary = $state.raw<Messages | null>(messagesFor('en'));
  restaurant = $state<string | null>(null);

  readonly #port: BoardBackend;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #unlisten: (() => void) | null = null;
  #inFlight = false;
  #again = false;
  #stopped = false;

  constructor(port: BoardBackend) {
    this.#port = port;
  }

  /** Reads the settings, subscribes to order changes and shows the first board. */
  async start(): Promise<void> {
    this.#stopped = false;
    try {
      const info = await this.#port.appInfo();
      const main = info.default_language || info.languages[0] || 'ru';
      this.primary = messagesFor(main);
      const other = info.languages.find((l) => l !== main);
      this.secondary = other ? messagesFor(other) : null;
      this.restaurant = info.restaurant_name;
    } catch {
      // The defaults (Russian with English) are fine for a board.
    }
    const unlisten = await this.#port.onOrderUpdated(() => void this.refresh());
    if (this.#stopped) unlisten();
    else this.#unlisten = unlisten;
    await this.refresh();
  }

  /** Asks for the board now (or right after the request in flight). */
  async refresh(): Promise<void> {
    if (this.#stopped) return;
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#inFlight = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    try {
      this.view = await this.#port.board();
      this.error = null;
    } catch (raw) {
      this.error = asIpcError(raw);
    } finally {
      this.#inFlight = false;
    }
    if (this.#again) {
      this.#again = false;
      return this.refresh();
    }
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#unlisten?.();
    this.#unlisten = null;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const every = Math.max(1, this.view?.refresh_s ?? DEFAULT_REFRESH_S);
    this.#timer = setTimeout(() => void this.refresh(), every * 1000);
  }
}
