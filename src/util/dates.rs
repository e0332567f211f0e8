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

/// The Unix time of an RFC 3339 stamp (`2026-12-31T23:59:59Z`, an offset
/// such as `+02:00`, optional fractions of a second), or why the text is
/// not one.
pub fn parse_rfc3339(text: &str) -> Result<i64, String> {
    let refuse = || {
        format!("{text:?} is not a date and time: write it as RFC 3339, e.g. 2026-12-31T23:59:59Z")
    };
    let text = text.trim();
    let (date, rest) = text.split_at_checked(10).ok_or_else(refuse)?;
    let day = day_start(date).map_err(|_| refuse())?;
    let rest = rest.strip_prefix(['T', 't', ' ']).ok_or_else(refuse)?;
    let (time, zone) = match rest.find(['Z', 'z', '+', '-']) {
        Some(at) => rest.split_at(at),
        None => return Err(refuse()),
    };
    let time = time.split('.').next().unwrap_or(time);
    let hms: Vec<i64> = time
        .split(':')
        .map(|p| p.parse::<i64>().map_err(|_| refuse()))
        .collect::<Result<_, _>>()?;
    let [h, m, s] = hms.as_slice() else {
        return Err(refuse());
    };
    if !(0..24).contains(h) || !(0..60).contains(m) || !(0..61).contains(s) {
        return Err(refuse());
    }
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (oh, om) = zone[1..].split_once(':').ok_or_else(refuse)?;
            let (oh, om): (i64, i64) = (
                oh.parse().map_err(|_| refuse())?,
                om.parse().map_err(|_| refuse())?,
            );
            if oh > 23 || om > 59 {
                return Err(refuse());
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    Ok(day + h * 3600 + m * 60 + s - offset)
}

/// The seconds of a span written `30d`, `12h`, `45m`, `3s` or `2w`, or why
/// the text is not one.
pub fn parse_span(text: &str) -> Result<i64, String> {
    let refuse = || {
        format!("{text:?} is not a duration: write it as a number and s, m, h, d or w (30d, 12h)")
    };
    let text = text.trim();
    let (digits, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = digits.parse().map_err(|_| refuse())?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => DAY,
        "w" => 7 * DAY,
        _ => return Err(refuse()),
    };
    if n <= 0 {
        return Err(refuse());
    }
    n.checked_mul(unit).ok_or_else(refuse)
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The last second of year 9999: later (or before 1970) no ledger row
/// of this app can have been written; such a time is shown as what it
/// is, never as a recent one.
const LAST_PLAUSIBLE: i64 = 253_402_300_799;
/// How far ahead of this machine's clock a time may be (another desk's
/// clock) and still read as `just now`.
const AHEAD: i64 = 60;

/// Human age of a change: `just now`, `5m ago`, `3h ago`, `2d ago`; a
/// time ahead of this clock `in the future`, and one no run can have
/// written (before 1970, after 9999) `(bad time)`: never `just now`.
pub fn age(now: i64, at: i64) -> String {
    if !(0..=LAST_PLAUSIBLE).contains(&at) {
        return "(bad time)".to_string();
    }
    let secs = now.saturating_sub(at);
    if secs < -AHEAD {
        return "in the future".to_string();
    }
    match secs.max(0) {
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
    fn rfc3339_stamps_and_spans_are_read() {
        assert_eq!(parse_rfc3339("1970-01-02T00:00:00Z"), Ok(DAY));
        assert_eq!(parse_rfc3339("1970-01-02T02:00:00+02:00"), Ok(DAY));
        assert_eq!(parse_rfc3339("1970-01-01T23:00:00.5-01:00"), Ok(DAY));
        assert_eq!(parse_rfc3339(&rfc3339(1_800_000_123)), Ok(1_800_000_123));
        for bad in [
            "2026-12-31",
            "2026-12-31T25:00:00Z",
            "2026-02-30T00:00:00Z",
            "tomorrow",
            "2026-12-31T10:00:00",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_span("30d"), Ok(30 * DAY));
        assert_eq!(parse_span("12h"), Ok(12 * 3600));
        assert_eq!(parse_span("3s"), Ok(3));
        for bad in ["", "d", "0d", "-1h", "3y", "9999999999999999999w"] {
            assert!(parse_span(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(short(1_795_000_000), "2026-11-18 11:06");
        assert_eq!(clock(1_795_000_000), "11:06:40");
    }

    #[test]
    fn ages_of_times_no_clock_can_have_made_are_said_so() {
        let now = 1_795_000_000;
        assert_eq!(age(now, now - 5), "just now");
        assert_eq!(age(now, now + 5), "just now", "a clock a little ahead");
        assert_eq!(age(now, now - 7200), "2h ago");
        assert_eq!(age(now, 32_503_680_000), "in the future");
        for never in [i64::MAX, i64::MIN, -1, LAST_PLAUSIBLE + 1] {
            assert_eq!(age(now, never), "(bad time)", "{never}");
        }
        assert!(rfc3339(i64::MAX).ends_with('Z') && rfc3339(i64::MIN).ends_with('Z'));
    }

    #[test]
    fn rfc3339_stamps_read_back() {
        assert_eq!(
            parse_rfc3339("2026-04-28T10:30:00Z").ok(),
            Some(1_777_372_200)
        );
        assert_eq!(
            parse_rfc3339("2026-04-28T10:30:00.123Z").ok(),
            Some(1_777_372_200)
        );
        assert_eq!(
            parse_rfc3339("2026-04-28T07:30:00-03:00").ok(),
            Some(1_777_372_200)
        );
        assert_eq!(
            parse_rfc3339(&rfc3339(1_795_000_000)).ok(),
            Some(1_795_000_000)
        );
        for bad in [
            "",
            "2026-04-28",
            "2026-04-28T25:00:00Z",
            "2026-04-28T10:30:00",
            "soon",
        ] {
            assert_eq!(parse_rfc3339(bad).ok(), None, "{bad}");
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
