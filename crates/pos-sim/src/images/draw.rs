//! Procedural food illustrations: plain pixel painting with anti-aliased shapes.
//!
//! Each shape is a signed distance function evaluated over its bounding box; the distance gives
//! both the inside test and a one-pixel anti-aliased edge, so a handful of primitives (ellipse,
//! rounded box, capsule, polygon, ring) is enough for a burger, a glass, a pizza… Scenes are
//! authored in an 800×600 space and painted through a transform, which lets the combo picture
//! reuse the burger, fries and drink at a smaller scale. A seeded PRNG varies colours and details
//! by code, so every dish gets its own, always identical, picture.

use image::{ImageBuffer, Rgb, RgbImage};

type Color = [f32; 3];

fn hex(c: u32) -> Color {
    [
        ((c >> 16) & 0xff) as f32 / 255.0,
        ((c >> 8) & 0xff) as f32 / 255.0,
        (c & 0xff) as f32 / 255.0,
    ]
}

fn mix(a: Color, b: Color, t: f32) -> Color {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

fn shade(c: Color, f: f32) -> Color {
    [
        (c[0] * f).min(1.0),
        (c[1] * f).min(1.0),
        (c[2] * f).min(1.0),
    ]
}

fn hsl(h: f32, s: f32, l: f32) -> Color {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = (h.rem_euclid(360.0)) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    [r + m, g + m, b + m]
}

/// SplitMix64: tiny, deterministic, good enough for picking colours.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [a, b).
    fn range(&mut self, a: f32, b: f32) -> f32 {
        let u = (self.next() >> 40) as f32 / (1u64 << 24) as f32;
        a + (b - a) * u
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn chance(&mut self, p: f32) -> bool {
        self.range(0.0, 1.0) < p
    }
}

struct Canvas {
    w: u32,
    h: u32,
    px: Vec<Color>,
}

/// Scene space (800×600) → pixels.
#[derive(Clone, Copy)]
struct Tf {
    ox: f32,
    oy: f32,
    s: f32,
}

impl Tf {
    fn id(w: u32, h: u32) -> Tf {
        let s = (w as f32 / 800.0).min(h as f32 / 600.0);
        Tf {
            ox: (w as f32 - 800.0 * s) / 2.0,
            oy: (h as f32 - 600.0 * s) / 2.0,
            s,
        }
    }

    /// A sub-scene: scene point (cx, cy) of the parent shows the child's centre, scaled by k.
    fn child(self, cx: f32, cy: f32, k: f32) -> Tf {
        Tf {
            ox: self.ox + (cx - 400.0 * k) * self.s,
            oy: self.oy + (cy - 300.0 * k) * self.s,
            s: self.s * k,
        }
    }

    fn p(&self, x: f32, y: f32) -> (f32, f32) {
        (self.ox + x * self.s, self.oy + y * self.s)
    }
}

fn length(x: f32, y: f32) -> f32 {
    (x * x + y * y).sqrt()
}

impl Canvas {
    fn new(w: u32, h: u32) -> Canvas {
        Canvas {
            w,
            h,
            px: vec![[0.0; 3]; (w * h) as usize],
        }
    }

    /// Paints where `sdf` (in pixels, negative inside) is below zero, with a soft edge of
    /// `soft` pixels; `color` may vary with the pixel.
    #[allow(clippy::too_many_arguments)]
    fn paint(
        &mut self,
        bbox: (f32, f32, f32, f32),
        soft: f32,
        alpha: f32,
        sdf: impl Fn(f32, f32) -> f32,
        color: impl Fn(f32, f32) -> Color,
    ) {
        let pad = soft + 2.0;
        let x0 = (bbox.0 - pad).floor().max(0.0) as u32;
        let y0 = (bbox.1 - pad).floor().max(0.0) as u32;
        let x1 = ((bbox.2 + pad).ceil().max(0.0) as u32).min(self.w);
        let y1 = ((bbox.3 + pad).ceil().max(0.0) as u32).min(self.h);
        let soft = soft.max(1.0);
        for y in y0..y1 {
            for x in x0..x1 {
                let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
                let d = sdf(fx, fy);
                let cov = (0.5 - d / soft).clamp(0.0, 1.0) * alpha;
                if cov <= 0.0 {
                    continue;
                }
                let c = color(fx, fy);
                let i = (y * self.w + x) as usize;
                self.px[i] = mix(self.px[i], c, cov);
            }
        }
    }

    fn to_image(&self, seed: u64) -> RgbImage {
        let mut img: RgbImage = ImageBuffer::new(self.w, self.h);
        for (x, y, p) in img.enumerate_pixels_mut() {
            let c = self.px[(y * self.w + x) as usize];
            // A little film grain keeps the flat shapes from looking like clip-art.
            let h = (x as u64).wrapping_mul(73_856_093)
                ^ (y as u64).wrapping_mul(19_349_663)
                ^ seed.wrapping_mul(83_492_791);
            let n = ((h % 1000) as f32 / 1000.0 - 0.5) * 0.025;
            *p = Rgb([
                ((c[0] + n).clamp(0.0, 1.0) * 255.0) as u8,
                ((c[1] + n).clamp(0.0, 1.0) * 255.0) as u8,
                ((c[2] + n).clamp(0.0, 1.0) * 255.0) as u8,
            ]);
        }
        img
    }
}

/// Shapes in scene coordinates, painted through a transform.
struct Pen<'a> {
    c: &'a mut Canvas,
    tf: Tf,
}

