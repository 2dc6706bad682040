/**
 * Vitest setup: jsdom lacks a few browser APIs the UI touches.
 */
if (!Element.prototype.scrollIntoView) {
  Element.prototype.scrollIntoView = function scrollIntoView() {};
}
