//! Time formats of the std layers: RFC 3339 (credential expiry) and
//! conversions between `SystemTime` and Unix seconds.

use std::time::{Duration, SystemTime};

/// Seconds since 1970 (negative before), saturating.
pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
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

    #[test]
    fn unix_seconds_both_sides_of_the_epoch() {
        for secs in [-86_400, 0, 1_369_353_600] {
            assert_eq!(unix_seconds(from_unix_seconds(secs).unwrap()), secs);
        }
    }
}
