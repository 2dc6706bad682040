//! Offline tests of pos-procart: one binary whose modules mirror `src/`, fed by the fixture
//! files in `tests/fixtures/` (the reference's examples and the variants the client must
//! tolerate). Wire mappings are pinned with insta snapshots so a contract change shows up in
//! review. The live tests against the simulator are in `tests/contract.rs`.

mod callback;
mod decode;
mod fuzz_smoke;
mod mapping;
mod props;

use std::path::PathBuf;

/// The bytes of `tests/fixtures/{name}`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A small deterministic generator (xorshift64*), so random-input tests repeat exactly.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-enough in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}
