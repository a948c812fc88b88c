//! Shared AWS config and credentials files (`~/.aws/config`,
//! `~/.aws/credentials`), profile selection and region resolution.
//!
//! ```
//! use sigv4::config::ProfileSet;
//!
//! let config = "\
//! [default]
//! region = eu-west-1
//!
//! [profile dev]   # comment
//! region = us-west-2
//! s3 =
//!   addressing_style = path
//! ";
//! let credentials = "\
//! [dev]
//! aws_access_key_id = AKIDEXAMPLE
//! aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//! ";
//! let profiles = ProfileSet::parse(config, credentials)?;
//! assert_eq!(profiles.get("dev", "region"), Some("us-west-2"));
//! assert_eq!(profiles.get("dev", "AWS_ACCESS_KEY_ID"), Some("AKIDEXAMPLE"));
//! assert_eq!(profiles.sub_property("dev", "s3", "addressing_style"), Some("path"));
//! assert_eq!(profiles.selected_profile_name(), "default");
//! assert_eq!(profiles.get_selected("region"), Some("eu-west-1"));
//! // Secrets never show up in debug output.
//! assert!(!format!("{profiles:?}").contains("wJalrXUtnFEMI"));
//! # Ok::<(), sigv4::config::ProfileParseError>(())
//! ```
//!
//! # Why a hand-written parser
//!
//! The files look like INI, but the AWS SDKs define their own dialect and
//! share a conformance suite for it (the "profile parser tests", which this
//! crate runs in `tests/sdk_config.rs`). No well-kept Rust crate parses that
//! dialect with that suite: the general `ini` crates differ from it on
//! continuation lines, sub-properties, where a comment may start, case
//! rules and the profile prefix rules. The dialect is small, so this module
//! implements it directly, with no dependency beyond `std`.
//!
//! # The rules
//!
//! **Lines.** Lines end with `\n` or `\r\n`; a leading byte order mark is
//! ignored. Whitespace means space and tab. Blank lines are ignored, and so
//! are lines whose *first* character is `#` or `;`.
//!
//! **Section headers** are lines starting with `[`. Everything from the first
//! `#` or `;` on is a comment (no whitespace needed, so `[profile a]#x` is
//! fine, but `[profile a#b]` is an error); what is left, trimmed, must end with
//! `]`, else the file is rejected ("Profile definition must end with ']'").
//! The text between the brackets is trimmed and interpreted by file:
//!
//! | header | config file | credentials file |
//! | --- | --- | --- |
//! | `[default]` | profile `default` (unless the file also has `[profile default]`, which then wins, wherever it is) | profile `default` |
//! | `[profile name]` (space or tab after `profile`) | profile `name` | ignored (`profile name` is not a valid name) |
//! | `[name]` | ignored | profile `name` |
//! | `[sso-session name]` | sso-session `name` | ignored |
//! | `[services name]` | services section `name` | ignored |
//!
//! Names must be one or more of `A-Z a-z 0-9 - / . % @ _ : +`; sections with
//! other names are ignored (with their properties). Profile names and the
//! `profile`/`sso-session`/`services` keywords are case-sensitive.
//!
//! **Properties** are `key = value` lines (not indented) inside a section; a
//! property before any section is an error. The line is split at the first
//! `=`, key and value are trimmed. A `#` or `;` starts a comment only when
//! preceded by whitespace: `a = b # c` is `b`, `a = b#c` is `b#c`. A missing
//! `=` or an empty key is an error. Keys with characters outside the name set
//! above are ignored; keys are case-insensitive (stored lower-case). A later
//! definition of a key replaces an earlier one, and repeated sections merge.
//!
//! **Continuations.** An indented line (starting with space or tab) continues
//! the previous property's value: it is trimmed and appended after a `\n`.
//! Comments are not recognised on continuation lines. Blank and comment lines
//! in between are skipped. A continuation right after a section header is an
//! error.
//!
//! **Sub-properties.** When a property's own value is empty (`s3 =`), its
//! continuation lines must each be `name = value` (else it is an error); the
//! raw value is kept (`"\nname = value"`) and [`Section::sub_properties`]
//! splits it.
//!
//! **Merging.** A profile present in both files gets the properties of both;
//! for a key in both, the credentials file wins. sso-session and services
//! sections come from the config file only.
//!
//! Syntax errors are reported (as [`ProfileParseError`], with the file kind and
//! line number, never the line's text) even inside sections that are then
//! ignored, so whether a file is valid does not depend on its section names.
//!
//! # Files, profile and region
//!
//! [`FileLocations`] decides which files are read and which profile is
//! selected (see its docs); [`ProfileSet::load`] reads them; missing files
//! count as empty. [`resolve_region`] picks the region. All of them take an
//! [`Env`], which is either the real process environment or a map, so tests
//! never need to change the process environment.
//!
//! # Secrets
//!
//! The `Debug` output of [`Section`], [`ProfileSet`] and [`Env`] never shows
//! secret values (see [`is_sensitive_key`]).

