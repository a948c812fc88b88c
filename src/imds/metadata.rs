//! Typed EC2 instance metadata (feature `client`) over [`ImdsClient`]
//! (which owns the IMDSv2 token cache, endpoint selection and retries).
//!
//! Every getter is a `GET` of one documented path; directories are read
//! with [`InstanceMetadata::list`]. Values the instance may not have
//! (public address, tags, user data) are `Option`s: a `404` is `None`.
//!
//! ```
//! use std::sync::Arc;
//! use sigv4::imds::metadata::InstanceMetadata;
//! use sigv4::imds::{ImdsClient, ImdsConfig, ImdsEndpoint};
//! use sigv4::transport::from_fn;
//!
//! // A fake IMDS answering two paths (IMDSv1 style: the token request gets 404).
//! let transport = from_fn(|request, _| {
//!     let (status, body) = match request.uri().path() {
//!         "/latest/meta-data/instance-id" => (200, "i-0abc"),
//!         "/latest/meta-data/security-groups" => (200, "default\nweb"),
//!         _ => (404, ""),
//!     };
//!     Ok(http::Response::builder().status(status).body(body.as_bytes().to_vec()).unwrap())
//! });
//! let config = ImdsConfig::new(ImdsEndpoint::parse("http://127.0.0.1:1")?);
//! let metadata = InstanceMetadata::new(Arc::new(ImdsClient::new(Arc::new(transport), config)));
//! assert_eq!(metadata.instance_id()?, "i-0abc");
//! assert_eq!(metadata.security_groups()?, ["default", "web"]);
//! assert_eq!(metadata.public_ipv4()?, None);
//! assert_eq!(metadata.user_data()?, None);
//! # Ok::<(), sigv4::imds::ImdsError>(())
//! ```

use std::sync::Arc;

use super::protocol::IDENTITY_DOCUMENT_PATH;
use super::{ImdsClient, ImdsError};

const META: &str = "/latest/meta-data/";

/// The instance's metadata, user data and identity document.
#[derive(Clone, Debug)]
pub struct InstanceMetadata {
    client: Arc<ImdsClient>,
}

/// `iam/info`: the instance profile.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IamInfo {
    /// `InstanceProfileArn`.
    pub instance_profile_arn: String,
    /// `InstanceProfileId`.
    pub instance_profile_id: Option<String>,
    /// `LastUpdated`.
    pub last_updated: Option<String>,
}

/// One network interface (`network/interfaces/macs/{mac}/...`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetworkInterface {
    /// The MAC address.
    pub mac: String,
    /// `device-number`.
    pub device_number: Option<u32>,
    /// `interface-id`.
    pub interface_id: Option<String>,
    /// `local-ipv4s`.
    pub local_ipv4s: Vec<String>,
    /// `public-ipv4s`.
    pub public_ipv4s: Vec<String>,
    /// `ipv6s`.
    pub ipv6s: Vec<String>,
    /// `subnet-id`.
    pub subnet_id: Option<String>,
    /// `vpc-id`.
    pub vpc_id: Option<String>,
    /// `security-group-ids`.
    pub security_group_ids: Vec<String>,
}

/// The instance identity document
/// (`/latest/dynamic/instance-identity/document`).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct IdentityDocument {
    /// `accountId`.
    pub account_id: String,
    /// `region`.
    pub region: String,
    /// `availabilityZone`.
    pub availability_zone: Option<String>,
    /// `instanceId`.
    pub instance_id: String,
    /// `instanceType`.
    pub instance_type: Option<String>,
    /// `imageId`.
    pub image_id: Option<String>,
    /// `privateIp`.
    pub private_ip: Option<String>,
    /// `architecture`.
    pub architecture: Option<String>,
    /// `pendingTime`.
    pub pending_time: Option<String>,
    /// The whole document.
    pub raw: serde_json::Value,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn invalid(path: &str, message: &str) -> ImdsError {
    ImdsError::InvalidResponse {
        path: path.to_owned(),
        message: message.to_owned(),
    }
}

/// Parses an instance identity document.
pub fn parse_identity_document(text: &str) -> Result<IdentityDocument, ImdsError> {
    let path = IDENTITY_DOCUMENT_PATH;
    let raw: serde_json::Value =
        serde_json::from_str(text).map_err(|_| invalid(path, "not a JSON document"))?;
    let s = |k: &str| raw.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    Ok(IdentityDocument {
        account_id: s("accountId").ok_or_else(|| invalid(path, "no accountId"))?,
        region: s("region").ok_or_else(|| invalid(path, "no region"))?,
        instance_id: s("instanceId").ok_or_else(|| invalid(path, "no instanceId"))?,
        availability_zone: s("availabilityZone"),
        instance_type: s("instanceType"),
        image_id: s("imageId"),
        private_ip: s("privateIp"),
        architecture: s("architecture"),
        pending_time: s("pendingTime"),
        raw,
    })
}

