//! Runs the AWS SDKs' shared conformance data for the config file layer:
//! `test-vectors/sdk-config/profile-parser-tests.json` and
//! `test-vectors/sdk-config/file-location-tests.json`.
//!
//! Every case runs; a failure lists every failing case by index and name.

#![cfg(feature = "std")]

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;
use sigv4::config::{Env, FileLocations, Platform, ProfileSet, Section};

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors/sdk-config")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON in {}: {e}", path.display()))
}

fn cases(data: &Value) -> &Vec<Value> {
    data["tests"].as_array().expect("a `tests` array")
}

fn case_name(index: usize, case: &Value) -> String {
    format!(
        "#{index} {:?}",
        case["name"].as_str().unwrap_or("<unnamed>")
    )
}

fn finish(kind: &str, total: usize, expected_total: usize, failures: &[String]) {
    println!(
        "{kind}: ran {total} cases, {} passed, {} failed",
        total - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {total} {kind} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(total, expected_total, "unexpected number of {kind} cases");
}

/// Compares the sections the parser produced with the expected JSON object
/// `{ name: { key: "value" | { sub: "value" } } }`.
fn compare_sections<'a>(
    what: &str,
    expected: &Value,
    actual: impl Iterator<Item = &'a Section>,
) -> Result<(), String> {
    let expected = expected
        .as_object()
        .ok_or_else(|| format!("expected {what} is not an object"))?;
    let actual: BTreeMap<&str, &Section> = actual.map(|s| (s.name(), s)).collect();
    let expected_names: Vec<&str> = expected.keys().map(String::as_str).collect();
    let actual_names: Vec<&str> = actual.keys().copied().collect();
    let mut expected_sorted = expected_names.clone();
    expected_sorted.sort_unstable();
    if expected_sorted != actual_names {
        return Err(format!(
            "{what}: expected names {expected_sorted:?}, got {actual_names:?}"
        ));
    }
    for (name, props) in expected {
        let section = actual[name.as_str()];
        let props = props
            .as_object()
            .ok_or_else(|| format!("{what} {name}: expected properties not an object"))?;
        if props.len() != section.len() {
            let got: Vec<(&str, &str)> = section.iter().collect();
            return Err(format!(
                "{what} {name}: expected {} properties {props:?}, got {got:?}",
                props.len()
            ));
        }
        for (key, value) in props {
            let got = section.get(key);
            let ok = match value {
                Value::String(s) => got == Some(s.as_str()),
                // Sub-properties given as a nested map.
                Value::Object(subs) => section.sub_properties(key).is_some_and(|pairs| {
                    let got: BTreeMap<&str, &str> = pairs.into_iter().collect();
                    got.len() == subs.len()
                        && subs
                            .iter()
                            .all(|(k, v)| got.get(k.as_str()).copied() == v.as_str())
                }),
                _ => false,
            };
            if !ok {
                return Err(format!(
                    "{what} {name}: {key}: expected {value}, got {got:?}"
                ));
            }
        }
    }
    Ok(())
}

fn run_parser_case(case: &Value) -> Result<(), String> {
    let input = &case["input"];
    let config = input["configFile"].as_str().unwrap_or("");
    let credentials = input["credentialsFile"].as_str().unwrap_or("");
    let output = &case["output"];
    let result = ProfileSet::parse(config, credentials);

    if let Some(needle) = output["errorContaining"].as_str() {
        return match result {
            Ok(set) => Err(format!(
                "expected an error containing {needle:?}, parsed {set:?}"
            )),
            Err(e) if e.to_string().contains(needle) => Ok(()),
            Err(e) => Err(format!(
                "expected an error containing {needle:?}, got {e:?}: {e}"
            )),
        };
    }

    let set = result.map_err(|e| format!("unexpected error: {e}"))?;
    let expected = &output["config"];
    if expected.is_null() {
        return Err("case has neither `errorContaining` nor `config` output".into());
    }
    compare_sections("profiles", &expected["profiles"], set.profiles())?;
    for key in ["ssoSessions", "sso_sessions"] {
        if !expected[key].is_null() {
            compare_sections("sso-sessions", &expected[key], set.sso_sessions())?;
        }
    }
    Ok(())
}

#[test]
fn profile_parser_tests() {
    let data = load("profile-parser-tests.json");
    let cases = cases(&data);
    let failures: Vec<String> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, case)| {
            run_parser_case(case)
                .err()
                .map(|why| format!("{}: {why}", case_name(i, case)))
        })
        .collect();
    finish("profile-parser", cases.len(), 65, &failures);
}

fn run_location_case(case: &Value) -> Result<(), String> {
    let vars = case["environment"]
        .as_object()
        .ok_or("no `environment` object")?
        .iter()
        .map(|(k, v)| {
            Ok((
                k.clone(),
                v.as_str().ok_or("non-string variable")?.to_owned(),
            ))
        })
        .collect::<Result<Vec<(String, String)>, String>>()?;
    let env = Env::from_map(vars);
    let platform = match case["platform"].as_str() {
        Some("windows") => Platform::Windows,
        Some("linux") | Some("macos") => Platform::Unix,
        other => return Err(format!("unknown platform {other:?}")),
    };
    let loc = FileLocations::resolve(&env, platform, None);
    let check = |what: &str, expected: &Value, got: &Option<PathBuf>| match expected.as_str() {
        Some(path) if got.as_deref() == Some(PathBuf::from(path).as_path()) => Ok(()),
        Some(path) => Err(format!("{what}: expected {path:?}, got {got:?}")),
        None => Err(format!("{what}: no expected value")),
    };
    check("config", &case["configLocation"], &loc.config)?;
    check(
        "credentials",
        &case["credentialsLocation"],
        &loc.credentials,
    )?;
    if let Some(profile) = case["profile"].as_str() {
        if loc.profile != profile {
            return Err(format!(
                "profile: expected {profile:?}, got {:?}",
                loc.profile
            ));
        }
    }
    Ok(())
}

#[test]
fn file_location_tests() {
    let data = load("file-location-tests.json");
    let cases = cases(&data);
    let failures: Vec<String> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, case)| {
            run_location_case(case)
                .err()
                .map(|why| format!("{}: {why}", case_name(i, case)))
        })
        .collect();
    finish("file-location", cases.len(), 9, &failures);
}
