//! Retries, backoff and clock-skew correction against a scripted
//! fault-injecting HTTP server on 127.0.0.1.
#![cfg(feature = "client")]

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::support::{Seen, Step, StubServer};
use sigv4::api::retry::RecordingSleeper;
use sigv4::client::{Client, ClientError, RetryPolicy};
use sigv4::credentials::static_provider::StaticProvider;
use sigv4::credentials::Credentials;
use sigv4::sign::SigningTime;
use sigv4::transport::RequestOptions;

const OK_BODY: &str = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/u</Arn>\
<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult>\
<ResponseMetadata><RequestId>ok-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";

/// The ARN in [`OK_BODY`].
const USER_ARN: &str = "arn:aws:iam::123456789012:user/u";

fn ok() -> Step {
    Step::xml(200, OK_BODY)
}

fn client(server: &StubServer, read_timeout: Duration, sleeper: Arc<RecordingSleeper>) -> Client {
    Client::builder()
        .endpoint_url(server.endpoint())
        .region("us-east-1")
        .credentials(Arc::new(StaticProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
        ))))
        .retry_policy(
            RetryPolicy::standard()
                .with_base_delay(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(5)),
        )
        .request_options(
            RequestOptions::new()
                .with_connect_timeout(Duration::from_secs(2))
                .with_read_timeout(read_timeout),
        )
        .sleeper(sleeper)
        .build()
        .unwrap()
}

fn run(
    script: Vec<Step>,
    read_timeout: Duration,
) -> (
    Result<String, ClientError>,
    Vec<Seen>,
    Vec<Duration>,
    Client,
) {
    let server = StubServer::start(script);
    let sleeper = Arc::new(RecordingSleeper::new());
    let c = client(&server, read_timeout, sleeper.clone());
    let result = c.get_caller_identity().map(|id| id.arn);
    (result, server.seen(), sleeper.waits(), c)
}

fn assert_backoff(waits: &[Duration]) {
    for (retry, wait) in waits.iter().enumerate() {
        let bound = Duration::from_millis(1 << retry).min(Duration::from_millis(5));
        assert!(*wait <= bound, "retry {retry}: {wait:?} > {bound:?}");
    }
}

#[test]
fn retries_503_then_succeeds() {
    let (result, requests, waits, _) = run(vec![Step::xml(503, ""), ok()], Duration::from_secs(5));
    assert_eq!(result.unwrap(), USER_ARN);
    assert_eq!(requests.len(), 2);
    assert_eq!(waits.len(), 1);
    assert_backoff(&waits);
    // Every attempt is signed.
    assert!(requests.iter().all(|r| r
        .header("authorization")
        .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256"))));
    assert!(requests
        .iter()
        .all(|r| r.body == b"Action=GetCallerIdentity&Version=2011-06-15"));
}

#[test]
fn retries_throttling_then_succeeds() {
    let slow_down =
        "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
    let throttled = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>";
    let (result, requests, waits, _) = run(
        vec![Step::xml(429, slow_down), Step::xml(400, throttled), ok()],
        Duration::from_secs(5),
    );
    assert_eq!(result.unwrap(), USER_ARN);
    assert_eq!(requests.len(), 3);
    assert_eq!(waits.len(), 2);
    assert_backoff(&waits);
}

#[test]
fn retries_a_dropped_connection() {
    let (result, requests, waits, _) = run(vec![Step::Drop, ok()], Duration::from_secs(5));
    assert_eq!(result.unwrap(), USER_ARN);
    assert_eq!(requests.len(), 2);
    assert_eq!(waits.len(), 1);
}

#[test]
fn retries_a_response_slower_than_the_read_timeout() {
    let started = Instant::now();
    let slow = Step::Delay(Duration::from_millis(800), Box::new(ok()));
    let (result, requests, waits, _) = run(vec![slow, ok()], Duration::from_millis(200));
    assert_eq!(result.unwrap(), USER_ARN);
    // The first attempt timed out after 200 ms (the server had received
    // it), the second was answered: two requests, one backoff.
    assert_eq!(requests.len(), 2);
    assert_eq!(waits.len(), 1);
    // Generous: only waiting out the 800 ms answer repeatedly, or a hang,
    // would come near it.
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn does_not_retry_a_403() {
    let denied = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>r-403</RequestId></ErrorResponse>";
    let (result, requests, waits, _) =
        run(vec![Step::xml(403, denied), ok()], Duration::from_secs(5));
    let err = result.unwrap_err();
    let api = err.api_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(
        (api.status, api.code.as_str(), api.message.as_deref()),
        (403, "AccessDenied", Some("no"))
    );
    assert_eq!(api.request_id.as_deref(), Some("r-403"));
    assert_eq!(requests.len(), 1, "a 403 must be sent exactly once");
    assert!(waits.is_empty());
}

#[test]
fn gives_up_after_max_attempts() {
    let (result, requests, waits, _) = run(
        vec![
            Step::xml(503, ""),
            Step::xml(502, ""),
            Step::xml(500, "<Error><Code>InternalError</Code></Error>"),
            ok(),
        ],
        Duration::from_secs(5),
    );
    let err = result.unwrap_err();
    let api = err.api_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!((api.status, api.code.as_str()), (500, "InternalError"));
    assert_eq!(requests.len(), 3);
    assert_eq!(waits.len(), 2);
    assert_backoff(&waits);
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` for unix seconds `t`.
pub(crate) fn http_date(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let month_name = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!(
        "{weekday}, {day:02} {month_name} {year} {:02}:{:02}:{:02} GMT",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[test]
fn http_date_format() {
    assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
}

fn amz_seconds(r: &Seen) -> i64 {
    SigningTime::parse_amz_date(r.header("x-amz-date").expect("x-amz-date"))
        .expect("valid x-amz-date")
        .unix_seconds()
}

#[test]
fn clock_skew_is_corrected_and_signed_again_once() {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let skewed = Step::xml(
        403,
        "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message></Error>",
    )
    .with_header("date", &http_date(now + 3600));
    let (result, requests, waits, client) = run(vec![skewed, ok()], Duration::from_secs(5));
    assert_eq!(result.unwrap(), USER_ARN);
    assert_eq!(requests.len(), 2);
    assert!(waits.is_empty(), "a clock correction is not a backoff");
    let moved = amz_seconds(&requests[1]) - amz_seconds(&requests[0]);
    assert!(
        (3595..=3605).contains(&moved),
        "X-Amz-Date moved by {moved} s"
    );
    assert!(
        (3595..=3605).contains(&client.clock_offset()),
        "offset {}",
        client.clock_offset()
    );
    assert_ne!(
        requests[0].header("authorization"),
        requests[1].header("authorization")
    );

    // Only once per call: a second skew answer is returned as the error.
    let again = |offset: i64| {
        Step::xml(403, "<Error><Code>RequestTimeTooSkewed</Code></Error>")
            .with_header("date", &http_date(now + offset))
    };
    let (result, requests, _, _) = run(
        vec![again(-7200), again(-7200), ok()],
        Duration::from_secs(5),
    );
    let err = result.unwrap_err();
    let api = err.api_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(
        (api.status, api.code.as_str()),
        (403, "RequestTimeTooSkewed")
    );
    assert_eq!(requests.len(), 2);
    let moved = amz_seconds(&requests[1]) - amz_seconds(&requests[0]);
    assert!((-7205..=-7195).contains(&moved), "moved {moved}");
}
