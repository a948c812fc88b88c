//! The line parser for the shared config and credentials file dialect.
//!
//! Parsing happens in two stages:
//!
//! 1. [`parse_raw`] checks the *syntax* of every line and groups the lines
//!    into raw sections (`[...]` headers with their `key = value`
//!    properties, continuation lines already folded into the values). All
//!    syntax errors come from this stage, whatever the section is called, so
//!    a file is either well formed or not independently of its section names.
//! 2. [`normalize`] interprets the section headers for the kind of file
//!    (config or credentials), drops sections and properties whose names are
//!    not valid identifiers, lower-cases property names, merges duplicate
//!    sections and applies the `[profile default]` over `[default]` rule.
//!
//! See the documentation of [`crate::config`] for the rules themselves.

use std::collections::BTreeMap;
use std::fmt;

/// Properties of one section: lower-cased key to raw value.
pub(crate) type Properties = BTreeMap<String, String>;

/// Which of the two shared files a piece of text came from.
///
/// The two files name their sections differently: the config file uses
/// `[profile name]` (and `[default]`, `[sso-session name]`,
/// `[services name]`), the credentials file uses plain `[name]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// The shared config file (`~/.aws/config`, `AWS_CONFIG_FILE`).
    Config,
    /// The shared credentials file (`~/.aws/credentials`,
    /// `AWS_SHARED_CREDENTIALS_FILE`).
    Credentials,
}

impl FileKind {
    /// A short lower-case name for messages: `"config"` or `"credentials"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Config => "config",
            FileKind::Credentials => "credentials",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What was wrong with a line of a shared config or credentials file.
///
/// The [`Display`](fmt::Display) text of each kind is the message the AWS
/// SDKs' shared test data expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// A property or continuation line appeared before any `[section]`.
    ExpectedProfileDefinition,
    /// A line starting with `[` did not end with `]` (after removing a
    /// trailing comment).
    UnterminatedSectionHeader,
    /// A property line started with `=`: `= value`.
    MissingPropertyName,
    /// A property line had no `=` sign.
    MissingPropertyEquals,
    /// An indented (continuation) line followed a section header rather
    /// than a property.
    ContinuationWithoutProperty,
    /// A line inside a sub-property block (`key =` followed by indented
    /// lines) had no `=` sign.
    MissingSubPropertyEquals,
    /// A line inside a sub-property block started with `=`.
    MissingSubPropertyName,
}

impl ParseErrorKind {
    /// The message for this kind of error.
    pub fn message(self) -> &'static str {
        match self {
            ParseErrorKind::ExpectedProfileDefinition => "Expected a profile definition",
            ParseErrorKind::UnterminatedSectionHeader => "Profile definition must end with ']'",
            ParseErrorKind::MissingPropertyName => "Property did not have a name",
            ParseErrorKind::MissingPropertyEquals => "Expected an '=' sign defining a property",
            ParseErrorKind::ContinuationWithoutProperty => {
                "Expected a property definition, found continuation"
            }
            ParseErrorKind::MissingSubPropertyEquals => {
                "Expected an '=' sign defining a sub-property"
            }
            ParseErrorKind::MissingSubPropertyName => "Sub-property did not have a name",
        }
    }
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A syntax error in a shared config or credentials file.
///
/// The error names the file kind and the 1-based line number. It never
/// contains the text of the offending line, because that line may hold a
/// secret key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProfileParseError {
    file: FileKind,
    line: usize,
    kind: ParseErrorKind,
}

impl ProfileParseError {
    /// Which file the error is in.
    pub fn file(&self) -> FileKind {
        self.file
    }

    /// The 1-based line number of the offending line.
    pub fn line(&self) -> usize {
        self.line
    }

    /// What was wrong with the line.
    pub fn kind(&self) -> ParseErrorKind {
        self.kind
    }
}

impl fmt::Display for ProfileParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (AWS shared {} file, line {})",
            self.kind, self.file, self.line
        )
    }
}

impl std::error::Error for ProfileParseError {}

/// The result of parsing one file: its sections, already normalized.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ParsedFile {
    pub(crate) profiles: BTreeMap<String, Properties>,
    pub(crate) sso_sessions: BTreeMap<String, Properties>,
    pub(crate) services: BTreeMap<String, Properties>,
}

/// Parses the text of one file.
pub(crate) fn parse_file(text: &str, file: FileKind) -> Result<ParsedFile, ProfileParseError> {
    let raw = parse_raw(text, file)?;
    Ok(normalize(&raw, file))
}

