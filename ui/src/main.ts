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

/** The customer's self-order kiosk. */
function mountCustomer(target: HTMLElement): void {
  const kiosk = new Kiosk(defaultServices);
  if (!import.meta.env.PROD || !isTauri()) window.__kiosk = kiosk;
  mount(App, { target, props: { kiosk } });
  void kiosk.boot();
}

/**
 * One app, several devices: `[kiosk] mode` in the settings (or `--mode`) says whether this is
 * the customer's kiosk, a staff tablet or an order board, and each mounts its own root. When the
 * backend cannot answer, the customer's kiosk starts and shows why it is out of service.
 */
async function start(): Promise<void> {
  const target = document.getElementById('app')!;
  // @service: a new installation (no settings, no service PIN) shows the set-up wizard instead.
  if (await import('./lib/service/setup').then((m) => m.mountSetupIfNeeded(target))) return;
  const mode = await backend()
    .appInfo()
    .then((info) => info.mode)
    .catch(() => 'customer' as const);
  switch (mode) {
    // @modes: the staff tablet and the order board mount their roots here.
    case 'staff':
      // Loaded on demand: the customer's kiosk never downloads the staff screens.
      void import('./lib/staff/mount').then((m) => m.mountStaff(target));
      break;
    case 'board':
      // Loaded on demand, like the staff screens.
      void import('./lib/board/mount').then((m) => m.mountBoard(target));
      break;
    default:
      mountCustomer(target);
  }
}

void start();
