//! The menu snapshot on disk: the last good catalog, so the kiosk starts with a menu at once,
//! even with the POS down.
//!
//! Format (schema 2), two lines of JSON:
//!
//! ```text
//! {"schema":2,"fetched_at":1763850000,"bytes":48213,"sha256":"9f2c…"}
//! {"version":"…","sections":[…],"dishes":[…],…}
//! ```
//!
//! The first line is a small header; the second is the catalog, compact. The header is read and
//! checked before the body is parsed, so a file from another schema, a file cut short and a
//! damaged file are each rejected cheaply and with their own reason: the length tells a cut-off
//! write apart from corruption, and the checksum catches what a JSON parser would accept (a
//! flipped digit in a price). Writes are atomic (temp file, fsync, rename), so the checksum is
//! for the disk, not for our own crashes. [`decode`] is pure and total (every input gives a
//! value or a typed error), which is what the fuzz target and the mutation test rely on.

use std::path::Path;

use kiosk_core::catalog::Catalog;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::menu::{check_usable, Unusable};

/// The schema this build writes and reads.
pub const SCHEMA: u32 = 2;

/// No real menu comes near this (20,000 dishes are about 15 MB); a bigger file is not ours.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The header line is a few dozen bytes; anything longer is not a header.
const MAX_HEADER: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read it: {0}")]
    Io(String),
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes, more than the {max} a menu snapshot may be")]
    TooLarge { size: u64, max: u64 },
    #[error("written by an older kiosk (schema 1); this kiosk reads schema {SCHEMA}")]
    Legacy,
    #[error("not a menu snapshot: {0}")]
    NoHeader(String),
    #[error("schema {found} is not {SCHEMA}: written by a {} kiosk", if *found > SCHEMA { "newer" } else { "older" })]
    Schema { found: u32 },
    #[error("cut off: {have} of {want} bytes of the menu are there")]
    Truncated { have: u64, want: u64 },
    #[error("{extra} bytes follow the menu; the file was not written by the kiosk")]
    Trailing { extra: u64 },
    #[error("corrupt: the menu's checksum does not match")]
    Checksum,
    #[error("the menu in it cannot be read: {0}")]
    Catalog(String),
    #[error("the menu in it is not usable: {0}")]
    Unusable(#[from] Unusable),
}

/// A snapshot read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub catalog: Catalog,
    /// When the POS produced this menu (seconds since the epoch).
    pub fetched_at: u64,
}

#[derive(Serialize, Deserialize)]
struct Header {
    schema: u32,
    #[serde(default)]
    fetched_at: Option<u64>,
    #[serde(default)]
    bytes: Option<u64>,
    #[serde(default)]
    sha256: Option<String>,
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of a snapshot of `catalog`.
pub fn encode(catalog: &Catalog, fetched_at: u64) -> Vec<u8> {
    // Serialising a catalog cannot fail: every field is a plain string, number or enum.
    let body = serde_json::to_vec(catalog).unwrap_or_default();
    encode_body(fetched_at, &body)
}

/// A well-formed header around any body: the fuzz target and the tests use it to reach the
/// catalog parser past the checksum.
pub fn encode_body(fetched_at: u64, body: &[u8]) -> Vec<u8> {
    let header = Header {
        schema: SCHEMA,
        fetched_at: Some(fetched_at),
        bytes: Some(body.len() as u64),
        sha256: Some(hex(&Sha256::digest(body))),
    };
    let mut out = serde_json::to_vec(&header).unwrap_or_default();
    out.reserve(body.len() + 1);
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

/// Reads a snapshot; every way it can be wrong is a [`SnapshotError`] with the reason.
pub fn decode(bytes: &[u8]) -> Result<Decoded, SnapshotError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(SnapshotError::Empty);
    }
    if bytes.len() as u64 > MAX_BYTES {
        return Err(SnapshotError::TooLarge {
            size: bytes.len() as u64,
            max: MAX_BYTES,
        });
    }
    let Some(nl) = bytes.iter().take(MAX_HEADER).position(|b| *b == b'\n') else {
        // Schema 1 was one JSON document starting with its schema number.
        if bytes.starts_with(b"{\"schema\":1,") {
            return Err(SnapshotError::Legacy);
        }
        return Err(SnapshotError::NoHeader(
            "the first line is missing or too long".into(),
        ));
    };
    let header: Header = serde_json::from_slice(&bytes[..nl])
        .map_err(|e| SnapshotError::NoHeader(format!("the header does not read: {e}")))?;
    if header.schema != SCHEMA {
        return Err(SnapshotError::Schema {
            found: header.schema,
        });
    }
    let (Some(fetched_at), Some(want), Some(sum)) =
        (header.fetched_at, header.bytes, header.sha256)
    else {
        return Err(SnapshotError::NoHeader(
            "the header lacks fetched_at, bytes or sha256".into(),
        ));
    };
    let body = &bytes[nl + 1..];
    let have = body.len() as u64;
    if have < want {
        return Err(SnapshotError::Truncated { have, want });
    }
    if have > want {
        return Err(SnapshotError::Trailing { extra: have - want });
    }
    if !hex(&Sha256::digest(body)).eq_ignore_ascii_case(sum.trim()) {
        return Err(SnapshotError::Checksum);
    }
    let catalog: Catalog =
        serde_json::from_slice(body).map_err(|e| SnapshotError::Catalog(e.to_string()))?;
    check_usable(&catalog)?;
    Ok(Decoded {
        catalog,
        fetched_at,
    })
}