impl Pen<'_> {
    fn ellipse(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, col: Color, alpha: f32) {
        self.ellipse_grad(cx, cy, rx, ry, col, col, alpha, 1.0);
    }

    /// Vertical gradient from `top` to `bottom` colour; `soft` blurs the edge (shadows).
    #[allow(clippy::too_many_arguments)]
    fn ellipse_grad(
        &mut self,
        cx: f32,
        cy: f32,
        rx: f32,
        ry: f32,
        top: Color,
        bottom: Color,
        alpha: f32,
        soft: f32,
    ) {
        let (px, py) = self.tf.p(cx, cy);
        let (rx, ry) = ((rx * self.tf.s).max(0.5), (ry * self.tf.s).max(0.5));
        self.c.paint(
            (px - rx, py - ry, px + rx, py + ry),
            soft * self.tf.s,
            alpha,
            |x, y| ellipse_sdf(x - px, y - py, rx, ry),
            |_, y| mix(top, bottom, ((y - (py - ry)) / (2.0 * ry)).clamp(0.0, 1.0)),
        );
    }

    /// An ellipse rotated by `angle` radians.
    #[allow(clippy::too_many_arguments)]
    fn ellipse_rot(
        &mut self,
        cx: f32,
        cy: f32,
        rx: f32,
        ry: f32,
        angle: f32,
        col: Color,
        alpha: f32,
    ) {
        let (px, py) = self.tf.p(cx, cy);
        let (rx, ry) = ((rx * self.tf.s).max(0.5), (ry * self.tf.s).max(0.5));
        let (s, c) = angle.sin_cos();
        let r = rx.max(ry);
        let edge = mix(col, [0.0; 3], 0.25);
        self.c.paint(
            (px - r, py - r, px + r, py + r),
            1.0,
            alpha,
            |x, y| {
                let (dx, dy) = (x - px, y - py);
                ellipse_sdf(dx * c + dy * s, -dx * s + dy * c, rx, ry)
            },
            |x, y| {
                let (dx, dy) = (x - px, y - py);
                let k = length((dx * c + dy * s) / rx, (-dx * s + dy * c) / ry);
                mix(col, edge, (k * k * 0.8).min(1.0))
            },
        );
    }

    fn circle(&mut self, cx: f32, cy: f32, r: f32, col: Color) {
        self.ellipse(cx, cy, r, r, col, 1.0);
    }

    /// A rounded box from (x0, y0) to (x1, y1), vertical gradient.
    #[allow(clippy::too_many_arguments)]
    fn rbox(
        &mut self,
        x0: f32,
        y0: f32,
        x1: f32,
        y1: f32,
        r: f32,
        top: Color,
        bottom: Color,
        alpha: f32,
    ) {
        let (ax, ay) = self.tf.p(x0, y0);
        let (bx, by) = self.tf.p(x1, y1);
        let r = r * self.tf.s;
        let (cx, cy) = ((ax + bx) / 2.0, (ay + by) / 2.0);
        let (hx, hy) = ((bx - ax) / 2.0, (by - ay) / 2.0);
        self.c.paint(
            (ax, ay, bx, by),
            1.0,
            alpha,
            |x, y| {
                let qx = (x - cx).abs() - hx + r;
                let qy = (y - cy).abs() - hy + r;
                length(qx.max(0.0), qy.max(0.0)) + qx.max(qy).min(0.0) - r
            },
            |_, y| mix(top, bottom, ((y - ay) / (by - ay).max(1.0)).clamp(0.0, 1.0)),
        );
    }

    /// A thick line with round ends.
    #[allow(clippy::too_many_arguments)]
    fn capsule(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, r: f32, col: Color, alpha: f32) {
        let (ax, ay) = self.tf.p(x0, y0);
        let (bx, by) = self.tf.p(x1, y1);
        let r = (r * self.tf.s).max(0.5);
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = (dx * dx + dy * dy).max(1e-6);
        let dark = shade(col, 0.8);
        self.c.paint(
            (
                ax.min(bx) - r,
                ay.min(by) - r,
                ax.max(bx) + r,
                ay.max(by) + r,
            ),
            1.0,
            alpha,
            |x, y| {
                let t = (((x - ax) * dx + (y - ay) * dy) / len2).clamp(0.0, 1.0);
                length(x - ax - dx * t, y - ay - dy * t) - r
            },
            |x, y| {
                let t = (((x - ax) * dx + (y - ay) * dy) / len2).clamp(0.0, 1.0);
                let d = length(x - ax - dx * t, y - ay - dy * t) / r;
                mix(col, dark, (d * d).min(1.0))
            },
        );
    }

    /// A filled polygon (any simple polygon), vertical gradient.
    fn polygon(&mut self, pts: &[(f32, f32)], top: Color, bottom: Color, alpha: f32) {
        let p: Vec<(f32, f32)> = pts.iter().map(|&(x, y)| self.tf.p(x, y)).collect();
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for &(x, y) in &p {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        self.c.paint(
            (x0, y0, x1, y1),
            1.0,
            alpha,
            |x, y| polygon_sdf(&p, x, y),
            |_, y| mix(top, bottom, ((y - y0) / (y1 - y0).max(1.0)).clamp(0.0, 1.0)),
        );
    }

    /// A ring (annulus) of radius `r` and half-thickness `t`.
    fn ring(&mut self, cx: f32, cy: f32, r: f32, t: f32, col: Color) {
        let (px, py) = self.tf.p(cx, cy);
        let (r, t) = (r * self.tf.s, (t * self.tf.s).max(0.5));
        self.c.paint(
            (px - r - t, py - r - t, px + r + t, py + r + t),
            1.0,
            1.0,
            |x, y| (length(x - px, y - py) - r).abs() - t,
            |_, _| col,
        );
    }

    /// The part of an ellipse above (`upper`) or below a horizontal line: bun tops, bowls.
    #[allow(clippy::too_many_arguments)]
    fn half_ellipse(
        &mut self,
        cx: f32,
        cy: f32,
        rx: f32,
        ry: f32,
        cut: f32,
        upper: bool,
        top: Color,
        bottom: Color,
    ) {
        let (px, py) = self.tf.p(cx, cy);
        let (_, cut) = self.tf.p(0.0, cut);
        let (rx, ry) = (rx * self.tf.s, ry * self.tf.s);
        self.c.paint(
            (px - rx, py - ry, px + rx, py + ry),
            1.0,
            1.0,
            |x, y| {
                let e = ellipse_sdf(x - px, y - py, rx, ry);
                let h = if upper { y - cut } else { cut - y };
                e.max(h)
            },
            |_, y| mix(top, bottom, ((y - (py - ry)) / (2.0 * ry)).clamp(0.0, 1.0)),
        );
    }
}

