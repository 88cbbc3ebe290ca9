//! Any text as a criteria table file: it loads into a checked table or is
//! refused with an error naming the file; it never panics, and a table that
//! loads is consistent (children point back at their parent).
#![no_main]

use libfuzzer_sys::fuzz_target;
use thidua::domain::criteria::parse_table;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_table("fuzz.toml", text) {
        Ok(t) => {
            for (i, c) in t.criteria.iter().enumerate() {
                for &k in &c.children {
                    assert_eq!(t.criteria[k].parent, Some(i));
                }
                assert!(c.max >= 0.0 && c.max.is_finite());
            }
            let _ = t.leaves().count();
        }
        Err(e) => assert!(e.to_string().contains("fuzz.toml"), "{e}"),
    }
});