/// Is `c` whitespace for the purposes of trimming? (Space and tab, plus a
/// stray carriage return.)
fn is_ws(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\r'
}

fn trim_ws(s: &str) -> &str {
    s.trim_matches(is_ws)
}

/// Whether `name` is a valid profile, section or property name: one or more
/// of `A-Z a-z 0-9 - / . % @ _ : +`.
pub(crate) fn is_valid_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.' | '%' | '@' | '_' | ':' | '+')
        })
}

/// Cuts a trailing comment off `line`.
///
/// With `needs_whitespace`, a `#` or `;` only starts a comment when the
/// character before it is a space or tab (property lines: `value#1` keeps its
/// `#`). Without it, the first `#` or `;` anywhere starts a comment (section
/// header lines).
fn strip_comment(line: &str, needs_whitespace: bool) -> &str {
    let mut prev_ws = false;
    for (idx, c) in line.char_indices() {
        if (c == '#' || c == ';') && (prev_ws || !needs_whitespace) {
            return &line[..idx];
        }
        prev_ws = c == ' ' || c == '\t';
    }
    line
}

/// A `[...]` section as written, before its header is interpreted.
#[derive(Debug)]
struct RawSection<'a> {
    /// The text between the brackets, trimmed.
    header: &'a str,
    properties: Vec<RawProperty<'a>>,
}

#[derive(Debug)]
struct RawProperty<'a> {
    /// The key as written (trimmed, not yet validated or lower-cased).
    key: &'a str,
    /// The value, with continuation lines appended after `\n`.
    value: String,
    /// The value on the `key =` line was empty, so continuation lines are
    /// sub-property definitions and must look like `name = value`.
    sub_properties: bool,
}

/// Stage 1: checks the syntax of every line and groups them into sections.
fn parse_raw(text: &str, file: FileKind) -> Result<Vec<RawSection<'_>>, ProfileParseError> {
    // A byte order mark, as some Windows editors write, is not part of the
    // first line.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<RawSection<'_>> = Vec::new();
    // Whether continuation lines currently extend the last property of the
    // last section. Reset by every section header.
    let mut in_property = false;

    for (idx, line) in text.split('\n').enumerate() {
        let error = |kind| ProfileParseError {
            file,
            line: idx + 1,
            kind,
        };
        let line = line.strip_suffix('\r').unwrap_or(line);

        // Blank lines and whole-line comments (comment character in the
        // first column) are skipped; they do not end a property, so a
        // continuation may follow them.
        if trim_ws(line).is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }

        if line.starts_with('[') {
            let header = trim_ws(strip_comment(line, false));
            let inner = header
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .ok_or(error(ParseErrorKind::UnterminatedSectionHeader))?;
            sections.push(RawSection {
                header: trim_ws(inner),
                properties: Vec::new(),
            });
            in_property = false;
        } else if line.starts_with(' ') || line.starts_with('\t') {
            // Continuation of the previous property's value. Comments are not
            // recognised here: they are part of the value.
            let section = sections
                .last_mut()
                .ok_or(error(ParseErrorKind::ExpectedProfileDefinition))?;
            let property = match section.properties.last_mut() {
                Some(property) if in_property => property,
                _ => return Err(error(ParseErrorKind::ContinuationWithoutProperty)),
            };
            let content = trim_ws(line);
            if property.sub_properties {
                let (key, _) = content
                    .split_once('=')
                    .ok_or(error(ParseErrorKind::MissingSubPropertyEquals))?;
                if trim_ws(key).is_empty() {
                    return Err(error(ParseErrorKind::MissingSubPropertyName));
                }
            }
            property.value.push('\n');
            property.value.push_str(content);
        } else {
            let section = sections
                .last_mut()
                .ok_or(error(ParseErrorKind::ExpectedProfileDefinition))?;
            let content = trim_ws(strip_comment(line, true));
            let (key, value) = content
                .split_once('=')
                .ok_or(error(ParseErrorKind::MissingPropertyEquals))?;
            let key = trim_ws(key);
            if key.is_empty() {
                return Err(error(ParseErrorKind::MissingPropertyName));
            }
            let value = trim_ws(value);
            section.properties.push(RawProperty {
                key,
                value: value.to_owned(),
                sub_properties: value.is_empty(),
            });
            in_property = true;
        }
    }
    Ok(sections)
}

