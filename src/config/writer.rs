//! Updating one profile of the shared credentials file in place.
//!
//! [`write_profile`] sets keys of one `[profile]` section and leaves every
//! other byte of the file as it was: other profiles, comments, blank lines,
//! line order. The new file is written to a temporary file in the same
//! directory with mode `0600` and renamed over the old one, so readers see
//! either the old or the new file, never half of one; the whole
//! read-modify-write holds a lock on `<file>.lock`, so concurrent writers
//! lose nothing.

use std::io;
use std::path::Path;

/// The parser's whitespace (`parse.rs`): space, tab, a stray CR.
const WS: [char; 3] = [' ', '\t', '\r'];

/// The section a line opens, read as the parser reads it: `[` in the first
/// column, a comment cut at the first `#` or `;`, the name between the
/// brackets.
fn section_name(line: &str) -> Option<&str> {
    if !line.starts_with('[') {
        return None;
    }
    let header = line.split(['#', ';']).next().unwrap_or("").trim_matches(WS);
    let header = header.trim_end_matches('\n').trim_matches(WS);
    Some(
        header
            .strip_prefix('[')?
            .strip_suffix(']')?
            .trim_matches(WS),
    )
}

/// A line the parser skips: blank, or a comment in the first column.
fn is_skipped(line: &str) -> bool {
    line.trim_matches(WS)
        .trim_end_matches('\n')
        .trim_matches(WS)
        .is_empty()
        || line.starts_with(['#', ';'])
}

/// A continuation line: indented, not blank.
fn is_continuation(line: &str) -> bool {
    line.starts_with([' ', '\t']) && !is_skipped(line)
}

fn property_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    let t = line.trim_start_matches(WS);
    if t.starts_with(['#', ';', '[']) {
        return None;
    }
    Some(t.split_once('=')?.0.trim_matches(WS))
}

/// Returns `text` with `keys` set in section `[section]` (the last one of
/// that name, where the parser gives later sections precedence), adding the
/// section at the end when it is missing. A key already there keeps its
/// position and spelling; its value (and any continuation lines) is
/// replaced. Everything else is unchanged byte for byte.
pub fn update_profile_text(text: &str, section: &str, keys: &[(&str, &str)]) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines.iter().rposition(|l| section_name(l) == Some(section));
    let Some(start) = start else {
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&format!("[{section}]\n"));
        for (k, v) in keys {
            out.push_str(&format!("{k} = {v}\n"));
        }
        return out;
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| section_name(l).is_some())
        .map_or(lines.len(), |i| start + 1 + i);
    let newline = if lines[start].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut out: Vec<String> = lines[..=start].iter().map(|l| l.to_string()).collect();
    let mut done = vec![false; keys.len()];
    let mut last_property = out.len();
    let mut i = start + 1;
    while i < end {
        let line = lines[i];
        match property_key(line).and_then(|k| {
            keys.iter()
                .position(|(want, _)| want.eq_ignore_ascii_case(k))
        }) {
            Some(j) => {
                let key_text = line
                    .trim_start()
                    .split_once('=')
                    .map_or(keys[j].0, |(k, _)| k.trim_end());
                out.push(format!("{key_text} = {}{newline}", keys[j].1));
                done[j] = true;
                i += 1;
                // Drop the old value's continuation lines; blank and
                // comment lines between them do not end the value (for the
                // parser), so they are looked past, and kept.
                loop {
                    let mut j = i;
                    while j < end && is_skipped(lines[j]) {
                        j += 1;
                    }
                    if j == end || !is_continuation(lines[j]) {
                        break;
                    }
                    out.extend(lines[i..j].iter().map(|l| l.to_string()));
                    i = j + 1;
                }
                last_property = out.len();
            }
            None => {
                if property_key(line).is_some() || is_continuation(line) {
                    last_property = out.len() + 1;
                }
                out.push(line.to_string());
                i += 1;
            }
        }
    }
    // A last line without newline gets one before anything is inserted after it.
    if let Some(last) = out.get_mut(last_property.saturating_sub(1)) {
        if !last.ends_with('\n') && done.iter().any(|d| !d) {
            last.push_str(newline);
        }
    }
    let missing: Vec<String> = keys
        .iter()
        .zip(&done)
        .filter(|(_, d)| !**d)
        .map(|((k, v), _)| format!("{k} = {v}{newline}"))
        .collect();
    out.splice(last_property..last_property, missing);
    let mut result: String = out.concat();
    for l in &lines[end..] {
        result.push_str(l);
    }
    result
}

