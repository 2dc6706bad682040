/// <reference types="vitest/config" />
// Vite + Vitest configuration for the kiosk UI.
//
// `base: './'` makes every asset URL relative, so the built app loads from the Tauri custom
// protocol as well as from `vite preview`. Vitest runs in jsdom; the testing-library plugin
// resolves Svelte's browser build and cleans the DOM between tests.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

export default defineConfig({
  base: './',
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK on Debian 12 and WebView2 both handle this comfortably.
    target: 'safari16',
    assetsInlineLimit: 0,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
