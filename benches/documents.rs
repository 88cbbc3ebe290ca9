//! `cargo bench --bench documents`: in-process time to render the 10-unit
//! cluster's year-end set (the ranking report, a score sheet per unit that
//! sent a workbook, the proposals, the agreement) and a 100-unit ranking
//! report, from the
//! seeded sample data. Fonts and templates are loaded once, as the daemon
//! does. Prints the best and the median of 20 runs, and the sizes and pages.
//! With `THIDUA_BENCH_DIR` set, the PDFs are kept there to look at.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use thidua::app::demo::sample::{cluster_year, many};
use thidua::app::papers::{agreement, proposals_of, ranking_of, sheet_of};
use thidua::config::Settings;
use thidua::io::pdf::Documents;

const RUNS: usize = 20;

fn stats(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[0], times[times.len() / 2])
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Pages, counted as printpdf writes them (`/Type/Page/`).
fn pages(pdf: &[u8]) -> usize {
    let key = b"/Type/Page";
    pdf.windows(key.len() + 1)
        .filter(|w| w.starts_with(key) && w[key.len()] != b's')
        .count()
}

fn main() {
    let settings = Settings::load(Some(std::path::Path::new("config/thidua.toml")))
        .expect("config/thidua.toml loads");
    let load = Instant::now();
    let docs = Documents::load(settings.paths.templates.as_deref()).expect("templates load");
    println!("templates and fonts loaded in {}", ms(load.elapsed()));
    let year = 2026;
    let date = NaiveDate::from_ymd_opt(2026, 12, 9).expect("a date");
    let (units, evidence) = cluster_year(&settings, year);
    let big = many(&settings, year, 100);
    let keep = std::env::var_os("THIDUA_BENCH_DIR").map(std::path::PathBuf::from);

    let mut set_times = Vec::new();
    let mut big_times = Vec::new();
    let mut set_files = Vec::new();
    let mut big_pdf = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let mut files = vec![(
            "bao-cao-xep-hang.pdf".to_string(),
            ranking_of(&settings, &docs, year, &units, None, false, date)
                .and_then(|p| p.pdf(&docs))
                .expect("ranking"),
        )];
        for u in units.iter().filter(|u| u.submission.is_some()) {
            let ev = evidence.get(&u.code).cloned().unwrap_or_default();
            files.push((
                format!("phieu-cham-diem-{}.pdf", u.code),
                sheet_of(&settings, &docs, year, &units, &u.code, &ev, date)
                    .and_then(|p| p.pdf(&docs))
                    .expect("sheet"),
            ));
        }
        files.push((
            "de-nghi-khen-thuong.pdf".to_string(),
            proposals_of(&settings, &docs, year, &units, None, date)
                .and_then(|p| p.pdf(&docs))
                .expect("proposals"),
        ));
        files.push((
            "giao-uoc.pdf".to_string(),
            agreement(&settings, &docs, year, date)
                .and_then(|p| p.pdf(&docs))
                .expect("agreement"),
        ));
        set_times.push(start.elapsed());
        set_files = files;

        let start = Instant::now();
        big_pdf = ranking_of(&settings, &docs, year, &big, None, true, date)
            .and_then(|p| p.pdf(&docs))
            .expect("100 units");
        big_times.push(start.elapsed());
    }
    let (best, median) = stats(set_times);
    let bytes: usize = set_files.iter().map(|f| f.1.len()).sum();
    let set_pages: usize = set_files.iter().map(|f| pages(&f.1)).sum();
    println!(
        "year-end set ({} PDFs, {set_pages} pages, {} KiB): best {}, median {}",
        set_files.len(),
        bytes / 1024,
        ms(best),
        ms(median)
    );
    let (best, median) = stats(big_times);
    println!(
        "100-unit ranking report ({} pages, {} KiB): best {}, median {}",
        pages(&big_pdf),
        big_pdf.len() / 1024,
        ms(best),
        ms(median)
    );
    // The year-end documents of a 1.000-unit cluster, once: the ranking
    // report, the proposals, a score sheet per unit, the agreement.
    let mut big_settings = settings.clone();
    for u in &many(&settings, year, 1000) {
        big_settings
            .cluster
            .units
            .push(thidua::domain::cluster::Unit {
                code: u.code.clone(),
                name: u.name.clone(),
                unit_type: "stp".into(),
                province: "Mẫu".into(),
                emails: vec![format!("{}@mau.example", u.code.to_lowercase())],
                from_year: 2020,
                until_year: None,
                successor: None,
                head_name: format!("Thủ trưởng {}", u.code),
                head_title: "GIÁM ĐỐC".into(),
                former_names: Vec::new(),
            });
    }
    let thousand = many(&settings, year, 1000);
    let start = Instant::now();
    let mut bytes = 0usize;
    bytes += ranking_of(&big_settings, &docs, year, &thousand, None, false, date)
        .and_then(|p| p.pdf(&docs))
        .expect("ranking")
        .len();
    bytes += proposals_of(&big_settings, &docs, year, &thousand, None, date)
        .and_then(|p| p.pdf(&docs))
        .expect("proposals")
        .len();
    let scored = thidua::app::standings::score(&big_settings, year, &thousand);
    for u in &thousand {
        bytes += thidua::app::papers::sheet_in(
            &big_settings,
            &docs,
            &scored,
            &thousand,
            &u.code,
            &std::collections::BTreeMap::new(),
            date,
        )
        .and_then(|p| p.pdf(&docs))
        .expect("sheet")
        .len();
    }
    bytes += agreement(&big_settings, &docs, year, date)
        .and_then(|p| p.pdf(&docs))
        .expect("agreement")
        .len();
    println!(
        "1.000-unit year-end documents (ranking, proposals, 1.000 score sheets, agreement; {} MiB): {:.1} s",
        bytes / (1024 * 1024),
        start.elapsed().as_secs_f64()
    );

    if let Some(dir) = keep {
        std::fs::create_dir_all(&dir).expect("THIDUA_BENCH_DIR is writable");
        for (name, pdf) in set_files
            .iter()
            .chain([&("bao-cao-100-don-vi.pdf".to_string(), big_pdf)])
        {
            std::fs::write(dir.join(name), pdf).expect("write a PDF");
        }
        println!("PDFs kept in {}", dir.display());
    }
}
