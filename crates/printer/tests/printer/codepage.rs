//! Cyrillic round trip: the kiosk's encoder, the wire, and the simulated printer's own decoder
//! (written from the code tables, not from this crate) must give back the text that went in.

use std::time::Duration;

use printer::escpos::EscPos;
use printer::{codepage, CodePage, PaperWidth, Printer, PrinterSettings};
use printer_sim::{Mode, Paper, SimConfig};

const PANGRAM: &str = "Съешь же ещё этих мягких французских булок, да выпей чаю";

fn alphabet() -> String {
    let mut s: String = ('А'..='я').collect();
    s.push_str("Ёё№");
    s
}

fn read_line(bytes: &[u8]) -> Vec<String> {
    let doc = printer_sim::interpret(bytes, PaperWidth::Mm80.dots());
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    doc.lines().map(|l| l.text()).collect()
}

#[test]
fn every_cyrillic_letter_survives_both_code_pages() {
    for cp in [CodePage::Cp866, CodePage::Wpc1251] {
        let a = alphabet();
        // 67 letters: longer than a line, so print them in chunks that fit.
        let chunks: Vec<String> = a
            .chars()
            .collect::<Vec<_>>()
            .chunks(40)
            .map(|c| c.iter().collect())
            .collect();
        let mut p = EscPos::new(cp, cp.epson_table());
        for c in &chunks {
            p.line(c);
        }
        assert_eq!(read_line(p.bytes()), chunks, "{cp:?}");
    }
}

#[test]
fn text_is_decoded_with_the_table_that_was_selected() {
    // The same bytes read under the other table are not the same text: the ESC t n matters.
    let cp866 = codepage::encode(PANGRAM, CodePage::Cp866);
    let mut wrong = vec![0x1B, b't', CodePage::Wpc1251.epson_table()];
    wrong.extend_from_slice(&cp866);
    wrong.push(0x0A);
    assert_ne!(read_line(&wrong)[0], PANGRAM);
}

#[tokio::test]
async fn a_pangram_round_trips_through_the_simulated_printer() {
    let sim = printer_sim::spawn(SimConfig {
        paper: Paper::Mm80,
        mode: Mode::Ready,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    for cp in [CodePage::Cp866, CodePage::Wpc1251] {
        sim.clear();
        let mut s = PrinterSettings::network(sim.address());
        s.code_page = cp;
        let printer = Printer::new(s);
        let mut job = EscPos::new(cp, cp.epson_table());
        let lines = [
            "Съешь же ещё этих мягких",
            "французских булок, да выпей чаю",
            "ЁЖИК №5",
        ];
        for l in lines {
            job.line(l);
        }
        job.cut(0);
        printer.print_raw(job.into_bytes()).await.unwrap();
        assert!(sim.wait_for_slips(1, Duration::from_secs(5)).await);
        let doc = printer_sim::interpret(&sim.slips()[0], sim.width_dots());
        let got: Vec<String> = doc.lines().map(|l| l.text()).collect();
        assert_eq!(got, lines, "{cp:?}");
    }
    sim.stop().await;
}

#[test]
fn characters_a_table_lacks_print_as_their_nearest_form() {
    let got = read_line(&{
        let mut p = EscPos::new(CodePage::Cp866, 17);
        p.line("Соус «Цезарь» — 50 ₽");
        p.into_bytes()
    });
    assert_eq!(got, vec!["Соус \"Цезарь\" - 50 р."]);
}
