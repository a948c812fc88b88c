//! The loaded files: [`ProfileSet`] (profiles, sso-sessions, services)
//! and its [`Section`]s, read from the paths [`FileLocations`] gives.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use super::error::ProfileLoadError;
use super::location::{FileLocations, DEFAULT_PROFILE};
use super::parse::{self, FileKind, ParsedFile, ProfileParseError, Properties};
use super::Env;

/// Whether the value of property `key` is a secret that must not be shown in
/// debug output: `aws_secret_access_key`, `aws_session_token` and its legacy
/// spelling `aws_security_token` (compared case-insensitively).
pub fn is_sensitive_key(key: &str) -> bool {
    [
        "aws_secret_access_key",
        "aws_session_token",
        "aws_security_token",
    ]
    .iter()
    .any(|secret| key.eq_ignore_ascii_case(secret))
}

/// Key lookups are case-insensitive: keys are stored lower-case.
fn lower(key: &str) -> Cow<'_, str> {
    if key.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(key.to_ascii_lowercase())
    } else {
        Cow::Borrowed(key)
    }
}

/// One section of the files: a profile, an sso-session or a services
/// section, with its properties.
///
/// Property keys are case-insensitive. Values are returned as written
/// (after trimming and comment removal); continuation lines are joined
/// with `\n`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Section {
    name: String,
    properties: Properties,
}

impl Section {
    fn new(name: String, properties: Properties) -> Self {
        Section { name, properties }
    }

    /// The section's name (`dev` for `[profile dev]`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value of property `key` (case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.get(lower(key).as_ref()).map(String::as_str)
    }

    /// Whether property `key` is set (case-insensitive), even to `""`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.properties.contains_key(lower(key).as_ref())
    }

    /// All properties as `(lower-case key, value)`, sorted by key. Values are
    /// not redacted: this is the real data.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.properties
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The number of properties.
    pub fn len(&self) -> usize {
        self.properties.len()
    }

    /// Whether the section has no properties.
    pub fn is_empty(&self) -> bool {
        self.properties.is_empty()
    }

    /// The sub-properties of `key`, as `(name, value)` in file order, when
    /// `key` was written as a sub-property block:
    ///
    /// ```text
    /// s3 =
    ///   addressing_style = path
    /// ```
    ///
    /// Returns `None` when `key` is unset or has an ordinary value
    /// (including an empty one with no indented lines after it).
    /// Sub-property names are returned as written.
    pub fn sub_properties(&self, key: &str) -> Option<Vec<(&str, &str)>> {
        parse::split_sub_properties(self.get(key)?)
    }

    /// The value of sub-property `sub_key` of `key`. Both names are compared
    /// case-insensitively; if `sub_key` appears more than once, the last one
    /// wins.
    pub fn sub_property(&self, key: &str, sub_key: &str) -> Option<&str> {
        self.sub_properties(key)?
            .into_iter()
            .rev()
            .find(|(name, _)| name.eq_ignore_ascii_case(sub_key))
            .map(|(_, value)| value)
    }
}

impl fmt::Debug for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Redacted<'a>(&'a Properties);
        impl fmt::Debug for Redacted<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for (key, value) in self.0 {
                    if is_sensitive_key(key) {
                        map.entry(key, &format_args!("** redacted **"));
                    } else {
                        map.entry(key, value);
                    }
                }
                map.finish()
            }
        }
        f.debug_struct("Section")
            .field("name", &self.name)
            .field("properties", &Redacted(&self.properties))
            .finish()
    }
}

/// Everything loaded from the config and credentials files, plus the name of
/// the selected profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileSet {
    profiles: BTreeMap<String, Section>,
    sso_sessions: BTreeMap<String, Section>,
    services: BTreeMap<String, Section>,
    selected: String,
}

impl Default for ProfileSet {
    /// No profiles; `default` selected.
    fn default() -> Self {
        ProfileSet {
            profiles: BTreeMap::new(),
            sso_sessions: BTreeMap::new(),
            services: BTreeMap::new(),
            selected: DEFAULT_PROFILE.to_owned(),
        }
    }
}