fn ellipse_sdf(x: f32, y: f32, rx: f32, ry: f32) -> f32 {
    let k1 = length(x / rx, y / ry);
    let k2 = length(x / (rx * rx), y / (ry * ry));
    if k2 < 1e-6 {
        return -rx.min(ry);
    }
    k1 * (k1 - 1.0) / k2
}

fn polygon_sdf(p: &[(f32, f32)], x: f32, y: f32) -> f32 {
    let n = p.len();
    if n < 3 {
        return f32::MAX;
    }
    let mut d = (x - p[0].0).powi(2) + (y - p[0].1).powi(2);
    let mut s = 1.0f32;
    let mut j = n - 1;
    for i in 0..n {
        let (ex, ey) = (p[j].0 - p[i].0, p[j].1 - p[i].1);
        let (wx, wy) = (x - p[i].0, y - p[i].1);
        let t = ((wx * ex + wy * ey) / (ex * ex + ey * ey).max(1e-6)).clamp(0.0, 1.0);
        let (bx, by) = (wx - ex * t, wy - ey * t);
        d = d.min(bx * bx + by * by);
        let c1 = y >= p[i].1;
        let c2 = y < p[j].1;
        let c3 = ex * wy > ey * wx;
        if (c1 && c2 && c3) || (!c1 && !c2 && !c3) {
            s = -s;
        }
        j = i;
    }
    s * d.sqrt()
}

/// The backdrop: a soft two-tone gradient with a table edge and a warm light.
fn background(c: &mut Canvas, rng: &mut Rng, kind: &str) {
    let base_hue = match kind {
        "drink" => 190.0,
        "coffee" => 30.0,
        "salad" => 95.0,
        "dessert" => 330.0,
        "soup" => 20.0,
        "pizza" => 10.0,
        _ => 35.0,
    } + rng.range(-25.0, 25.0);
    let top = hsl(base_hue, 0.45, 0.86);
    let bottom = hsl(base_hue + 10.0, 0.35, 0.70);
    let table = hsl(base_hue + 5.0, 0.30, 0.62);
    let (w, h) = (c.w as f32, c.h as f32);
    let horizon = h * 0.62;
    for y in 0..c.h {
        for x in 0..c.w {
            let (fx, fy) = (x as f32, y as f32);
            let col = if fy < horizon {
                mix(top, bottom, fy / horizon)
            } else {
                // Table top: slightly darker with faint planks.
                let plank = ((fy - horizon) / (h * 0.09)).fract();
                let line = if plank < 0.03 { 0.93 } else { 1.0 };
                shade(
                    mix(table, shade(table, 0.85), (fy - horizon) / (h - horizon)),
                    line,
                )
            };
            // Warm light from the upper left.
            let l = 1.0 - (length(fx - w * 0.3, fy - h * 0.2) / (w * 0.9)).min(1.0);
            c.px[(y * c.w + x) as usize] = mix(col, [1.0, 0.98, 0.92], l * 0.35);
        }
    }
}

fn plate(p: &mut Pen, cx: f32, cy: f32, rx: f32, ry: f32) {
    p.ellipse_grad(
        cx + 12.0,
        cy + 18.0,
        rx * 1.02,
        ry * 1.05,
        [0.0; 3],
        [0.0; 3],
        0.18,
        18.0,
    );
    p.ellipse_grad(cx, cy, rx, ry, hex(0xffffff), hex(0xe4e4e4), 1.0, 1.0);
    p.ellipse_grad(
        cx,
        cy + ry * 0.05,
        rx * 0.72,
        ry * 0.68,
        hex(0xededed),
        hex(0xf8f8f8),
        1.0,
        2.0,
    );
}

/// Whether the (lower-case) dish name mentions any of the words.
fn has(name: &str, words: &[&str]) -> bool {
    words.iter().any(|w| name.contains(w))
}

