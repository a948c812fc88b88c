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
//! crate runs in `tests/suite/sdk_config.rs`). No well-kept Rust crate parses that
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

mod endpoint_url;
mod env;
pub mod env_vars;
mod error;
mod location;
mod parse;
mod profiles;
mod region;
pub mod writer;

pub use endpoint_url::{
    configured_endpoint_url, service_config_key, service_env_suffix, ConfiguredEndpoints,
};
pub use env::Env;
pub use error::ProfileLoadError;
pub use location::{
    expand_home, home_dir, selected_profile, FileLocations, Platform, DEFAULT_PROFILE,
};
pub use parse::{FileKind, ParseErrorKind, ProfileParseError};
pub use profiles::{is_sensitive_key, ProfileSet, Section};
pub use region::{
    is_valid_region, resolve_region, resolve_region_with_fallback, RegionSource, DEFAULT_REGION,
};
