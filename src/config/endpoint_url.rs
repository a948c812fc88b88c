//! Configured endpoint URLs: where a service's calls go when the
//! environment or the selected profile names an endpoint (a local
//! emulator, a VPC endpoint...).

use super::env_vars::{AWS_ENDPOINT_URL, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS};
use super::{Env, ProfileSet};

/// The profile key naming an endpoint for every service.
const PROFILE_ENDPOINT_URL: &str = "endpoint_url";
/// The profile key turning configured endpoints off.
const PROFILE_IGNORE: &str = "ignore_configured_endpoint_urls";

/// The endpoint configured for a service: `service_variable` (such as
/// [`AWS_ENDPOINT_URL_STS`](super::env_vars::AWS_ENDPOINT_URL_STS)), then
/// `AWS_ENDPOINT_URL`, then the selected profile's `endpoint_url`, trimmed;
/// `None` when none is set, or when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`
/// (or the profile's `ignore_configured_endpoint_urls`) is `true`.
///
/// ```
/// use sigv4::config::env_vars::AWS_ENDPOINT_URL_STS;
/// use sigv4::config::{configured_endpoint_url, Env, ProfileSet};
///
/// let env = Env::from_map([("AWS_ENDPOINT_URL", "http://127.0.0.1:5000 ")]);
/// let profiles = ProfileSet::default();
/// assert_eq!(
///     configured_endpoint_url(&env, &profiles, Some(AWS_ENDPOINT_URL_STS)).as_deref(),
///     Some("http://127.0.0.1:5000")
/// );
/// ```
pub fn configured_endpoint_url(
    env: &Env,
    profiles: &ProfileSet,
    service_variable: Option<&str>,
) -> Option<String> {
    let is_true = |v: &str| v.trim().eq_ignore_ascii_case("true");
    let ignore = env
        .get(AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)
        .is_some_and(|v| is_true(&v))
        || profiles.get_selected(PROFILE_IGNORE).is_some_and(is_true);
    if ignore {
        return None;
    }
    service_variable
        .and_then(|name| env.get_non_blank(name))
        .or_else(|| env.get_non_blank(AWS_ENDPOINT_URL))
        .or_else(|| {
            profiles
                .get_selected(PROFILE_ENDPOINT_URL)
                .map(str::to_owned)
        })
        .map(|s| s.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::env_vars::AWS_ENDPOINT_URL_STS;

    #[test]
    fn order_and_ignore_switches() {
        let profiles =
            ProfileSet::parse("[default]\nendpoint_url = http://profile:1\n", "").unwrap();
        let sts = Some(AWS_ENDPOINT_URL_STS);
        let url = |vars: &[(&str, &str)], p: &ProfileSet| {
            configured_endpoint_url(&Env::from_map(vars.iter().copied()), p, sts)
        };
        assert_eq!(url(&[], &profiles).as_deref(), Some("http://profile:1"));
        assert_eq!(
            url(&[("AWS_ENDPOINT_URL", "http://all:2")], &profiles).as_deref(),
            Some("http://all:2")
        );
        assert_eq!(
            url(
                &[
                    ("AWS_ENDPOINT_URL", "http://all:2"),
                    ("AWS_ENDPOINT_URL_STS", " http://sts:3 ")
                ],
                &profiles
            )
            .as_deref(),
            Some("http://sts:3")
        );
        assert_eq!(
            url(
                &[
                    ("AWS_ENDPOINT_URL", "http://all:2"),
                    ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE")
                ],
                &profiles
            ),
            None
        );
        let ignoring = ProfileSet::parse(
            "[default]\nendpoint_url = http://profile:1\nignore_configured_endpoint_urls = true\n",
            "",
        )
        .unwrap();
        assert_eq!(
            url(&[("AWS_ENDPOINT_URL", "http://all:2")], &ignoring),
            None
        );
        assert_eq!(url(&[], &ProfileSet::default()), None);
    }
}