/// Parses `iam/info`.
pub fn parse_iam_info(text: &str) -> Result<IamInfo, ImdsError> {
    let path = "/latest/meta-data/iam/info";
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|_| invalid(path, "not a JSON document"))?;
    let s = |k: &str| v.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    if let Some(code) = s("Code").filter(|c| c != "Success") {
        return Err(invalid(path, &format!("Code is {code}")));
    }
    Ok(IamInfo {
        instance_profile_arn: s("InstanceProfileArn")
            .ok_or_else(|| invalid(path, "no InstanceProfileArn"))?,
        instance_profile_id: s("InstanceProfileId"),
        last_updated: s("LastUpdated"),
    })
}

impl InstanceMetadata {
    /// Reads through `client`.
    pub fn new(client: Arc<ImdsClient>) -> Self {
        InstanceMetadata { client }
    }

    /// The IMDS client.
    pub fn client(&self) -> &Arc<ImdsClient> {
        &self.client
    }

    /// `GET path` (absolute, e.g. `/latest/meta-data/ami-id`).
    pub fn get(&self, path: &str) -> Result<String, ImdsError> {
        self.client.get(path)
    }

    /// `GET path`, `None` on `404`.
    pub fn get_optional(&self, path: &str) -> Result<Option<String>, ImdsError> {
        match self.client.get(path) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The entries of a directory (`/latest/meta-data/` or a path ending
    /// with `/`); sub-directories keep their trailing `/`.
    pub fn list(&self, path: &str) -> Result<Vec<String>, ImdsError> {
        let path = if path.ends_with('/') {
            path.to_owned()
        } else {
            format!("{path}/")
        };
        Ok(lines(&self.client.get(&path)?))
    }

    fn meta(&self, name: &str) -> Result<String, ImdsError> {
        Ok(self.get(&format!("{META}{name}"))?.trim().to_owned())
    }

    fn meta_optional(&self, name: &str) -> Result<Option<String>, ImdsError> {
        Ok(self
            .get_optional(&format!("{META}{name}"))?
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty()))
    }

    /// `instance-id`.
    pub fn instance_id(&self) -> Result<String, ImdsError> {
        self.meta("instance-id")
    }
    /// `instance-type`.
    pub fn instance_type(&self) -> Result<String, ImdsError> {
        self.meta("instance-type")
    }
    /// `ami-id`.
    pub fn ami_id(&self) -> Result<String, ImdsError> {
        self.meta("ami-id")
    }
    /// `hostname`.
    pub fn hostname(&self) -> Result<String, ImdsError> {
        self.meta("hostname")
    }
    /// `local-hostname`.
    pub fn local_hostname(&self) -> Result<String, ImdsError> {
        self.meta("local-hostname")
    }
    /// `local-ipv4`.
    pub fn local_ipv4(&self) -> Result<String, ImdsError> {
        self.meta("local-ipv4")
    }
    /// `public-ipv4` (`None` without a public address).
    pub fn public_ipv4(&self) -> Result<Option<String>, ImdsError> {
        self.meta_optional("public-ipv4")
    }
    /// `public-hostname` (`None` without a public address).
    pub fn public_hostname(&self) -> Result<Option<String>, ImdsError> {
        self.meta_optional("public-hostname")
    }
    /// `mac` (of the primary interface).
    pub fn mac(&self) -> Result<String, ImdsError> {
        self.meta("mac")
    }
    /// `security-groups` (names).
    pub fn security_groups(&self) -> Result<Vec<String>, ImdsError> {
        Ok(lines(&self.meta("security-groups")?))
    }
    /// `placement/region`.
    pub fn region(&self) -> Result<String, ImdsError> {
        self.meta("placement/region")
    }
    /// `placement/availability-zone`.
    pub fn availability_zone(&self) -> Result<String, ImdsError> {
        self.meta("placement/availability-zone")
    }
    /// `iam/info` (`None` without an instance profile).
    pub fn iam_info(&self) -> Result<Option<IamInfo>, ImdsError> {
        match self.meta_optional("iam/info")? {
            Some(text) => parse_iam_info(&text).map(Some),
            None => Ok(None),
        }
    }

    /// `block-device-mapping/`: each name (`ami`, `root`, `ebs1`...) and its device.
    pub fn block_device_mapping(&self) -> Result<Vec<(String, String)>, ImdsError> {
        let mut out = Vec::new();
        for name in self.list(&format!("{META}block-device-mapping/"))? {
            let name = name.trim_end_matches('/').to_owned();
            let device = self.meta(&format!("block-device-mapping/{name}"))?;
            out.push((name, device));
        }
        Ok(out)
    }

    /// `network/interfaces/macs/`: every interface with its main fields.
    pub fn network_interfaces(&self) -> Result<Vec<NetworkInterface>, ImdsError> {
        let mut out = Vec::new();
        for mac in self.list(&format!("{META}network/interfaces/macs/"))? {
            let mac = mac.trim_end_matches('/').to_owned();
            let base = format!("network/interfaces/macs/{mac}/");
            let field = |name: &str| self.meta_optional(&format!("{base}{name}"));
            let list = |name: &str| -> Result<Vec<String>, ImdsError> {
                Ok(field(name)?.map(|v| lines(&v)).unwrap_or_default())
            };
            out.push(NetworkInterface {
                device_number: field("device-number")?.and_then(|n| n.parse().ok()),
                interface_id: field("interface-id")?,
                local_ipv4s: list("local-ipv4s")?,
                public_ipv4s: list("public-ipv4s")?,
                ipv6s: list("ipv6s")?,
                subnet_id: field("subnet-id")?,
                vpc_id: field("vpc-id")?,
                security_group_ids: list("security-group-ids")?,
                mac,
            });
        }
        Ok(out)
    }

    /// `tags/instance/`: the instance's tags, when tag access in metadata
    /// is turned on (`None` otherwise).
    pub fn tags(&self) -> Result<Option<Vec<(String, String)>>, ImdsError> {
        let keys = match self.get_optional(&format!("{META}tags/instance/"))? {
            Some(listing) => lines(&listing),
            None => return Ok(None),
        };
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let value = self.get(&format!("{META}tags/instance/{key}"))?;
            out.push((key, value));
        }
        Ok(Some(out))
    }

