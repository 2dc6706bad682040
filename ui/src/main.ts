/**
 * Entry point: builds the kiosk state over the selected backend (Tauri, or the fake in a plain
 * browser), mounts the UI and starts it.
 */
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { backend, isTauri } from './lib/ipc';
import type { FakeBackend } from './lib/ipc.fake';
import { defaultServices } from './lib/services/ordering';
import { Kiosk } from './lib/state/kiosk.svelte';

declare global {
  interface Window {
    /** The fake backend, exposed in a plain browser so demos and end-to-end tests can steer it. */
    __kioskFake?: FakeBackend;
    __kiosk?: Kiosk;
  }
}

if (import.meta.env.PROD) {
  // WebKitGTK shows Back/Forward/Reload on right click even in release builds.
  document.addEventListener('contextmenu', (event) => event.preventDefault());
}

if (!isTauri()) window.__kioskFake = backend() as FakeBackend;

const kiosk = new Kiosk(defaultServices);
if (!import.meta.env.PROD || !isTauri()) window.__kiosk = kiosk;

mount(App, { target: document.getElementById('app')!, props: { kiosk } });
void kiosk.boot();
