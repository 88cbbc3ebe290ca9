//! `/metrics` in the `OpenMetrics` text format (which Prometheus reads),
//! encoded by `prometheus-client`. The counts come from the ledger at each
//! scrape, so they survive restarts and agree with `thidua status`.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::config::Settings;
use crate::io::ledger::{Ledger, LedgerError};

type Labels = Vec<(String, String)>;

fn counter_family(registry: &mut Registry, name: &str, help: &str) -> Family<Labels, Counter> {
    let f = Family::<Labels, Counter>::default();
    registry.register(name, help, f.clone());
    f
}

fn gauge_family(registry: &mut Registry, name: &str, help: &str) -> Family<Labels, Gauge> {
    let f = Family::<Labels, Gauge>::default();
    registry.register(name, help, f.clone());
    f
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The metrics text.
pub fn render(settings: &Settings, ledger: &Ledger) -> Result<String, LedgerError> {
    let t = ledger.tallies()?;
    let outbox = ledger.outbox_counts()?;
    let mut registry = Registry::with_prefix("thidua");

    let files = counter_family(
        &mut registry,
        "files",
        "Workbooks taken in, by outcome (accepted, rejected, duplicate)",
    );
    for (status, n) in &t.files {
        files
            .get_or_create(&labels(&[("status", status.as_str())]))
            .inc_by(count(*n));
    }
    let findings = counter_family(
        &mut registry,
        "findings",
        "Findings reported to units, by finding code",
    );
    for (code, n) in &t.findings {
        findings
            .get_or_create(&labels(&[("code", code.as_str())]))
            .inc_by(count(*n));
    }
    let emails = counter_family(
        &mut registry,
        "emails",
        "Emails by end state: sent, or failed for good",
    );
    for (state, n) in [("sent", outbox.sent), ("failed", outbox.failed)] {
        emails
            .get_or_create(&labels(&[("state", state)]))
            .inc_by(count(n));
    }
    let pending = Gauge::<i64>::default();
    pending.set(outbox.pending);
    registry.register(
        "emails_pending",
        "Emails waiting in the outbox (first try or retry)",
        pending,
    );
    let oldest = Gauge::<i64>::default();
    oldest.set(
        ledger
            .oldest_waiting()?
            .map_or(0, |t| (chrono::Utc::now() - t).num_seconds().max(0)),
    );
    registry.register(
        "emails_oldest_waiting_seconds",
        "Age of the oldest email still waiting to be sent (0 when none waits)",
        oldest,
    );
    let jobs = counter_family(
        &mut registry,
        "job_runs",
        "Scheduled job runs by job and outcome (ok, failed, skipped)",
    );
    for (job, outcome, n) in &t.job_runs {
        jobs.get_or_create(&labels(&[
            ("job", job.name()),
            ("outcome", outcome.as_str()),
        ]))
        .inc_by(count(*n));
    }
    let last_ok = gauge_family(
        &mut registry,
        "job_last_success_timestamp_seconds",
        "When each configured job last ended well (Unix time; 0 if never), for alerting on a job that stopped succeeding",
    );
    for spec in &settings.jobs {
        let at = ledger
            .last_ok(spec.kind)?
            .map_or(0, |r| r.finished_at.unwrap_or(r.started_at).timestamp());
        last_ok
            .get_or_create(&labels(&[("job", spec.kind.name())]))
            .set(at);
    }
    let build = gauge_family(
        &mut registry,
        "build_info",
        "The running thidua's version (always 1)",
    );
    build
        .get_or_create(&labels(&[("version", env!("CARGO_PKG_VERSION"))]))
        .set(1);
    let units = gauge_family(
        &mut registry,
        "units",
        "Member units of each open year, by whether an accepted self-scoring workbook is in",
    );
    for &year in &settings.cluster.open_years {
        let (mut yes, mut no) = (0, 0);
        for u in settings.cluster.members(year) {
            if ledger.latest_accepted(&u.code, year)?.is_some() {
                yes += 1;
            } else {
                no += 1;
            }
        }
        let y = year.to_string();
        for (state, n) in [("submitted", yes), ("missing", no)] {
            units
                .get_or_create(&labels(&[("year", &y), ("state", state)]))
                .set(n);
        }
    }
    let mut out = String::new();
    encode(&mut out, &registry).map_err(|e| LedgerError::Other {
        path: "metrics".into(),
        reason: e.to_string(),
    })?;
    Ok(out)
}
