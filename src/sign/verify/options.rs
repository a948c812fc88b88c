//! [`VerifyOptions`]: the verifier's clock, allowed skew and expected scope.

use core::time::Duration;

use crate::sign::{Error, SignableRequest, SigningSettings, SigningTime};

/// How a server verifies: its clock, the clock skew it allows, and what it
/// expects of the credential scope.
///
/// ```
/// use core::time::Duration;
/// use sigv4::sign::{SigningTime, VerifyOptions};
/// let options = VerifyOptions::new(SigningTime::from_unix_seconds(1_700_000_000)?)
///     .with_max_skew(Duration::from_secs(300))
///     .expect_region("eu-west-1")
///     .expect_service("s3");
/// assert_eq!(options.max_skew(), Duration::from_secs(300));
/// # Ok::<(), sigv4::sign::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions<'a> {
    pub(super) now: SigningTime,
    pub(super) max_skew: Duration,
    settings: Option<SigningSettings>,
    require_signed_amz: bool,
    region: Option<&'a str>,
    service: Option<&'a str>,
}

impl<'a> VerifyOptions<'a> {
    /// The clock skew S3 allows: 15 minutes.
    pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(900);

    /// Verification at `now`, allowing [`DEFAULT_MAX_SKEW`](Self::DEFAULT_MAX_SKEW),
    /// any region and service, and the signed service's rules.
    pub const fn new(now: SigningTime) -> Self {
        VerifyOptions {
            now,
            max_skew: Self::DEFAULT_MAX_SKEW,
            settings: None,
            require_signed_amz: false,
            region: None,
            service: None,
        }
    }

    /// How far the request's signing time may be from `now`.
    pub const fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }

    /// Uses these rules instead of [`SigningSettings::for_service`] of the
    /// signed service. Whether `x-amz-content-sha256` and the session token
    /// are signed is always read from the request.
    pub const fn with_settings(mut self, settings: SigningSettings) -> Self {
        self.settings = Some(settings);
        self
    }

    /// Refuses requests that carry an `x-amz-*` header their signature does
    /// not cover ([`Error::HeaderNotSigned`]), as S3 does. Off by default:
    /// some services take headers added after signing
    /// (`x-amz-security-token` for IoT, for one).
    pub const fn require_signed_amz_headers(mut self, on: bool) -> Self {
        self.require_signed_amz = on;
        self
    }

    /// Accepts only signatures scoped to `region`.
    pub const fn expect_region(mut self, region: &'a str) -> Self {
        self.region = Some(region);
        self
    }

    /// Accepts only signatures scoped to `service`.
    pub const fn expect_service(mut self, service: &'a str) -> Self {
        self.service = Some(service);
        self
    }

    /// The verifier's clock.
    pub const fn now(&self) -> SigningTime {
        self.now
    }

    /// The allowed clock skew.
    pub const fn max_skew(&self) -> Duration {
        self.max_skew
    }

    /// The region the verifier accepts, when it expects one.
    pub const fn expected_region(&self) -> Option<&'a str> {
        self.region
    }

    /// Refuses a header-signed request signed further from `now` than the
    /// allowed skew.
    pub(super) fn check_skew(&self, time: SigningTime) -> Result<(), Error> {
        let diff = self.now.unix_seconds().abs_diff(time.unix_seconds());
        if diff > self.max_skew.as_secs() {
            return Err(Error::RequestTimeTooSkewed);
        }
        Ok(())
    }

    /// With [`require_signed_amz_headers`](Self::require_signed_amz_headers),
    /// refuses an `x-amz-*` header of `req` missing from `signed` (the
    /// `;`-separated signed headers list).
    pub(super) fn check_amz_signed(
        &self,
        req: &SignableRequest<'_>,
        signed: &str,
    ) -> Result<(), Error> {
        if !self.require_signed_amz {
            return Ok(());
        }
        for &(name, _) in req.headers.iter() {
            let amz = name.len() > 6 && name.as_bytes()[..6].eq_ignore_ascii_case(b"x-amz-");
            // A byte split: `str::split` goes through a char searcher.
            let listed = || {
                signed
                    .as_bytes()
                    .split(|&b| b == b';')
                    .any(|s| crate::sign::text::eq_ignore_case(s, name.as_bytes()))
            };
            if amz && !listed() {
                return Err(Error::HeaderNotSigned {
                    name: name.to_ascii_lowercase(),
                });
            }
        }
        Ok(())
    }

    pub(super) fn max_skew_secs(&self) -> i64 {
        i64::try_from(self.max_skew.as_secs()).unwrap_or(i64::MAX)
    }

    /// Checks the scope against the expectations; returns the rules to use.
    pub(super) fn settings_for(
        &self,
        region: &str,
        service: &str,
    ) -> Result<SigningSettings, Error> {
        if self.region.is_some_and(|r| r != region) {
            return Err(Error::WrongScope { part: "region" });
        }
        if self.service.is_some_and(|s| s != service) {
            return Err(Error::WrongScope { part: "service" });
        }
        Ok(self
            .settings
            .unwrap_or_else(|| SigningSettings::for_service(service)))
    }
}
