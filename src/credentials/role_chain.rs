//! Profiles that assume roles: `role_arn` with `source_profile` (chains of
//! any length) or `credential_source`, `web_identity_token_file`,
//! `mfa_serial`, `external_id`, `role_session_name`, `duration_seconds`.
//!
//! Planning, without I/O: [`plan`] reads the profiles into a [`RoleChain`]:
//! where the first credentials come from and the roles to assume from
//! there. [`AssumeRoleProvider`](super::assume_role::AssumeRoleProvider)
//! runs it with STS. The rules, those of the AWS SDKs:
//!
//! - the selected profile must have `role_arn`, else the provider is not
//!   set up (a chain moves on);
//! - a profile with `role_arn` names exactly one of `source_profile`,
//!   `credential_source` (`Environment`, `Ec2InstanceMetadata`,
//!   `EcsContainer`) or `web_identity_token_file`;
//! - a *source* profile with static keys ends the chain with those keys,
//!   even if it also has `role_arn`; a profile naming itself as
//!   `source_profile` uses its own keys;
//! - a source profile without `role_arn` and without keys is read by the
//!   profile provider (`credential_process`);
//! - a cycle (`a -> b -> a`) is an error naming the profiles.
//!
//! ```
//! use sigv4::credentials::role_chain::plan;
//! use sigv4::config::ProfileSet;
//!
//! let config = "\
//! [profile dev]
//! role_arn = arn:aws:iam::111111111111:role/dev
//! source_profile = mid
//! mfa_serial = arn:aws:iam::000000000000:mfa/me
//! [profile mid]
//! role_arn = arn:aws:iam::222222222222:role/mid
//! source_profile = base
//! external_id = x-1
//! [profile base]
//! aws_access_key_id = AKIDBASE
//! aws_secret_access_key = secret
//! [profile loop-a]
//! role_arn = arn:aws:iam::1:role/a
//! source_profile = loop-b
//! [profile loop-b]
//! role_arn = arn:aws:iam::1:role/b
//! source_profile = loop-a
//! ";
//! let profiles = ProfileSet::parse(config, "")?;
//! let chain = plan(&profiles, "dev")?.expect("dev assumes a role");
//! assert_eq!(chain.hops.len(), 2);
//! assert_eq!(chain.to_string(), "profile dev: assume role arn:aws:iam::111111111111:role/dev (MFA) \
//!     via source_profile mid: assume role arn:aws:iam::222222222222:role/mid \
//!     via source_profile base (static keys)");
//! let cycle = plan(&profiles, "loop-a").unwrap_err();
//! assert!(cycle.to_string().contains("loop-a -> loop-b -> loop-a"), "{cycle}");
//! assert!(plan(&profiles, "base")?.is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::PathBuf;

use super::CredentialsError;
use crate::config::{ProfileSet, Section};

/// The provider name role-chain errors carry.
pub(crate) const NAME: &str = "assume-role";

/// Where the first credentials of a role chain come from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BaseCredentials {
    /// `aws_access_key_id` / `aws_secret_access_key` of this profile.
    StaticKeys {
        /// The profile.
        profile: String,
    },
    /// This profile read by the profile provider (`credential_process`).
    Profile {
        /// The profile.
        profile: String,
    },
    /// `credential_source = Environment`.
    Environment,
    /// `credential_source = Ec2InstanceMetadata`.
    Ec2InstanceMetadata,
    /// `credential_source = EcsContainer`.
    EcsContainer,
    /// `web_identity_token_file` with the profile's `role_arn`.
    WebIdentity {
        /// The profile.
        profile: String,
        /// The role.
        role_arn: String,
        /// The token file.
        token_file: PathBuf,
        /// `role_session_name`.
        session_name: Option<String>,
        /// `duration_seconds`.
        duration_seconds: Option<u32>,
    },
}

