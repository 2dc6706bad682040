/**
 * First start: when the device has no usable settings and no service PIN yet (a new
 * installation), the window shows the set-up wizard instead of any device's screens.
 *
 * A device whose settings file exists but cannot be used *and* that has a PIN is not new: it
 * shows the out-of-service screen with the reason, and the service menu (gesture + PIN) leads to
 * its settings. The demo is never "new".
 */
import { mount } from 'svelte';
import type { SetupStatus } from '../bindings/SetupStatus';
import { serviceBackend } from './ipc';
import SetupWizard from './SetupWizard.svelte';
import { Wizard } from './wizard.svelte';

export function isNewInstallation(status: SetupStatus): boolean {
  return !status.configured && !status.pin_set && !status.demo;
}

/** Mounts the wizard when this is a new installation; true when it did. */
export async function mountSetupIfNeeded(target: HTMLElement): Promise<boolean> {
  const backend = serviceBackend();
  const status = await backend.setupStatus().catch(() => null);
  if (!status || !isNewInstallation(status)) return false;
  const wizard = new Wizard(backend, status);
  mount(SetupWizard, { target, props: { wizard } });
  return true;
}
