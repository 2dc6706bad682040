/**
 * Mounts the staff tablet (`[kiosk] mode = "staff"`): its state over the staff backend (Tauri,
 * or the fake in a plain browser), in the kiosk's default language.
 */
import { mount } from 'svelte';
import { backend, isTauri } from '../ipc';
import StaffApp from './StaffApp.svelte';
import { staffBackend } from './ipc';
import type { FakeStaffBackend } from './ipc.fake';
import { StaffTablet } from './tablet.svelte';

declare global {
  interface Window {
    /** The staff tablet's state and, in a plain browser, its fake backend (demos, tests). */
    __staff?: StaffTablet;
    __staffFake?: FakeStaffBackend;
  }
}

export async function mountStaff(target: HTMLElement): Promise<StaffTablet> {
  const lang = await backend()
    .appInfo()
    .then((i) => i.default_language)
    .catch(() => 'ru');
  const tablet = new StaffTablet(staffBackend(), { lang });
  if (!import.meta.env.PROD || !isTauri()) window.__staff = tablet;
  if (!isTauri()) window.__staffFake = staffBackend() as FakeStaffBackend;
  mount(StaffApp, { target, props: { tablet } });
  await tablet.boot();
  return tablet;
}