fn burger(p: &mut Pen, rng: &mut Rng, name: &str) {
    plate(p, 400.0, 470.0, 310.0, 80.0);
    let bun = hsl(rng.range(26.0, 34.0), 0.68, rng.range(0.52, 0.6));
    let bun_dark = shade(bun, 0.72);
    let double = has(name, &["двойн", "биг"]) || (name.is_empty() && rng.chance(0.35));
    let patties = if double { 2 } else { 1 };
    let cheese = has(name, &["чиз", "сыр", "двойн", "биг", "эмментал"])
        || (name.is_empty() && rng.chance(0.8));
    let tomato = rng.chance(0.7);
    let bacon = has(name, &["бекон", "биг"]) || (name.is_empty() && rng.chance(0.35));
    let mut y = 455.0;
    // Bottom bun.
    p.rbox(225.0, y - 55.0, 575.0, y, 26.0, bun, bun_dark, 1.0);
    y -= 50.0;
    for i in 0..patties {
        let meat = if has(name, &["вегги", "нут"]) {
            hsl(rng.range(40.0, 60.0), 0.35, 0.35)
        } else if has(name, &["фиш", "чикен", "куриц"]) {
            hsl(rng.range(34.0, 40.0), 0.7, 0.42)
        } else {
            hsl(rng.range(18.0, 24.0), 0.5, 0.22)
        };
        p.rbox(
            212.0,
            y - 48.0,
            588.0,
            y,
            24.0,
            shade(meat, 1.25),
            meat,
            1.0,
        );
        for _ in 0..40 {
            let (x, yy) = (rng.range(235.0, 565.0), rng.range(y - 42.0, y - 6.0));
            p.ellipse(
                x,
                yy,
                rng.range(2.0, 5.0),
                rng.range(1.5, 3.0),
                shade(meat, 0.7),
                0.8,
            );
        }
        y -= 42.0;
        if cheese && (i == 0 || patties == 2) {
            // A melted slice: a thin sheet with rounded drips hanging over the patty.
            let ch = hex(0xf6bf26);
            p.rbox(
                220.0,
                y - 10.0,
                580.0,
                y + 8.0,
                6.0,
                shade(ch, 1.08),
                ch,
                1.0,
            );
            let mut x = 245.0 + rng.range(0.0, 20.0);
            while x < 560.0 {
                let drip = rng.range(6.0, 20.0);
                p.capsule(x, y, x, y + drip, rng.range(10.0, 14.0), ch, 1.0);
                x += rng.range(34.0, 56.0);
            }
            y -= 12.0;
        }
    }
    if bacon {
        let b = hex(0xa8412e);
        for k in 0..3 {
            let x = 250.0 + k as f32 * 105.0;
            p.capsule(x, y - 2.0, x + 110.0, y - 10.0, 9.0, b, 1.0);
            p.capsule(
                x + 8.0,
                y - 6.0,
                x + 100.0,
                y - 12.0,
                3.0,
                hex(0xf2c9a5),
                0.9,
            );
        }
        y -= 10.0;
    }
    if tomato {
        p.rbox(
            238.0,
            y - 20.0,
            562.0,
            y + 2.0,
            10.0,
            hex(0xe8453a),
            hex(0xb52a22),
            1.0,
        );
        y -= 16.0;
    }
    // Lettuce: a frilly band of overlapping circles.
    let green = hsl(rng.range(95.0, 115.0), 0.55, 0.45);
    let mut x = 215.0;
    while x <= 585.0 {
        p.ellipse(
            x,
            y - 4.0 + rng.range(-3.0, 5.0),
            20.0,
            13.0,
            shade(green, rng.range(0.85, 1.15)),
            1.0,
        );
        x += 18.0;
    }
    y -= 6.0;
    // Top bun: a dome with a highlight and sesame seeds.
    p.half_ellipse(400.0, y, 192.0, 150.0, y, true, shade(bun, 1.12), bun_dark);
    p.ellipse_grad(340.0, y - 100.0, 70.0, 28.0, [1.0; 3], [1.0; 3], 0.18, 14.0);
    for _ in 0..16 {
        let a = rng.range(3.3, 6.1);
        let rr = rng.range(0.25, 0.88);
        let sx = 400.0 + a.cos() * 175.0 * rr;
        let sy = y + a.sin() * 135.0 * rr;
        if sy < y - 12.0 {
            p.ellipse_rot(sx, sy, 7.0, 3.6, rng.range(-0.6, 0.6), hex(0xfbefd2), 1.0);
        }
    }
}

fn glass(p: &mut Pen, rng: &mut Rng, name: &str) {
    let liquids = [
        0x3b1d0e, 0xf29a1d, 0xd9e86a, 0xb0203c, 0x5dbb63, 0xf4d7e0, 0xe08a2c,
    ];
    let by_name = [
        (&["тархун"][..], 0x5dbb63),
        (&["кола", "cola"][..], 0x3b1d0e),
        (&["спрайт", "лимонад", "вода"][..], 0xd9e86a),
        (&["фанта", "апельсин", "сок"][..], 0xf29a1d),
        (&["морс", "клюкв"][..], 0xb0203c),
        (&["милкшейк", "клубн"][..], 0xf4b6c8),
        (&["квас"][..], 0x8a4b12),
    ];
    let liquid = by_name
        .iter()
        .find(|(words, _)| has(name, words))
        .map(|(_, c)| hex(*c))
        .unwrap_or_else(|| hex(rng.pick(&liquids)));
    p.ellipse_grad(410.0, 505.0, 150.0, 28.0, [0.0; 3], [0.0; 3], 0.2, 14.0);
    let (tl, tr, bl, br) = (
        (290.0, 120.0),
        (510.0, 120.0),
        (330.0, 505.0),
        (470.0, 505.0),
    );
    // Liquid: the glass shape below the surface.
    let surf = 175.0;
    let lerp = |a: (f32, f32), b: (f32, f32), y: f32| a.0 + (b.0 - a.0) * (y - a.1) / (b.1 - a.1);
    let ls = (lerp(tl, bl, surf), lerp(tr, br, surf));
    p.polygon(
        &[
            (ls.0 + 6.0, surf),
            (ls.1 - 6.0, surf),
            (br.0 - 6.0, br.1 - 8.0),
            (bl.0 + 6.0, bl.1 - 8.0),
        ],
        shade(liquid, 1.15),
        shade(liquid, 0.75),
        1.0,
    );
    // Ice cubes and bubbles.
    for k in 0..3 {
        let x = 330.0 + k as f32 * 55.0 + rng.range(-8.0, 8.0);
        let y = surf + 10.0 + rng.range(0.0, 40.0);
        p.rbox(
            x,
            y,
            x + 52.0,
            y + 48.0,
            10.0,
            [1.0; 3],
            hex(0xd8eef5),
            0.35,
        );
    }
    for _ in 0..14 {
        let y = rng.range(surf + 60.0, 480.0);
        let x = rng.range(lerp(tl, bl, y) + 20.0, lerp(tr, br, y) - 20.0);
        p.ring(x, y, rng.range(3.0, 7.0), 1.2, [1.0; 3]);
    }
    // Straw, striped.
    let straw = hsl(rng.pick(&[0.0, 200.0, 120.0, 45.0]), 0.7, 0.5);
    p.capsule(430.0, 330.0, 540.0, 40.0, 11.0, straw, 1.0);
    for k in 0..6 {
        let t0 = k as f32 / 6.0 + 0.04;
        let t1 = t0 + 0.07;
        let at = |t: f32| (430.0 + 110.0 * t, 330.0 - 290.0 * t);
        let (a, b) = (at(t0), at(t1));
        p.capsule(a.0, a.1, b.0, b.1, 10.0, [1.0; 3], 0.9);
    }
    // The glass itself: a pale body, a rim and a highlight.
    p.polygon(&[tl, tr, br, bl], [1.0; 3], hex(0xcfe6ee), 0.22);
    p.ellipse(400.0, 120.0, 110.0, 14.0, hex(0xf4fbff), 0.55);
    p.capsule(315.0, 150.0, 345.0, 470.0, 7.0, [1.0; 3], 0.45);
    if rng.chance(0.6) {
        // A citrus wheel on the rim.
        let c = hex(rng.pick(&[0xf5d33b, 0x9ccc3c, 0xf59b2b]));
        p.circle(300.0, 125.0, 46.0, shade(c, 0.85));
        p.circle(300.0, 125.0, 38.0, shade(c, 1.1));
        for k in 0..8 {
            let a = k as f32 * std::f32::consts::PI / 4.0;
            p.capsule(
                300.0,
                125.0,
                300.0 + a.cos() * 34.0,
                125.0 + a.sin() * 34.0,
                2.0,
                hex(0xfff6d8),
                1.0,
            );
        }
    }
}

