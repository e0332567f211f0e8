//! A body's JSON text before serde reads it: a lone UTF-16 surrogate
//! escape (`"Cut \ud83d"`, what JavaScript writes for a name cut inside
//! an emoji) becomes `\uFFFD`, so one bad character never loses the
//! whole answer; and an object that holds a key twice (`"success":
//! false, "success": true`) is refused, since which of the two counts
//! would be a guess.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// The four hex digits at the start of `b`, as a UTF-16 unit.
fn hex4(b: &[u8]) -> Option<u16> {
    let digits = b.get(..4)?;
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

fn is_high(u: u16) -> bool {
    (0xD800..=0xDBFF).contains(&u)
}

fn is_low(u: u16) -> bool {
    (0xDC00..=0xDFFF).contains(&u)
}

/// Rewrites every `\uXXXX` escape that is a lone UTF-16 surrogate into
/// `\uFFFD`; valid pairs and every other byte stay as they are. Borrowed
/// when there is nothing to rewrite (the common case).
pub fn replace_lone_surrogates(json: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let (mut i, mut copied) = (0, 0);
    while i < json.len() {
        if json[i] != b'\\' {
            i += 1;
            continue;
        }
        // `\\`, `\"`, `\n`…: both bytes are skipped, so an escaped
        // backslash followed by `u` is never taken for an escape.
        let Some(unit) = (json.get(i + 1) == Some(&b'u'))
            .then(|| json.get(i + 2..).and_then(hex4))
            .flatten()
        else {
            i += 2;
            continue;
        };
        let paired = is_high(unit)
            && json.get(i + 6) == Some(&b'\\')
            && json.get(i + 7) == Some(&b'u')
            && json.get(i + 8..).and_then(hex4).is_some_and(is_low);
        if paired {
            i += 12;
            continue;
        }
        if !is_high(unit) && !is_low(unit) {
            i += 6;
            continue;
        }
        let buf = out.get_or_insert_with(|| Vec::with_capacity(json.len()));
        buf.extend_from_slice(&json[copied..i]);
        buf.extend_from_slice(b"\\uFFFD");
        i += 6;
        copied = i;
    }
    match out {
        None => Cow::Borrowed(json),
        Some(mut buf) => {
            buf.extend_from_slice(&json[copied..]);
            Cow::Owned(buf)
        }
    }
}

/// Walks a whole JSON document and fails on the first object, at any
/// depth, that has the same key twice.
struct NoDuplicateKeys;

impl<'de> Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeys)
    }
}

impl<'de> Visitor<'de> for NoDuplicateKeys {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(self)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(self)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(self)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(self)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(self)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while let Some(value) = seq.next_element::<Box<RawValue>>()? {
            nested(&value)?;
        }
        Ok(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format_args!(
                    "the key `{key}` appears twice in one object"
                )));
            }
            nested(&map.next_value::<Box<RawValue>>()?)?;
        }
        Ok(self)
    }
}

/// Checks an object or array inside another. Values are taken raw first:
/// a number no float holds (`1e400`, a count the answer may carry) is
/// skipped, not parsed, as the lenient readings of the body skip it.
fn nested<E: de::Error>(value: &RawValue) -> Result<(), E> {
    if value.get().starts_with(['{', '[']) {
        serde_json::from_str::<NoDuplicateKeys>(value.get()).map_err(E::custom)?;
    }
    Ok(())
}

/// A body ready for serde: lone surrogates replaced; an object with a
/// key twice refused (the error says which key).
pub fn checked(json: &[u8]) -> Result<Cow<'_, [u8]>, serde_json::Error> {
    let json = replace_lone_surrogates(json);
    serde_json::from_slice::<NoDuplicateKeys>(&json)?;
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(json: &str) -> String {
        String::from_utf8(replace_lone_surrogates(json.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn only_lone_surrogates_are_replaced() {
        assert_eq!(fixed(r#""Cut \ud83d""#), r#""Cut \uFFFD""#);
        assert_eq!(fixed(r#""\ud83d\ude00""#), r#""\ud83d\ude00""#);
        assert_eq!(fixed(r#""\ude00x""#), r#""\uFFFDx""#);
        assert_eq!(fixed(r#""\ud83d\ud83d\ude00""#), r#""\uFFFD\ud83d\ude00""#);
        assert_eq!(fixed(r#""\\ud83d""#), r#""\\ud83d""#);
        assert_eq!(fixed(r#""\\\ud83d""#), r#""\\\uFFFD""#);
        assert_eq!(fixed(r#""\ud8"#), r#""\ud8"#, "cut input does not panic");
        assert!(matches!(
            replace_lone_surrogates(b"{\"a\":\"b\"}"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_key_twice_at_any_depth_is_refused() {
        assert!(checked(br#"{"success":false,"success":true}"#).is_err());
        assert!(checked(br#"{"a":[{"b":1,"b":2}]}"#).is_err());
        assert!(checked(br#"{"a":{"b":1},"c":{"b":2}}"#).is_ok());
        assert!(
            checked(br#"{"n":1e400,"m":[1e400]}"#).is_ok(),
            "numbers are not read"
        );
        let e = checked(br#"{"success":false,"success":true}"#).unwrap_err();
        assert!(e.to_string().contains("`success` appears twice"), "{e}");
    }
}
