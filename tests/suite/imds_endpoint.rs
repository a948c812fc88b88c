//! IMDS endpoint and settings resolution: every case of the SDKs' shared
//! `imds-endpoint-tests.json`, and the other IMDS settings.
#![cfg(feature = "http")]

use std::time::Duration;

use crate::support::TempDir;
use sigv4::config::{Env, ProfileSet};
use sigv4::imds::endpoint::resolve_endpoint;
use sigv4::imds::protocol::TOKEN_PATH;
use sigv4::imds::{EndpointMode, ImdsConfig, ImdsError};

fn case_env(dir: &TempDir, case: &serde_json::Value) -> Env {
    for (name, content) in case["fs"].as_object().expect("fs") {
        dir.write(name, content.as_str().expect("file content"));
    }
    let mut vars = vec![("HOME".to_owned(), dir.path().display().to_string())];
    for (k, v) in case["env"].as_object().expect("env") {
        let mut v = v.as_str().expect("string").to_owned();
        if k == "AWS_CONFIG_FILE" {
            v = dir.path().join(v).display().to_string();
        }
        vars.push((k.clone(), v));
    }
    Env::from_map(vars)
}

#[test]
fn imds_endpoint_vectors() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test-vectors/sdk-config/imds-endpoint-tests.json"
    ))
    .expect("imds-endpoint-tests.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let cases = doc["tests"].as_array().expect("tests");
    assert_eq!(cases.len(), 14);
    for case in cases {
        let docs = case["docs"].as_str().unwrap();
        let dir = TempDir::new("imds-endpoint");
        let env = case_env(&dir, case);
        let profiles = ProfileSet::load(&env).expect(docs);
        let mode = case["mode_override"]
            .as_str()
            .map(|m| m.parse::<EndpointMode>().expect(docs));
        let result = resolve_endpoint(case["endpoint_override"].as_str(), mode, &env, &profiles)
            .map(|e| e.url(TOKEN_PATH));
        match (
            case["result"]["Ok"].as_str(),
            case["result"]["Err"].as_str(),
        ) {
            (Some(expected), _) => assert_eq!(result.expect(docs), expected, "{docs}"),
            (None, Some(needle)) => {
                let e = result.expect_err(docs);
                assert!(
                    e.to_string().contains(needle),
                    "{docs}: `{e}` lacks `{needle}`"
                );
            }
            _ => panic!("{docs}: no expected result"),
        }
    }
}

#[test]
fn settings_from_environment_and_profile() {
    let dir = TempDir::new("imds-settings");
    let config = dir.write(
        "config",
        "[default]\nec2_metadata_v1_disabled = TRUE\nmetadata_service_timeout = 2.5\nmetadata_service_num_attempts = 5\n\
         [profile loose]\nregion = x\n",
    );
    let base = [
        ("HOME", dir.path().display().to_string()),
        ("AWS_CONFIG_FILE", config.display().to_string()),
    ];
    let env = Env::from_map(base.clone());
    let c = ImdsConfig::from_env(&env, &ProfileSet::load(&env).unwrap()).unwrap();
    assert!(c.is_v1_disabled() && !c.is_disabled());
    assert_eq!(c.connect_timeout(), Duration::from_millis(2500));
    assert_eq!(c.read_timeout(), Duration::from_millis(2500));
    assert_eq!(c.max_attempts(), 5);
    assert_eq!(c.endpoint().as_str(), "http://169.254.169.254");

    let mut vars = base.to_vec();
    vars.extend([
        ("AWS_PROFILE", "loose".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "bogus".to_owned()),
    ]);
    let env = Env::from_map(vars.clone());
    let c = ImdsConfig::from_env(&env, &ProfileSet::load(&env).unwrap()).unwrap();
    assert!(
        c.is_disabled(),
        "disabled wins, even over an invalid endpoint mode"
    );
    assert!(!c.is_v1_disabled());
    assert_eq!(c.connect_timeout(), ImdsConfig::DEFAULT_TIMEOUT);
    assert_eq!(c.max_attempts(), ImdsConfig::DEFAULT_MAX_ATTEMPTS);

    for (var, value) in [
        ("AWS_METADATA_SERVICE_TIMEOUT", "0"),
        ("AWS_METADATA_SERVICE_TIMEOUT", "soon"),
        ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "0"),
        ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "11"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "not a uri"),
    ] {
        let env = Env::from_map([("HOME", "/nonexistent"), (var, value)]);
        let e = ImdsConfig::from_env(&env, &ProfileSet::default()).unwrap_err();
        assert!(
            matches!(e, ImdsError::InvalidConfiguration { .. }),
            "{var}={value}: {e}"
        );
    }
    let env = Env::from_map([("AWS_EC2_METADATA_DISABLED", "yes")]);
    assert!(!ImdsConfig::from_env(&env, &ProfileSet::default())
        .unwrap()
        .is_disabled());
}
