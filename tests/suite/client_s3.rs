//! The client's S3 object calls against s3s-fs on 127.0.0.1, which checks
//! every signature.
#![cfg(feature = "client")]

use crate::support::{peer_client, S3Server, ACCESS_KEY, SECRET_KEY};
use sigv4::api::s3_objects::{DeleteObject, GetObject, HeadObject, ListObjectsV2, PutObject};
use sigv4::api::{ApiError, ApiRequest, ErrorFormat};
use sigv4::client::{Client, ClientError};
use sigv4::credentials::Credentials;

fn client(server: &S3Server, secret: &str) -> Client {
    peer_client(server.endpoint(), Credentials::new(ACCESS_KEY, secret))
}

fn create_bucket(client: &Client, server: &S3Server, bucket: &str) {
    let request = ApiRequest::new(
        http::Method::PUT,
        format!("{}/{bucket}", server.endpoint()),
        "s3",
        "us-east-1",
    );
    let response = client.send(&request).unwrap();
    assert!(
        response.status().is_success(),
        "create bucket: {:?}",
        response.status()
    );
}

#[test]
fn object_calls() {
    let server = S3Server::start();
    let c = client(&server, SECRET_KEY);
    create_bucket(&c, &server, "client-objects");
    let bucket = "client-objects";

    // Put (signed payload, with metadata and content type), then get it back.
    let body = b"0123456789abcdefghij".to_vec();
    let put = c
        .put_object(
            &PutObject::new(bucket, "dir/a b+c.txt", body.clone())
                .content_type("text/plain")
                .metadata("Owner", "tests"),
        )
        .unwrap();
    assert!(put.etag.is_some());
    let got = c
        .get_object(&GetObject::new(bucket, "dir/a b+c.txt"))
        .unwrap();
    assert_eq!(got.body, body);
    assert_eq!(got.metadata.status, 200);
    assert_eq!(got.metadata.content_type.as_deref(), Some("text/plain"));
    assert_eq!(
        got.metadata.metadata,
        vec![("owner".to_string(), "tests".to_string())]
    );

    // Ranges.
    let range = c
        .get_object(&GetObject::new(bucket, "dir/a b+c.txt").range(2, Some(5)))
        .unwrap();
    assert_eq!(range.body, b"2345");
    assert_eq!(range.metadata.status, 206);
    assert_eq!(
        range.metadata.content_range.as_deref(),
        Some("bytes 2-5/20")
    );
    let tail = c
        .get_object(&GetObject::new(bucket, "dir/a b+c.txt").range(18, None))
        .unwrap();
    assert_eq!(tail.body, b"ij");

    // Unsigned payload.
    c.put_object(&PutObject::new(bucket, "unsigned.bin", vec![7u8; 1000]).unsigned_payload())
        .unwrap();

    // Head.
    let head = c
        .head_object(&HeadObject::new(bucket, "unsigned.bin"))
        .unwrap();
    assert_eq!(head.content_length, Some(1000));
    assert!(head.etag.is_some() && head.last_modified.is_some());
    // A HEAD answer has no body: the code comes from the status.
    let missing = c.head_object(&HeadObject::new(bucket, "nope")).unwrap_err();
    let api = missing.api_error().expect("an API error");
    assert_eq!(
        (api.status, api.code.as_str(), api.format),
        (404, "NotFound", ErrorFormat::Unknown),
        "{api:?}"
    );
    let missing = c.get_object(&GetObject::new(bucket, "nope")).unwrap_err();
    let api = missing.api_error().expect("an API error");
    assert_eq!(
        (api.status, api.code.as_str(), api.format),
        (404, "NoSuchKey", ErrorFormat::S3Xml),
        "{api:?}"
    );

    // List with continuation: 3 keys under a prefix, 2 per page.
    for key in ["list/1", "list/2 x", "list/3+ü"] {
        c.put_object(&PutObject::new(bucket, key, key.as_bytes().to_vec()))
            .unwrap();
    }
    let first = ListObjectsV2::new(bucket).prefix("list/").max_keys(2);
    let page1 = c.list_objects_v2(&first).unwrap();
    assert!(page1.is_truncated);
    assert_eq!(page1.contents.len(), 2);
    let next = first.next_page(&page1).expect("a second page");
    let page2 = c.list_objects_v2(&next).unwrap();
    assert!(!page2.is_truncated);
    let keys: Vec<String> = page1
        .contents
        .iter()
        .chain(&page2.contents)
        .map(|o| o.key.clone())
        .collect();
    assert_eq!(keys, ["list/1", "list/2 x", "list/3+ü"]);
    assert_eq!(page2.contents[0].size, "list/3+ü".len() as u64);
    assert!(first.next_page(&page2).is_none());
    let delimited = c
        .list_objects_v2(&ListObjectsV2::new(bucket).delimiter("/"))
        .unwrap();
    assert_eq!(delimited.common_prefixes, ["dir/", "list/"]);
    assert_eq!(
        delimited
            .contents
            .iter()
            .map(|o| o.key.as_str())
            .collect::<Vec<_>>(),
        ["unsigned.bin"]
    );

    // Delete.
    c.delete_object(&DeleteObject::new(bucket, "list/1"))
        .unwrap();
    let after = c
        .list_objects_v2(&ListObjectsV2::new(bucket).prefix("list/"))
        .unwrap();
    assert_eq!(after.contents.len(), 2);
    let gone = c.get_object(&GetObject::new(bucket, "list/1")).unwrap_err();
    let api = gone.api_error().expect("an API error");
    assert_eq!(
        (api.status, api.code.as_str()),
        (404, "NoSuchKey"),
        "{api:?}"
    );
}

