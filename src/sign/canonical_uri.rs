//! Canonical URI: the path component of the canonical request.
//!
//! The input is the path as it goes on the wire (percent-encoded, without
//! query or fragment). Two AWS rules shape the output:
//! - **Encoding.** Most services encode the wire path once more ("double
//!   encoding": `%3A` becomes `%253A`). S3 encodes the object key exactly once,
//!   so for S3 the wire path is decoded and re-encoded ([`UriEncoding::Single`]),
//!   which also canonicalizes lowercase or needless escapes.
//! - **Normalization.** Most services remove `.` and `..` segments (RFC 3986
//!   section 5.2.4) and collapse empty segments (`//`). S3 keys may contain all
//!   of these, so S3 signs the path verbatim.

use super::encoding::{encode_into, Input};
use alloc::string::String;
use smallvec::SmallVec;

/// How the path is URI-encoded in the canonical request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UriEncoding {
    /// Encode the (already encoded) wire path again: the default for AWS services.
    Double,
    /// Encode once: decode the wire path's escapes, then encode. S3's rule.
    Single,
}

/// Removes `.` and `..` segments and empty segments from `path`.
///
/// Returns the remaining segments and whether the result ends with `/`
/// (the input did, or its last segment was `.` or `..`).
pub fn normalize_segments(path: &str) -> (SmallVec<[&str; 16]>, bool) {
    let mut out: SmallVec<[&str; 16]> = SmallVec::new();
    let mut trailing = false;
    for seg in path.split('/') {
        trailing = false;
        match seg {
            "" => trailing = true,
            "." => trailing = true,
            ".." => {
                out.pop();
                trailing = true;
            }
            s => out.push(s),
        }
    }
    (out, trailing)
}

/// Appends the canonical URI for the wire path `path` to `out`.
///
/// An empty path is `/`. With `normalize`, dot segments and empty segments are
/// removed first (see [`normalize_segments`]).
pub fn write_canonical_path(out: &mut String, path: &str, encoding: UriEncoding, normalize: bool) {
    let mode = match encoding {
        UriEncoding::Double => Input::Literal,
        UriEncoding::Single => Input::Decoded,
    };
    if !normalize {
        if !path.starts_with('/') {
            out.push('/');
        }
        encode_into(out, path, mode, true);
        return;
    }
    let (segments, trailing) = normalize_segments(path);
    out.push('/');
    for (i, seg) in segments.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        encode_into(out, seg, mode, true);
    }
    if trailing && !segments.is_empty() {
        out.push('/');
    }
}

/// The canonical URI of `path` as a new string (see [`write_canonical_path`]).
pub fn canonical_path(path: &str, encoding: UriEncoding, normalize: bool) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    write_canonical_path(&mut out, path, encoding, normalize);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use UriEncoding::*;

    #[test]
    fn normalization_follows_rfc3986() {
        let cases = [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/./example", "/example"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("//example//", "/example/"),
            ("/a/b/../c/./d", "/a/c/d"),
            ("/a/b/..", "/a/"),
            ("/a/.", "/a/"),
            ("/../../a", "/a"),
            ("a/b", "/a/b"),
        ];
        for (input, want) in cases {
            assert_eq!(canonical_path(input, Double, true), want, "{input}");
        }
    }

    #[test]
    fn unnormalized_keeps_every_segment() {
        assert_eq!(canonical_path("//example//", Single, false), "//example//");
        assert_eq!(canonical_path("/a/./b/../c", Double, false), "/a/./b/../c");
        assert_eq!(canonical_path("", Single, false), "/");
        assert_eq!(canonical_path("key", Single, false), "/key");
    }

    #[test]
    fn double_encoding_encodes_the_wire_path_again() {
        assert_eq!(
            canonical_path("/functions/arn%3Aaws%3Alambda/invocations", Double, true),
            "/functions/arn%253Aaws%253Alambda/invocations"
        );
        assert_eq!(
            canonical_path("/test/@connections/x%3D", Double, true),
            "/test/%40connections/x%253D"
        );
        assert_eq!(
            canonical_path("/example space/", Double, false),
            "/example%20space/"
        );
        assert_eq!(canonical_path("/\u{1234}", Double, true), "/%E1%88%B4");
    }

    #[test]
    fn single_encoding_encodes_the_key_once() {
        assert_eq!(
            canonical_path("/bucket/a%20b", Single, false),
            "/bucket/a%20b"
        );
        assert_eq!(
            canonical_path("/bucket/a b", Single, false),
            "/bucket/a%20b"
        );
        assert_eq!(
            canonical_path("/bucket/a%2bb%7e", Single, false),
            "/bucket/a%2Bb~"
        );
        assert_eq!(
            canonical_path("/bucket/a+b", Single, false),
            "/bucket/a%2Bb"
        );
        assert_eq!(
            canonical_path("/bucket/100%", Single, false),
            "/bucket/100%25"
        );
        assert_eq!(
            canonical_path("/\u{fc}/\u{e4}.txt", Single, false),
            "/%C3%BC/%C3%A4.txt"
        );
    }
}
