//! The last contact list of each instance, kept in the data folder so the
//! app can draw it at once on the next start while the fresh list loads.
//!
//! A small binary format (the store's arena and offsets, little-endian,
//! with a checksum) loads in milliseconds even at 100,000 contacts. Written
//! to a temporary file and renamed, so a crash never leaves half a file; a
//! file that does not check out is moved aside, never deleted.

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::contacts::{ContactStore, Row, Shown, Span};

const MAGIC: &[u8; 8] = b"RYZCACH2";

/// Cache failures.
#[derive(Debug, Error)]
pub enum CacheError {
    /// Reading or writing failed.
    #[error("contact cache {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is damaged; it was moved to `aside`.
    #[error("contact cache {path} was damaged ({why}); it was moved to {aside}")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        why: String,
        /// Where it went.
        aside: PathBuf,
    },
}

/// 64-bit FNV-1a, the checksum of the file and the hash of its name.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0100_0000_01B3)
    })
}

/// The cache file of an instance (by server and name).
pub fn path_for(data_dir: &Path, base_url: &str, instance: &str) -> PathBuf {
    let key = fnv(format!("{base_url}\n{instance}").as_bytes());
    data_dir.join("cache").join(format!("{key:016x}.bin"))
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn encode(store: &ContactStore, saved_at: i64) -> Vec<u8> {
    let n = store.rows.len();
    let mut out = Vec::with_capacity(32 + store.text.len() + n * 49);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&saved_at.to_le_bytes());
    put_u32(&mut out, n as u32);
    put_u32(&mut out, store.text.len() as u32);
    out.extend_from_slice(store.text.as_bytes());
    for row in &store.rows {
        for span in [
            row.jid,
            row.lid,
            row.names[0],
            row.names[1],
            row.names[2],
            row.names[3],
        ] {
            put_u32(&mut out, span.start);
            put_u32(&mut out, span.len);
        }
        out.push(row.shown as u8);
    }
    let sum = fnv(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// Reads little-endian values from a byte slice.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or("truncated")?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

fn decode(bytes: &[u8]) -> Result<(ContactStore, i64), String> {
    if bytes.len() < MAGIC.len() + 16 || &bytes[..8] != MAGIC {
        return Err("not a contact cache of this version".into());
    }
    let (body, sum) = bytes.split_at(bytes.len() - 8);
    let sum = u64::from_le_bytes(sum.try_into().map_err(|_| "truncated")?);
    if fnv(body) != sum {
        return Err("checksum mismatch".into());
    }
    let mut r = Reader { bytes: body, at: 8 };
    let saved_at = i64::from_le_bytes(r.take(8)?.try_into().map_err(|_| "truncated")?);
    let n = r.u32()? as usize;
    let text_len = r.u32()? as usize;
    let text = std::str::from_utf8(r.take(text_len)?)
        .map_err(|_| "text is not UTF-8")?
        .to_string();
    let span = |r: &mut Reader<'_>| -> Result<Span, String> {
        let s = Span {
            start: r.u32()?,
            len: r.u32()?,
        };
        let end = s.start as usize + s.len as usize;
        if end > text.len()
            || !text.is_char_boundary(s.start as usize)
            || !text.is_char_boundary(end)
        {
            return Err("offset out of range".into());
        }
        Ok(s)
    };
    let mut rows = Vec::with_capacity(n.min(body.len() / 49));
    for _ in 0..n {
        let jid = span(&mut r)?;
        let lid = span(&mut r)?;
        let names = [span(&mut r)?, span(&mut r)?, span(&mut r)?, span(&mut r)?];
        let shown = match r.take(1)?[0] {
            0 => Shown::Full,
            1 => Shown::First,
            2 => Shown::Business,
            3 => Shown::Push,
            4 => Shown::None,
            _ => return Err("bad row".into()),
        };
        rows.push(Row {
            jid,
            lid,
            names,
            shown,
        });
    }
    if r.at != body.len() {
        return Err("trailing bytes".into());
    }
    Ok((ContactStore::from_parts(text, rows), saved_at))
}

/// Writes `store` to `path` atomically (temporary file, fsync, rename).
pub fn save(path: &Path, store: &ContactStore, saved_at: i64) -> Result<(), CacheError> {
    let io = |source| CacheError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(&encode(store, saved_at)).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Reads the cache at `path`: `Ok(None)` when there is none. A damaged file
/// is moved aside and reported.
pub fn load(path: &Path) -> Result<Option<(ContactStore, i64)>, CacheError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(CacheError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    match decode(&bytes) {
        Ok(found) => Ok(Some(found)),
        Err(why) => {
            let aside = path.with_extension(format!("damaged-{}", crate::ledger::now_unix()));
            std::fs::rename(path, &aside).map_err(|source| CacheError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            Err(CacheError::Damaged {
                path: path.to_path_buf(),
                why,
                aside,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::RemoteContact;

    fn store() -> ContactStore {
        ContactStore::from_remote((0..50).map(|i| RemoteContact {
            jid: format!("55119{i:08}@s.whatsapp.net"),
            lid: (i % 3 == 0).then(|| format!("{i}@lid")),
            first_name: Some(format!("Nome {i} ção")),
            full_name: None,
            push_name: Some("🙂".into()),
            business_name: None,
        }))
    }

    #[test]
    fn round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(dir.path(), "http://x/", "sales");
        assert!(load(&path).unwrap().is_none());
        let s = store();
        save(&path, &s, 1234).unwrap();
        let (back, at) = load(&path).unwrap().unwrap();
        assert_eq!(at, 1234);
        assert_eq!(back, s);
    }

    #[test]
    fn every_truncation_and_flip_is_caught_and_moved_aside() {
        let bytes = encode(&store(), 1);
        for cut in [0, 7, 8, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for at in [9, 30, bytes.len() / 2, bytes.len() - 9] {
            let mut bad = bytes.clone();
            bad[at] ^= 0x40;
            assert!(decode(&bad).is_err(), "flip at {at}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let err = load(&path).unwrap_err();
        assert!(matches!(err, CacheError::Damaged { .. }), "{err}");
        assert!(!path.exists());
        let kept = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(kept, 1, "the damaged file is kept aside");
    }

    #[test]
    fn names_are_per_server_and_instance() {
        let d = Path::new("/d");
        assert_ne!(path_for(d, "http://a/", "x"), path_for(d, "http://b/", "x"));
        assert_ne!(path_for(d, "http://a/", "x"), path_for(d, "http://a/", "y"));
    }
}
