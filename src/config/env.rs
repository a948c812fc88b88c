//! [`Env`]: where environment variables come from (the process, or a map).

use std::collections::HashMap;
use std::fmt;

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

    /// Every variable whose name starts with `prefix`, as (name, value),
    /// sorted by name (values that are not valid Unicode are left out).
    pub fn vars_with_prefix(&self, prefix: &str) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = match &self.source {
            EnvSource::Process => std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .filter(|(k, _)| k.starts_with(prefix))
                .collect(),
            EnvSource::Map(map) => map
                .iter()
                .filter(|(k, _)| k.starts_with(prefix))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        vars.sort();
        vars
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

#[cfg(test)]
mod tests {
    use super::*;

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