/// One `AssumeRole` call of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleHop {
    /// The profile that names the role.
    pub profile: String,
    /// `role_arn`.
    pub role_arn: String,
    /// `role_session_name`.
    pub session_name: Option<String>,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `mfa_serial`.
    pub mfa_serial: Option<String>,
    /// `duration_seconds`.
    pub duration_seconds: Option<u32>,
    /// How this hop's source was named (`source_profile NAME` or
    /// `credential_source NAME`).
    pub via: String,
}

/// A planned role chain: `hops[0]` is the selected profile's role, each
/// next hop provides the credentials for the one before, and `base` the
/// credentials for the last hop.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleChain {
    /// The selected profile.
    pub profile: String,
    /// The roles, from the selected profile's down.
    pub hops: Vec<RoleHop>,
    /// The first credentials.
    pub base: BaseCredentials,
}

impl fmt::Display for RoleChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "profile {}: ", self.profile)?;
        for (i, hop) in self.hops.iter().enumerate() {
            if i > 0 {
                f.write_str(": ")?;
            }
            write!(f, "assume role {}", hop.role_arn)?;
            if hop.mfa_serial.is_some() {
                f.write_str(" (MFA)")?;
            }
            write!(f, " via {}", hop.via)?;
        }
        match &self.base {
            BaseCredentials::StaticKeys { .. } => f.write_str(" (static keys)"),
            BaseCredentials::Profile { .. } => f.write_str(" (credential_process)"),
            BaseCredentials::Environment
            | BaseCredentials::Ec2InstanceMetadata
            | BaseCredentials::EcsContainer => Ok(()),
            BaseCredentials::WebIdentity { role_arn, .. } => {
                if self.hops.is_empty() {
                    write!(f, "assume role {role_arn} with web identity token file")
                } else {
                    write!(f, ": assume role {role_arn} with web identity token file")
                }
            }
        }
    }
}

pub(crate) fn config_error(message: impl Into<String>) -> CredentialsError {
    CredentialsError::invalid_configuration(NAME, message)
}

pub(crate) fn non_blank<'a>(section: &'a Section, key: &str) -> Option<&'a str> {
    section.get(key).map(str::trim).filter(|v| !v.is_empty())
}

fn has_static_keys(section: &Section) -> bool {
    non_blank(section, "aws_access_key_id").is_some()
        && non_blank(section, "aws_secret_access_key").is_some()
}

fn duration(section: &Section) -> Result<Option<u32>, CredentialsError> {
    match non_blank(section, "duration_seconds") {
        None => Ok(None),
        Some(v) => v.parse::<u32>().map(Some).map_err(|_| {
            config_error(format!(
                "profile `{}`: duration_seconds = {v:?} is not a number of seconds",
                section.name()
            ))
        }),
    }
}

