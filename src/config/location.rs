//! Which config and credentials files are read, and which profile is used.
//!
//! Everything here is a pure function of an [`Env`] and a [`Platform`], so
//! it can be tested with a fake environment; [`FileLocations::from_env`] is
//! the thin wrapper that uses the platform this program runs on.

use std::path::PathBuf;

use super::env_vars::{
    AWS_CONFIG_FILE, AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE, HOME, HOMEDRIVE, HOMEPATH,
    USERPROFILE,
};
use super::Env;

/// The profile used when none is selected.
pub const DEFAULT_PROFILE: &str = "default";

/// The operating system family, which decides how the home directory is
/// found and which path separator is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Windows: home from `HOME`, then `USERPROFILE`, then
    /// `HOMEDRIVE` + `HOMEPATH`; paths joined with `\`; `~\` and `~/` expand.
    Windows,
    /// Anything else (Linux, macOS, BSDs...): home from `HOME`; paths joined
    /// with `/`; `~/` expands.
    Unix,
}

impl Platform {
    /// The platform this program was compiled for.
    pub fn current() -> Self {
        if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }

    fn separator(self) -> char {
        match self {
            Platform::Windows => '\\',
            Platform::Unix => '/',
        }
    }

    fn is_separator(self, c: char) -> bool {
        c == '/' || (self == Platform::Windows && c == '\\')
    }
}

/// The files to read and the profile to select.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileLocations {
    /// The config file, or `None` when no path could be worked out (no
    /// `AWS_CONFIG_FILE` and no home directory).
    pub config: Option<PathBuf>,
    /// The credentials file, or `None` when no path could be worked out.
    pub credentials: Option<PathBuf>,
    /// The selected profile name.
    pub profile: String,
}

impl FileLocations {
    /// Works out the files and profile from `env` as `platform` would.
    ///
    /// * config: `AWS_CONFIG_FILE`, else `<home>/.aws/config`;
    /// * credentials: `AWS_SHARED_CREDENTIALS_FILE`, else
    ///   `<home>/.aws/credentials`;
    /// * a leading `~` in either variable is replaced by the home directory
    ///   (see [`expand_home`]);
    /// * profile: see [`selected_profile`].
    ///
    /// Blank (empty or whitespace-only) variables count as unset.
    pub fn resolve(env: &Env, platform: Platform, explicit_profile: Option<&str>) -> Self {
        let home = home_dir(env, platform);
        let file = |var: &str, default_name: &str| -> Option<PathBuf> {
            match env.get_non_blank(var) {
                Some(path) => Some(PathBuf::from(expand_home(&path, home.as_deref(), platform))),
                None => {
                    let sep = platform.separator();
                    let relative = format!(".aws{sep}{default_name}");
                    home.as_deref()
                        .map(|home| PathBuf::from(join(home, &relative, platform)))
                }
            }
        };
        FileLocations {
            config: file(AWS_CONFIG_FILE, "config"),
            credentials: file(AWS_SHARED_CREDENTIALS_FILE, "credentials"),
            profile: selected_profile(env, explicit_profile),
        }
    }

    /// [`resolve`](Self::resolve) for the platform this program runs on.
    pub fn from_env(env: &Env, explicit_profile: Option<&str>) -> Self {
        Self::resolve(env, Platform::current(), explicit_profile)
    }

    /// The files a credentials source reads: `fixed` when it was given
    /// some (with `explicit_profile`, if any, as the profile), else those
    /// the environment names.
    #[cfg(feature = "client")]
    pub(crate) fn fixed_or_from_env(
        fixed: Option<&FileLocations>,
        env: &Env,
        explicit_profile: Option<&str>,
    ) -> Self {
        match fixed {
            Some(l) => {
                let mut l = l.clone();
                if let Some(p) = explicit_profile {
                    l.profile = p.to_owned();
                }
                l
            }
            None => Self::from_env(env, explicit_profile),
        }
    }
}

/// The user's home directory according to `env`.
///
/// `HOME` is used first on every platform. On Windows, `USERPROFILE` comes
/// next, then `HOMEDRIVE` followed by `HOMEPATH` (both must be set). Blank
/// values count as unset. Returns `None` when nothing applies; in
/// particular no system user database is consulted.
pub fn home_dir(env: &Env, platform: Platform) -> Option<String> {
    if let Some(home) = env.get_non_blank(HOME) {
        return Some(home);
    }
    if platform == Platform::Windows {
        if let Some(profile) = env.get_non_blank(USERPROFILE) {
            return Some(profile);
        }
        if let (Some(drive), Some(path)) =
            (env.get_non_blank(HOMEDRIVE), env.get_non_blank(HOMEPATH))
        {
            return Some(format!("{drive}{path}"));
        }
    }
    None
}

