//! Dates in UTC without a time-zone database: RFC 3339 stamps for output,
//! `HH:MM:SS` for the message log, and `YYYY-MM-DD` read for `--since`.

/// Seconds in a day.
const DAY: i64 = 86_400;

/// (year, month, day) of a day count since 1970-01-01 (H. Hinnant's
/// civil-from-days algorithm).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Days since 1970-01-01 of a civil date (the inverse of [`civil`]).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time.
pub fn rfc3339(unix: i64) -> String {
    let (year, month, day) = civil(unix.div_euclid(DAY));
    format!("{year:04}-{month:02}-{day:02}T{}Z", clock(unix))
}

/// `YYYY-MM-DD HH:MM` for a Unix time, for tables people read.
pub fn short(unix: i64) -> String {
    let (year, month, day) = civil(unix.div_euclid(DAY));
    let secs = unix.rem_euclid(DAY);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        secs / 3600,
        secs / 60 % 60
    )
}

/// `HH:MM:SS` (UTC) of a Unix time.
pub fn clock(unix: i64) -> String {
    let secs = unix.rem_euclid(DAY);
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// The Unix time at which day `YYYY-MM-DD` (UTC) begins, or why the text
/// is not such a date.
pub fn day_start(text: &str) -> Result<i64, String> {
    let refuse = || format!("{text:?} is not a date: write it as YYYY-MM-DD, e.g. 2026-11-01");
    let parts: Vec<&str> = text.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(refuse());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(refuse());
    }
    let number = |s: &str| s.parse::<i64>().map_err(|_| refuse());
    let (year, month, day) = (number(y)?, number(m)?, number(d)?);
    let days = days_from_civil(year, month, day);
    // A date like 2026-02-30 does not survive the round trip.
    if !(1..=12).contains(&month) || civil(days) != (year, month, day) {
        return Err(refuse());
    }
    Ok(days * DAY)
}

/// The Unix time of an RFC 3339 stamp (`2026-04-28T10:30:00Z`, with
/// fractions of a second or an offset such as `-03:00`); `None` when the
/// text is no such stamp.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = text.split_at_checked(10)?;
    let days = day_start(date).ok()?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (clock, zone) = rest.split_at_checked(8)?;
    let parts: Vec<i64> = clock
        .split(':')
        .map(|p| p.parse::<i64>().ok().filter(|_| p.len() == 2))
        .collect::<Option<_>>()?;
    let [h, m, s] = parts.as_slice() else {
        return None;
    };
    if *h > 23 || *m > 59 || *s > 60 {
        return None;
    }
    let zone = zone.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.chars().next()? {
                '+' => 1,
                '-' => -1,
                _ => return None,
            };
            let (oh, om) = zone[1..].split_once(':')?;
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
        }
    };
    Some(days + h * 3600 + m * 60 + s - offset)
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Human age of a change: `just now`, `5m ago`, `3h ago`, `2d ago`.
pub fn age(now: i64, at: i64) -> String {
    let secs = (now - at).max(0);
    match secs {
        0..=59 => "just now".to_string(),
        60..=3599 => format!("{}m ago", secs / 60),
        3600..=86_399 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(short(1_795_000_000), "2026-11-18 11:06");
        assert_eq!(clock(1_795_000_000), "11:06:40");
    }

    #[test]
    fn rfc3339_stamps_read_back() {
        assert_eq!(parse_rfc3339("2026-04-28T10:30:00Z"), Some(1_777_372_200));
        assert_eq!(
            parse_rfc3339("2026-04-28T10:30:00.123Z"),
            Some(1_777_372_200)
        );
        assert_eq!(
            parse_rfc3339("2026-04-28T07:30:00-03:00"),
            Some(1_777_372_200)
        );
        assert_eq!(parse_rfc3339(&rfc3339(1_795_000_000)), Some(1_795_000_000));
        for bad in [
            "",
            "2026-04-28",
            "2026-04-28T25:00:00Z",
            "2026-04-28T10:30:00",
            "soon",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_read_back() {
        assert_eq!(day_start("1970-01-01"), Ok(0));
        assert_eq!(day_start("2000-02-29"), Ok(951_782_400));
        assert_eq!(
            rfc3339(day_start("2026-11-01").unwrap()),
            "2026-11-01T00:00:00Z"
        );
        for bad in [
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "26-11-01",
            "2026/11/01",
            "",
            "soon",
        ] {
            let e = day_start(bad).unwrap_err();
            assert!(e.contains("YYYY-MM-DD"), "{bad}: {e}");
        }
    }
}