/// What a section header means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SectionName<'a> {
    /// A profile. `prefixed_default` is true for `[profile default]` in the
    /// config file, which wins over `[default]` there.
    Profile {
        name: &'a str,
        prefixed_default: bool,
    },
    SsoSession(&'a str),
    Services(&'a str),
    /// Not a section we use: invalid name, unknown prefix, `[name]` without
    /// the `profile` prefix in the config file...
    Ignored,
}

/// `keyword` followed by at least one space or tab, then the rest (trimmed).
fn strip_keyword<'a>(header: &'a str, keyword: &str) -> Option<&'a str> {
    let rest = header.strip_prefix(keyword)?;
    if rest.starts_with(' ') || rest.starts_with('\t') {
        Some(trim_ws(rest))
    } else {
        None
    }
}

fn classify(header: &str, file: FileKind) -> SectionName<'_> {
    let named = match file {
        FileKind::Credentials => SectionName::Profile {
            name: header,
            prefixed_default: false,
        },
        FileKind::Config => {
            if header == "default" {
                SectionName::Profile {
                    name: header,
                    prefixed_default: false,
                }
            } else if let Some(name) = strip_keyword(header, "profile") {
                SectionName::Profile {
                    name,
                    prefixed_default: name == "default",
                }
            } else if let Some(name) = strip_keyword(header, "sso-session") {
                SectionName::SsoSession(name)
            } else if let Some(name) = strip_keyword(header, "services") {
                SectionName::Services(name)
            } else {
                SectionName::Ignored
            }
        }
    };
    let valid = match named {
        SectionName::Profile { name, .. }
        | SectionName::SsoSession(name)
        | SectionName::Services(name) => is_valid_identifier(name),
        SectionName::Ignored => false,
    };
    if valid {
        named
    } else {
        SectionName::Ignored
    }
}

