//! A [`Document`] drawn as the printer would print it: a PNG exactly as many pixels wide as the
//! paper has dots (384 for 58 mm, 576 for 80 mm), one pixel per dot.
//!
//! Text is drawn in font-A cells (12 × 24 dots, scaled by the character size) with DejaVu Sans
//! Mono, whose advance at 20 px is 12 px, so columns line up as on a receipt. The font comes from
//! Debian's `fonts-dejavu-core` (the project's `scripts/deps.sh` installs it); nothing is
//! downloaded. QR codes are encoded again from the data the printer received (`qrcode` crate), so
//! a PNG that scans proves the `GS ( k` bytes were right.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use ab_glyph::{point, Font, FontVec, PxScale, ScaleFont};
use image::{GrayImage, ImageFormat, Luma};
use qrcode::{Color, EcLevel, QrCode};

use crate::interp::{Align, Block, Document, Line, QrLevel, CELL_H, CELL_W};

/// Where Debian's fonts-dejavu-core puts the fonts.
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/truetype/dejavu";

/// Dots between lines beyond the character height (ESC/POS default spacing is about 30 dots).
const LINE_GAP: u32 = 6;
const MARGIN: u32 = 16;
/// The pixel size at which a DejaVu Sans Mono glyph is one 12-dot cell wide.
const FONT_PX: f32 = 20.0;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("font {path}: {source} (install Debian's fonts-dejavu-core)")]
    FontMissing {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("font {0} is not a usable TrueType font")]
    BadFont(PathBuf),
    #[error("png encoding: {0}")]
    Encode(#[from] image::ImageError),
}

pub struct Fonts {
    regular: FontVec,
    bold: FontVec,
}

impl Fonts {
    /// DejaVu Sans Mono (and its bold) from `dir`.
    pub fn load(dir: &Path) -> Result<Fonts, RenderError> {
        let read = |name: &str| {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(|source| RenderError::FontMissing {
                path: path.clone(),
                source,
            })?;
            FontVec::try_from_vec(bytes).map_err(|_| RenderError::BadFont(path))
        };
        Ok(Fonts {
            regular: read("DejaVuSansMono.ttf")?,
            bold: read("DejaVuSansMono-Bold.ttf")?,
        })
    }

    /// From `PRINTER_SIM_FONT_DIR`, else Debian's place.
    pub fn load_default() -> Result<Fonts, RenderError> {
        let dir = std::env::var_os("PRINTER_SIM_FONT_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_FONT_DIR));
        Fonts::load(&dir)
    }
}

fn line_pitch(l: &Line) -> u32 {
    CELL_H * u32::from(l.height()) + LINE_GAP
}

fn qr_code(data: &[u8], level: QrLevel) -> Option<QrCode> {
    let ec = match level {
        QrLevel::L => EcLevel::L,
        QrLevel::M => EcLevel::M,
        QrLevel::Q => EcLevel::Q,
        QrLevel::H => EcLevel::H,
    };
    QrCode::with_error_correction_level(data, ec).ok()
}

/// Quiet zone above and below a QR code, in modules.
const QR_QUIET: u32 = 2;

fn block_height(b: &Block) -> u32 {
    match b {
        Block::Line(l) => line_pitch(l),
        Block::Space { dots } => *dots,
        Block::Qr(q) => {
            let modules = qr_code(&q.data, q.level).map_or(21, |c| c.width() as u32);
            (modules + 2 * QR_QUIET) * u32::from(q.module)
        }
        Block::Cut => CELL_H * 2,
    }
}

fn x_for(align: Align, content: u32, width: u32) -> u32 {
    let free = width.saturating_sub(content);
    match align {
        Align::Left => 0,
        Align::Center => free / 2,
        Align::Right => free,
    }
}

fn draw_line(img: &mut GrayImage, fonts: &Fonts, l: &Line, top: u32) {
    let width = img.width();
    let content: u32 = l
        .runs
        .iter()
        .map(|r| r.text.chars().count() as u32 * CELL_W * u32::from(r.style.width))
        .sum();
    let mut x = x_for(l.align, content, width);
    let bottom = top + CELL_H * u32::from(l.height());
    for r in &l.runs {
        let (w, h) = (u32::from(r.style.width), u32::from(r.style.height));
        let font = if r.style.bold {
            &fonts.bold
        } else {
            &fonts.regular
        };
        let scale = PxScale {
            x: FONT_PX * w as f32,
            y: FONT_PX * h as f32,
        };
        // Characters of different heights share the baseline at the bottom of the line.
        let cell_top = bottom - CELL_H * h;
        let baseline = cell_top as f32 + font.as_scaled(scale).ascent();
        for c in r.text.chars() {
            let glyph = font
                .glyph_id(c)
                .with_scale_and_position(scale, point(x as f32, baseline));
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|gx, gy, cov| {
                    let px = b.min.x as i64 + i64::from(gx);
                    let py = b.min.y as i64 + i64::from(gy);
                    if px >= 0 && py >= 0 && (px as u32) < img.width() && (py as u32) < img.height()
                    {
                        let p = img.get_pixel_mut(px as u32, py as u32);
                        let ink = 255 - (cov.clamp(0.0, 1.0) * 255.0) as u8;
                        p.0[0] = p.0[0].min(ink);
                    }
                });
            }
            if r.style.underline {
                let y = (baseline as u32 + 2).min(img.height() - 1);
                for ux in x..(x + CELL_W * w).min(width) {
                    img.put_pixel(ux, y, Luma([0]));
                }
            }
            x += CELL_W * w;
        }
    }
}

