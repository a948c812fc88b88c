//! Configured endpoint URLs: where a service's calls go when the
//! environment or the selected profile names an endpoint (a local
//! emulator, a VPC endpoint...).

use super::env_vars::{
    AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_PREFIX, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS,
};
use super::{Env, ProfileSet};

/// The profile key naming an endpoint for every service (and, inside a
/// `[services NAME]` section's service entry, for that service).
const PROFILE_ENDPOINT_URL: &str = "endpoint_url";
/// The profile key turning configured endpoints off.
const PROFILE_IGNORE: &str = "ignore_configured_endpoint_urls";
/// The profile key naming a `[services NAME]` section.
const PROFILE_SERVICES: &str = "services";

/// `SSO OIDC` -> `SSO_OIDC`: the suffix of `AWS_ENDPOINT_URL_<SERVICE>`.
pub fn service_env_suffix(service_id: &str) -> String {
    service_id
        .trim()
        .chars()
        .map(|c| {
            if c == ' ' || c == '-' {
                '_'
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect()
}

/// `SSO OIDC` -> `sso_oidc`: the key of a service in a `[services NAME]`
/// section.
pub fn service_config_key(service_id: &str) -> String {
    service_env_suffix(service_id).to_ascii_lowercase()
}

/// The endpoint URLs configured in the environment and the selected
/// profile, resolved per service as the AWS SDKs' service-specific
/// endpoint rules define them. For a service id (`STS`, `S3`, `SSO`,
/// `SSO OIDC`, `Signin`...), [`url_for`](Self::url_for) returns the first
/// of:
///
/// 1. `AWS_ENDPOINT_URL_<SERVICE>` (the id upper-cased, spaces as `_`);
/// 2. `AWS_ENDPOINT_URL`;
/// 3. the `endpoint_url` of the service's entry (`sso_oidc =`, the id
///    lower-cased) in the `[services NAME]` section the profile's
///    `services` names;
/// 4. the profile's `endpoint_url`;
///
/// and nothing at all when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true`,
/// or when it is unset and the profile's `ignore_configured_endpoint_urls`
/// is `true`. An endpoint given in code (`--endpoint-url`,
/// `ClientBuilder::endpoint_url`) wins over all of them.
///
/// ```
/// use sigv4::config::{ConfiguredEndpoints, Env, ProfileSet};
///
/// let profiles = ProfileSet::parse(
///     "[default]\nservices = local\nendpoint_url = http://127.0.0.1:1\n\
///      [services local]\nsso_oidc =\n  endpoint_url = http://127.0.0.1:2\n",
///     "",
/// )?;
/// let env = Env::from_map([("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:3")]);
/// let endpoints = ConfiguredEndpoints::load(&env, &profiles);
/// assert_eq!(endpoints.url_for("SSO"), Some("http://127.0.0.1:3"));
/// assert_eq!(endpoints.url_for("SSO OIDC"), Some("http://127.0.0.1:2"));
/// assert_eq!(endpoints.url_for("STS"), Some("http://127.0.0.1:1"));
/// let ignoring = Env::from_map([("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")]);
/// assert_eq!(ConfiguredEndpoints::load(&ignoring, &profiles).url_for("STS"), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfiguredEndpoints {
    ignored: bool,
    /// `AWS_ENDPOINT_URL_<SUFFIX>` values, by suffix.
    env_services: Vec<(String, String)>,
    env_all: Option<String>,
    /// `[services NAME]` entries' `endpoint_url`, by lower-case key.
    profile_services: Vec<(String, String)>,
    profile_all: Option<String>,
}

fn non_blank(v: &str) -> Option<String> {
    let t = v.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl ConfiguredEndpoints {
    /// No configured endpoints (every service on AWS).
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads the environment and the selected profile of `profiles`.
    pub fn load(env: &Env, profiles: &ProfileSet) -> Self {
        let is_true = |v: &str| v.trim().eq_ignore_ascii_case("true");
        let ignored = match env.get_non_blank(AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) {
            Some(v) => is_true(&v),
            None => profiles.get_selected(PROFILE_IGNORE).is_some_and(is_true),
        };
        if ignored {
            return ConfiguredEndpoints {
                ignored,
                ..Self::default()
            };
        }
        let env_services = env
            .vars_with_prefix(AWS_ENDPOINT_URL_PREFIX)
            .into_iter()
            .filter_map(|(k, v)| {
                Some((
                    k[AWS_ENDPOINT_URL_PREFIX.len()..].to_owned(),
                    non_blank(&v)?,
                ))
            })
            .collect();
        let profile_services = profiles
            .get_selected(PROFILE_SERVICES)
            .map(str::trim)
            .and_then(|name| profiles.services(name))
            .map(|section| {
                section
                    .iter()
                    .filter_map(|(key, _)| {
                        let url = section.sub_property(key, PROFILE_ENDPOINT_URL)?;
                        Some((key.to_ascii_lowercase(), non_blank(url)?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        ConfiguredEndpoints {
            ignored,
            env_services,
            env_all: env
                .get_non_blank(AWS_ENDPOINT_URL)
                .and_then(|v| non_blank(&v)),
            profile_services,
            profile_all: profiles
                .get_selected(PROFILE_ENDPOINT_URL)
                .and_then(non_blank),
        }
    }

    /// Whether configured endpoints are switched off.
    pub fn is_ignored(&self) -> bool {
        self.ignored
    }

    /// The endpoint configured for `service_id` (`STS`, `SSO OIDC`...), if
    /// any; see the [type docs](Self).
    pub fn url_for(&self, service_id: &str) -> Option<&str> {
        let suffix = service_env_suffix(service_id);
        let key = service_config_key(service_id);
        self.env_services
            .iter()
            .find(|(s, _)| *s == suffix)
            .map(|(_, v)| v.as_str())
            .or(self.env_all.as_deref())
            .or_else(|| {
                self.profile_services
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.as_str())
            })
            .or(self.profile_all.as_deref())
    }
}

/// The endpoint configured for a service: `service_variable` (such as
/// [`AWS_ENDPOINT_URL_STS`](super::env_vars::AWS_ENDPOINT_URL_STS)), then
/// `AWS_ENDPOINT_URL`, then the service's entry in the profile's
/// `services` section, then the selected profile's `endpoint_url`,
/// trimmed; `None` when none is set, or when configured endpoints are
/// ignored (see [`ConfiguredEndpoints`]). Without a `service_variable`
/// only the settings for every service count.
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
    let endpoints = ConfiguredEndpoints::load(env, profiles);
    let service = service_variable
        .and_then(|v| v.strip_prefix(AWS_ENDPOINT_URL_PREFIX))
        .unwrap_or("");
    if service.is_empty() {
        return endpoints.env_all.or(endpoints.profile_all);
    }
    endpoints.url_for(service).map(str::to_owned)
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
        // The environment's switch wins over the profile's, both ways.
        assert_eq!(
            url(
                &[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false")],
                &ignoring
            )
            .as_deref(),
            Some("http://profile:1")
        );
    }

    #[test]
    fn services_sections() {
        let profiles = ProfileSet::parse(
            "[default]\nservices = dev\nendpoint_url = http://all:1\n\
             [profile other]\nendpoint_url = http://other:1\n\
             [services dev]\nsts =\n  endpoint_url = http://sts:2\n\
             sso_oidc =\n  endpoint_url = http://oidc:3\ns3 =\n  addressing_style = path\n",
            "",
        )
        .unwrap();
        let e = ConfiguredEndpoints::load(
            &Env::from_map([("AWS_ENDPOINT_URL_S3", "http://s3:4")]),
            &profiles,
        );
        assert_eq!(e.url_for("STS"), Some("http://sts:2"));
        assert_eq!(e.url_for("SSO OIDC"), Some("http://oidc:3"));
        assert_eq!(e.url_for("SSO"), Some("http://all:1"));
        assert_eq!(e.url_for("S3"), Some("http://s3:4"));
        let other = ConfiguredEndpoints::load(
            &Env::from_map([("X", "y")]),
            &profiles.clone().with_selected_profile("other"),
        );
        assert_eq!(other.url_for("STS"), Some("http://other:1"));
        assert_eq!(service_env_suffix("SSO OIDC"), "SSO_OIDC");
        assert_eq!(service_config_key("Signin"), "signin");
        assert!(ConfiguredEndpoints::none().url_for("STS").is_none());
    }
}
