/**
 * TEST DOUBLE: demo pictures for the fake backend.
 *
 * Flat vector illustrations drawn inline, so a plain browser shows a complete-looking menu with
 * no network and no bundled photos. The real kiosk shows the POS's photos through `kiosk://`.
 */

export type ArtKind =
  | 'burger' | 'fries' | 'drink' | 'salad' | 'soup' | 'cake' | 'coffee' | 'icecream'
  | 'nuggets' | 'combo' | 'rings' | 'juice' | 'pancakes';

const shadow = (cx: number, cy: number, rx: number) =>
  `<ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${rx * 0.13}" fill="#000" opacity=".13"/>`;

const burger = (x = 0, y = 0, s = 1) => `<g transform="translate(${x} ${y}) scale(${s})">
${shadow(200, 246, 132)}
<path d="M86 206h228v12c0 20-22 30-44 30H130c-22 0-44-10-44-30z" fill="#dd8f32"/>
<rect x="80" y="172" width="240" height="36" rx="18" fill="#5b3320"/>
<path d="M84 166h232l-14 18-16-10-18 16-16-14-20 18-18-16-18 16-20-16-18 14-18-16-16 12z" fill="#f6c343"/>
<path d="M76 158c20-10 30 8 48 0s28-10 44 0 30 8 46 0 30-10 46 0 32 8 48 0l8 14H70z" fill="#67b346"/>
<path d="M78 152c0-60 56-96 122-96s122 36 122 96z" fill="#eaa441"/>
<path d="M96 130c8-40 50-64 104-64" stroke="#f6c46c" stroke-width="10" stroke-linecap="round" fill="none" opacity=".7"/>
<g fill="#fff6df"><ellipse cx="150" cy="96" rx="7" ry="4" transform="rotate(-20 150 96)"/>
<ellipse cx="200" cy="84" rx="7" ry="4"/><ellipse cx="248" cy="98" rx="7" ry="4" transform="rotate(20 248 98)"/>
<ellipse cx="176" cy="118" rx="7" ry="4" transform="rotate(-10 176 118)"/><ellipse cx="226" cy="120" rx="7" ry="4" transform="rotate(12 226 120)"/>
<ellipse cx="272" cy="128" rx="6" ry="4"/><ellipse cx="128" cy="128" rx="6" ry="4"/></g></g>`;

const fries = (x = 0, y = 0, s = 1) => `<g transform="translate(${x} ${y}) scale(${s})">
${shadow(200, 258, 90)}
<g fill="#f7c948" stroke="#e0a92a" stroke-width="3">
<rect x="132" y="58" width="20" height="130" rx="4" transform="rotate(-12 142 120)"/>
<rect x="158" y="42" width="20" height="140" rx="4" transform="rotate(-4 168 110)"/>
<rect x="184" y="36" width="20" height="150" rx="4"/>
<rect x="210" y="44" width="20" height="140" rx="4" transform="rotate(5 220 110)"/>
<rect x="236" y="56" width="20" height="130" rx="4" transform="rotate(12 246 120)"/></g>
<path d="M122 118h156l-20 140H142z" fill="#d93b30"/>
<path d="M122 118c26 22 52 22 78 0 26 22 52 22 78 0" fill="#b92d25"/>
<circle cx="200" cy="196" r="26" fill="#f7c948"/><path d="M188 196h24M200 184v24" stroke="#d93b30" stroke-width="6" stroke-linecap="round"/></g>`;

const drink = (x = 0, y = 0, s = 1, liquid = '#8a2b35') => `<g transform="translate(${x} ${y}) scale(${s})">
${shadow(200, 262, 70)}
<path d="M214 18l-10 70" stroke="#f25f5c" stroke-width="10" stroke-linecap="round"/>
<path d="M140 84h120l-14 176h-92z" fill="#fff" opacity=".92"/>
<path d="M146 120h108l-11 136h-86z" fill="${liquid}"/>
<rect x="132" y="72" width="136" height="20" rx="10" fill="#f4f1ec"/>
<rect x="160" y="160" width="80" height="48" rx="24" fill="#fff" opacity=".9"/>
<circle cx="200" cy="184" r="12" fill="${liquid}"/>
<path d="M160 130l-6 100" stroke="#fff" stroke-width="6" stroke-linecap="round" opacity=".4"/></g>`;