/// Stage 2: interprets section headers, validates names, merges duplicates.
fn normalize(sections: &[RawSection<'_>], file: FileKind) -> ParsedFile {
    let classified: Vec<SectionName<'_>> =
        sections.iter().map(|s| classify(s.header, file)).collect();
    // In the config file, `[profile default]` anywhere in the file hides
    // every plain `[default]` section.
    let has_prefixed_default = classified.iter().any(|c| {
        matches!(
            c,
            SectionName::Profile {
                prefixed_default: true,
                ..
            }
        )
    });

    let mut parsed = ParsedFile::default();
    for (section, class) in sections.iter().zip(classified) {
        let target = match class {
            SectionName::Profile {
                name,
                prefixed_default,
            } => {
                if file == FileKind::Config
                    && name == "default"
                    && has_prefixed_default
                    && !prefixed_default
                {
                    continue;
                }
                parsed.profiles.entry(name.to_owned()).or_default()
            }
            SectionName::SsoSession(name) => {
                parsed.sso_sessions.entry(name.to_owned()).or_default()
            }
            SectionName::Services(name) => parsed.services.entry(name.to_owned()).or_default(),
            SectionName::Ignored => continue,
        };
        for property in &section.properties {
            // Properties with invalid names are dropped, together with their
            // continuation lines.
            if is_valid_identifier(property.key) {
                target.insert(property.key.to_ascii_lowercase(), property.value.clone());
            }
        }
    }
    parsed
}

/// Splits a sub-property block (a value that starts with a newline) into
/// `(name, value)` pairs, in file order. Returns `None` for a value that is
/// not a sub-property block.
pub(crate) fn split_sub_properties(value: &str) -> Option<Vec<(&str, &str)>> {
    let body = value.strip_prefix('\n')?;
    Some(
        body.split('\n')
            .filter_map(|line| {
                let (key, value) = line.split_once('=')?;
                let key = trim_ws(key);
                (!key.is_empty()).then(|| (key, trim_ws(value)))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> ParsedFile {
        parse_file(text, FileKind::Config).expect("valid config")
    }

    fn creds(text: &str) -> ParsedFile {
        parse_file(text, FileKind::Credentials).expect("valid credentials")
    }

    fn err(text: &str, file: FileKind) -> ProfileParseError {
        parse_file(text, file).expect_err("should fail")
    }

    fn prop<'a>(parsed: &'a ParsedFile, profile: &str, key: &str) -> Option<&'a str> {
        parsed.profiles.get(profile)?.get(key).map(String::as_str)
    }

    #[test]
    fn inline_comment_needs_whitespace_in_values_only() {
        let p = config("[profile a]#c\nx = 1#2\ny = 1 #2\nz = 1\t;2\nw = #all comment");
        assert_eq!(prop(&p, "a", "x"), Some("1#2"));
        assert_eq!(prop(&p, "a", "y"), Some("1"));
        assert_eq!(prop(&p, "a", "z"), Some("1"));
        assert_eq!(prop(&p, "a", "w"), Some(""));
    }

    #[test]
    fn comment_inside_section_header_truncates_it() {
        let e = err("[profile a#b]", FileKind::Config);
        assert_eq!(e.kind(), ParseErrorKind::UnterminatedSectionHeader);
        let e = err("[profile a] trailing", FileKind::Config);
        assert_eq!(e.kind(), ParseErrorKind::UnterminatedSectionHeader);
    }

    #[test]
    fn indented_lines_are_continuations_even_with_comment_characters() {
        let p = config("[profile a]\nx = 1\n  # not a comment\n\t[not a header]");
        assert_eq!(
            prop(&p, "a", "x"),
            Some("1\n# not a comment\n[not a header]")
        );
    }

    #[test]
    fn blank_and_comment_lines_do_not_end_a_property() {
        let p = config("[profile a]\nx = 1\n\n# comment\n  more");
        assert_eq!(prop(&p, "a", "x"), Some("1\nmore"));
    }

    #[test]
    fn sub_properties() {
        let p = config("[profile a]\ns3 =\n  addressing_style = path\n  Max_Conc = 10 # kept\n");
        let raw = prop(&p, "a", "s3").expect("s3");
        assert_eq!(raw, "\naddressing_style = path\nMax_Conc = 10 # kept");
        assert_eq!(
            split_sub_properties(raw),
            Some(vec![
                ("addressing_style", "path"),
                ("Max_Conc", "10 # kept")
            ])
        );
        assert_eq!(split_sub_properties("plain"), None);
        // A non-empty value makes continuation lines plain text, not
        // sub-properties, so they need no `=`.
        let p = config("[profile a]\ns3 = x\n  no equals here");
        assert_eq!(prop(&p, "a", "s3"), Some("x\nno equals here"));
    }

    #[test]
    fn sub_property_errors_carry_line_numbers() {
        let e = err("[profile a]\n\ns3 =\n  ok = 1\n  broken", FileKind::Config);
        assert_eq!(e.kind(), ParseErrorKind::MissingSubPropertyEquals);
        assert_eq!(e.line(), 5);
        assert_eq!(e.file(), FileKind::Config);
        let e = err("[a]\ns3 =\n = 1", FileKind::Credentials);
        assert_eq!(e.kind(), ParseErrorKind::MissingSubPropertyName);
        assert_eq!(e.file(), FileKind::Credentials);
        assert_eq!(
            e.to_string(),
            "Sub-property did not have a name (AWS shared credentials file, line 3)"
        );
    }

    #[test]
    fn syntax_is_checked_in_ignored_sections_too() {
        let e = err("[foo]\nnot a property", FileKind::Config);
        assert_eq!(e.kind(), ParseErrorKind::MissingPropertyEquals);
        let e = err("[profile in valid]\n  continued", FileKind::Config);
        assert_eq!(e.kind(), ParseErrorKind::ContinuationWithoutProperty);
    }

    #[test]
    fn invalid_property_drops_its_continuations() {
        let p = config("[profile a]\nin valid = 1\n  more\nok = 2");
        let a = p.profiles.get("a").expect("a");
        assert_eq!(a.len(), 1);
        assert_eq!(a.get("ok").map(String::as_str), Some("2"));
    }

    #[test]
    fn default_profile_rules() {
        // Config file: [profile default] hides [default] wherever it is.
        let p = config("[default]\na = 1\n[profile default]\nb = 2\n[default]\nc = 3");
        let d = p.profiles.get("default").expect("default");
        assert_eq!(d.keys().collect::<Vec<_>>(), ["b"]);
        // Without [profile default], [default] sections merge.
        let p = config("[default]\na = 1\n[default]\nc = 3");
        assert_eq!(p.profiles.get("default").map(|d| d.len()), Some(2));
        // Credentials file: [default] is the default profile and
        // [profile default] is an invalid name.
        let p = creds("[default]\na = 1\n[profile default]\nb = 2");
        let d = p.profiles.get("default").expect("default");
        assert_eq!(d.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(p.profiles.len(), 1);
    }

    #[test]
    fn section_prefixes_are_case_sensitive_and_need_whitespace() {
        let p = config("[Profile a]\n[PROFILE b]\n[profilec]\n[Default]\n[profile\t d ]");
        assert_eq!(p.profiles.keys().collect::<Vec<_>>(), ["d"]);
    }

    #[test]
    fn sso_session_and_services_sections_are_separate() {
        let p = config(
            "[sso-session my-sso]\nsso_region = us-east-1\n\
             [services dev]\ns3 =\n  endpoint_url = http://localhost\n\
             [profile dev]\nservices = dev\nsso_session = my-sso",
        );
        assert_eq!(p.profiles.len(), 1);
        assert_eq!(
            p.sso_sessions
                .get("my-sso")
                .and_then(|s| s.get("sso_region"))
                .map(String::as_str),
            Some("us-east-1")
        );
        assert!(p.services.get("dev").is_some_and(|s| s.contains_key("s3")));
        // Not recognised in the credentials file.
        let c = creds("[sso-session x]\na = 1\n[services y]\nb = 2");
        assert!(c.sso_sessions.is_empty() && c.services.is_empty() && c.profiles.is_empty());
    }

    #[test]
    fn keys_are_lower_cased_profile_names_are_not() {
        let p = config("[profile MyProfile]\nAWS_Access_Key_ID = AKID");
        assert_eq!(prop(&p, "MyProfile", "aws_access_key_id"), Some("AKID"));
        assert!(!p.profiles.contains_key("myprofile"));
    }

    #[test]
    fn crlf_bom_and_stray_carriage_returns() {
        let p = config("\u{feff}[profile a]\r\nx = 1\r\n  y\r\n\r\n");
        assert_eq!(prop(&p, "a", "x"), Some("1\ny"));
    }

    #[test]
    fn first_equals_splits_the_property() {
        let p = config("[profile a]\nx = a=b = c");
        assert_eq!(prop(&p, "a", "x"), Some("a=b = c"));
    }

    #[test]
    fn identifiers() {
        assert!(is_valid_identifier("a-b_c.d/e%f@g:h+i"));
        assert!(!is_valid_identifier(""));
        assert!(!is_valid_identifier("a b"));
        assert!(!is_valid_identifier("a!b"));
        assert!(!is_valid_identifier("é"));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn arbitrary_text_never_panics(text in any::<String>()) {
                let _ = parse_file(&text, FileKind::Config);
                let _ = parse_file(&text, FileKind::Credentials);
            }

            #[test]
            fn ini_like_text_never_panics_and_output_is_well_formed(
                text in "[\\[\\]=#; \t\r\na-zA-Z0-9_.é😂\u{feff}-]{0,300}"
            ) {
                for kind in [FileKind::Config, FileKind::Credentials] {
                    if let Ok(parsed) = parse_file(&text, kind) {
                        let all = parsed.profiles.iter()
                            .chain(&parsed.sso_sessions)
                            .chain(&parsed.services);
                        for (name, props) in all {
                            prop_assert!(is_valid_identifier(name));
                            for key in props.keys() {
                                prop_assert!(is_valid_identifier(key));
                                prop_assert_eq!(key.to_ascii_lowercase(), key.clone());
                            }
                        }
                    }
                }
            }

            #[test]
            fn written_profiles_parse_back(
                profiles in proptest::collection::btree_map(
                    "[A-Za-z0-9_.@:+/%-]{1,12}",
                    proptest::collection::btree_map(
                        "[a-z0-9_-]{1,12}",
                        "([!\"$-:<-~]([ -~]{0,20}[!-~])?)?",
                        0..5,
                    ),
                    0..5,
                )
            ) {
                // Values must not contain " #" or " ;", which start comments.
                let profiles: BTreeMap<String, Properties> = profiles
                    .into_iter()
                    .map(|(name, props)| {
                        let props = props
                            .into_iter()
                            .map(|(k, v)| (k, v.replace(" #", "_#").replace(" ;", "_;")))
                            .collect();
                        (name, props)
                    })
                    .collect();
                let mut text = String::new();
                for (name, props) in &profiles {
                    text.push_str(&format!("[{name}]\n"));
                    for (k, v) in props {
                        text.push_str(&format!("{k} = {v}\n"));
                    }
                }
                let parsed = parse_file(&text, FileKind::Credentials);
                prop_assert!(parsed.is_ok());
                if let Ok(parsed) = parsed {
                    prop_assert_eq!(parsed.profiles, profiles);
                }
            }
        }
    }
}