/// Sets `keys` in profile `section` of the credentials file at `path`
/// (created when missing).
///
/// Safe against other writers that lock: the read, the change and the
/// atomic rename happen under an exclusive lock on `<path>.lock`, so
/// several processes writing their own profiles at once all keep theirs.
/// Readers never see a half-written file. The file ends with mode `0600`
/// and every byte outside the changed keys as it was. A writer that takes
/// no lock (the AWS CLI's `aws configure set`) can still race with it;
/// whichever renames last wins. A lock not had within 10 seconds is an
/// [`io::ErrorKind::TimedOut`] error, and nothing is written.
pub fn write_profile(path: &Path, section: &str, keys: &[(&str, &str)]) -> io::Result<()> {
    crate::util::locked_file::update(
        path,
        crate::util::locked_file::DEFAULT_LOCK_TIMEOUT,
        |old| {
            let old = match old {
                Some(bytes) => std::str::from_utf8(bytes).map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{} is not UTF-8", path.display()),
                    )
                })?,
                None => "",
            };
            Ok(update_profile_text(old, section, keys).into_bytes())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# my credentials\n\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1 ; comment\n\n; dev profile below\n[dev]\naws_access_key_id=AKIDOLD\naws_secret_access_key = old\naws_session_token = old\n  continued\nregion = eu-west-1\n\n[other]\nx = 1";

    #[test]
    fn updates_one_profile_and_keeps_the_rest() {
        let keys = [
            ("aws_access_key_id", "ASIANEW"),
            ("aws_secret_access_key", "new"),
            ("aws_session_token", "tok"),
        ];
        let out = update_profile_text(FILE, "dev", &keys);
        assert_eq!(
            out,
            "# my credentials\n\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1 ; comment\n\n; dev profile below\n[dev]\naws_access_key_id = ASIANEW\naws_secret_access_key = new\naws_session_token = tok\nregion = eu-west-1\n\n[other]\nx = 1"
        );
    }

    #[test]
    fn adds_missing_keys_and_sections() {
        let out = update_profile_text(FILE, "other", &[("aws_session_token", "tok")]);
        assert!(out.starts_with(&FILE[..FILE.len() - 5]));
        assert!(
            out.ends_with("[other]\nx = 1\naws_session_token = tok\n"),
            "{out:?}"
        );
        let out = update_profile_text(
            FILE,
            "mfa",
            &[("aws_access_key_id", "A"), ("aws_secret_access_key", "B")],
        );
        assert_eq!(
            out,
            format!("{FILE}\n\n[mfa]\naws_access_key_id = A\naws_secret_access_key = B\n")
        );
        assert_eq!(update_profile_text("", "p", &[("k", "v")]), "[p]\nk = v\n");
    }

    /// Found by the `config` fuzz target: a section is where the parser
    /// reads one. A header it ignores (`[default]x]`) or an indented one
    /// (a continuation line) is not where the keys go; a value's
    /// continuation lines go with it, blank lines between them or not.
    #[test]
    fn sections_are_read_as_the_parser_reads_them() {
        use crate::config::ProfileSet;
        for text in [
            "[default]default]\nname = value\n",
            "[a]\nk = v\n  [default]\n",
        ] {
            let out = update_profile_text(text, "default", &[("region", "us-west-1")]);
            let set = ProfileSet::parse("", &out).unwrap();
            assert_eq!(set.get("default", "region"), Some("us-west-1"), "{out:?}");
        }
        assert_eq!(section_name("[ dev ] # comment\r\n"), Some("dev"));
        // A continuation after a blank line is still the old value's.
        let text = "[default]\nn = old\n\t \n  more old\n# c\n  and more\nx = 1\n";
        let out = update_profile_text(text, "default", &[("n", "new")]);
        let set = ProfileSet::parse("", &out).unwrap();
        assert_eq!(set.get("default", "n"), Some("new"), "{out:?}");
        assert_eq!(set.get("default", "x"), Some("1"), "{out:?}");
        assert_ne!(section_name("[dev]x]\n"), Some("dev"));
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let out = update_profile_text(
            "[a]\r\nk = 1\r\n\r\n[b]\r\n",
            "a",
            &[("k", "2"), ("n", "3")],
        );
        assert_eq!(out, "[a]\r\nk = 2\r\nn = 3\r\n\r\n[b]\r\n");
    }

    #[test]
    fn result_parses_to_the_new_values() {
        let out = update_profile_text(FILE, "dev", &[("aws_session_token", "tok")]);
        let set = crate::config::ProfileSet::parse("", &out).unwrap();
        assert_eq!(set.get("dev", "aws_session_token"), Some("tok"));
        assert_eq!(set.get("dev", "region"), Some("eu-west-1"));
        assert_eq!(set.get("default", "aws_access_key_id"), Some("AKIDDEFAULT"));
    }

    #[cfg(unix)]
    #[test]
    fn writes_atomically_with_mode_0600() {
        use std::fs;
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("sigv4-writer-{}", std::process::id()));
        let path = dir.join("credentials");
        write_profile(&path, "p", &[("k", "v")]).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "[p]\nk = v\n");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        write_profile(&path, "p", &[("k", "w")]).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "[p]\nk = w\n");
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        // The lock file stays (removing it would race with a waiting writer).
        assert_eq!(
            names,
            ["credentials", "credentials.lock"],
            "temporary file left behind"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
