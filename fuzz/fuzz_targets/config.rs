//! The shared config file parser and the profile writer.
//!
//! Input: a file's text, then optionally a 0 byte, a section name line and
//! `key=value` lines (the update to write).
//! - `ProfileSet::parse` never panics, as a config or a credentials file;
//! - for a credentials file that parses and an update the dialect can hold
//!   (valid names, single-line trimmed values that hold no comment and
//!   do not start with `#` or `;`),
//!   `update_profile_text` gives a file that parses, in which the section
//!   has every key set to its value, its other keys and every other
//!   profile as they were; writing the same update again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4::config::writer::update_profile_text;
use sigv4::config::ProfileSet;
use std::collections::BTreeMap;

fn identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.' | '%' | '@' | '_' | ':' | '+'))
}

fn writable_value(v: &str) -> bool {
    !v.is_empty()
        && !v.contains(['\n', '\r'])
        && v.trim_matches([' ', '\t']) == v
        && !v.contains(" #")
        && !v.contains(" ;")
        && !v.contains("\t#")
        && !v.contains("\t;")
        // `key = #v`: the dialect reads a comment (see fuzz/README.md).
        && !v.starts_with(['#', ';'])
}

type Profiles = BTreeMap<String, BTreeMap<String, String>>;

fn profiles(set: &ProfileSet) -> Profiles {
    set.profiles()
        .map(|s| (s.name().to_string(), s.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let (text, update) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let Ok(text) = std::str::from_utf8(text) else { return };
    let _ = ProfileSet::parse(text, "");
    let Ok(before) = ProfileSet::parse("", text) else { return };
    let Some(update) = update.and_then(|u| std::str::from_utf8(u).ok()) else { return };
    let mut lines = update.split('\n');
    let section = lines.next().unwrap_or("");
    let keys: Vec<(&str, &str)> = lines.filter_map(|l| l.split_once('=')).collect();
    if !identifier(section)
        || keys.is_empty()
        || !keys.iter().all(|(k, v)| identifier(k) && writable_value(v))
    {
        let _ = update_profile_text(text, section, &keys);
        return;
    }
    // One value per key (the last one given), as the file can hold.
    let mut want: BTreeMap<String, &str> = BTreeMap::new();
    for (k, v) in &keys {
        want.insert(k.to_ascii_lowercase(), v);
    }
    let keys: Vec<(&str, &str)> = keys
        .iter()
        .enumerate()
        .filter(|(i, (k, _))| !keys[i + 1..].iter().any(|(k2, _)| k2.eq_ignore_ascii_case(k)))
        .map(|(_, kv)| *kv)
        .collect();
    let out = update_profile_text(text, section, &keys);
    let after = ProfileSet::parse("", &out).unwrap_or_else(|e| panic!("the written file does not parse: {e}\n{out:?}"));
    let (mut old, mut new) = (profiles(&before), profiles(&after));
    let got = new.remove(section).unwrap_or_else(|| panic!("no [{section}] after writing:\n{out:?}"));
    let mut expected = old.remove(section).unwrap_or_default();
    for (k, v) in &want {
        expected.insert(k.clone(), v.to_string());
    }
    assert_eq!(got, expected, "[{section}] after writing:\n{out:?}");
    assert_eq!(new, old, "other profiles changed:\n{out:?}");
    assert_eq!(update_profile_text(&out, section, &keys), out, "not idempotent");
});
