//! A `[[years]]` entry's conference and names, checked into the domain's
//! values: the conference's date and time parsed, its people trimmed; the
//! names defaulted ("Khu vực", the cluster's ministry address).

use chrono::{NaiveDate, NaiveTime};

use super::raw::RawYear;
use crate::domain::cluster::Cluster;
use crate::domain::conference::{Conference, Naming};

/// The year's conference, or the key and reason of the mistake.
pub(super) fn conference(
    y: &RawYear,
    key: &dyn Fn(&str) -> String,
) -> Result<Option<Conference>, (String, String)> {
    let Some(c) = &y.conference else {
        return Ok(None);
    };
    let date = NaiveDate::parse_from_str(c.date.trim(), "%Y-%m-%d").map_err(|_| {
        (
            key("conference.date"),
            format!("`{}` is not a date written YYYY-MM-DD", c.date),
        )
    })?;
    let time = match c.time.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => Some(NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| {
            (
                key("conference.time"),
                format!("`{t}` is not a local time written HH:MM, e.g. \"08:00\""),
            )
        })?),
    };
    if chrono::Datelike::year(&date) < y.year {
        return Err((
            key("conference.date"),
            format!(
                "{date} is before the year {} it closes; the conference is held from December to March",
                y.year
            ),
        ));
    }
    let text = |s: &str| s.trim().to_string();
    Ok(Some(Conference {
        date,
        time,
        place: text(&c.place),
        chair: text(&c.chair),
        chair_title: c.chair_title.as_deref().map(text).unwrap_or_default(),
        secretary: c.secretary.as_deref().map(text).filter(|s| !s.is_empty()),
        counting: c.counting.iter().map(|s| text(s)).collect(),
    }))
}

/// The year's names, defaulted.
pub(super) fn naming(y: &RawYear, cluster: &Cluster) -> Naming {
    let or = |v: &Option<String>, d: &str| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(d)
            .to_string()
    };
    Naming {
        word: or(&y.cluster_word, crate::domain::conference::DEFAULT_WORD),
        ministry_body: or(&y.ministry_body, ""),
        ministry_email: or(&y.ministry_email, &cluster.ministry_email),
        legal_bases: y
            .legal_bases
            .iter()
            .map(|b| b.trim().trim_end_matches([';', '.']).trim().to_string())
            .filter(|b| !b.is_empty())
            .collect(),
    }
}
