//! Time formats of the std layers: RFC 3339 (credential expiry), HTTP
//! dates (`Date`, `Last-Modified`) and conversions between `SystemTime`
//! and Unix seconds.

use std::time::{Duration, SystemTime};

/// `a - b` in whole seconds (negative when `a` is earlier), saturating.
pub(crate) fn seconds_between(a: SystemTime, b: SystemTime) -> i64 {
    match a.duration_since(b) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Seconds since 1970 (negative before), saturating.
pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    seconds_between(t, SystemTime::UNIX_EPOCH)
}

/// The `SystemTime` of `secs` seconds since 1970 (negative before), if representable.
pub(crate) fn from_unix_seconds(secs: i64) -> Option<SystemTime> {
    let magnitude = Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(magnitude)
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(magnitude)
    }
}

#[cfg(feature = "client")]
/// `time` moved by `seconds` (back when negative); `time` itself when the
/// result is not representable.
pub(crate) fn shift(time: SystemTime, seconds: i64) -> SystemTime {
    let d = Duration::from_secs(seconds.unsigned_abs());
    let moved = if seconds >= 0 {
        time.checked_add(d)
    } else {
        time.checked_sub(d)
    };
    moved.unwrap_or(time)
}

#[cfg(feature = "client")]
/// Parses an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, the IMF-fixdate
/// form of RFC 9110; the weekday is optional).
pub fn parse_http_date(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let text = text.split_once(',').map_or(text, |(_, rest)| rest).trim();
    let mut parts = text.split_ascii_whitespace();
    let day: u8 = parts.next()?.parse().ok()?;
    let month = match parts.next()?.to_ascii_lowercase().as_str() {
        "jan" => time::Month::January,
        "feb" => time::Month::February,
        "mar" => time::Month::March,
        "apr" => time::Month::April,
        "may" => time::Month::May,
        "jun" => time::Month::June,
        "jul" => time::Month::July,
        "aug" => time::Month::August,
        "sep" => time::Month::September,
        "oct" => time::Month::October,
        "nov" => time::Month::November,
        "dec" => time::Month::December,
        _ => return None,
    };
    let year: i32 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let mut num = || -> Option<u8> { hms.next()?.parse().ok() };
    let (h, m, s) = (num()?, num()?, num()?);
    if !matches!(parts.next(), Some("GMT" | "UTC" | "+0000") | None) {
        return None;
    }
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let secs = date.with_hms(h, m, s).ok()?.assume_utc().unix_timestamp();
    from_unix_seconds(secs)
}

/// Parses an RFC 3339 timestamp (`2030-01-01T00:00:00Z`) as used by every
/// credential source for `Expiration`. The error holds no input text.
pub(crate) fn parse_rfc3339(text: &str) -> Result<SystemTime, &'static str> {
    let parsed =
        time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
            .map_err(|_| "not an RFC 3339 timestamp")?;
    from_unix_seconds(parsed.unix_timestamp())
        .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(parsed.nanosecond()))))
        .ok_or("timestamp out of range")
}

/// Formats a time as RFC 3339 UTC with second precision (`2030-01-02T03:04:05Z`).
pub fn format_rfc3339(t: SystemTime) -> String {
    let secs = unix_seconds(t);
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(dt) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        ),
        Err(_) => format!("<{secs} s since 1970>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        let t = parse_rfc3339("2030-01-02T03:04:05Z").unwrap();
        assert_eq!(format_rfc3339(t), "2030-01-02T03:04:05Z");
        let t = parse_rfc3339(" 2030-01-02T05:04:05.5+02:00 ").unwrap();
        assert_eq!(format_rfc3339(t), "2030-01-02T03:04:05Z");
        assert_eq!(
            t.duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .subsec_millis(),
            500
        );
        assert!(parse_rfc3339("1960-01-01T00:00:00Z").is_ok());
        for bad in ["", "2030-01-02", "tomorrow", "2030-13-01T00:00:00Z"] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[cfg(feature = "client")]
    #[test]
    fn http_dates() {
        let t = |s| {
            parse_http_date(s).map(|t| t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs())
        };
        assert_eq!(t("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784111777));
        assert_eq!(t("06 Nov 1994 08:49:37 GMT"), Some(784111777));
        assert_eq!(t("Sun, 06 Nov 1994 08:49:37 PST"), None);
        assert_eq!(t("Sun, 31 Feb 1994 08:49:37 GMT"), None);
        assert_eq!(t("yesterday"), None);
    }

    #[cfg(feature = "client")]
    #[test]
    fn shifts_both_ways_and_saturates_to_the_input() {
        let t = from_unix_seconds(1_000).unwrap();
        assert_eq!(unix_seconds(shift(t, 60)), 1_060);
        assert_eq!(unix_seconds(shift(t, -60)), 940);
        assert_eq!(shift(t, 0), t);
    }

    #[test]
    fn unix_seconds_both_sides_of_the_epoch() {
        for secs in [-86_400, 0, 1_369_353_600] {
            assert_eq!(unix_seconds(from_unix_seconds(secs).unwrap()), secs);
        }
    }
}
