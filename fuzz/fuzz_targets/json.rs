//! The strict JSON reader of the credential documents (`util::json`), by
//! `sigv4::__fuzz::json`, against serde_json:
//! - what it accepts, serde_json accepts too, as the same value (numbers
//!   out of f64's range aside: serde_json refuses those);
//! - what it writes back (both layouts) it reads again, to the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = sigv4::__fuzz::json(text) else { return };
    let again = sigv4::__fuzz::json(&doc.text).expect("our own output is refused");
    assert_eq!(again, doc);
    assert_eq!(sigv4::__fuzz::json(&doc.compact).expect("compact output refused"), doc);
    let plain = text.strip_prefix('\u{feff}').unwrap_or(text);
    match serde_json::from_str::<serde_json::Value>(plain) {
        Ok(v) => {
            let ours: serde_json::Value = serde_json::from_str(&doc.text).unwrap();
            assert_eq!(ours, v);
        }
        Err(e) => assert!(e.to_string().contains("number out of range"), "serde_json refuses what we accept: {e}"),
    }
});