/// s3s-fs 0.14.1 answers a wrong signature with `403` and an `<Error>`
/// holding only `<Code>SignatureDoesNotMatch</Code>`: no message, and none
/// of the fields AWS adds (`CanonicalRequest`, `StringToSign`,
/// `AWSAccessKeyId`, `SignatureProvided`). So the mismatch details hold our
/// canonical request and string to sign, and nothing from the server.
#[test]
fn wrong_secret_is_a_403_signature_mismatch_with_only_our_canonical_request() {
    let server = S3Server::start();
    let good = client(&server, SECRET_KEY);
    create_bucket(&good, &server, "client-mismatch");
    good.put_object(&PutObject::new("client-mismatch", "k", b"v".to_vec()))
        .unwrap();
    let bad = client(&server, "not-the-secret");
    let err = bad
        .get_object(&GetObject::new("client-mismatch", "k"))
        .unwrap_err();
    let api = signature_mismatch(&err);
    let mismatch = api.signature_mismatch.as_deref().expect("mismatch details");
    assert_eq!(
        (
            &mismatch.server_canonical_request,
            &mismatch.server_string_to_sign,
            &mismatch.access_key_id,
            &mismatch.signature_provided,
        ),
        (&None, &None, &None, &None),
        "{mismatch:?}"
    );
    assert_eq!(mismatch.first_difference(), None);
    let ours = mismatch
        .our_canonical_request
        .as_deref()
        .expect("our canonical request");
    assert!(ours.starts_with("GET\n/client-mismatch/k\n"), "{ours}");
    assert!(mismatch
        .our_string_to_sign
        .as_deref()
        .unwrap()
        .starts_with("AWS4-HMAC-SHA256\n"));
    assert!(!err.to_string().contains("not-the-secret"));

    // Writes signed with the wrong secret are refused the same way and
    // change nothing: the object keeps its content, no new object appears.
    // Each on a client of its own: s3s-fs can close the connection after
    // refusing a write (seen once as "Peer disconnected" on the next
    // request), and these clients do not retry, so none reuses one.
    let bad = || client(&server, "not-the-secret");
    let err = bad()
        .put_object(&PutObject::new("client-mismatch", "k", b"changed".to_vec()))
        .unwrap_err();
    signature_mismatch(&err);
    let err = bad()
        .put_object(&PutObject::new("client-mismatch", "new", b"x".to_vec()))
        .unwrap_err();
    signature_mismatch(&err);
    let err = bad()
        .delete_object(&DeleteObject::new("client-mismatch", "k"))
        .unwrap_err();
    signature_mismatch(&err);
    let kept = good
        .get_object(&GetObject::new("client-mismatch", "k"))
        .unwrap();
    assert_eq!(kept.body, b"v");
    let err = good
        .get_object(&GetObject::new("client-mismatch", "new"))
        .unwrap_err();
    let api = err.api_error().unwrap_or_else(|| panic!("{err}"));
    assert_eq!((api.status, api.code.as_str()), (404, "NoSuchKey"), "{err}");
}

/// The API error of a call s3s-fs refused for its signature: 403
/// `SignatureDoesNotMatch` in S3's XML shape, with no message.
fn signature_mismatch(err: &ClientError) -> &ApiError {
    let ClientError::Api(api) = err else {
        panic!("expected an API error: {err:?}")
    };
    assert_eq!(
        (api.status, api.code.as_str(), api.format),
        (403, "SignatureDoesNotMatch", ErrorFormat::S3Xml),
        "{err}"
    );
    assert_eq!(api.message, None, "{err}");
    assert!(api.signature_mismatch.is_some(), "{api:?}");
    api
}