fn sections(map: BTreeMap<String, Properties>) -> BTreeMap<String, Section> {
    map.into_iter()
        .map(|(name, props)| (name.clone(), Section::new(name, props)))
        .collect()
}

impl ProfileSet {
    /// Parses the text of a config file and a credentials file (either may be
    /// `""`) and merges them; the credentials file wins for a key set in
    /// both. The selected profile is `default`.
    pub fn parse(config: &str, credentials: &str) -> Result<Self, ProfileParseError> {
        let config = parse::parse_file(config, FileKind::Config)?;
        let credentials = parse::parse_file(credentials, FileKind::Credentials)?;
        Ok(Self::merge(config, credentials))
    }

    fn merge(config: ParsedFile, credentials: ParsedFile) -> Self {
        let mut profiles = config.profiles;
        for (name, props) in credentials.profiles {
            profiles.entry(name).or_default().extend(props);
        }
        ProfileSet {
            profiles: sections(profiles),
            sso_sessions: sections(config.sso_sessions),
            services: sections(config.services),
            selected: DEFAULT_PROFILE.to_owned(),
        }
    }

    /// Loads the files named by `env` (see [`FileLocations`]) for the
    /// platform this program runs on, selecting the profile from
    /// `AWS_PROFILE` or `default`.
    pub fn load(env: &Env) -> Result<Self, ProfileLoadError> {
        Self::load_with_profile(env, None)
    }

    /// Like [`load`](Self::load), but an explicit profile name (such as a
    /// `--profile` option), when given and not blank, wins over
    /// `AWS_PROFILE`.
    pub fn load_with_profile(env: &Env, profile: Option<&str>) -> Result<Self, ProfileLoadError> {
        Self::load_from(&FileLocations::from_env(env, profile))
    }

    /// Reads the files in `locations` and selects `locations.profile`.
    ///
    /// A file that does not exist (or has no path) counts as empty. A file
    /// that exists but cannot be read, is not UTF-8 or does not parse is an
    /// error naming its path.
    pub fn load_from(locations: &FileLocations) -> Result<Self, ProfileLoadError> {
        let config = read_and_parse(locations.config.as_deref(), FileKind::Config)?;
        let credentials = read_and_parse(locations.credentials.as_deref(), FileKind::Credentials)?;
        Ok(Self::merge(config, credentials).with_selected_profile(&locations.profile))
    }

    /// Returns the set with `name` selected.
    pub fn with_selected_profile(mut self, name: &str) -> Self {
        self.set_selected_profile(name);
        self
    }

    /// Selects profile `name` (which need not exist).
    pub fn set_selected_profile(&mut self, name: &str) {
        name.clone_into(&mut self.selected);
    }

    /// The name of the selected profile.
    pub fn selected_profile_name(&self) -> &str {
        &self.selected
    }

    /// The selected profile, if it exists in the files.
    pub fn selected_profile(&self) -> Option<&Section> {
        self.profile(&self.selected)
    }

    /// Profile `name` (case-sensitive), if it exists.
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profiles.get(name)
    }

    /// All profiles, sorted by name.
    pub fn profiles(&self) -> impl Iterator<Item = &Section> + '_ {
        self.profiles.values()
    }

    /// Property `key` (case-insensitive) of profile `profile`.
    pub fn get(&self, profile: &str, key: &str) -> Option<&str> {
        self.profile(profile)?.get(key)
    }

    /// Property `key` of the selected profile.
    pub fn get_selected(&self, key: &str) -> Option<&str> {
        self.get(&self.selected, key)
    }

    /// Sub-property `sub_key` of property `key` of profile `profile`; see
    /// [`Section::sub_property`].
    pub fn sub_property(&self, profile: &str, key: &str, sub_key: &str) -> Option<&str> {
        self.profile(profile)?.sub_property(key, sub_key)
    }

    /// The `[sso-session name]` section, if any.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.sso_sessions.get(name)
    }

    /// All sso-session sections, sorted by name.
    pub fn sso_sessions(&self) -> impl Iterator<Item = &Section> + '_ {
        self.sso_sessions.values()
    }

    /// The `[services name]` section, if any.
    pub fn services(&self, name: &str) -> Option<&Section> {
        self.services.get(name)
    }

    /// All services sections, sorted by name.
    pub fn all_services(&self) -> impl Iterator<Item = &Section> + '_ {
        self.services.values()
    }

    /// Whether there are no profiles, sso-sessions or services sections.
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty() && self.sso_sessions.is_empty() && self.services.is_empty()
    }
}

