//! Instance metadata for async code (feature `async`):
//! [`AsyncInstanceMetadata`] runs the typed getters of
//! [`InstanceMetadata`] (token cache, retries, IMDSv1 rules, parsing: the
//! same code) on the runtime's blocking pool, sending through an
//! [`AsyncTransport`].

use std::fmt;
use std::sync::Arc;

use super::metadata::{IamInfo, IdentityDocument, InstanceMetadata, NetworkInterface};
use super::{ImdsClient, ImdsConfig, ImdsError};
use crate::runtime::{run_blocking, SpawnBlocking};
use crate::transport::{TransportError, TransportErrorKind};
use crate::transport_async::{AsyncTransport, BlockingBridge};

/// Typed instance metadata, async; see the [module docs](self).
///
/// ```no_run
/// use std::sync::Arc;
/// use sigv4::imds::async_metadata::AsyncInstanceMetadata;
/// use sigv4::imds::ImdsConfig;
/// use sigv4::runtime::TokioRuntime;
/// use sigv4::transport_async::ReqwestTransport;
///
/// # async fn run() -> Result<(), sigv4::imds::ImdsError> {
/// let metadata = AsyncInstanceMetadata::new(
///     Arc::new(ReqwestTransport::new()), ImdsConfig::default(), Arc::new(TokioRuntime::new()));
/// println!("{} in {}", metadata.instance_id().await?, metadata.region().await?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AsyncInstanceMetadata {
    metadata: Arc<InstanceMetadata>,
    spawner: Arc<dyn SpawnBlocking>,
}

impl fmt::Debug for AsyncInstanceMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncInstanceMetadata")
            .field("client", self.metadata.client())
            .finish_non_exhaustive()
    }
}

macro_rules! getters {
    ($($(#[$doc:meta])* $name:ident -> $out:ty;)*) => {$(
        $(#[$doc])*
        pub async fn $name(&self) -> Result<$out, ImdsError> {
            self.run(|m| m.$name()).await
        }
    )*};
}

impl AsyncInstanceMetadata {
    /// Reads IMDS configured by `config` through `transport`, running the
    /// blocking client on `spawner`'s pool.
    pub fn new(
        transport: Arc<dyn AsyncTransport>,
        config: ImdsConfig,
        spawner: Arc<dyn SpawnBlocking>,
    ) -> Self {
        let client = ImdsClient::new(Arc::new(BlockingBridge::new(transport)), config);
        AsyncInstanceMetadata {
            metadata: Arc::new(InstanceMetadata::new(Arc::new(client))),
            spawner,
        }
    }

    /// The blocking metadata reader underneath.
    pub fn blocking(&self) -> &Arc<InstanceMetadata> {
        &self.metadata
    }

    /// Runs `f` with the blocking reader on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ImdsError>
    where
        T: Send + 'static,
        F: FnOnce(&InstanceMetadata) -> Result<T, ImdsError> + Send + 'static,
    {
        let metadata = self.metadata.clone();
        run_blocking(&*self.spawner, move || f(&metadata))
            .await
            .unwrap_or_else(|lost| {
                Err(ImdsError::Transport {
                    request: "IMDS".into(),
                    source: TransportError::new(TransportErrorKind::Other, lost.to_string()),
                })
            })
    }

    /// `GET path` (absolute, e.g. `/latest/meta-data/ami-id`).
    pub async fn get(&self, path: &str) -> Result<String, ImdsError> {
        let path = path.to_owned();
        self.run(move |m| m.get(&path)).await
    }

    /// `GET path`, `None` on `404`.
    pub async fn get_optional(&self, path: &str) -> Result<Option<String>, ImdsError> {
        let path = path.to_owned();
        self.run(move |m| m.get_optional(&path)).await
    }

    getters! {
        /// `instance-id`.
        instance_id -> String;
        /// `instance-type`.
        instance_type -> String;
        /// `ami-id`.
        ami_id -> String;
        /// `local-ipv4`.
        local_ipv4 -> String;
        /// `placement/region`.
        region -> String;
        /// `placement/availability-zone`.
        availability_zone -> String;
        /// `security-groups`.
        security_groups -> Vec<String>;
        /// `iam/info`, `None` without an instance profile.
        iam_info -> Option<IamInfo>;
        /// The network interfaces.
        network_interfaces -> Vec<NetworkInterface>;
        /// The instance's tags, `None` unless exposed in metadata.
        tags -> Option<Vec<(String, String)>>;
        /// The signed identity document.
        identity_document -> IdentityDocument;
        /// User data, `None` when there is none.
        user_data -> Option<Vec<u8>>;
    }
}
