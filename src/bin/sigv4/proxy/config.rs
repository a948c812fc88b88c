//! The proxy's options, checked once at start-up: the upstream URL, the
//! listen address, what to sign for (service and region inferred from the
//! upstream host by [`crate::infer`]), the body limit, the timeouts.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use http::HeaderName;
use sigv4::config::is_valid_region;
use sigv4::sign::request::host_from_authority;

use crate::cli::{HostHeader, ProxyArgs};
use crate::commands::{region_set, Context};
use crate::Failure;

/// Where requests go.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// `http` or `https`.
    pub scheme: &'static str,
    /// `host[:port]` as given (lowercased).
    pub authority: String,
    /// The `host` header value: the authority without a default port.
    pub host: String,
    /// A path put before every request path: empty, or `/a/b` (no trailing `/`).
    pub base_path: String,
}

impl Upstream {
    /// Parses `http(s)://host[:port][/base/path]`: no user info, query or fragment.
    pub fn parse(url: &str) -> Result<Upstream, Failure> {
        // User info could be a password: never echoed.
        let shown = if url.contains('@') {
            "(a URL with user info)"
        } else {
            url
        };
        let bad = |why: &str| Failure::new(format!("invalid --upstream {shown:?}: {why}"));
        let uri: http::Uri = url
            .parse()
            .map_err(|_| bad("expected http(s)://host[:port][/base/path]"))?;
        let scheme = match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("https") => "https",
            Some(s) if s.eq_ignore_ascii_case("http") => "http",
            Some(_) => return Err(bad("the scheme must be http or https")),
            None => return Err(bad("expected http(s)://host[:port][/base/path]")),
        };
        let authority = uri.authority().ok_or_else(|| bad("no host"))?.as_str();
        if authority.contains('@') {
            return Err(bad(
                "user info is not allowed (credentials come from the chain)",
            ));
        }
        if uri.host().is_none_or(str::is_empty) {
            return Err(bad("no host"));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(bad("no query or fragment allowed: give the base URL only"));
        }
        let authority = authority.to_ascii_lowercase();
        let host = host_from_authority(Some(scheme), &authority).to_string();
        Ok(Upstream {
            scheme,
            host,
            base_path: uri.path().trim_end_matches('/').to_string(),
            authority,
        })
    }

    /// `scheme://authority`.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }
}

/// Parses `--listen`: `HOST:PORT` (an IP address or `localhost`), or a
/// port alone for 127.0.0.1.
pub fn parse_listen(value: &str) -> Result<SocketAddr, Failure> {
    let bad = || {
        Failure::new(format!(
            "invalid --listen {value:?}: expected HOST:PORT (e.g. 127.0.0.1:8080) or a port"
        ))
    };
    let local = IpAddr::V4(Ipv4Addr::LOCALHOST);
    if let Ok(port) = value.trim_start_matches(':').parse::<u16>() {
        return Ok(SocketAddr::new(local, port));
    }
    if let Ok(addr) = value.parse::<SocketAddr>() {
        return Ok(addr);
    }
    match value.rsplit_once(':') {
        Some((host, port)) if host.eq_ignore_ascii_case("localhost") => {
            Ok(SocketAddr::new(local, port.parse().map_err(|_| bad())?))
        }
        _ => Err(bad()),
    }
}

/// Everything a request needs to know, fixed at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    pub upstream: Upstream,
    pub listen: SocketAddr,
    pub service: String,
    pub region: String,
    /// Where the region came from (for the start-up line).
    pub region_source: String,
    /// SigV4a: the region set signed for.
    pub region_set: Option<String>,
    /// `--unsigned-payload`: every body streams as UNSIGNED-PAYLOAD.
    pub unsigned_payload: bool,
    pub max_body_bytes: u64,
    pub host_header: HostHeader,
    /// `--strip-header` names.
    pub strip_headers: Vec<HeaderName>,
    pub upstream_timeout: Duration,
    /// The PEM bundle to trust instead of the built-in roots.
    pub ca_bundle: Option<std::path::PathBuf>,
    pub health_path: Option<String>,
    pub shutdown_timeout: Duration,
    pub debug: bool,
}