fn read_and_parse(path: Option<&Path>, file: FileKind) -> Result<ParsedFile, ProfileLoadError> {
    let Some(path) = path else {
        return Ok(ParsedFile::default());
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ParsedFile::default()),
        Err(source) => {
            return Err(ProfileLoadError::Read {
                file,
                path: path.to_owned(),
                source,
            })
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| ProfileLoadError::InvalidUtf8 {
        file,
        path: path.to_owned(),
        valid_up_to: e.utf8_error().valid_up_to(),
    })?;
    parse::parse_file(&text, file).map_err(|source| ProfileLoadError::Parse {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ParseErrorKind, Platform};
    use std::path::PathBuf;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sigv4-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".aws")).unwrap();
        dir
    }

    #[test]
    fn secrets_are_redacted_from_debug() {
        let p = ProfileSet::parse(
            "[profile a]\nAWS_SECRET_ACCESS_KEY = config-secret\n",
            "[a]\naws_session_token = the-token\naws_security_token = legacy-token\n\
             aws_access_key_id = AKIDVISIBLE\naws_secret_access_key = creds-secret\n",
        )
        .unwrap();
        let profile = p.profile("a").unwrap();
        assert_eq!(profile.get("aws_secret_access_key"), Some("creds-secret"));
        for debug in [format!("{p:?}"), format!("{p:#?}"), format!("{profile:?}")] {
            for secret in ["config-secret", "creds-secret", "the-token", "legacy-token"] {
                assert!(!debug.contains(secret), "{secret} leaked in {debug}");
            }
            assert!(debug.contains("AKIDVISIBLE"));
            assert!(debug.contains("** redacted **"));
        }
        let env = Env::from_map([("AWS_SECRET_ACCESS_KEY", "env-secret")]);
        let debug = format!("{env:?}");
        assert!(!debug.contains("env-secret") && debug.contains("AWS_SECRET_ACCESS_KEY"));
    }

    #[test]
    fn parse_errors_do_not_contain_line_text() {
        let e = ProfileSet::parse("", "[a]\naws_secret_access_key secret-value").unwrap_err();
        assert_eq!(e.kind(), ParseErrorKind::MissingPropertyEquals);
        assert_eq!(e.file(), FileKind::Credentials);
        assert!(!e.to_string().contains("secret-value"));
        assert!(!format!("{e:?}").contains("secret-value"));
    }

    #[test]
    fn credentials_win_and_sections_are_exposed() {
        let p = ProfileSet::parse(
            "[profile a]\nregion = r1\nx = config\n[sso-session s]\nsso_region = r2\n\
             [services svc]\ns3 =\n  endpoint_url = http://localhost:9000\n",
            "[a]\nx = creds\n[b]\ny = 1",
        )
        .unwrap();
        assert_eq!(p.get("a", "x"), Some("creds"));
        assert_eq!(p.get("a", "REGION"), Some("r1"));
        assert_eq!(p.get("b", "y"), Some("1"));
        assert_eq!(p.get("c", "y"), None);
        assert_eq!(
            p.profiles().map(Section::name).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(
            p.sso_session("s").and_then(|s| s.get("sso_region")),
            Some("r2")
        );
        assert_eq!(p.sso_sessions().count(), 1);
        let svc = p.services("svc").unwrap();
        assert_eq!(
            svc.sub_property("S3", "ENDPOINT_URL"),
            Some("http://localhost:9000")
        );
        assert_eq!(p.all_services().count(), 1);
        assert!(!p.is_empty());
        assert!(ProfileSet::parse("", "").unwrap().is_empty());
    }

    #[test]
    fn sub_property_access() {
        let p = ProfileSet::parse(
            "[default]\ns3 =\n  a = 1\n  A = 2\n  b =\nplain = x\nempty =\n",
            "",
        )
        .unwrap();
        let d = p.selected_profile().unwrap();
        assert_eq!(
            d.sub_properties("s3"),
            Some(vec![("a", "1"), ("A", "2"), ("b", "")])
        );
        assert_eq!(d.sub_property("s3", "a"), Some("2"));
        assert_eq!(d.sub_property("s3", "b"), Some(""));
        assert_eq!(d.sub_property("s3", "c"), None);
        assert_eq!(d.sub_properties("plain"), None);
        assert_eq!(d.sub_properties("empty"), None);
        assert!(d.contains_key("EMPTY"));
        assert_eq!(p.sub_property("default", "s3", "a"), Some("2"));
    }

    #[test]
    fn load_reads_files_from_a_fake_environment() {
        let home = temp_dir("load");
        std::fs::write(home.join(".aws/config"), "[profile dev]\nregion = r\n").unwrap();
        std::fs::write(home.join("creds"), "[dev]\naws_access_key_id = AKID\n").unwrap();
        let env = Env::from_map([
            ("HOME", home.to_str().unwrap()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                home.join("creds").to_str().unwrap(),
            ),
            ("AWS_PROFILE", "dev"),
        ]);
        let loc = FileLocations::resolve(&env, Platform::Unix, None);
        let p = ProfileSet::load_from(&loc).unwrap();
        assert_eq!(p.selected_profile_name(), "dev");
        assert_eq!(p.get_selected("region"), Some("r"));
        assert_eq!(p.get_selected("aws_access_key_id"), Some("AKID"));
        let loc = FileLocations::resolve(&env, Platform::Unix, Some("cli"));
        assert_eq!(
            ProfileSet::load_from(&loc).unwrap().selected_profile_name(),
            "cli"
        );
        if Platform::current() == Platform::Unix {
            let p = ProfileSet::load_with_profile(&env, Some("other")).unwrap();
            assert_eq!(p.get("dev", "region"), Some("r"));
            assert_eq!(p.selected_profile_name(), "other");
        }
        let _ = std::fs::remove_dir_all(&home);
    }

    #[test]
    fn missing_files_are_empty_bad_files_are_errors() {
        let home = temp_dir("errors");
        let loc = FileLocations {
            config: Some(home.join("nope")),
            credentials: None,
            profile: "default".into(),
        };
        let p = ProfileSet::load_from(&loc).unwrap();
        assert!(p.is_empty());
        assert_eq!(p.selected_profile_name(), "default");

        // A directory cannot be read as a file.
        let loc = FileLocations {
            config: Some(home.join(".aws")),
            ..loc
        };
        let e = ProfileSet::load_from(&loc).unwrap_err();
        assert!(matches!(
            e,
            ProfileLoadError::Read {
                file: FileKind::Config,
                ..
            }
        ));
        assert_eq!(e.path(), home.join(".aws"));
        assert!(e
            .to_string()
            .contains(&home.join(".aws").display().to_string()));

        let bad = home.join("bad");
        std::fs::write(&bad, "[default]\n= x\n").unwrap();
        let loc = FileLocations {
            config: None,
            credentials: Some(bad.clone()),
            profile: "default".into(),
        };
        let e = ProfileSet::load_from(&loc).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(&bad.display().to_string()), "{msg}");
        assert!(msg.contains("Property did not have a name"), "{msg}");
        assert!(msg.contains("line 2"), "{msg}");
        assert!(std::error::Error::source(&e).is_some());

        std::fs::write(&bad, b"[default]\nx = \xff\n").unwrap();
        let e = ProfileSet::load_from(&loc).unwrap_err();
        assert!(matches!(
            e,
            ProfileLoadError::InvalidUtf8 {
                valid_up_to: 14,
                file: FileKind::Credentials,
                ..
            }
        ));
        let _ = std::fs::remove_dir_all(&home);
    }
}