fn fries(p: &mut Pen, rng: &mut Rng) {
    p.ellipse_grad(405.0, 515.0, 170.0, 30.0, [0.0; 3], [0.0; 3], 0.2, 14.0);
    let potato = hex(0xf4c443);
    for k in 0..18 {
        let x = 305.0 + k as f32 * 11.5 + rng.range(-6.0, 6.0);
        let top = rng.range(120.0, 210.0);
        let lean = rng.range(-30.0, 30.0);
        p.capsule(
            x,
            330.0,
            x + lean,
            top,
            13.0,
            shade(potato, rng.range(0.88, 1.08)),
            1.0,
        );
    }
    let red = hsl(rng.range(356.0, 364.0), 0.75, 0.47);
    let mut pts = vec![(280.0, 270.0)];
    // A scalloped top edge.
    for k in 0..=6 {
        let x = 280.0 + k as f32 * (240.0 / 6.0);
        pts.push((x, if k % 2 == 0 { 270.0 } else { 295.0 }));
    }
    pts.extend_from_slice(&[(520.0, 270.0), (478.0, 520.0), (322.0, 520.0)]);
    p.polygon(&pts, shade(red, 1.12), shade(red, 0.78), 1.0);
    p.ellipse(400.0, 400.0, 55.0, 55.0, hex(0xf7d54a), 0.95);
    p.ellipse(400.0, 400.0, 40.0, 40.0, shade(red, 1.05), 1.0);
    p.capsule(330.0, 300.0, 345.0, 500.0, 6.0, [1.0; 3], 0.22);
}

fn salad(p: &mut Pen, rng: &mut Rng) {
    let bowl = hsl(rng.range(20.0, 220.0), 0.35, 0.8);
    p.ellipse_grad(410.0, 505.0, 250.0, 40.0, [0.0; 3], [0.0; 3], 0.2, 16.0);
    p.half_ellipse(
        400.0,
        330.0,
        260.0,
        185.0,
        330.0,
        false,
        bowl,
        shade(bowl, 0.72),
    );
    p.ellipse(400.0, 330.0, 260.0, 52.0, shade(bowl, 0.6), 1.0);
    for _ in 0..46 {
        let x = rng.range(170.0, 630.0);
        let y = rng.range(250.0, 340.0);
        let g = hsl(
            rng.range(80.0, 130.0),
            rng.range(0.45, 0.7),
            rng.range(0.3, 0.55),
        );
        p.ellipse_rot(
            x,
            y,
            rng.range(30.0, 55.0),
            rng.range(14.0, 24.0),
            rng.range(-1.2, 1.2),
            g,
            1.0,
        );
    }
    for _ in 0..6 {
        let (x, y) = (rng.range(220.0, 580.0), rng.range(250.0, 320.0));
        p.circle(x, y, 24.0, hex(0xd8352a));
        p.ellipse(x - 8.0, y - 9.0, 8.0, 5.0, hex(0xff9c8f), 0.8);
    }
    for _ in 0..5 {
        let (x, y) = (rng.range(220.0, 580.0), rng.range(250.0, 320.0));
        p.circle(x, y, 22.0, hex(0x4d8a2b));
        p.circle(x, y, 18.0, hex(0xd6eab0));
        p.circle(x, y, 5.0, hex(0xb9d68a));
    }
    for _ in 0..5 {
        let (x, y) = (rng.range(230.0, 570.0), rng.range(250.0, 320.0));
        p.rbox(
            x,
            y,
            x + 26.0,
            y + 22.0,
            4.0,
            hex(0xfdfbf3),
            hex(0xe9e4d2),
            1.0,
        );
    }
}

fn soup(p: &mut Pen, rng: &mut Rng, name: &str) {
    let soups = [0xa8182a, 0xe6b84a, 0xcfae7d, 0xc0562a, 0xe2762b, 0x8bb04a];
    let s = if has(name, &["борщ"]) {
        hex(0xa8182a)
    } else if has(name, &["курин", "лапш"]) {
        hex(0xe6b84a)
    } else if has(name, &["гриб", "крем"]) {
        hex(0xcfae7d)
    } else if has(name, &["солянк"]) {
        hex(0xc0562a)
    } else if has(name, &["том ям"]) {
        hex(0xe2762b)
    } else {
        hex(rng.pick(&soups))
    };
    plate(p, 400.0, 440.0, 320.0, 105.0);
    p.half_ellipse(
        400.0,
        330.0,
        230.0,
        150.0,
        330.0,
        false,
        hex(0xfafafa),
        hex(0xd6d6d6),
    );
    p.ellipse(400.0, 330.0, 230.0, 62.0, hex(0xf2f2f2), 1.0);
    p.ellipse_grad(
        400.0,
        334.0,
        205.0,
        50.0,
        shade(s, 0.85),
        shade(s, 1.1),
        1.0,
        1.0,
    );
    if rng.chance(0.7) {
        p.ellipse(420.0, 330.0, 42.0, 16.0, hex(0xfdfbf5), 1.0);
    }
    for _ in 0..22 {
        let (x, y) = (rng.range(240.0, 560.0), rng.range(300.0, 365.0));
        if ellipse_sdf(x - 400.0, y - 334.0, 195.0, 44.0) < 0.0 {
            p.ellipse_rot(x, y, 6.0, 3.0, rng.range(0.0, 3.0), hex(0x3f8f2e), 1.0);
        }
    }
    // A spoon resting on the plate.
    p.capsule(600.0, 430.0, 730.0, 520.0, 9.0, hex(0xc9ccd1), 1.0);
    p.ellipse_rot(585.0, 418.0, 38.0, 24.0, 0.6, hex(0xd9dce0), 1.0);
}

