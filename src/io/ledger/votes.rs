//! Ballots as recorded (the latest accepted one of each unit counts) and
//! when a year's vote closed.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::stored::{At, time_text};
use super::{Ledger, LedgerError};

/// The ballot that counts for one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedBallot {
    pub id: i64,
    pub voter: String,
    pub received_at: DateTime<Utc>,
    pub marks: Vec<(String, String)>,
}

/// A ballot refused at intake, with what made it invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedBallot {
    pub id: i64,
    pub voter: String,
    pub received_at: DateTime<Utc>,
    /// The error findings' messages, in order.
    pub reasons: Vec<String>,
}

impl Ledger {
    /// Every rejected ballot of `year`, oldest first, with its errors.
    pub fn rejected_ballots(&self, year: i32) -> Result<Vec<RejectedBallot>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.id, s.unit, s.received_at,
                        (SELECT group_concat(f.message, char(10)) FROM
                           (SELECT message FROM findings WHERE submission_id = s.id
                              AND severity = 'error' ORDER BY seq) f)
                 FROM submissions s
                 WHERE s.kind = 'ballot' AND s.status = 'rejected' AND s.year = ?1
                 ORDER BY s.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([year], |r| {
                let id = r.get(0)?;
                Ok(RejectedBallot {
                    id,
                    voter: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    received_at: At::id("submissions", id).time("received_at", r.get(2)?)?,
                    reasons: r
                        .get::<_, Option<String>>(3)?
                        .map(|t| t.lines().map(str::to_string).collect())
                        .unwrap_or_default(),
                })
            })
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Whether any ballot of `year` was accepted (the year-end's minutes,
    /// the guard's "vote still open"): asked, not read row by row.
    pub fn has_ballots(&self, year: i32) -> Result<bool, LedgerError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM submissions
                 WHERE kind = 'ballot' AND status = 'accepted' AND year = ?1)",
                [year],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Each unit's latest accepted ballot of `year`.
    pub fn ballots(&self, year: i32) -> Result<Vec<CountedBallot>, LedgerError> {
        self.ballots_until(year, None)
    }

    /// Each unit's latest accepted ballot of `year` received by `until`
    /// (the vote's close): a ballot that came later, accepted before the
    /// close was recorded, neither counts nor hides the one before it.
    pub fn ballots_until(
        &self,
        year: i32,
        until: Option<DateTime<Utc>>,
    ) -> Result<Vec<CountedBallot>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.id, s.unit, s.received_at, s.marks FROM submissions s
                 WHERE s.kind = 'ballot' AND s.status = 'accepted' AND s.year = ?1
                 ORDER BY s.unit, s.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([year], |r| {
                let id = r.get(0)?;
                Ok(CountedBallot {
                    id,
                    voter: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    received_at: At::id("submissions", id).time("received_at", r.get(2)?)?,
                    marks: r
                        .get::<_, Option<String>>(3)?
                        .and_then(|t| serde_json::from_str(&t).ok())
                        .unwrap_or_default(),
                })
            })
            .and_then(Iterator::collect::<Result<Vec<CountedBallot>, _>>)
            .map_err(|e| self.err(e))?;
        // In order of unit, then id: the last one kept of each unit counts.
        let mut counted: Vec<CountedBallot> = Vec::new();
        for b in rows {
            if until.is_some_and(|u| b.received_at > u) {
                continue;
            }
            match counted.last_mut() {
                Some(last) if last.voter == b.voter => *last = b,
                _ => counted.push(b),
            }
        }
        Ok(counted)
    }

    /// When `year`'s vote was closed by hand, if it was.
    pub fn vote_closed(&self, year: i32) -> Result<Option<DateTime<Utc>>, LedgerError> {
        self.conn
            .query_row(
                "SELECT closed_at FROM vote_state WHERE year = ?1",
                [year],
                |r| {
                    Ok(At::new("vote_state", format_args!("year {year}"))
                        .time("closed_at", r.get(0)?)?)
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Closes `year`'s vote at `at` (the first close stands).
    pub fn close_vote(&mut self, year: i32, at: DateTime<Utc>) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO vote_state (year, closed_at) VALUES (?1, ?2)",
                params![year, time_text(at)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}
