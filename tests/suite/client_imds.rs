//! Typed instance metadata against the IMDS emulator (IMDSv2 tokens
//! required) on 127.0.0.1.
#![cfg(all(feature = "client", feature = "imds-emulator"))]

use std::sync::Arc;

use sigv4::imds::emulator::{EmulatorConfig, ImdsEmulator};
use sigv4::imds::metadata::InstanceMetadata;
use sigv4::imds::{ImdsClient, ImdsConfig, ImdsEndpoint};
use sigv4::transport::UreqTransport;

fn metadata(emulator: &ImdsEmulator) -> InstanceMetadata {
    let config = ImdsConfig::new(ImdsEndpoint::parse(&emulator.endpoint()).unwrap());
    InstanceMetadata::new(Arc::new(ImdsClient::new(
        Arc::new(UreqTransport::new()),
        config,
    )))
}

#[test]
fn typed_getters_against_the_emulator() {
    let mut config = EmulatorConfig::default().with_region("eu-central-1");
    for (k, v) in [
        (
            "local-hostname",
            "ip-10-0-0-1.eu-central-1.compute.internal",
        ),
        ("mac", "0e:00:00:00:00:01"),
        ("security-groups", "default\nweb"),
        (
            "iam/info",
            r#"{"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z","InstanceProfileArn":"arn:aws:iam::123456789012:instance-profile/p","InstanceProfileId":"AIPAEXAMPLE"}"#,
        ),
        ("block-device-mapping/ami", "xvda"),
        ("block-device-mapping/root", "/dev/xvda"),
        (
            "network/interfaces/macs/0e:00:00:00:00:01/device-number",
            "0",
        ),
        (
            "network/interfaces/macs/0e:00:00:00:00:01/interface-id",
            "eni-1",
        ),
        (
            "network/interfaces/macs/0e:00:00:00:00:01/local-ipv4s",
            "10.0.0.1\n10.0.0.2",
        ),
        (
            "network/interfaces/macs/0e:00:00:00:00:01/subnet-id",
            "subnet-1",
        ),
        (
            "network/interfaces/macs/0e:00:00:00:00:02/device-number",
            "1",
        ),
        ("tags/instance/Name", "web-1"),
        ("tags/instance/env", "test"),
    ] {
        config.metadata.insert(k.to_owned(), v.to_owned());
    }
    let emulator = ImdsEmulator::start(config).unwrap();
    let m = metadata(&emulator);

    assert_eq!(m.instance_id().unwrap(), "i-0123456789abcdef0");
    assert_eq!(m.instance_type().unwrap(), "t3.micro");
    assert_eq!(m.ami_id().unwrap(), "ami-0123456789abcdef0");
    assert_eq!(m.hostname().unwrap(), "ip-10-0-0-1.ec2.internal");
    assert_eq!(
        m.local_hostname().unwrap(),
        "ip-10-0-0-1.eu-central-1.compute.internal"
    );
    assert_eq!(m.local_ipv4().unwrap(), "10.0.0.1");
    assert_eq!(m.public_ipv4().unwrap(), None);
    assert_eq!(m.public_hostname().unwrap(), None);
    assert_eq!(m.mac().unwrap(), "0e:00:00:00:00:01");
    assert_eq!(m.security_groups().unwrap(), ["default", "web"]);
    assert_eq!(m.region().unwrap(), "eu-central-1");
    assert_eq!(m.availability_zone().unwrap(), "eu-central-1a");
    let info = m.iam_info().unwrap().expect("an instance profile");
    assert_eq!(
        info.instance_profile_arn,
        "arn:aws:iam::123456789012:instance-profile/p"
    );
    assert_eq!(
        m.block_device_mapping().unwrap(),
        [
            ("ami".to_string(), "xvda".to_string()),
            ("root".to_string(), "/dev/xvda".to_string())
        ]
    );
    let nics = m.network_interfaces().unwrap();
    assert_eq!(nics.len(), 2);
    assert_eq!(nics[0].mac, "0e:00:00:00:00:01");
    assert_eq!(nics[0].device_number, Some(0));
    assert_eq!(nics[0].interface_id.as_deref(), Some("eni-1"));
    assert_eq!(nics[0].local_ipv4s, ["10.0.0.1", "10.0.0.2"]);
    assert_eq!(nics[1].device_number, Some(1));
    assert_eq!(
        m.tags().unwrap(),
        Some(vec![
            ("Name".to_string(), "web-1".to_string()),
            ("env".to_string(), "test".to_string())
        ])
    );
    let doc = m.identity_document().unwrap();
    assert_eq!(
        (doc.account_id.as_str(), doc.region.as_str()),
        ("123456789012", "eu-central-1")
    );
    assert_eq!(doc.instance_id, "i-0123456789abcdef0");
    assert_eq!(m.user_data().unwrap(), None);
    let top = m.list("/latest/meta-data/").unwrap();
    assert!(
        top.contains(&"instance-id".to_string()) && top.contains(&"placement/".to_string()),
        "{top:?}"
    );
    // One token for all of it (the client's IMDSv2 token cache).
    assert_eq!(emulator.token_requests(), 1);
}

#[test]
fn missing_optional_values() {
    let emulator = ImdsEmulator::start(EmulatorConfig::default().without_role()).unwrap();
    let m = metadata(&emulator);
    assert_eq!(m.iam_info().unwrap(), None);
    assert_eq!(m.tags().unwrap(), None);
    assert!(m.get("/latest/meta-data/nope").unwrap_err().is_not_found());
}