impl Config {
    /// Checks the arguments; every mistake is a one-line failure.
    pub fn from_args(ctx: &Context, args: &ProxyArgs) -> Result<Config, Failure> {
        if ctx.global.endpoint_url.is_some() {
            return Err(Failure::new(
                "proxy takes --upstream URL, not --endpoint-url",
            ));
        }
        let upstream = Upstream::parse(&args.upstream)?;
        let listen = parse_listen(&args.listen)?;
        let inferred = crate::infer::service_and_region(&upstream.host);
        let service = match (&args.service, &inferred) {
            (Some(s), _) => s.clone(),
            (None, Some((s, _))) => s.clone(),
            (None, None) => {
                return Err(Failure::new(format!(
                    "cannot infer the service from {:?}: pass --service",
                    upstream.host
                )))
            }
        };
        if service.is_empty() || !service.bytes().all(|b| b.is_ascii_graphic() && b != b'/') {
            return Err(Failure::new(format!("invalid --service {service:?}")));
        }
        let hint = inferred.as_ref().and_then(|(_, r)| r.as_deref());
        let (region, region_source) = ctx.region(hint)?;
        if !is_valid_region(&region) {
            return Err(Failure::new(format!(
                "invalid region {region:?} (from {region_source})"
            )));
        }
        let mrap = sigv4::s3::mrap::is_mrap_host(&upstream.host);
        let region_set = region_set(args.region_set.as_deref(), args.sigv4a, mrap, &region)?;
        let strip_headers = args
            .strip_headers
            .iter()
            .map(|n| {
                HeaderName::from_bytes(n.trim().as_bytes())
                    .map_err(|_| Failure::new(format!("invalid --strip-header {n:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(p) = &args.health_path {
            if !p.starts_with('/') || p.contains(['?', '#']) || p.parse::<http::Uri>().is_err() {
                return Err(Failure::new(format!(
                    "invalid --health-path {p:?}: expected a path such as /_proxy/health"
                )));
            }
        }
        if args.upstream_timeout == 0 {
            return Err(Failure::new("--upstream-timeout must be at least 1 second"));
        }
        Ok(Config {
            upstream,
            listen,
            service,
            region,
            region_source,
            region_set,
            unsigned_payload: args.unsigned_payload,
            max_body_bytes: args.max_body_bytes,
            host_header: args.host_header,
            strip_headers,
            upstream_timeout: Duration::from_secs(args.upstream_timeout),
            ca_bundle: args.ca_bundle.clone().or_else(|| {
                ctx.env
                    .get_non_blank(sigv4::config::env_vars::AWS_CA_BUNDLE)
                    .map(Into::into)
            }),
            health_path: args.health_path.clone(),
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout),
            debug: ctx.global.debug,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_urls() {
        let u = Upstream::parse("https://Search-Logs.eu-west-1.es.amazonaws.com").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.authority, "search-logs.eu-west-1.es.amazonaws.com");
        assert_eq!(u.base_path, "");
        let u =
            Upstream::parse("https://abc.execute-api.eu-west-1.amazonaws.com:443/prod/").unwrap();
        assert_eq!(u.host, "abc.execute-api.eu-west-1.amazonaws.com");
        assert_eq!(u.base_path, "/prod");
        assert_eq!(
            u.origin(),
            "https://abc.execute-api.eu-west-1.amazonaws.com:443"
        );
        let u = Upstream::parse("http://127.0.0.1:9000").unwrap();
        assert_eq!(u.host, "127.0.0.1:9000");
        for bad in [
            "",
            "s3.amazonaws.com",
            "ftp://example.com",
            "https://user:pass@example.com",
            "https://example.com/?a=b",
            "https://example.com/#x",
            "https:///path",
            "http://exa mple.com",
        ] {
            let e = Upstream::parse(bad).unwrap_err();
            assert!(
                e.message.contains("invalid --upstream"),
                "{bad}: {}",
                e.message
            );
            assert!(!e.message.contains("pass@"), "{}", e.message);
        }
    }

    #[test]
    fn listen_addresses() {
        let ok = |s: &str| parse_listen(s).unwrap().to_string();
        assert_eq!(ok("8080"), "127.0.0.1:8080");
        assert_eq!(ok(":0"), "127.0.0.1:0");
        assert_eq!(ok("localhost:9"), "127.0.0.1:9");
        assert_eq!(ok("0.0.0.0:80"), "0.0.0.0:80");
        assert_eq!(ok("[::1]:80"), "[::1]:80");
        for bad in ["", "host:1", "127.0.0.1:99999", "127.0.0.1", "localhost:x"] {
            assert!(parse_listen(bad).is_err(), "{bad}");
        }
    }
}