/// Plans the role chain of `profile`: `Ok(None)` when it assumes no role
/// (no `role_arn`).
pub fn plan(profiles: &ProfileSet, profile: &str) -> Result<Option<RoleChain>, CredentialsError> {
    let Some(first) = profiles.profile(profile) else {
        return Ok(None);
    };
    if non_blank(first, "role_arn").is_none() {
        return Ok(None);
    }
    let mut visited: Vec<String> = vec![profile.to_owned()];
    let mut hops: Vec<RoleHop> = Vec::new();
    let mut current = profile.to_owned();
    let base = loop {
        let section = profiles.profile(&current).ok_or_else(|| {
            let by = hops.last().map_or(profile, |h| h.profile.as_str());
            config_error(format!(
                "profile `{current}` (the source_profile of `{by}`) does not exist"
            ))
        })?;
        let is_source = !hops.is_empty();
        if is_source && has_static_keys(section) {
            break BaseCredentials::StaticKeys { profile: current };
        }
        let Some(role_arn) = non_blank(section, "role_arn") else {
            if has_static_keys(section) {
                break BaseCredentials::StaticKeys { profile: current };
            }
            break BaseCredentials::Profile { profile: current };
        };
        let source_profile = non_blank(section, "source_profile");
        let credential_source = non_blank(section, "credential_source");
        let token_file = non_blank(section, "web_identity_token_file");
        let named = [
            source_profile.is_some(),
            credential_source.is_some(),
            token_file.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if named != 1 {
            return Err(config_error(format!(
                "profile `{current}` has role_arn and must name exactly one of source_profile, \
                 credential_source or web_identity_token_file ({named} given)"
            )));
        }
        if let Some(file) = token_file {
            break BaseCredentials::WebIdentity {
                profile: current.clone(),
                role_arn: role_arn.to_owned(),
                token_file: PathBuf::from(file),
                session_name: non_blank(section, "role_session_name").map(str::to_owned),
                duration_seconds: duration(section)?,
            };
        }
        let mut hop = RoleHop {
            profile: current.clone(),
            role_arn: role_arn.to_owned(),
            session_name: non_blank(section, "role_session_name").map(str::to_owned),
            external_id: non_blank(section, "external_id").map(str::to_owned),
            mfa_serial: non_blank(section, "mfa_serial").map(str::to_owned),
            duration_seconds: duration(section)?,
            via: String::new(),
        };
        if let Some(source) = credential_source {
            let base = match source {
                "Environment" => BaseCredentials::Environment,
                "Ec2InstanceMetadata" => BaseCredentials::Ec2InstanceMetadata,
                "EcsContainer" => BaseCredentials::EcsContainer,
                other => {
                    return Err(config_error(format!(
                        "profile `{current}`: credential_source = {other:?} is not one of \
                         Environment, Ec2InstanceMetadata, EcsContainer"
                    )))
                }
            };
            hop.via = format!("credential_source {source}");
            hops.push(hop);
            break base;
        }
        let source = source_profile.unwrap_or_default().to_owned();
        hop.via = format!("source_profile {source}");
        hops.push(hop);
        if source == current {
            if !has_static_keys(section) {
                return Err(config_error(format!(
                    "profile `{current}` is its own source_profile but has no static keys"
                )));
            }
            break BaseCredentials::StaticKeys { profile: current };
        }
        if visited.contains(&source) {
            visited.push(source);
            return Err(config_error(format!(
                "source_profile cycle: {}",
                visited.join(" -> ")
            )));
        }
        visited.push(source.clone());
        current = source;
    };
    Ok(Some(RoleChain {
        profile: profile.to_owned(),
        hops,
        base,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles(config: &str) -> ProfileSet {
        ProfileSet::parse(config, "").unwrap()
    }

    #[test]
    fn plans() {
        let p = profiles(
            "[profile a]\nrole_arn = arn:a\nsource_profile = b\nrole_session_name = s\nduration_seconds = 900\n\
             [profile b]\nrole_arn = arn:b\naws_access_key_id = AK\naws_secret_access_key = S\nsource_profile = c\n\
             [profile self]\nrole_arn = arn:self\nsource_profile = self\naws_access_key_id = AK\naws_secret_access_key = S\n\
             [profile env]\nrole_arn = arn:e\ncredential_source = Environment\n\
             [profile proc]\nrole_arn = arn:p\nsource_profile = pp\n[profile pp]\ncredential_process = echo\n\
             [profile web]\nrole_arn = arn:w\nweb_identity_token_file = /t\n\
             [profile onweb]\nrole_arn = arn:o\nsource_profile = web\n\
             [profile both]\nrole_arn = arn:x\nsource_profile = b\ncredential_source = Environment\n\
             [profile none]\nrole_arn = arn:x\n\
             [profile badsrc]\nrole_arn = arn:x\ncredential_source = Moon\n\
             [profile missing]\nrole_arn = arn:x\nsource_profile = ghost\n\
             [profile baddur]\nrole_arn = arn:x\nsource_profile = b\nduration_seconds = 1h\n",
        );
        let a = plan(&p, "a").unwrap().unwrap();
        assert_eq!(a.hops.len(), 1);
        assert_eq!(a.hops[0].duration_seconds, Some(900));
        assert_eq!(
            a.base,
            BaseCredentials::StaticKeys {
                profile: "b".into()
            }
        );
        let s = plan(&p, "self").unwrap().unwrap();
        assert_eq!(
            (s.hops.len(), &s.base),
            (
                1,
                &BaseCredentials::StaticKeys {
                    profile: "self".into()
                }
            )
        );
        let e = plan(&p, "env").unwrap().unwrap();
        assert_eq!(e.base, BaseCredentials::Environment);
        assert_eq!(
            e.to_string(),
            "profile env: assume role arn:e via credential_source Environment"
        );
        assert_eq!(
            plan(&p, "proc").unwrap().unwrap().base,
            BaseCredentials::Profile {
                profile: "pp".into()
            }
        );
        let w = plan(&p, "web").unwrap().unwrap();
        assert!(w.hops.is_empty());
        assert_eq!(
            w.to_string(),
            "profile web: assume role arn:w with web identity token file"
        );
        let o = plan(&p, "onweb").unwrap().unwrap();
        assert_eq!(o.hops.len(), 1);
        assert_eq!(
            o.base,
            BaseCredentials::WebIdentity {
                profile: "web".into(),
                role_arn: "arn:w".into(),
                token_file: "/t".into(),
                session_name: None,
                duration_seconds: None,
            }
        );
        let one_of = "has role_arn and must name exactly one of source_profile, \
                      credential_source or web_identity_token_file";
        for (bad, message) in [
            ("both", format!("profile `both` {one_of} (2 given)")),
            ("none", format!("profile `none` {one_of} (0 given)")),
            (
                "badsrc",
                "profile `badsrc`: credential_source = \"Moon\" is not one of Environment, \
                 Ec2InstanceMetadata, EcsContainer"
                    .to_owned(),
            ),
            (
                "missing",
                "profile `ghost` (the source_profile of `missing`) does not exist".to_owned(),
            ),
            (
                "baddur",
                "profile `baddur`: duration_seconds = \"1h\" is not a number of seconds".to_owned(),
            ),
        ] {
            match plan(&p, bad).unwrap_err() {
                CredentialsError::InvalidConfiguration {
                    provider,
                    message: m,
                } => {
                    assert_eq!(
                        (provider.as_str(), m.as_str()),
                        (NAME, message.as_str()),
                        "{bad}"
                    );
                }
                other => panic!("{bad}: expected InvalidConfiguration: {other:?}"),
            }
        }
        assert!(plan(&p, "pp").unwrap().is_none());
        assert!(plan(&p, "nonexistent").unwrap().is_none());
    }

    #[test]
    fn long_chains_and_cycles() {
        let mut config = String::new();
        for i in 0..20 {
            config.push_str(&format!(
                "[profile p{i}]\nrole_arn = arn:{i}\nsource_profile = p{}\n",
                i + 1
            ));
        }
        config.push_str("[profile p20]\naws_access_key_id = AK\naws_secret_access_key = S\n");
        config.push_str("[profile x]\nrole_arn = arn:x\nsource_profile = y\n[profile y]\nrole_arn = arn:y\nsource_profile = z\n[profile z]\nrole_arn = arn:z\nsource_profile = y\n");
        let p = profiles(&config);
        assert_eq!(plan(&p, "p0").unwrap().unwrap().hops.len(), 20);
        match plan(&p, "x").unwrap_err() {
            CredentialsError::InvalidConfiguration { provider, message } => assert_eq!(
                (provider.as_str(), message.as_str()),
                (NAME, "source_profile cycle: x -> y -> z -> y")
            ),
            other => panic!("expected InvalidConfiguration: {other:?}"),
        }
    }
}
