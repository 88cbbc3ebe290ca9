//! Any bytes as a unit's file: opened within the default limits, then the
//! sheet picked, parsed and validated as the daemon would (self-scoring,
//! cross-check or ballot). As in the daemon, a panic inside the reader is
//! caught and becomes `unreadable-file`; a panic that escapes thidua's guard,
//! an abort or a memory blow-up is a finding.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use thidua::config::Settings;
use thidua::app::review::review_book;
use thidua::domain::validate::Context;
use thidua::io::workbook::{Book, Limits};

fn settings() -> &'static Settings {
    static S: OnceLock<Settings> = OnceLock::new();
    S.get_or_init(|| Settings::load_with_env(None, &[]).expect("the embedded settings load"))
}

fuzz_target!(init: {
    // libfuzzer-sys aborts on any panic, even one thidua catches; keep the
    // daemon's behaviour: caught panics are findings only if they escape.
    std::panic::set_hook(Box::new(|_| {}));
    // As in the daemon, .xls and .ods are read by `thidua read-workbook` in
    // a child with a memory cap (calamine builds dense grids for them); the
    // release binary must be built (`cargo build --release` at the root);
    // THIDUA_BIN names it when the build's folder is not ../target.
    let exe = std::env::var_os("THIDUA_BIN").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/thidua"),
        std::path::PathBuf::from,
    );
    assert!(exe.exists(), "build the release binary first: {}", exe.display());
    thidua::io::workbook::isolate::use_worker(exe);
}, |data: &[u8]| {
    let s = settings();
    let limits = Limits {
        // Small enough that one input cannot take the fuzzer's memory.
        max_file_bytes: 4 * 1024 * 1024,
        max_unpacked_bytes: 32 * 1024 * 1024,
        max_cells: 50_000,
    };
    if let Ok(mut book) = Book::from_bytes(data.to_vec(), &limits) {
        let ctx = Context {
            cluster: &s.cluster,
            tables: &s.tables,
            folder_unit: Some("STP-QTR"),
            self_scores: None,
            ballot: None,
        };
        let v = review_book(&mut book, &ctx);
        // Every finding names a place that exists, in A1 form.
        for f in &v.findings {
            if let Some(cell) = &f.cell {
                assert!(cell.chars().next().is_some_and(|c| c.is_ascii_uppercase()), "{cell}");
            }
        }
    }
});