mod location;
mod parse;
pub mod writer;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

pub use location::{
    expand_home, home_dir, selected_profile, FileLocations, Platform, AWS_CONFIG_FILE, AWS_PROFILE,
    AWS_SHARED_CREDENTIALS_FILE, DEFAULT_PROFILE,
};
pub use parse::{FileKind, ParseErrorKind, ProfileParseError};

use parse::{ParsedFile, Properties};

/// Environment variable giving the region (first choice).
pub const AWS_REGION: &str = "AWS_REGION";
/// Environment variable giving the region (second choice).
pub const AWS_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
/// The region used when nothing else gives one.
pub const DEFAULT_REGION: &str = "us-east-1";

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

/// Where environment variables come from: the real process environment or a
/// fixed map (for tests, or to resolve settings for another process).
///
/// Values that are not valid Unicode count as unset. `Debug` shows only
/// the variable names of a map, never the values.
#[derive(Clone)]
pub struct Env {
    source: EnvSource,
}

#[derive(Clone)]
enum EnvSource {
    Process,
    Map(HashMap<String, String>),
}

impl Env {
    /// The environment of this process, read at each lookup.
    pub fn real() -> Self {
        Env {
            source: EnvSource::Process,
        }
    }

    /// A fixed environment holding exactly `vars`.
    ///
    /// ```
    /// use sigv4::config::Env;
    /// let env = Env::from_map([("AWS_PROFILE", "dev")]);
    /// assert_eq!(env.get("AWS_PROFILE").as_deref(), Some("dev"));
    /// assert_eq!(env.get("HOME"), None);
    /// ```
    pub fn from_map<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Env {
            source: EnvSource::Map(
                vars.into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
        }
    }

    /// The value of variable `name`, if set.
    pub fn get(&self, name: &str) -> Option<String> {
        match &self.source {
            EnvSource::Process => std::env::var_os(name)?.into_string().ok(),
            EnvSource::Map(map) => map.get(name).cloned(),
        }
    }

    /// The value of `name` unless it is unset, empty or only whitespace.
    /// The value is returned as is (not trimmed).
    pub fn get_non_blank(&self, name: &str) -> Option<String> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            EnvSource::Process => f.write_str("Env::Real"),
            EnvSource::Map(map) => {
                let mut names: Vec<&str> = map.keys().map(String::as_str).collect();
                names.sort_unstable();
                f.debug_struct("Env::Map").field("names", &names).finish()
            }
        }
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

/// Why [`ProfileSet::load`] failed. Every variant names the file's path.
#[derive(Debug)]
#[non_exhaustive]
pub enum ProfileLoadError {
    /// The file exists (or its existence could not be checked) but could
    /// not be read.
    Read {
        /// Which of the two files.
        file: FileKind,
        /// Its path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid UTF-8.
    InvalidUtf8 {
        /// Which of the two files.
        file: FileKind,
        /// Its path.
        path: PathBuf,
        /// The byte offset of the first invalid byte.
        valid_up_to: usize,
    },
    /// The file has a syntax error.
    Parse {
        /// Its path.
        path: PathBuf,
        /// The syntax error (which also tells which file kind).
        source: ProfileParseError,
    },
}

impl ProfileLoadError {
    /// The path of the file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ProfileLoadError::Read { path, .. }
            | ProfileLoadError::InvalidUtf8 { path, .. }
            | ProfileLoadError::Parse { path, .. } => path,
        }
    }
}

impl fmt::Display for ProfileLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileLoadError::Read { file, path, source } => write!(
                f,
                "could not read the AWS shared {file} file {}: {source}",
                path.display()
            ),
            ProfileLoadError::InvalidUtf8 {
                file,
                path,
                valid_up_to,
            } => write!(
                f,
                "the AWS shared {file} file {} is not valid UTF-8 (at byte {valid_up_to})",
                path.display()
            ),
            ProfileLoadError::Parse { path, source } => {
                write!(f, "error in {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for ProfileLoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProfileLoadError::Read { source, .. } => Some(source),
            ProfileLoadError::Parse { source, .. } => Some(source),
            ProfileLoadError::InvalidUtf8 { .. } => None,
        }
    }
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

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sigv4-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".aws")).unwrap();
        dir
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

    #[test]
    fn env_map_and_blank_values() {
        let env = Env::from_map([("A", "x"), ("B", " \t"), ("C", "")]);
        assert_eq!(env.get("A").as_deref(), Some("x"));
        assert_eq!(env.get("B").as_deref(), Some(" \t"));
        assert_eq!(env.get_non_blank("B"), None);
        assert_eq!(env.get_non_blank("C"), None);
        assert_eq!(env.get_non_blank("D"), None);
        // The real environment: PATH is set wherever tests run.
        assert!(Env::real().get("PATH").is_some());
        assert_eq!(format!("{:?}", Env::real()), "Env::Real");
    }
}
