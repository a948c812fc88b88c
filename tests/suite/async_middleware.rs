//! The reqwest-middleware middleware and the tower layer against s3s-fs on
//! 127.0.0.1, which verifies every signature: GET, PUT from memory, PUT
//! streamed (`UNSIGNED-PAYLOAD`), tricky keys; and the refusals (a stream
//! for a service that needs a hashed body, an existing `Authorization`).
#![cfg(all(feature = "reqwest-middleware", feature = "tower"))]

use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use tower::{Service, ServiceBuilder, ServiceExt};

use crate::support::{tricky_keys, S3Server, ACCESS_KEY, SECRET_KEY};
use sigv4::credentials::Credentials;
use sigv4::middleware::reqwest::SigningMiddleware;
use sigv4::middleware::tower::{BoxError, SignedBody, SigningLayer};
use sigv4::middleware::SigningError;
use sigv4::s3::S3Location;

fn credentials() -> Arc<Credentials> {
    Arc::new(Credentials::new(ACCESS_KEY, SECRET_KEY))
}

fn url(server: &S3Server, bucket: &str, key: &str) -> String {
    S3Location::new(bucket, key, "us-east-1")
        .unwrap()
        .with_endpoint(&server.endpoint())
        .unwrap()
        .url()
        .unwrap()
}

fn middleware_client(service: &str) -> reqwest_middleware::ClientWithMiddleware {
    reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(SigningMiddleware::new(service, "us-east-1", credentials()))
        .build()
}

fn chunks(parts: &[&'static [u8]]) -> Vec<Result<Bytes, std::io::Error>> {
    parts.iter().map(|p| Ok(Bytes::from_static(p))).collect()
}

/// The key survives a client whose URLs follow the WHATWG URL standard
/// (reqwest's): dot segments (`a/./b`, `a/../b`) are removed from every
/// such URL before it is sent, so those keys need another client.
fn whatwg_safe(key: &str) -> bool {
    !key.split('/').any(|s| s == "." || s == "..")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reqwest_middleware_against_s3s_fs() {
    let server = S3Server::start();
    let client = middleware_client("s3");
    let r = client
        .put(url(&server, "mw-bucket", ""))
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "create bucket: {}",
        r.text().await.unwrap()
    );

    // PUT from memory (hashed), GET back.
    let object = url(&server, "mw-bucket", "hello.txt");
    let r = client
        .put(&object)
        .body(b"hello, world".to_vec())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let r = client.get(&object).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.unwrap()[..], b"hello, world");

    // PUT streamed: UNSIGNED-PAYLOAD.
    let streamed = url(&server, "mw-bucket", "streamed.bin");
    let body = reqwest::Body::wrap_stream(stream::iter(chunks(&[b"part one, ", b"part two"])));
    let r = client
        .put(&streamed)
        .header("content-length", "18")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let r = client.get(&streamed).send().await.unwrap();
    assert_eq!(&r.bytes().await.unwrap()[..], b"part one, part two");

    // Tricky keys.
    for key in tricky_keys().into_iter().filter(|k| whatwg_safe(k)) {
        let u = url(&server, "mw-bucket", &key);
        let r = client
            .put(&u)
            .body(key.clone().into_bytes())
            .send()
            .await
            .unwrap();
        if key.len() > 160 {
            // s3s-fs cannot store it (see s3_server.rs): 500 after the
            // signature check; a signature problem would be 403.
            assert_eq!(r.status(), 500, "long key");
            continue;
        }
        assert!(
            r.status().is_success(),
            "PUT {key:?}: {}",
            r.text().await.unwrap()
        );
        let r = client.get(&u).send().await.unwrap();
        assert_eq!(r.status(), 200, "GET {key:?}");
        assert_eq!(r.bytes().await.unwrap(), key.as_bytes(), "{key:?}");
    }

    // A wrong secret is refused by the server: the signature is checked.
    let wrong = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(SigningMiddleware::new(
            "s3",
            "us-east-1",
            Arc::new(Credentials::new(ACCESS_KEY, "wrong")),
        ))
        .build();
    assert_eq!(wrong.get(&object).send().await.unwrap().status(), 403);
}

#[tokio::test(flavor = "current_thread")]
async fn reqwest_middleware_refusals() {
    let signing_error = |e: reqwest_middleware::Error| match e {
        reqwest_middleware::Error::Middleware(e) => {
            e.downcast::<SigningError>().expect("a SigningError")
        }
        other => panic!("expected a middleware error: {other}"),
    };
    // Nothing listens on port 9: a request that got through would fail to connect.
    let body = reqwest::Body::wrap_stream(stream::iter(chunks(&[b"x"])));
    let e = middleware_client("sts")
        .post("http://127.0.0.1:9/")
        .body(body)
        .send()
        .await
        .unwrap_err();
    let e = signing_error(e);
    assert!(
        matches!(e, SigningError::StreamingBody { ref service } if service == "sts"),
        "{e}"
    );
    let e = middleware_client("s3")
        .get("http://127.0.0.1:9/b/k")
        .header("authorization", "AWS4-HMAC-SHA256 Credential=other")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(signing_error(e), SigningError::AlreadySigned));
}

