//! Signing time: the caller passes it in; the core never reads a clock.

use crate::sign::Error;
use core::fmt;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// The instant a request is signed at, in UTC, with whole-second precision.
///
/// Build it from Unix seconds, a [`time::OffsetDateTime`], an `X-Amz-Date`
/// string, or (with `std`) a [`std::time::SystemTime`].
///
/// ```
/// use sigv4::sign::SigningTime;
/// let t = SigningTime::from_unix_seconds(1_440_938_160).unwrap();
/// assert_eq!(t.amz_date(), "20150830T123600Z");
/// assert_eq!(t.date_stamp(), "20150830");
/// assert_eq!(SigningTime::parse_amz_date("20150830T123600Z").unwrap(), t);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SigningTime {
    unix: i64,
    amz: [u8; 16],
}

impl SigningTime {
    /// From seconds since the Unix epoch. Fails outside the years 0000..=9999.
    pub fn from_unix_seconds(secs: i64) -> Result<Self, Error> {
        let dt = OffsetDateTime::from_unix_timestamp(secs).map_err(|_| Error::InvalidTime)?;
        Self::from_datetime(dt)
    }

    /// From a [`time::OffsetDateTime`] (any offset; converted to UTC, sub-seconds dropped).
    pub fn from_datetime(dt: OffsetDateTime) -> Result<Self, Error> {
        let dt = dt.to_offset(UtcOffset::UTC);
        let year = dt.year();
        if !(0..=9999).contains(&year) {
            return Err(Error::InvalidTime);
        }
        let mut amz = *b"00000000T000000Z";
        put_digits(&mut amz[0..4], year as u32);
        put_digits(&mut amz[4..6], dt.month() as u32);
        put_digits(&mut amz[6..8], dt.day() as u32);
        put_digits(&mut amz[9..11], dt.hour() as u32);
        put_digits(&mut amz[11..13], dt.minute() as u32);
        put_digits(&mut amz[13..15], dt.second() as u32);
        Ok(SigningTime {
            unix: dt.unix_timestamp(),
            amz,
        })
    }

    /// Parses the `X-Amz-Date` form `YYYYMMDD'T'HHMMSS'Z'`.
    pub fn parse_amz_date(s: &str) -> Result<Self, Error> {
        let b = s.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return Err(Error::InvalidTime);
        }
        let num = |r: core::ops::Range<usize>| -> Result<u32, Error> {
            let mut v = 0u32;
            for &c in &b[r] {
                if !c.is_ascii_digit() {
                    return Err(Error::InvalidTime);
                }
                v = v * 10 + u32::from(c - b'0');
            }
            Ok(v)
        };
        let month = Month::try_from(num(4..6)? as u8).map_err(|_| Error::InvalidTime)?;
        let date = Date::from_calendar_date(num(0..4)? as i32, month, num(6..8)? as u8)
            .map_err(|_| Error::InvalidTime)?;
        let time = Time::from_hms(num(9..11)? as u8, num(11..13)? as u8, num(13..15)? as u8)
            .map_err(|_| Error::InvalidTime)?;
        // Four digits, a valid date and time: the input is already the canonical form.
        let mut amz = [0u8; 16];
        amz.copy_from_slice(b);
        Ok(SigningTime {
            unix: PrimitiveDateTime::new(date, time)
                .assume_utc()
                .unix_timestamp(),
            amz,
        })
    }

    /// The current time from the system clock.
    #[cfg(feature = "std")]
    pub fn now() -> Self {
        Self::from(std::time::SystemTime::now())
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> i64 {
        self.unix
    }

    /// `YYYYMMDD'T'HHMMSS'Z'`, the `X-Amz-Date` value.
    #[inline]
    pub fn amz_date(&self) -> &str {
        debug_assert!(self.amz.is_ascii());
        // SAFETY: `amz` is written only by `from_datetime` (ASCII digits
        // into an ASCII template) and `parse_amz_date` (a copy of input
        // checked to be digits, 'T' and 'Z'), so it is always ASCII, hence
        // UTF-8. Unchecked because signing reads it four times per
        // signature and the check was measurable there.
        #[allow(unsafe_code)]
        unsafe {
            core::str::from_utf8_unchecked(&self.amz)
        }
    }

    /// [`amz_date`](Self::amz_date) as bytes (no UTF-8 check).
    pub(crate) fn amz_bytes(&self) -> &[u8; 16] {
        &self.amz
    }

    /// `YYYYMMDD`, the date in the credential scope.
    #[inline]
    pub fn date_stamp(&self) -> &str {
        self.amz_date().get(..8).unwrap_or("00000000")
    }

    /// This time plus `secs` seconds, saturating at the representable range.
    pub fn checked_add_seconds(&self, secs: i64) -> Result<Self, Error> {
        Self::from_unix_seconds(self.unix.checked_add(secs).ok_or(Error::InvalidTime)?)
    }
}

fn put_digits(out: &mut [u8], mut v: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

impl fmt::Debug for SigningTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningTime({})", self.amz_date())
    }
}

impl fmt::Display for SigningTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.amz_date())
    }
}

impl TryFrom<OffsetDateTime> for SigningTime {
    type Error = Error;
    fn try_from(dt: OffsetDateTime) -> Result<Self, Error> {
        Self::from_datetime(dt)
    }
}

#[cfg(feature = "std")]
impl From<std::time::SystemTime> for SigningTime {
    /// Times before 1970 or after 9999 are clamped to the nearest representable instant.
    fn from(t: std::time::SystemTime) -> Self {
        let secs = match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        };
        let secs = secs.clamp(0, 253_402_300_799); // 9999-12-31T23:59:59Z
        match Self::from_unix_seconds(secs) {
            Ok(t) => t,
            // Unreachable after the clamp; fall back to the epoch rather than panic.
            Err(_) => SigningTime {
                unix: 0,
                amz: *b"19700101T000000Z",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        let t = SigningTime::from_unix_seconds(1_369_353_600).unwrap();
        assert_eq!(t.amz_date(), "20130524T000000Z");
        assert_eq!(t.date_stamp(), "20130524");
        let p = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
        assert_eq!(p.unix_seconds(), 1_369_353_600);
    }

    #[test]
    fn rejects_bad_amz_dates() {
        for s in [
            "",
            "20130524T000000",
            "20131324T000000Z",
            "20130230T000000Z",
            "2013052AT000000Z",
            "20130524T250000Z",
            "20130524X000000Z",
            "20130524T00000\u{e9}",
        ] {
            assert_eq!(
                SigningTime::parse_amz_date(s),
                Err(Error::InvalidTime),
                "{s}"
            );
        }
    }

    #[test]
    fn rejects_out_of_range_years() {
        assert_eq!(
            SigningTime::from_unix_seconds(253_402_300_800),
            Err(Error::InvalidTime)
        );
        assert_eq!(
            SigningTime::from_unix_seconds(i64::MAX),
            Err(Error::InvalidTime)
        );
        assert!(SigningTime::from_unix_seconds(253_402_300_799).is_ok());
        assert!(SigningTime::from_unix_seconds(-62_167_219_200).is_ok()); // 0000-01-01
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        let dt = OffsetDateTime::from_unix_timestamp(1_440_938_160)
            .unwrap()
            .to_offset(UtcOffset::from_hms(5, 30, 0).unwrap());
        assert_eq!(
            SigningTime::try_from(dt).unwrap().amz_date(),
            "20150830T123600Z"
        );
    }
}
