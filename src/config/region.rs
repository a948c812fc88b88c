//! Which region: [`resolve_region`] (explicit, environment, profile,
//! default) and [`is_valid_region`], the one check of a region's shape.

use std::fmt;

use super::env_vars::{AWS_DEFAULT_REGION, AWS_REGION};
use super::{Env, ProfileSet};

/// The region used when nothing else gives one.
pub const DEFAULT_REGION: &str = "us-east-1";

/// True when `region` can be part of a host name and a credential scope:
/// 1 to 64 of `a-z 0-9 -`. The one check every layer uses (client
/// builder, endpoint resolution, host-name inference).
///
/// ```
/// use sigv4::config::is_valid_region;
/// assert!(is_valid_region("eu-west-1"));
/// assert!(!is_valid_region("evil.com/") && !is_valid_region("") && !is_valid_region("EU-WEST-1"));
/// ```
pub fn is_valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Where [`resolve_region`] found the region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RegionSource {
    /// Given explicitly by the caller (for example a `--region` option).
    Explicit,
    /// The `AWS_REGION` environment variable.
    EnvAwsRegion,
    /// The `AWS_DEFAULT_REGION` environment variable.
    EnvAwsDefaultRegion,
    /// The `region` property of the selected profile.
    Profile,
    /// The EC2 instance metadata service. Used by the IMDS layer, which
    /// passes its lookup as the `fallback` of
    /// [`resolve_region_with_fallback`]; [`resolve_region`] never returns it.
    Imds,
    /// Nothing gave a region, so [`DEFAULT_REGION`] (`us-east-1`) is used.
    Default,
}

impl RegionSource {
    /// A short description for messages, such as `"AWS_REGION"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RegionSource::Explicit => "explicit",
            RegionSource::EnvAwsRegion => AWS_REGION,
            RegionSource::EnvAwsDefaultRegion => AWS_DEFAULT_REGION,
            RegionSource::Profile => "profile",
            RegionSource::Imds => "instance metadata",
            RegionSource::Default => "default",
        }
    }
}

impl fmt::Display for RegionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Picks the region: `explicit`, then `AWS_REGION`, then
/// `AWS_DEFAULT_REGION`, then the selected profile's `region`, else
/// `us-east-1`. Blank values are skipped; values are trimmed.
///
/// ```
/// use sigv4::config::{resolve_region, Env, ProfileSet, RegionSource};
/// let profiles = ProfileSet::parse("[default]\nregion = eu-west-1", "")?;
/// let env = Env::from_map([("AWS_DEFAULT_REGION", "ap-south-1")]);
/// assert_eq!(
///     resolve_region(None, &env, &profiles),
///     ("ap-south-1".to_owned(), RegionSource::EnvAwsDefaultRegion)
/// );
/// # Ok::<(), sigv4::config::ProfileParseError>(())
/// ```
pub fn resolve_region(
    explicit: Option<&str>,
    env: &Env,
    profiles: &ProfileSet,
) -> (String, RegionSource) {
    resolve_region_with_fallback(explicit, env, profiles, None)
}

/// [`resolve_region`] with one more source tried after the profile and
/// before the `us-east-1` default: `fallback` (the IMDS layer passes its
/// lookup here; a region it returns is reported as [`RegionSource::Imds`]).
/// The fallback is only called when every earlier source is empty.
pub fn resolve_region_with_fallback(
    explicit: Option<&str>,
    env: &Env,
    profiles: &ProfileSet,
    fallback: Option<&dyn Fn() -> Option<String>>,
) -> (String, RegionSource) {
    fn non_blank(value: Option<&str>) -> Option<String> {
        value
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
    if let Some(region) = non_blank(explicit) {
        return (region, RegionSource::Explicit);
    }
    if let Some(region) = non_blank(env.get(AWS_REGION).as_deref()) {
        return (region, RegionSource::EnvAwsRegion);
    }
    if let Some(region) = non_blank(env.get(AWS_DEFAULT_REGION).as_deref()) {
        return (region, RegionSource::EnvAwsDefaultRegion);
    }
    if let Some(region) = non_blank(profiles.get_selected("region")) {
        return (region, RegionSource::Profile);
    }
    if let Some(region) = fallback.and_then(|f| non_blank(f().as_deref())) {
        return (region, RegionSource::Imds);
    }
    (DEFAULT_REGION.to_owned(), RegionSource::Default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn profiles_with_region() -> ProfileSet {
        ProfileSet::parse(
            "[default]\nregion = eu-west-1\n[profile other]\nregion = eu-north-1\n[profile blank]\nregion =",
            "",
        )
        .unwrap()
    }

    #[test]
    fn region_resolution_order() {
        let profiles = profiles_with_region();
        let full = Env::from_map([
            ("AWS_REGION", "us-west-1"),
            ("AWS_DEFAULT_REGION", "us-west-2"),
        ]);
        let r = |explicit, env: &Env, p: &ProfileSet| resolve_region(explicit, env, p);
        assert_eq!(
            r(Some("ca-central-1"), &full, &profiles),
            ("ca-central-1".into(), RegionSource::Explicit)
        );
        assert_eq!(
            r(None, &full, &profiles),
            ("us-west-1".into(), RegionSource::EnvAwsRegion)
        );
        let default_only =
            Env::from_map([("AWS_REGION", "  "), ("AWS_DEFAULT_REGION", "us-west-2")]);
        assert_eq!(
            r(Some(""), &default_only, &profiles),
            ("us-west-2".into(), RegionSource::EnvAwsDefaultRegion)
        );
        let empty = Env::from_map([("AWS_REGION", ""), ("AWS_DEFAULT_REGION", "\t")]);
        assert_eq!(
            r(None, &empty, &profiles),
            ("eu-west-1".into(), RegionSource::Profile)
        );
        let other = profiles.clone().with_selected_profile("other");
        assert_eq!(
            r(None, &empty, &other),
            ("eu-north-1".into(), RegionSource::Profile)
        );
        for selected in ["blank", "missing"] {
            let p = profiles.clone().with_selected_profile(selected);
            assert_eq!(
                r(None, &empty, &p),
                (DEFAULT_REGION.into(), RegionSource::Default)
            );
        }
    }

    #[test]
    fn region_fallback_runs_last_and_only_when_needed() {
        let calls = Cell::new(0);
        let imds = || {
            calls.set(calls.get() + 1);
            Some(" sa-east-1 ".to_owned())
        };
        let env = Env::from_map([("AWS_REGION", " us-west-1 ")]);
        let profiles = ProfileSet::default();
        assert_eq!(
            resolve_region_with_fallback(None, &env, &profiles, Some(&imds)),
            ("us-west-1".into(), RegionSource::EnvAwsRegion)
        );
        assert_eq!(calls.get(), 0);
        let none = Env::from_map(Vec::<(String, String)>::new());
        assert_eq!(
            resolve_region_with_fallback(None, &none, &profiles, Some(&imds)),
            ("sa-east-1".into(), RegionSource::Imds)
        );
        assert_eq!(calls.get(), 1);
        let blank = || Some(String::new());
        assert_eq!(
            resolve_region_with_fallback(None, &none, &profiles, Some(&blank)),
            (DEFAULT_REGION.into(), RegionSource::Default)
        );
        assert_eq!(
            resolve_region_with_fallback(None, &none, &profiles_with_region(), Some(&imds)),
            ("eu-west-1".into(), RegionSource::Profile)
        );
        assert_eq!(calls.get(), 1);
    }
}