const salad = (x = 0, y = 0, s = 1, tint = '#67b346') => `<g transform="translate(${x} ${y}) scale(${s})">
${shadow(200, 256, 130)}
<g fill="${tint}"><circle cx="120" cy="150" r="34"/><circle cx="160" cy="126" r="36"/><circle cx="210" cy="118" r="38"/>
<circle cx="256" cy="130" r="34"/><circle cx="286" cy="152" r="28"/></g>
<g fill="#8fd16a"><circle cx="140" cy="140" r="18"/><circle cx="232" cy="126" r="20"/><circle cx="270" cy="150" r="14"/></g>
<g fill="#e84a3b"><circle cx="180" cy="146" r="16"/><circle cx="246" cy="156" r="14"/><circle cx="130" cy="166" r="12"/></g>
<g fill="#fff3c4"><rect x="196" y="140" width="22" height="18" rx="4"/><rect x="150" y="156" width="20" height="16" rx="4"/></g>
<path d="M76 160h248c0 56-56 92-124 92S76 216 76 160z" fill="#fdfbf7"/>
<path d="M76 160h248" stroke="#e9e1d5" stroke-width="6"/><path d="M110 196c26 30 154 30 180 0" stroke="#efe7dc" stroke-width="8" fill="none"/></g>`;

const soup = (x = 0, y = 0, s = 1) => `<g transform="translate(${x} ${y}) scale(${s})">
${shadow(200, 258, 130)}
<path d="M70 140h260c0 64-58 110-130 110S70 204 70 140z" fill="#fdfbf7"/>
<ellipse cx="200" cy="140" rx="130" ry="30" fill="#efe7dc"/>
<ellipse cx="200" cy="142" rx="116" ry="22" fill="#b8322c"/>
<ellipse cx="210" cy="138" rx="30" ry="10" fill="#fff"/>
<g fill="#4f9d3a"><circle cx="160" cy="138" r="5"/><circle cx="250" cy="146" r="5"/><circle cx="230" cy="132" r="4"/></g>
<path d="M150 100c-10-16 10-26 0-44M200 96c-10-16 10-26 0-44M250 100c-10-16 10-26 0-44" stroke="#fff" stroke-width="6" stroke-linecap="round" fill="none" opacity=".7"/></g>`;

const cake = (x = 0, y = 0, s = 1) => `<g transform="translate(${x} ${y}) scale(${s})">
${shadow(200, 250, 120)}
<path d="M90 150l200-50v130H90z" fill="#f7e3b5"/>
<path d="M90 150l200-50v24L90 174z" fill="#fff5dc"/>
<path d="M90 216h200v24H90z" fill="#c98b4a"/>
<path d="M90 150l200-50" stroke="#e9c77f" stroke-width="4"/>
<path d="M150 128c0-14 20-14 20 0M200 116c0-14 20-14 20 0M250 104c0-14 20-14 20 0" fill="#d7263d"/>
<circle cx="262" cy="92" r="16" fill="#d7263d"/><path d="M262 76c4-10 12-14 18-14" stroke="#3f7d2a" stroke-width="4" fill="none"/></g>`;

const coffee = (x = 0, y = 0, s = 1) => `<g transform="translate(${x} ${y}) scale(${s})">
${shadow(200, 256, 120)}
<ellipse cx="200" cy="238" rx="116" ry="22" fill="#fdfbf7"/>
<path d="M118 120h164l-16 104c-4 14-20 20-66 20s-62-6-66-20z" fill="#fff"/>
<path d="M282 140c40-4 44 50 0 56" stroke="#fff" stroke-width="14" fill="none"/>
<ellipse cx="200" cy="122" rx="82" ry="18" fill="#c98f5a"/>
<path d="M186 116c-14-10 6-20 14-10 8-10 28 0 14 10-6 6-22 6-28 0z" fill="#f3e1c7"/>
<path d="M170 88c-10-14 8-22 0-40M220 88c-10-14 8-22 0-40" stroke="#fff" stroke-width="6" stroke-linecap="round" fill="none" opacity=".7"/></g>`;