fn pizza(p: &mut Pen, rng: &mut Rng, name: &str) {
    p.ellipse_grad(412.0, 330.0, 285.0, 235.0, [0.0; 3], [0.0; 3], 0.22, 20.0);
    p.ellipse_grad(
        400.0,
        315.0,
        280.0,
        228.0,
        hex(0xb9834c),
        hex(0x8c5a2b),
        1.0,
        1.0,
    );
    p.ellipse_grad(
        400.0,
        305.0,
        245.0,
        198.0,
        hex(0xe2a651),
        hex(0xc77f35),
        1.0,
        1.0,
    );
    p.ellipse(400.0, 305.0, 215.0, 172.0, hex(0xc8442a), 1.0);
    for _ in 0..40 {
        let a = rng.range(0.0, std::f32::consts::TAU);
        let r = rng.range(0.0, 0.85);
        p.ellipse(
            400.0 + a.cos() * 190.0 * r,
            305.0 + a.sin() * 150.0 * r,
            45.0,
            34.0,
            hex(0xf5d77a),
            0.85,
        );
    }
    let pepperoni = has(name, &["пеппер", "мясн"])
        || (!has(name, &["маргар", "сыр", "гавай"]) && rng.chance(0.6));
    for _ in 0..if pepperoni { 14 } else { 7 } {
        let a = rng.range(0.0, std::f32::consts::TAU);
        let r = rng.range(0.15, 0.85);
        let (x, y) = (400.0 + a.cos() * 185.0 * r, 305.0 + a.sin() * 145.0 * r);
        if pepperoni {
            p.ellipse(x, y, 26.0, 21.0, hex(0xa8281d), 1.0);
            p.ellipse(x - 6.0, y - 5.0, 7.0, 5.0, hex(0xc9463a), 1.0);
        } else {
            p.ellipse(x, y, 24.0, 19.0, hex(0xe24b3b), 1.0);
            p.ellipse_rot(
                x + 20.0,
                y - 16.0,
                16.0,
                8.0,
                rng.range(0.0, 3.0),
                hex(0x2f8a32),
                1.0,
            );
        }
    }
    for k in 0..4 {
        let a = k as f32 * std::f32::consts::PI / 4.0 + 0.3;
        p.capsule(
            400.0 - a.cos() * 240.0,
            305.0 - a.sin() * 194.0,
            400.0 + a.cos() * 240.0,
            305.0 + a.sin() * 194.0,
            1.6,
            hex(0x7a3b1a),
            0.5,
        );
    }
}

fn dessert(p: &mut Pen, rng: &mut Rng, name: &str) {
    let ice_cream = if has(name, &["морож", "пломбир"]) {
        true
    } else if has(
        name,
        &["чизкейк", "медовик", "фондан", "торт", "пирож", "сырник"],
    ) {
        false
    } else {
        rng.chance(0.5)
    };
    if ice_cream {
        // Ice-cream cup.
        p.ellipse_grad(405.0, 505.0, 160.0, 28.0, [0.0; 3], [0.0; 3], 0.2, 14.0);
        let flavours = [0xfbf3dc, 0xf6a9c0, 0x7b4a2d, 0xc8e6a0, 0xfbd28b];
        let scoops = [(330.0, 300.0), (470.0, 300.0), (400.0, 230.0)];
        p.polygon(
            &[
                (250.0, 330.0),
                (550.0, 330.0),
                (470.0, 500.0),
                (330.0, 500.0),
            ],
            hex(0xf7f3ef),
            hex(0xcfc7bf),
            1.0,
        );
        for (x, y) in scoops {
            let f = hex(rng.pick(&flavours));
            p.ellipse_grad(x, y, 85.0, 75.0, shade(f, 1.08), shade(f, 0.85), 1.0, 1.0);
            p.ellipse(x - 25.0, y - 28.0, 22.0, 12.0, [1.0; 3], 0.35);
        }
        p.capsule(505.0, 205.0, 590.0, 90.0, 12.0, hex(0xd9a55b), 1.0);
        p.capsule(410.0, 150.0, 430.0, 100.0, 3.0, hex(0x5b3a1a), 1.0);
        p.circle(405.0, 160.0, 22.0, hex(0xc4161c));
        p.ellipse(398.0, 153.0, 6.0, 4.0, hex(0xff8a8a), 1.0);
    } else {
        // A layered cake slice.
        plate(p, 400.0, 460.0, 280.0, 80.0);
        let sponge = hsl(rng.range(25.0, 40.0), 0.6, rng.range(0.55, 0.72));
        let cream = hex(rng.pick(&[0xfff8ec, 0xf7e1c4, 0xfbe3ea]));
        let front = [
            (250.0, 260.0),
            (520.0, 215.0),
            (520.0, 440.0),
            (250.0, 470.0),
        ];
        p.polygon(&front, sponge, shade(sponge, 0.85), 1.0);
        for k in 0..3 {
            let t = 0.25 + k as f32 * 0.25;
            let y0 = 260.0 + (470.0 - 260.0) * t;
            let y1 = 215.0 + (440.0 - 215.0) * t;
            p.polygon(
                &[
                    (250.0, y0 - 9.0),
                    (520.0, y1 - 9.0),
                    (520.0, y1 + 9.0),
                    (250.0, y0 + 9.0),
                ],
                cream,
                shade(cream, 0.95),
                1.0,
            );
        }
        p.polygon(
            &[
                (250.0, 260.0),
                (520.0, 215.0),
                (600.0, 250.0),
                (330.0, 300.0),
            ],
            shade(cream, 1.02),
            shade(cream, 0.9),
            1.0,
        );
        p.polygon(
            &[
                (520.0, 215.0),
                (600.0, 250.0),
                (600.0, 460.0),
                (520.0, 440.0),
            ],
            shade(sponge, 0.75),
            shade(sponge, 0.65),
            1.0,
        );
        for k in 0..3 {
            let (x, y) = (330.0 + k as f32 * 80.0, 258.0 - k as f32 * 12.0);
            p.circle(x, y, 18.0, hex(rng.pick(&[0xc4161c, 0x3b2a6b, 0xe0352b])));
            p.ellipse(x - 5.0, y - 6.0, 5.0, 3.0, [1.0; 3], 0.6);
        }
    }
}

