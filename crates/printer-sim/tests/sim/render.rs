//! Rendering: the picture's width is the paper's, the QR code scans, sizes show, and a missing
//! font is a clear error.

use printer_sim::interp::Block;
use printer_sim::png::{render_image, Fonts, RenderError};
use printer_sim::{interpret, to_text};

use super::job;

#[test]
fn pictures_are_as_wide_as_the_paper_and_the_qr_code_scans() {
    let fonts = Fonts::load_default().expect("fonts-dejavu-core is installed");
    for dots in [384, 576] {
        let doc = interpret(&job("58"), dots);
        assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
        let img = render_image(&doc, &fonts);
        assert_eq!(img.width(), dots);
        let mut prepared = rqrr::PreparedImage::prepare(img);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        assert_eq!(grids[0].decode().unwrap().1, "https://example.test/o/58");
    }
}

#[test]
fn double_size_text_is_drawn_twice_as_tall() {
    let fonts = Fonts::load_default().unwrap();
    let normal = render_image(&interpret(b"88\n", 384), &fonts);
    let double = render_image(&interpret(b"\x1d!\x1188\n", 384), &fonts);
    let ink_rows = |img: &image::GrayImage| {
        (0..img.height())
            .filter(|y| (0..img.width()).any(|x| img.get_pixel(x, *y).0[0] < 128))
            .count()
    };
    let (n, d) = (ink_rows(&normal), ink_rows(&double));
    assert!(
        d >= 2 * n - 2 && d <= 2 * n + 2,
        "normal {n} rows, double {d}"
    );
}

#[test]
fn the_text_form_shows_the_cut_and_the_qr_content() {
    let doc = interpret(&job("5"), 384);
    assert!(matches!(doc.blocks.last(), Some(Block::Cut)));
    let text = to_text(&doc);
    assert!(text.contains("[QR https://example.test/o/5]"), "{text}");
    assert!(text.trim_end().ends_with("== cut =============="), "{text}");
}

#[test]
fn a_missing_font_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    match Fonts::load(dir.path()) {
        Err(RenderError::FontMissing { path, .. }) => {
            assert!(path.ends_with("DejaVuSansMono.ttf"))
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("loaded fonts from an empty directory"),
    }
}