type Body = BoxBody<Bytes, BoxError>;

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

fn streamed(parts: &[&'static [u8]]) -> Body {
    let frames: Vec<Result<Frame<Bytes>, BoxError>> = parts
        .iter()
        .map(|p| Ok(Frame::data(Bytes::from_static(p))))
        .collect();
    StreamBody::new(stream::iter(frames)).boxed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tower_layer_over_hyper_against_s3s_fs() {
    let server = S3Server::start();
    let hyper = HyperClient::builder(TokioExecutor::new()).build_http::<SignedBody<Body>>();
    let mut client = ServiceBuilder::new()
        .layer(SigningLayer::new("s3", "us-east-1", credentials()))
        .service(hyper);
    let mut send = |method: &str, url: String, body: Body, length: Option<usize>| {
        let mut request = http::Request::builder().method(method).uri(url);
        if let Some(n) = length {
            request = request.header("content-length", n);
        }
        let request = request.body(body).unwrap();
        let call = client.ready_oneshot_call(request);
        async move {
            let response = call.await.unwrap();
            let status = response.status();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, bytes)
        }
    };
    let (status, text) = send("PUT", url(&server, "tower-bucket", ""), full(""), None).await;
    assert!(status.is_success(), "create bucket: {text:?}");
    let object = url(&server, "tower-bucket", "hello.txt");
    let (status, _) = send("PUT", object.clone(), full("hello, tower"), None).await;
    assert!(status.is_success());
    let (status, bytes) = send("GET", object, full(""), None).await;
    assert_eq!((status.as_u16(), &bytes[..]), (200, &b"hello, tower"[..]));
    let streamed_url = url(&server, "tower-bucket", "streamed.bin");
    let (status, text) = send(
        "PUT",
        streamed_url.clone(),
        streamed(&[b"one ", b"two"]),
        Some(7),
    )
    .await;
    assert!(status.is_success(), "{text:?}");
    let (_, bytes) = send("GET", streamed_url, full(""), None).await;
    assert_eq!(&bytes[..], b"one two");
    // Every tricky key, dot segments included (http::Uri keeps the path as given).
    for key in tricky_keys() {
        let u = url(&server, "tower-bucket", &key);
        let (status, text) = send("PUT", u.clone(), full(key.clone()), None).await;
        if key.len() > 160 {
            assert_eq!(
                status.as_u16(),
                500,
                "long key (see s3_server.rs): {text:?}"
            );
            continue;
        }
        assert!(status.is_success(), "PUT {key:?}: {text:?}");
        let (status, bytes) = send("GET", u, full(""), None).await;
        assert_eq!(
            (status.as_u16(), &bytes[..]),
            (200, key.as_bytes()),
            "GET {key:?}"
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn tower_layer_refusals() {
    let inner = tower::service_fn(|_: http::Request<SignedBody<Body>>| async {
        panic!("an unsigned request reached the inner service");
        #[allow(unreachable_code)]
        Ok::<_, BoxError>(http::Response::new(()))
    });
    let layer = SigningLayer::new("execute-api", "us-east-1", credentials());
    let mut service = ServiceBuilder::new().layer(layer).service(inner);
    let request = http::Request::post("http://127.0.0.1:9/x")
        .body(streamed(&[b"x"]))
        .unwrap();
    let e = service
        .ready()
        .await
        .unwrap()
        .call(request)
        .await
        .unwrap_err();
    let e = e.downcast::<SigningError>().expect("a SigningError");
    assert!(matches!(*e, SigningError::StreamingBody { .. }), "{e}");
    let request = http::Request::get("http://127.0.0.1:9/x")
        .header("authorization", "Bearer x")
        .body(full(""))
        .unwrap();
    let e = service
        .ready()
        .await
        .unwrap()
        .call(request)
        .await
        .unwrap_err();
    assert!(matches!(
        *e.downcast::<SigningError>().unwrap(),
        SigningError::AlreadySigned
    ));
}

/// `ready().await` then `call`, as one future that does not borrow the
/// service past the call.
trait ReadyCall<R>: Service<R> + Sized {
    fn ready_oneshot_call(&mut self, request: R) -> tower::util::Oneshot<Self, R>
    where
        Self: Clone,
    {
        self.clone().oneshot(request)
    }
}

impl<S: Service<R>, R> ReadyCall<R> for S {}
