//! Bytes → `smtpcodes::parse_bytes`; on success the reply's invariants, its wire form's round
//! trip, and classify / explain / decide (fuzz_targets/common.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtpcodes::reply::MAX_INPUT_BYTES;
use smtpcodes::{parse, parse_bytes};

mod common;

fuzz_target!(|data: &[u8]| {
    let res = parse_bytes(data);
    // Valid UTF-8 reads the same through `parse` and `parse_bytes`.
    if let Ok(s) = std::str::from_utf8(data) {
        assert_eq!(parse(s), res, "parse and parse_bytes disagree on {s:?}");
    }
    match res {
        Ok(r) => {
            assert!(data.len() <= MAX_INPUT_BYTES);
            common::check_reply(&r, data.len());
        }
        Err(e) => {
            // Error positions are byte offsets into the input.
            if let Some(p) = e.position() {
                assert!(p <= data.len(), "error position {p} past the input's {} bytes: {e}", data.len());
            }
            assert!(!e.to_string().is_empty());
        }
    }
});