/// Reads the snapshot at `path`; `Ok(None)` when there is none.
pub fn load(path: &Path) -> Result<Option<Decoded>, SnapshotError> {
    // The size is checked before reading, so a huge stray file is never pulled into memory.
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_BYTES => {
            return Err(SnapshotError::TooLarge {
                size: m.len(),
                max: MAX_BYTES,
            })
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(SnapshotError::Io(e.to_string())),
    }
    let bytes = std::fs::read(path).map_err(|e| SnapshotError::Io(e.to_string()))?;
    decode(&bytes).map(Some)
}

/// Writes the snapshot atomically.
pub fn save(path: &Path, catalog: &Catalog, fetched_at: u64) -> std::io::Result<()> {
    crate::menu::write_atomically(path, &encode(catalog, fetched_at))
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use kiosk_core::catalog::{Availability, Dish, Section};
    use kiosk_core::Money;

    pub(crate) fn catalog(n: usize) -> Catalog {
        Catalog {
            version: "v1".into(),
            sections: vec![Section {
                id: "s".into(),
                name: "Бургеры".into(),
                parent: None,
                sort: 0,
                image_url: None,
            }],
            dishes: (0..n)
                .map(|i| Dish {
                    id: format!("{}", 1000 + i),
                    name: format!("Бургер №{i}"),
                    description: None,
                    section: "s".into(),
                    price: Money::parse("199.90").unwrap(),
                    image_url: Some(format!("http://pos/img/{i}.jpg")),
                    availability: Availability::Available,
                    modifier_groups: vec![],
                    portion: None,
                    badges: vec![],
                    sort: i as i32,
                })
                .collect(),
            modifier_groups: vec![],
            combos: vec![],
            faults: vec![],
        }
    }

    #[test]
    fn a_snapshot_reads_back_exactly() {
        let c = catalog(3);
        let bytes = encode(&c, 1_763_850_000);
        assert_eq!(
            decode(&bytes).unwrap(),
            Decoded {
                catalog: c,
                fetched_at: 1_763_850_000
            }
        );
        // Two lines, both JSON.
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text.lines().count(), 2);
        for line in text.lines() {
            serde_json::from_str::<serde_json::Value>(line).unwrap();
        }
    }

    #[test]
    fn every_bad_file_is_rejected_with_its_own_reason() {
        let good = encode(&catalog(3), 1);
        let nl = good.iter().position(|b| *b == b'\n').unwrap();
        let mut flipped = good.clone();
        let price = flipped.windows(6).position(|w| w == b"199.90").unwrap();
        flipped[price] = b'9';
        let mut long = good.clone();
        long.extend_from_slice(b"  ");
        let v1 = br#"{"schema":1,"fetched_at":1,"catalog":{}}"#.to_vec();
        let v3 = good.clone();
        let v3 = String::from_utf8(v3)
            .unwrap()
            .replacen("\"schema\":2", "\"schema\":3", 1);
        let cases: Vec<(&str, Vec<u8>, SnapshotError)> = vec![
            ("empty", vec![], SnapshotError::Empty),
            ("blank", b"\n \n".to_vec(), SnapshotError::Empty),
            ("schema 1", v1, SnapshotError::Legacy),
            (
                "schema 3",
                v3.into_bytes(),
                SnapshotError::Schema { found: 3 },
            ),
            (
                "truncated",
                good[..good.len() - 10].to_vec(),
                SnapshotError::Truncated {
                    have: (good.len() - nl - 11) as u64,
                    want: (good.len() - nl - 1) as u64,
                },
            ),
            ("trailing", long, SnapshotError::Trailing { extra: 2 }),
            ("flipped digit", flipped, SnapshotError::Checksum),
        ];
        for (what, bytes, want) in cases {
            assert_eq!(decode(&bytes), Err(want), "{what}");
        }
        assert!(matches!(
            decode(b"<html>502 Bad Gateway</html>"),
            Err(SnapshotError::NoHeader(_))
        ));
        assert!(matches!(
            decode(b"{\"schema\":\"two\"}\n{}"),
            Err(SnapshotError::NoHeader(_))
        ));
        assert!(matches!(
            decode(&encode_body(1, b"{\"version\":1}")),
            Err(SnapshotError::Catalog(_))
        ));
        assert_eq!(
            decode(&encode(&catalog(0), 1)),
            Err(SnapshotError::Unusable(Unusable::Empty))
        );
    }

    #[test]
    fn a_huge_file_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("menu-snapshot.json");
        let f = std::fs::File::create(&path).unwrap();
        // Sparse: takes no disk, and no memory because it is never read.
        f.set_len(MAX_BYTES + 1).unwrap();
        assert_eq!(
            load(&path),
            Err(SnapshotError::TooLarge {
                size: MAX_BYTES + 1,
                max: MAX_BYTES
            })
        );
        assert_eq!(load(&dir.path().join("none")), Ok(None));
    }
}