/// Replaces a leading `~` with `home`: `~` alone, `~/rest`, and on Windows
/// also `~\rest`. Other paths (including `~user/...`, which is not
/// supported) are returned unchanged, as is everything when `home` is
/// `None`.
pub fn expand_home(path: &str, home: Option<&str>, platform: Platform) -> String {
    let Some(home) = home else {
        return path.to_owned();
    };
    let Some(rest) = path.strip_prefix('~') else {
        return path.to_owned();
    };
    if rest.is_empty() {
        return home.to_owned();
    }
    let mut chars = rest.chars();
    match chars.next() {
        Some(c) if platform.is_separator(c) => join(home, chars.as_str(), platform),
        _ => path.to_owned(),
    }
}

/// Joins `relative` onto `base` with the platform's separator, without
/// doubling a separator `base` already ends with.
fn join(base: &str, relative: &str, platform: Platform) -> String {
    if base.ends_with(|c| platform.is_separator(c)) {
        format!("{base}{relative}")
    } else {
        format!("{base}{}{relative}", platform.separator())
    }
}

/// The profile to use: `explicit` (such as the CLI's `--profile`) wins, then
/// `AWS_PROFILE`, then `"default"`. Blank values are ignored and
/// surrounding whitespace is trimmed.
pub fn selected_profile(env: &Env, explicit: Option<&str>) -> String {
    explicit
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .or_else(|| env.get_non_blank(AWS_PROFILE).map(|p| p.trim().to_owned()))
        .unwrap_or_else(|| DEFAULT_PROFILE.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env::from_map(vars.iter().copied())
    }

    #[test]
    fn home_resolution_order() {
        let all = env(&[
            ("HOME", "/h"),
            ("USERPROFILE", "U"),
            ("HOMEDRIVE", "D:"),
            ("HOMEPATH", "\\p"),
        ]);
        assert_eq!(home_dir(&all, Platform::Windows).as_deref(), Some("/h"));
        assert_eq!(home_dir(&all, Platform::Unix).as_deref(), Some("/h"));

        let no_home = env(&[("HOME", " "), ("USERPROFILE", "U"), ("HOMEDRIVE", "D:")]);
        assert_eq!(home_dir(&no_home, Platform::Windows).as_deref(), Some("U"));
        assert_eq!(home_dir(&no_home, Platform::Unix), None);

        let drive = env(&[("HOMEDRIVE", "D:"), ("HOMEPATH", "\\p")]);
        assert_eq!(
            home_dir(&drive, Platform::Windows).as_deref(),
            Some("D:\\p")
        );
        let half = env(&[("HOMEPATH", "\\p")]);
        assert_eq!(home_dir(&half, Platform::Windows), None);
    }

    #[test]
    fn tilde_expansion() {
        let h = Some("/home/me");
        assert_eq!(expand_home("~", h, Platform::Unix), "/home/me");
        assert_eq!(expand_home("~/x/y", h, Platform::Unix), "/home/me/x/y");
        assert_eq!(expand_home("~\\x", h, Platform::Unix), "~\\x");
        assert_eq!(expand_home("~other/x", h, Platform::Unix), "~other/x");
        assert_eq!(expand_home("/a/~/b", h, Platform::Unix), "/a/~/b");
        assert_eq!(expand_home("~/x", None, Platform::Unix), "~/x");
        assert_eq!(expand_home("~/x", Some("/"), Platform::Unix), "/x");
        let w = Some("C:\\Users\\me");
        assert_eq!(
            expand_home("~\\x", w, Platform::Windows),
            "C:\\Users\\me\\x"
        );
        assert_eq!(expand_home("~/x", w, Platform::Windows), "C:\\Users\\me\\x");
    }

    #[test]
    fn overrides_are_expanded_and_blank_ones_ignored() {
        let e = env(&[
            ("HOME", "/home/me"),
            ("AWS_CONFIG_FILE", "~/cfg"),
            ("AWS_SHARED_CREDENTIALS_FILE", ""),
        ]);
        let loc = FileLocations::resolve(&e, Platform::Unix, None);
        assert_eq!(loc.config, Some(PathBuf::from("/home/me/cfg")));
        assert_eq!(
            loc.credentials,
            Some(PathBuf::from("/home/me/.aws/credentials"))
        );
    }

    #[test]
    fn no_home_means_no_default_files() {
        let e = env(&[("AWS_CONFIG_FILE", "/etc/aws")]);
        let loc = FileLocations::resolve(&e, Platform::Unix, None);
        assert_eq!(loc.config, Some(PathBuf::from("/etc/aws")));
        assert_eq!(loc.credentials, None);
    }

    #[test]
    fn profile_selection() {
        let e = env(&[("AWS_PROFILE", " env ")]);
        assert_eq!(selected_profile(&e, None), "env");
        assert_eq!(selected_profile(&e, Some("cli")), "cli");
        assert_eq!(selected_profile(&e, Some("  ")), "env");
        assert_eq!(
            selected_profile(&env(&[("AWS_PROFILE", "")]), None),
            "default"
        );
        assert_eq!(selected_profile(&env(&[]), None), "default");
    }
}
