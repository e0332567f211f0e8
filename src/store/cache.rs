//! The last contact list of each instance, kept in the data folder so the
//! app can draw it at once on the next start while the fresh list loads.
//!
//! A small binary format (the store's arena and offsets, little-endian,
//! with a checksum) loads in milliseconds even at 100,000 contacts. Written
//! to a temporary file and renamed, so a crash never leaves half a file; a
//! file that does not check out is moved aside, never deleted.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::model::contacts::{ContactStore, FIELDS, Row, Shown};
use crate::util::app_dir::AppDir;

const MAGIC: &[u8; 8] = b"RYZCACH3";
/// Earlier versions of the format: not damage, just no cache (the next
/// save replaces them).
const OLDER: [&[u8; 8]; 2] = [b"RYZCACH1", b"RYZCACH2"];

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

/// The file's checksum: FNV-1a's step over 64-bit words in four
/// independent lanes (a byte at a time, a 10 MB file took 13 ms of the
/// first frame's 20), then the tail bytes. It catches torn and edited
/// files; it is no defence against an attacker, who could write the
/// file anyway.
fn checksum(bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0100_0000_01B3;
    let mut lanes = [0xCBF2_9CE4_8422_2325u64, 1, 2, 3];
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (lane, word) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            *lane = (*lane ^ u64::from_le_bytes(w)).wrapping_mul(PRIME);
        }
    }
    let folded = lanes.iter().fold(0xCBF2_9CE4_8422_2325u64, |h, lane| {
        (h ^ lane).wrapping_mul(PRIME)
    });
    blocks
        .remainder()
        .iter()
        .fold(folded, |h, b| (h ^ *b as u64).wrapping_mul(PRIME))
        ^ bytes.len() as u64
}

/// 64-bit FNV-1a, the hash of a cache file's name.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0100_0000_01B3)
    })
}

/// The cache folder inside the data folder.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("cache")
}

/// The cache file of an instance (by server and name).
pub fn path_for(data_dir: &Path, base_url: &str, instance: &str) -> PathBuf {
    let key = fnv(format!("{base_url}\n{instance}").as_bytes());
    dir(data_dir).join(format!("{key:016x}.bin"))
}

/// Prefix of the temporary files a save writes before its rename.
const TEMP_PREFIX: &str = ".tmp";
/// A temporary file older than this belongs to no save still running.
const TEMP_STALE: std::time::Duration = std::time::Duration::from_secs(60);

/// Removes temporary files that a save stopped mid-way left behind (a
/// killed process, a full disk). Only the cache folder's own `.tmp*` files
/// older than a minute are touched; returns how many went.
pub fn sweep_temporaries(cache_dir: &Path) -> usize {
    // Never into a folder a link leads to.
    if crate::util::files::refuse_symlink(cache_dir).is_err() {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(cache_dir) else {
        return 0;
    };
    let stale = |meta: &std::fs::Metadata| {
        meta.is_file()
            && meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age > TEMP_STALE)
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(TEMP_PREFIX))
        .filter(|e| e.metadata().is_ok_and(|m| stale(&m)))
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// Bytes of a row in the file: start, six lengths, the shown name.
const ROW_BYTES: usize = 4 + 2 * FIELDS + 1;

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn encode(store: &ContactStore, saved_at: i64) -> Vec<u8> {
    let n = store.rows.len();
    let mut out = Vec::with_capacity(32 + store.text.len() + n * ROW_BYTES);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&saved_at.to_le_bytes());
    put_u32(&mut out, n as u32);
    put_u32(&mut out, store.text.len() as u32);
    out.extend_from_slice(store.text.as_bytes());
    for row in &store.rows {
        put_u32(&mut out, row.start);
        for len in row.lens {
            out.extend_from_slice(&len.to_le_bytes());
        }
        out.push(row.shown as u8);
    }
    let sum = checksum(&out);
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

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
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
    if checksum(body) != sum {
        return Err("checksum mismatch".into());
    }
    let mut r = Reader { bytes: body, at: 8 };
    let saved_at = i64::from_le_bytes(r.take(8)?.try_into().map_err(|_| "truncated")?);
    let n = r.u32()? as usize;
    let text_len = r.u32()? as usize;
    let text = std::str::from_utf8(r.take(text_len)?)
        .map_err(|_| "text is not UTF-8")?
        .to_string();
    let mut rows = Vec::with_capacity(n.min(body.len() / ROW_BYTES));
    for _ in 0..n {
        let start = r.u32()?;
        let mut lens = [0u16; FIELDS];
        for len in &mut lens {
            *len = r.u16()?;
        }
        // Every field boundary inside the text, on a character boundary.
        let mut at = start as usize;
        if !text.is_char_boundary(at) {
            return Err("offset out of range".into());
        }
        for len in lens {
            at += usize::from(len);
            if at > text.len() || !text.is_char_boundary(at) {
                return Err("offset out of range".into());
            }
        }
        let shown = match r.take(1)?[0] {
            0 => Shown::Full,
            1 => Shown::First,
            2 => Shown::Business,
            3 => Shown::Push,
            4 => Shown::None,
            _ => return Err("bad row".into()),
        };
        rows.push(Row { start, lens, shown });
    }
    if r.at != body.len() {
        return Err("trailing bytes".into());
    }
    Ok((ContactStore::from_parts(text, rows), saved_at))
}

