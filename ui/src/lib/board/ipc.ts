/**
 * The typed boundary of the order board: the only module that calls Tauri's `invoke` for the
 * board (`order_board`) and listens to `order-updated` on its behalf.
 *
 * Same pattern as `../ipc.ts`: the command is wrapped with the generated binding types, every
 * rejection is normalised to an `IpcError`, and outside Tauri (a plain browser, Vitest) the calls
 * go to the in-process fake in `ipc.fake.ts`. Tests swap the backend with `useBoardBackend()`.
 */
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { AppInfo } from '../bindings/AppInfo';
import type { BoardView } from '../bindings/BoardView';
import { backend as kioskBackend, isTauri, type Unlisten } from '../ipc';
import { asIpcError } from '../ipc-error';
import { createFakeBoardBackend, fakeBoardOptionsFromUrl } from './ipc.fake';

/** Everything the board asks of the core; implemented by Tauri below and by the fake. */
export interface BoardBackend {
  /** The settings the board needs: languages, the restaurant's name. */
  appInfo(): Promise<AppInfo>;
  /** Both columns as the core decided them. */
  board(): Promise<BoardView>;
  /** An order of this device changed (the board then asks for the whole board again). */
  onOrderUpdated(handler: () => void): Promise<Unlisten>;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw asIpcError(error);
  }
}

/** The real backend: the shell's `order_board` command and its `order-updated` event. */
export const tauriBoardBackend: BoardBackend = {
  appInfo: () => kioskBackend().appInfo(),
  board: () => call<BoardView>('order_board'),
  onOrderUpdated: (handler) => listen('order-updated', () => handler()),
};

let active: BoardBackend | null = null;

/** The board backend in use: Tauri inside the app, otherwise the fake (built on first use). */
export function boardBackend(): BoardBackend {
  if (!active) {
    active = isTauri()
      ? tauriBoardBackend
      : createFakeBoardBackend(typeof location === 'undefined' ? {} : fakeBoardOptionsFromUrl(location.search));
  }
  return active;
}

/** Replaces the board backend (tests, demos). Returns the previous one. */
export function useBoardBackend(next: BoardBackend | null): BoardBackend | null {
  const previous = active;
  active = next;
  return previous;
}