fn coffee(p: &mut Pen, rng: &mut Rng, name: &str) {
    let cup = hex(rng.pick(&[0xffffff, 0xf3e9dc, 0x2f5d62, 0xc94f3d, 0xf2c14e]));
    p.ellipse_grad(410.0, 480.0, 240.0, 60.0, [0.0; 3], [0.0; 3], 0.2, 14.0);
    p.ellipse_grad(
        400.0,
        465.0,
        225.0,
        55.0,
        hex(0xffffff),
        hex(0xdedede),
        1.0,
        1.0,
    );
    p.ring(548.0, 360.0, 42.0, 12.0, shade(cup, 0.92));
    p.rbox(268.0, 290.0, 532.0, 400.0, 8.0, cup, shade(cup, 0.92), 1.0);
    p.half_ellipse(
        400.0,
        395.0,
        132.0,
        72.0,
        395.0,
        false,
        shade(cup, 0.92),
        shade(cup, 0.78),
    );
    p.ellipse(400.0, 292.0, 132.0, 34.0, shade(cup, 1.05), 1.0);
    let coffee = if has(name, &["чай"]) {
        hex(if has(name, &["облепих"]) {
            0xe98a1e
        } else {
            0x9c4a12
        })
    } else if has(name, &["какао"]) {
        hex(0x7b4a2d)
    } else if has(name, &["эспрессо", "американо"]) {
        hex(0x3e2211)
    } else if has(name, &["латте", "капуч", "раф"]) {
        hex(0xb07a4a)
    } else {
        hex(rng.pick(&[0x6b3d1f, 0x8a5a34, 0x4a2a14]))
    };
    let art = if name.is_empty() {
        rng.chance(0.7)
    } else {
        has(name, &["латте", "капуч", "раф"])
    };
    p.ellipse_grad(
        400.0,
        294.0,
        118.0,
        26.0,
        shade(coffee, 0.8),
        shade(coffee, 1.1),
        1.0,
        1.0,
    );
    if art {
        // Latte-art heart.
        let foam = hex(0xecd3ad);
        p.ellipse(385.0, 290.0, 22.0, 11.0, foam, 1.0);
        p.ellipse(415.0, 290.0, 22.0, 11.0, foam, 1.0);
        p.polygon(
            &[(366.0, 293.0), (434.0, 293.0), (400.0, 312.0)],
            foam,
            foam,
            1.0,
        );
    }
    for k in 0..3 {
        let x = 350.0 + k as f32 * 50.0;
        for s in 0..6 {
            let y0 = 250.0 - s as f32 * 28.0;
            let wob = if s % 2 == 0 { 10.0 } else { -10.0 };
            p.capsule(x + wob, y0, x - wob, y0 - 28.0, 6.0, [1.0; 3], 0.18);
        }
    }
}

fn chicken(p: &mut Pen, rng: &mut Rng) {
    plate(p, 400.0, 440.0, 320.0, 110.0);
    let gold = hsl(rng.range(32.0, 40.0), 0.72, 0.52);
    let spots = [
        (300.0, 400.0),
        (400.0, 380.0),
        (500.0, 405.0),
        (345.0, 455.0),
        (455.0, 460.0),
        (400.0, 330.0),
    ];
    for (x, y) in spots {
        for _ in 0..3 {
            let (dx, dy) = (rng.range(-18.0, 18.0), rng.range(-10.0, 10.0));
            p.ellipse_grad(
                x + dx,
                y + dy,
                48.0,
                34.0,
                shade(gold, 1.15),
                shade(gold, 0.8),
                1.0,
                1.0,
            );
        }
        for _ in 0..10 {
            p.ellipse(
                x + rng.range(-40.0, 40.0),
                y + rng.range(-25.0, 25.0),
                3.0,
                2.0,
                shade(gold, 0.65),
                0.9,
            );
        }
    }
    // A dip.
    p.ellipse_grad(
        610.0,
        380.0,
        62.0,
        40.0,
        hex(0xffffff),
        hex(0xd0d0d0),
        1.0,
        1.0,
    );
    p.ellipse(
        610.0,
        372.0,
        50.0,
        26.0,
        hex(rng.pick(&[0xc0392b, 0xe67e22, 0xf1c40f])),
        1.0,
    );
}

