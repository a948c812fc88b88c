//! Files we write lose nothing when several processes write at once: 16
//! `sigv4 sts get-session-token --write-profile pN` processes (against moto)
//! update one shared credentials file at the same moment, while a reader
//! keeps reading it.
#![cfg(feature = "cli")]

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::support::{MotoServer, TempDir};

const WRITERS: usize = 16;

/// Bytes the writers do not own: they must survive every write.
const ORIGINAL: &str = "# shared by several tools\n[default]\naws_access_key_id = AKIDDEFAULT\n\
                        aws_secret_access_key = keep-me ; a comment\n\n[p3]\nregion = eu-west-1\n";

fn profiles(text: &str) -> BTreeSet<String> {
    sigv4::config::ProfileSet::parse("", text)
        .unwrap_or_else(|e| panic!("our parser refused the file ({e}):\n{text}"))
        .profiles()
        .map(|s| s.name().to_string())
        .collect()
}

#[test]
fn sixteen_writers_at_once_keep_every_profile() {
    let moto = MotoServer::start();
    let dir = TempDir::new("concurrent-writes");
    let file = dir.write("credentials", ORIGINAL);

    let stop = AtomicBool::new(false);
    let (outputs, reads) = std::thread::scope(|s| {
        // The reader: every read is a whole file (the old one or a new one,
        // never half), and profiles never disappear once seen.
        let reader = s.spawn(|| {
            let mut seen = BTreeSet::new();
            let mut reads = 0u32;
            let deadline = Instant::now() + Duration::from_secs(120);
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                let text = std::fs::read_to_string(&file).expect("read while writers run");
                assert!(
                    text.starts_with(ORIGINAL),
                    "bytes we do not own changed:\n{text}"
                );
                assert!(text.ends_with('\n'), "half-written file:\n{text}");
                let now = profiles(&text);
                assert!(
                    now.is_superset(&seen),
                    "a profile vanished: {seen:?} -> {now:?}"
                );
                seen = now;
                reads += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            reads
        });
        // All writers start before any is waited for.
        let children: Vec<_> = (0..WRITERS)
            .map(|i| {
                Command::new(env!("CARGO_BIN_EXE_sigv4"))
                    .env_clear()
                    .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                    .env("HOME", "/nonexistent-home")
                    .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9")
                    .env("AWS_ACCESS_KEY_ID", &moto.access_key)
                    .env("AWS_SECRET_ACCESS_KEY", &moto.secret_key)
                    .env("AWS_SHARED_CREDENTIALS_FILE", &file)
                    .args(["--region", "us-east-1", "--endpoint-url", &moto.endpoint()])
                    .args(["sts", "get-session-token", "--duration-seconds", "900"])
                    .args(["--write-profile", &format!("p{i}"), "--output", "json"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("start sigv4")
            })
            .collect();
        let outputs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().expect("wait for sigv4"))
            .collect();
        stop.store(true, Ordering::Relaxed);
        (outputs, reader.join().expect("reader"))
    });
    assert!(reads > 0, "the reader never ran");

    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with(ORIGINAL),
        "bytes we do not own changed:\n{text}"
    );
    let set = sigv4::config::ProfileSet::parse("", &text).unwrap();
    for (i, o) in outputs.iter().enumerate() {
        assert!(
            o.status.success(),
            "writer p{i}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let name = format!("p{i}");
        assert_eq!(
            set.get(&name, "aws_access_key_id"),
            v["access_key_id"].as_str(),
            "profile {name} lost or wrong:\n{text}"
        );
        assert!(set
            .get(&name, "aws_secret_access_key")
            .is_some_and(|s| !s.is_empty()));
        assert!(set
            .get(&name, "aws_session_token")
            .is_some_and(|s| !s.is_empty()));
        assert_eq!(text.matches(&format!("[{name}]\n")).count(), 1, "{text}");
    }
    // p3 existed before: its region stays, its keys were added.
    assert_eq!(set.get("p3", "region"), Some("eu-west-1"));
    assert_eq!(set.get("default", "aws_access_key_id"), Some("AKIDDEFAULT"));

    // botocore reads the same profiles.
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, json, botocore.configloader as c; \
             print(json.dumps(sorted(c.raw_config_parse(sys.argv[1]).keys())))",
        ])
        .arg(&file)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: BTreeSet<String> = serde_json::from_slice(&out.stdout).unwrap();
    let mut want: BTreeSet<String> = (0..WRITERS).map(|i| format!("p{i}")).collect();
    want.insert("default".into());
    assert_eq!(theirs, want);
    assert_eq!(profiles(&text), want);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