fn draw_qr(img: &mut GrayImage, data: &[u8], level: QrLevel, module: u8, align: Align, top: u32) {
    let m = u32::from(module);
    let Some(code) = qr_code(data, level) else {
        // Too much data for a QR code: a crossed box where the printer would print nothing.
        let size = 21 * m;
        let x0 = x_for(align, size, img.width());
        for i in 0..size {
            for (x, y) in [(x0 + i, top), (x0 + i, top + size - 1), (x0 + i, top + i)] {
                if x < img.width() && y < img.height() {
                    img.put_pixel(x, y, Luma([0]));
                }
            }
        }
        return;
    };
    let n = code.width() as u32;
    let x0 = x_for(align, n * m, img.width());
    let y0 = top + QR_QUIET * m;
    let colors = code.to_colors();
    for my in 0..n {
        for mx in 0..n {
            if colors[(my * n + mx) as usize] == Color::Dark {
                for dy in 0..m {
                    for dx in 0..m {
                        let (x, y) = (x0 + mx * m + dx, y0 + my * m + dy);
                        if x < img.width() && y < img.height() {
                            img.put_pixel(x, y, Luma([0]));
                        }
                    }
                }
            }
        }
    }
}

/// The document as a grey image, `doc.width_dots` wide.
pub fn render_image(doc: &Document, fonts: &Fonts) -> GrayImage {
    let height = MARGIN * 2 + doc.blocks.iter().map(block_height).sum::<u32>();
    let mut img = GrayImage::from_pixel(doc.width_dots, height.max(1), Luma([255]));
    let mut y = MARGIN;
    for b in &doc.blocks {
        match b {
            Block::Line(l) => draw_line(&mut img, fonts, l, y),
            Block::Space { .. } => {}
            Block::Qr(q) => draw_qr(&mut img, &q.data, q.level, q.module, q.align, y),
            Block::Cut => {
                // A dashed line where the knife went.
                let cy = y + CELL_H;
                for x in (0..img.width()).filter(|x| (x / 8) % 2 == 0) {
                    img.put_pixel(x, cy, Luma([96]));
                }
            }
        }
        y += block_height(b);
    }
    img
}

/// The document as PNG bytes.
pub fn render_png(doc: &Document, fonts: &Fonts) -> Result<Vec<u8>, RenderError> {
    let img = render_image(doc, fonts);
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)?;
    Ok(out.into_inner())
}
