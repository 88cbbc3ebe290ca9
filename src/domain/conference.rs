//! What changes from year to year in the papers and is not a score: the
//! year-end conference (when and where, who chairs, who keeps the minutes,
//! who counts the ballots), which dates the year's final papers and bounds
//! when the vote may close and the year-end package go out; and the names
//! of the year (what the cluster calls itself, the ministry's receiving
//! body, the legal bases cited). Pure values, built by `config`.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Serialize;

/// The year-end conference ("Hội nghị tổng kết").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conference {
    pub date: NaiveDate,
    /// When it opens, local time; `None`: the start of its day.
    pub time: Option<NaiveTime>,
    pub place: String,
    /// Who chairs it: name, then title.
    pub chair: String,
    pub chair_title: String,
    /// Who keeps the minutes; `None`: `[vote].secretary`.
    pub secretary: Option<String>,
    /// The counting committee, "name — role" each, the head first.
    pub counting: Vec<String>,
}

impl Conference {
    /// When the conference opens, as an instant.
    pub fn opens(&self) -> DateTime<Utc> {
        crate::domain::time::at_local(self.date, self.time.unwrap_or(NaiveTime::MIN))
    }
}

/// The cluster's word in a year that names none.
pub const DEFAULT_WORD: &str = "Khu vực";

/// The names a year's papers use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Naming {
    /// "Khu vực" or "Cụm": "Trưởng Khu vực", "Thường trực Khu vực".
    pub word: String,
    /// The ministry's body that receives the year-end package, e.g.
    /// "Vụ Tổ chức cán bộ".
    pub ministry_body: String,
    /// Where that body receives it (the ministry's mail address).
    pub ministry_email: String,
    /// The legal bases, full citations without the leading "Căn cứ" and
    /// without the closing punctuation.
    pub legal_bases: Vec<String>,
}

impl Naming {
    /// The names of a year that gives none of its own: the default word, no
    /// receiving body or legal bases, the cluster's address for the
    /// ministry.
    pub fn defaults(ministry_email: &str) -> Naming {
        Naming {
            word: DEFAULT_WORD.to_string(),
            ministry_body: String::new(),
            ministry_email: ministry_email.to_string(),
            legal_bases: Vec::new(),
        }
    }
}