const icecream = (x = 0, y = 0, s = 1) => `<g transform="translate(${x} ${y}) scale(${s})">
${shadow(200, 268, 50)}
<path d="M150 140h100l-50 126z" fill="#e2a457"/>
<path d="M160 152l70 40M168 176l52 30M156 170l78-20M170 200l46-14" stroke="#c7853b" stroke-width="4"/>
<circle cx="172" cy="128" r="36" fill="#fdf6e8"/><circle cx="228" cy="128" r="36" fill="#f7c6d0"/>
<circle cx="200" cy="92" r="38" fill="#fffaf0"/>
<path d="M186 62c6-8 22-8 28 0" stroke="#fff" stroke-width="6" stroke-linecap="round" fill="none"/>
<circle cx="200" cy="50" r="10" fill="#d7263d"/></g>`;

const nuggets = (x = 0, y = 0, s = 1) => `<g transform="translate(${x} ${y}) scale(${s})">
${shadow(200, 256, 130)}
<path d="M80 170h240c0 44-40 78-120 78S80 214 80 170z" fill="#fdfbf7"/>
<g fill="#d99a3c" stroke="#b9772a" stroke-width="4">
<path d="M120 150c-10-30 30-44 50-26 14-16 44-6 38 20-4 24-82 32-88 6z"/>
<path d="M196 136c0-30 44-36 56-14 20-8 40 14 26 34-16 18-82 10-82-20z"/>
<path d="M150 178c-8-24 30-34 44-18 16-10 44 4 32 24-12 16-70 14-76-6z"/></g>
<circle cx="286" cy="120" r="26" fill="#b8322c"/><ellipse cx="280" cy="112" rx="8" ry="5" fill="#fff" opacity=".5"/></g>`;

const rings = (x = 0, y = 0, s = 1) => `<g transform="translate(${x} ${y}) scale(${s})">
${shadow(200, 256, 130)}
<path d="M80 170h240c0 44-40 78-120 78S80 214 80 170z" fill="#fdfbf7"/>
<g fill="none" stroke="#e0a23f" stroke-width="22">
<ellipse cx="150" cy="150" rx="40" ry="30"/><ellipse cx="232" cy="140" rx="44" ry="32"/><ellipse cx="196" cy="176" rx="38" ry="22"/></g>
<g fill="none" stroke="#f5c66a" stroke-width="6" opacity=".8">
<ellipse cx="150" cy="146" rx="40" ry="30"/><ellipse cx="232" cy="136" rx="44" ry="32"/></g></g>`;

const pancakes = (x = 0, y = 0, s = 1) => `<g transform="translate(${x} ${y}) scale(${s})">
${shadow(200, 256, 130)}
<ellipse cx="200" cy="220" rx="130" ry="30" fill="#fdfbf7"/>
<g fill="#e7b062" stroke="#c98b3e" stroke-width="4">
<ellipse cx="150" cy="180" rx="52" ry="26"/><ellipse cx="250" cy="180" rx="52" ry="26"/><ellipse cx="200" cy="150" rx="52" ry="26"/></g>
<path d="M172 140c0-20 56-20 56 0 0 14-56 14-56 0z" fill="#fff"/>
<g fill="#d7263d"><circle cx="120" cy="214" r="10"/><circle cx="140" cy="222" r="9"/><circle cx="284" cy="214" r="10"/></g></g>`;

function draw(kind: ArtKind): string {
  switch (kind) {
    case 'burger': return burger();
    case 'fries': return fries();
    case 'drink': return drink();
    case 'juice': return drink(0, 0, 1, '#f59e1b');
    case 'salad': return salad();
    case 'soup': return soup();
    case 'cake': return cake();
    case 'coffee': return coffee();
    case 'icecream': return icecream();
    case 'nuggets': return nuggets();
    case 'rings': return rings();
    case 'pancakes': return pancakes();
    case 'combo':
      return `${drink(186, 36, 0.78)}${fries(-10, 70, 0.72)}${burger(70, 96, 0.66)}`;
  }
}

/** An illustration on a soft two-tone background, as a data URI. */
export function artDataUri(kind: ArtKind, hue: number, detail = false): string {
  const bg1 = `hsl(${hue} 70% ${detail ? 92 : 90}%)`;
  const bg2 = `hsl(${(hue + 24) % 360} 75% 82%)`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${bg1}"/><stop offset="1" stop-color="${bg2}"/></linearGradient></defs>
<rect width="400" height="300" fill="url(#g)"/>
<circle cx="340" cy="40" r="90" fill="#fff" opacity=".22"/><circle cx="40" cy="290" r="70" fill="#fff" opacity=".18"/>
${draw(kind)}</svg>`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