    /// The instance identity document, parsed.
    pub fn identity_document(&self) -> Result<IdentityDocument, ImdsError> {
        parse_identity_document(&self.get(IDENTITY_DOCUMENT_PATH)?)
    }

    /// `/latest/user-data` as raw bytes (`None` when the instance has none);
    /// it is often gzip-compressed, so it is not required to be text.
    pub fn user_data(&self) -> Result<Option<Vec<u8>>, ImdsError> {
        match self.client.get_bytes("/latest/user-data") {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_data_may_be_binary() {
        use crate::imds::{ImdsConfig, ImdsEndpoint};
        let gzip = vec![0x1f, 0x8b, 0x08, 0xff, 0x00];
        let body = gzip.clone();
        let transport = crate::transport::from_fn(move |req, _| {
            let resp = match (req.method().as_str(), req.uri().path()) {
                ("PUT", "/latest/api/token") => http::Response::builder()
                    .header("x-aws-ec2-metadata-token-ttl-seconds", "21600")
                    .body(b"token".to_vec()),
                ("GET", "/latest/user-data") => http::Response::builder().body(body.clone()),
                _ => http::Response::builder().status(404).body(Vec::new()),
            };
            resp.map_err(|e| {
                crate::transport::TransportError::new(
                    crate::transport::TransportErrorKind::Other,
                    e.to_string(),
                )
            })
        });
        let config = ImdsConfig::new(ImdsEndpoint::parse("http://127.0.0.1:1").unwrap());
        let client = Arc::new(ImdsClient::new(Arc::new(transport), config));
        let m = InstanceMetadata::new(client.clone());
        assert_eq!(m.user_data().unwrap(), Some(gzip));
        // Text getters still refuse a body that is not UTF-8.
        match client.get("/latest/user-data") {
            Err(ImdsError::InvalidResponse { path, message }) => assert_eq!(
                (path.as_str(), message.as_str()),
                ("/latest/user-data", "the body is not UTF-8")
            ),
            other => panic!("expected InvalidResponse: {other:?}"),
        }
    }

    #[test]
    fn parses_documents() {
        let doc = parse_identity_document(
            r#"{"accountId":"123456789012","architecture":"x86_64","availabilityZone":"us-east-1a","imageId":"ami-1","instanceId":"i-1","instanceType":"t3.micro","pendingTime":"2024-01-01T00:00:00Z","privateIp":"10.0.0.1","region":"us-east-1","version":"2017-09-30"}"#,
        )
        .unwrap();
        assert_eq!(
            (doc.account_id.as_str(), doc.region.as_str()),
            ("123456789012", "us-east-1")
        );
        assert_eq!(doc.raw["version"], "2017-09-30");
        let invalid = |e: ImdsError| match e {
            ImdsError::InvalidResponse { path, message } => (path, message),
            other => panic!("expected InvalidResponse: {other:?}"),
        };
        let doc_path = IDENTITY_DOCUMENT_PATH.to_owned();
        for (bad, message) in [
            ("{}", "no accountId"),
            ("nope", "not a JSON document"),
            (r#"{"accountId":"1"}"#, "no region"),
            (r#"{"accountId":"1","region":"r"}"#, "no instanceId"),
        ] {
            assert_eq!(
                invalid(parse_identity_document(bad).unwrap_err()),
                (doc_path.clone(), message.to_owned()),
                "{bad}"
            );
        }
        let info = parse_iam_info(
            r#"{"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z","InstanceProfileArn":"arn:aws:iam::1:instance-profile/p","InstanceProfileId":"AIPA"}"#,
        )
        .unwrap();
        assert_eq!(
            info.instance_profile_arn,
            "arn:aws:iam::1:instance-profile/p"
        );
        let info_path = "/latest/meta-data/iam/info".to_owned();
        for (bad, message) in [
            (r#"{"Code":"Failure"}"#, "Code is Failure"),
            (r#"{"Code":"Success"}"#, "no InstanceProfileArn"),
            ("[", "not a JSON document"),
        ] {
            assert_eq!(
                invalid(parse_iam_info(bad).unwrap_err()),
                (info_path.clone(), message.to_owned()),
                "{bad}"
            );
        }
    }
}
