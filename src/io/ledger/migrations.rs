//! Schema migrations, applied in order at open; `PRAGMA user_version` holds
//! how many have run. Never edit a migration that has shipped: add one.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: submissions, findings, cross-checks, job runs, outbox.
    "CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        unit TEXT,
        inspected TEXT,
        folder_unit TEXT,
        year INTEGER,
        original_name TEXT NOT NULL,
        inbox_path TEXT NOT NULL,
        stored_path TEXT NOT NULL,
        hash TEXT NOT NULL,
        size INTEGER NOT NULL,
        received_at TEXT NOT NULL,
        status TEXT NOT NULL,
        duplicate_of INTEGER REFERENCES submissions(id),
        self_total REAL,
        group_totals TEXT,
        scores TEXT,
        evidence TEXT,
        reasons TEXT,
        indicators TEXT
     );
     CREATE INDEX submissions_by_content ON submissions(hash, unit, year);
     CREATE INDEX submissions_by_unit ON submissions(unit, year, status);
     CREATE TABLE findings (
        submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        code TEXT NOT NULL,
        severity TEXT NOT NULL,
        sheet TEXT,
        cell TEXT,
        message TEXT NOT NULL,
        PRIMARY KEY (submission_id, seq)
     );
     CREATE TABLE job_runs (
        id INTEGER PRIMARY KEY,
        job TEXT NOT NULL,
        scheduled_at TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT,
        detail TEXT
     );
     CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        submission_id INTEGER REFERENCES submissions(id),
        created_at TEXT NOT NULL,
        to_addrs TEXT NOT NULL,
        cc_addrs TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        attachments TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        sent_at TEXT
     );
     CREATE INDEX outbox_due ON outbox(status, next_attempt_at);",
    // 2: one row per verified criterion of an accepted cross-check.
    "CREATE TABLE crosschecks (
        submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        inspector TEXT NOT NULL,
        inspected TEXT NOT NULL,
        year INTEGER NOT NULL,
        criterion TEXT NOT NULL,
        verified REAL NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (submission_id, criterion)
     );
     CREATE INDEX crosschecks_by_unit ON crosschecks(inspected, year);",
    "ALTER TABLE job_runs ADD COLUMN documents TEXT NOT NULL DEFAULT '[]';
     ALTER TABLE job_runs ADD COLUMN emails INTEGER NOT NULL DEFAULT 0;
     CREATE INDEX job_runs_by_job ON job_runs(job, id);
     CREATE TABLE job_state (
        job TEXT PRIMARY KEY,
        checked_until TEXT NOT NULL
     );",
    "ALTER TABLE submissions ADD COLUMN marks TEXT;
     CREATE TABLE vote_state (
        year INTEGER PRIMARY KEY,
        closed_at TEXT NOT NULL
     );",
    // 5: files `thidua init` wrote into the inboxes (the guide, blank forms),
    // by path under the inbox root, so the daemon leaves them alone while
    // they are unchanged.
    "CREATE TABLE own_files (
        path TEXT PRIMARY KEY,
        hash TEXT NOT NULL,
        written_at TEXT NOT NULL
     );",
    // 6: files that came by mail (the submission mailbox, IMAP): each
    // attachment's submission names its mail part, recorded with its file;
    // each mail handled is a row keyed by folder, UIDVALIDITY and UID; an
    // answer to a mail is a reply to it.
    "ALTER TABLE submissions ADD COLUMN mail_part TEXT;
     ALTER TABLE submissions ADD COLUMN mail_message_id TEXT;
     ALTER TABLE submissions ADD COLUMN mail_sender TEXT;
     CREATE UNIQUE INDEX submissions_by_mail_part ON submissions(mail_part)
        WHERE mail_part IS NOT NULL;
     CREATE TABLE imap_mails (
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        message_id TEXT,
        sender TEXT NOT NULL,
        unit TEXT,
        outcome TEXT NOT NULL,
        files INTEGER NOT NULL,
        handled_at TEXT NOT NULL,
        PRIMARY KEY (folder, uidvalidity, uid)
     );
     ALTER TABLE outbox ADD COLUMN in_reply_to TEXT;",
    // 7: what a mail shows people: the recipients' display name and the
    // names its attachments travel under (JSON, `outbox::Shown`).
    "ALTER TABLE outbox ADD COLUMN shown TEXT;",
];

/// The schema version this thidua writes: how many migrations it knows.
pub fn current() -> i64 {
    MIGRATIONS.len() as i64
}

/// The schema version a ledger is at.
pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies the migrations not yet applied, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let done = version(conn)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        migrate(&mut c).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
    }
}
