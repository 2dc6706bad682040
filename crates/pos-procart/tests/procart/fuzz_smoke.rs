//! The fuzz targets' property on stable Rust: no input makes a decoder panic. Random bytes
//! rarely look like JSON, so most cases are mutations of the real fixtures (flipped bytes, cuts,
//! spliced JSON tokens), which reach deep into the wire types and the mapping.

use pos_procart::{
    decode_menu, decode_order, decode_orders, decode_ping, decode_quote, parse_callback,
};

use crate::{fixture, Rng};

fn decode_everything(bytes: &[u8]) {
    let _ = decode_menu(bytes);
    let _ = decode_order(bytes);
    let _ = decode_orders(bytes);
    let _ = decode_quote(bytes);
    let _ = decode_ping(bytes);
    let _ = parse_callback(bytes);
}

#[test]
fn random_bytes_never_panic() {
    let mut r = Rng::new(0x5EED_0001);
    for _ in 0..3000 {
        let len = r.below(160) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| r.next_u64() as u8).collect();
        decode_everything(&bytes);
    }
}

const TOKENS: &[&[u8]] = &[
    b"null",
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"-",
    b"1e999",
    b"-0",
    b"\"\\u0000\"",
    b"18446744073709551616",
    b"0.000000000000000000000000000001",
    b"true",
    b"\"\xd0\"",
    b"{}",
    b"[]",
];

fn mutate(r: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut b = base.to_vec();
    for _ in 0..=r.below(4) {
        if b.is_empty() {
            break;
        }
        let at = r.below(b.len() as u64) as usize;
        match r.below(5) {
            0 => b[at] = r.next_u64() as u8,
            1 => b.truncate(at),
            2 => {
                let t = TOKENS[r.below(TOKENS.len() as u64) as usize];
                b.splice(at..at, t.iter().copied());
            }
            3 => {
                let end = (at + 1 + r.below(32) as usize).min(b.len());
                b.drain(at..end);
            }
            _ => {
                let end = (at + 1 + r.below(64) as usize).min(b.len());
                let piece = b[at..end].to_vec();
                b.splice(at..at, piece);
            }
        }
    }
    b
}

#[test]
fn mutated_fixtures_never_panic() {
    let names = [
        "getmenu.json",
        "getmenu_variants.json",
        "validate.json",
        "validate_variants.json",
        "postorder.json",
        "postorder_variants.json",
        "getorders.json",
        "getorders_variants.json",
        "ping.json",
        "callback.json",
    ];
    let mut r = Rng::new(0x5EED_0002);
    for name in names {
        let base = fixture(name);
        for _ in 0..300 {
            decode_everything(&mutate(&mut r, &base));
        }
    }
}
