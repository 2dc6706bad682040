/**
 * Mounts the order board (`[kiosk] mode = "board"`): its state over the board backend (Tauri, or
 * the fake in a plain browser). The board starts itself (settings, events, first refresh).
 */
import { mount } from 'svelte';
import { isTauri } from '../ipc';
import BoardApp from './BoardApp.svelte';
import { BoardState } from './board.svelte';
import { boardBackend } from './ipc';
import type { FakeBoardBackend } from './ipc.fake';

declare global {
  interface Window {
    /** The board's state and, in a plain browser, its fake backend (demos, tests). */
    __board?: BoardState;
    __boardFake?: FakeBoardBackend;
  }
}

export function mountBoard(target: HTMLElement): BoardState {
  const board = new BoardState(boardBackend());
  if (!import.meta.env.PROD || !isTauri()) window.__board = board;
  if (!isTauri()) window.__boardFake = boardBackend() as FakeBoardBackend;
  mount(BoardApp, { target, props: { board } });
  return board;
}
