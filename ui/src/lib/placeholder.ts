/**
 * The picture shown when a dish has no image or its image fails to load: a quiet plate with a
 * fork and knife, inline so it can never fail itself (and allowed by the CSP's `data:` source).
 */
const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300">
<rect width="400" height="300" fill="#f1ece4"/>
<circle cx="200" cy="150" r="78" fill="#fbf8f3" stroke="#ddd3c4" stroke-width="6"/>
<circle cx="200" cy="150" r="52" fill="none" stroke="#e8dfd2" stroke-width="4"/>
<g fill="#cbbfae">
<rect x="96" y="92" width="8" height="118" rx="4"/>
<rect x="86" y="92" width="4" height="40" rx="2"/><rect x="110" y="92" width="4" height="40" rx="2"/>
<path d="M296 92c14 10 16 40 4 56v62a4 4 0 0 1-8 0V96a4 4 0 0 1 4-4z"/>
</g></svg>`;

export const PLACEHOLDER_IMAGE = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