/// The cache folder of `path` (opened without following a link, made
/// when `make`) and the file's name in it.
fn folder_of(path: &Path, make: bool) -> std::io::Result<Option<(AppDir, String)>> {
    let invalid = || std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a cache file");
    let name = path.file_name().ok_or_else(invalid)?.to_string_lossy();
    let dir = path.parent().ok_or_else(invalid)?;
    let folder = dir.file_name().ok_or_else(invalid)?.to_string_lossy();
    let data_dir = dir.parent().ok_or_else(invalid)?;
    Ok(AppDir::open(data_dir, &folder, make)?.map(|d| (d, name.into_owned())))
}

/// Writes `store` to `path` atomically (temporary file, fsync, rename),
/// in the cache folder opened without following a symbolic link.
pub fn save(path: &Path, store: &ContactStore, saved_at: i64) -> Result<(), CacheError> {
    let io = |source| CacheError::Io {
        path: path.to_path_buf(),
        source,
    };
    let (dir, name) = folder_of(path, true)
        .map_err(io)?
        .ok_or_else(|| io(std::io::ErrorKind::NotFound.into()))?;
    dir.write(&name, &encode(store, saved_at)).map_err(io)
}

/// Reads the cache at `path`: `Ok(None)` when there is none. A damaged file
/// is moved aside and reported.
pub fn load(path: &Path) -> Result<Option<(ContactStore, i64)>, CacheError> {
    let io = |source| CacheError::Io {
        path: path.to_path_buf(),
        source,
    };
    let Some((dir, name)) = folder_of(path, false).map_err(io)? else {
        return Ok(None);
    };
    let Some(bytes) = dir.read(&name).map_err(io)? else {
        return Ok(None);
    };
    if OLDER.iter().any(|magic| bytes.starts_with(*magic)) {
        return Ok(None);
    }
    match decode(&bytes) {
        Ok(found) => Ok(Some(found)),
        Err(why) => {
            let aside = crate::util::files::move_aside(path, crate::util::dates::now_unix(), &[])
                .map_err(|source| CacheError::Io {
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
    use crate::api::contacts::store_from;

    fn store() -> ContactStore {
        store_from((0..50).map(|i| RemoteContact {
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
    fn a_cache_of_an_earlier_version_is_no_cache_and_stays_put() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(dir.path(), "http://x/", "sales");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut old = encode(&store(), 1);
        old[..8].copy_from_slice(b"RYZCACH2");
        std::fs::write(&path, &old).unwrap();
        assert!(load(&path).unwrap().is_none());
        assert!(path.exists(), "not moved aside: the next save replaces it");
        save(&path, &store(), 2).unwrap();
        assert_eq!(load(&path).unwrap().unwrap().1, 2);
    }

    #[test]
    fn the_checksum_sees_every_byte_and_the_length() {
        let bytes: Vec<u8> = (0..100u8).collect();
        let sum = checksum(&bytes);
        for at in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[at] ^= 1;
            assert_ne!(checksum(&flipped), sum, "byte {at}");
        }
        assert_ne!(checksum(&bytes[..99]), sum);
        assert_ne!(checksum(&[0u8; 64]), checksum(&[0u8; 65]));
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

    #[test]
    fn stale_temporaries_are_swept_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(dir.path(), "http://x/", "sales");
        save(&path, &store(), 1).unwrap();
        let cache = super::dir(dir.path());
        let old = cache.join(".tmpAbC123");
        std::fs::write(&old, b"half a file").unwrap();
        let two_minutes_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(two_minutes_ago)
            .unwrap();
        let fresh = cache.join(".tmpXyZ789");
        std::fs::write(&fresh, b"a save running now").unwrap();
        assert_eq!(sweep_temporaries(&cache), 1);
        assert!(!old.exists());
        assert!(fresh.exists(), "a save still running keeps its file");
        assert!(load(&path).unwrap().is_some(), "the cache itself stays");
    }

    #[cfg(unix)]
    #[test]
    fn cache_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(dir.path(), "http://x/", "sales");
        save(&path, &store(), 1).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&path), 0o600);
    }
}