fn sauce(p: &mut Pen, rng: &mut Rng) {
    let colours = [0xc0392b, 0xe67e22, 0xf6d365, 0xfdfbf0, 0x6d3b1e];
    for (k, x) in [300.0f32, 500.0].into_iter().enumerate() {
        let c = hex(rng.pick(&colours));
        let y = 360.0 + k as f32 * 20.0;
        p.ellipse_grad(
            x + 8.0,
            y + 70.0,
            120.0,
            30.0,
            [0.0; 3],
            [0.0; 3],
            0.2,
            12.0,
        );
        p.half_ellipse(x, y, 110.0, 90.0, y, false, hex(0xffffff), hex(0xcfcfcf));
        p.ellipse(x, y, 110.0, 34.0, hex(0xf1f1f1), 1.0);
        p.ellipse_grad(
            x,
            y + 2.0,
            95.0,
            27.0,
            shade(c, 0.85),
            shade(c, 1.1),
            1.0,
            1.0,
        );
        p.ellipse(x - 30.0, y - 6.0, 22.0, 6.0, [1.0; 3], 0.35);
    }
}

fn roll(p: &mut Pen, rng: &mut Rng) {
    p.ellipse_grad(420.0, 505.0, 200.0, 34.0, [0.0; 3], [0.0; 3], 0.2, 16.0);
    let lavash = hsl(rng.range(34.0, 42.0), 0.6, 0.78);
    p.capsule(330.0, 460.0, 500.0, 170.0, 95.0, lavash, 1.0);
    for k in 0..5 {
        let t = 0.2 + k as f32 * 0.14;
        let (x, y) = (330.0 + 170.0 * t, 460.0 - 290.0 * t);
        p.capsule(
            x - 40.0,
            y + 10.0,
            x + 30.0,
            y - 5.0,
            5.0,
            shade(lavash, 0.75),
            0.7,
        );
    }
    // The open end with the filling.
    p.ellipse_rot(
        505.0,
        160.0,
        92.0,
        48.0,
        -1.04 + 1.57,
        shade(lavash, 0.9),
        1.0,
    );
    for _ in 0..14 {
        let c = hex(rng.pick(&[0x3f8f2e, 0xd8352a, 0x9b5a2e, 0xf4e9c8, 0x6b3a1e]));
        p.circle(
            505.0 + rng.range(-55.0, 55.0),
            160.0 + rng.range(-30.0, 30.0),
            rng.range(9.0, 16.0),
            c,
        );
    }
    // Paper wrap.
    p.polygon(
        &[
            (215.0, 380.0),
            (395.0, 480.0),
            (370.0, 560.0),
            (240.0, 540.0),
        ],
        hex(0xe9dcc3),
        hex(0xc8b38e),
        1.0,
    );
}

/// One item of a scene: its picture kind and its (lower-case) name, whose words pick details
/// ("двойной" gives two patties, "борщ" a red soup); an empty name leaves them to chance.
#[derive(Clone, Copy)]
pub struct Item<'a> {
    pub kind: &'a str,
    pub name: &'a str,
}

fn scene(p: &mut Pen, rng: &mut Rng, item: Item<'_>) {
    let name = item.name;
    match item.kind {
        "drink" => glass(p, rng, name),
        "fries" => fries(p, rng),
        "salad" => salad(p, rng),
        "soup" => soup(p, rng, name),
        "pizza" => pizza(p, rng, name),
        "dessert" => dessert(p, rng, name),
        "coffee" => coffee(p, rng, name),
        "chicken" => chicken(p, rng),
        "sauce" => sauce(p, rng),
        "roll" => roll(p, rng),
        "combo" => {
            let kinds = ["burger", "fries", "drink"].map(|kind| Item { kind, name: "" });
            combo(p, rng, &kinds)
        }
        _ => burger(p, rng, name),
    }
}

/// A combo: its main item in front, the others behind it (a drink prefers the right).
fn combo(p: &mut Pen, rng: &mut Rng, items: &[Item<'_>]) {
    let tf = p.tf;
    let main = items.first().copied().unwrap_or(Item {
        kind: "burger",
        name: "",
    });
    let mut rest: Vec<Item<'_>> = items.iter().skip(1).take(2).copied().collect();
    if rest.first().is_some_and(|i| i.kind == "drink") {
        rest.reverse();
    }
    let back = [(185.0, 270.0, 0.7), (610.0, 255.0, 0.72)];
    for (item, (x, y, k)) in rest.iter().zip(back) {
        let mut q = Pen {
            c: p.c,
            tf: tf.child(x, y, k),
        };
        scene(&mut q, rng, *item);
    }
    let mut q = Pen {
        c: p.c,
        tf: tf.child(400.0, 330.0, 0.78),
    };
    scene(&mut q, rng, main);
}

/// Paints a combo of the given items (its groups' default dishes) at `w`×`h`.
pub fn draw_combo(items: &[Item<'_>], seed: u64, w: u32, h: u32) -> RgbImage {
    let mut rng = Rng::new(seed ^ 0xC0_4B0);
    let mut canvas = Canvas::new(w, h);
    background(&mut canvas, &mut rng, "combo");
    let tf = Tf::id(w, h);
    let mut pen = Pen { c: &mut canvas, tf };
    combo(&mut pen, &mut rng, items);
    canvas.to_image(seed)
}

/// Paints a picture of `kind` for `seed` at `w`×`h`, details left to chance.
pub fn draw(kind: &str, seed: u64, w: u32, h: u32) -> RgbImage {
    draw_item(Item { kind, name: "" }, seed, w, h)
}

/// Paints the picture of `item` for `seed` at `w`×`h`.
pub fn draw_item(item: Item<'_>, seed: u64, w: u32, h: u32) -> RgbImage {
    let mut rng = Rng::new(seed ^ (item.kind.len() as u64 * 0x1000_0000_01b3));
    let mut canvas = Canvas::new(w, h);
    background(&mut canvas, &mut rng, item.kind);
    let tf = Tf::id(w, h);
    let mut pen = Pen { c: &mut canvas, tf };
    scene(&mut pen, &mut rng, item);
    canvas.to_image(seed)
}

pub fn encode_jpeg(img: &RgbImage) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Vec::with_capacity(64 * 1024);
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 86);
    img.write_with_encoder(enc)?;
    Ok(out)
}
