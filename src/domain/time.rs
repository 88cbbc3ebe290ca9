//! Viet Nam's time: the cluster's time zone (UTC+7 all year, no daylight
//! saving) and a moment written the way a Vietnamese office writes it. One
//! definition for the scheduler, receipts, papers and the overview.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::domain::vn::format_date;

/// The cluster's time zone; Viet Nam keeps UTC+7 all year.
pub const TZ: Tz = chrono_tz::Asia::Ho_Chi_Minh;

/// A moment in Viet Nam's time.
pub fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&TZ).fixed_offset()
}

/// Writes a moment as the ledger stores it (RFC 3339 in UTC, `+00:00`), for
/// `#[serde(serialize_with)]`: `score --json` shows the ledger's text.
pub fn serialize_rfc3339<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339())
}

/// "08:05 ngày 27 tháng 11 năm 2026" in Viet Nam's time.
pub fn format_time(t: DateTime<Utc>) -> String {
    let l = local(t);
    format!("{} {}", l.format("%H:%M"), format_date(l.date_naive()))
}

/// The instant of a local date and time in Viet Nam (no daylight saving,
/// so every local time exists once).
pub fn at_local(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    date.and_time(time)
        .and_local_timezone(TZ)
        .single()
        .expect("Viet Nam's time has no gaps or repeats")
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn viet_nam_is_seven_hours_ahead_all_year() {
        for t in [utc(2026, 1, 15, 3, 0), utc(2026, 7, 15, 3, 0)] {
            assert_eq!(local(t).offset().local_minus_utc(), 7 * 3600);
            assert_eq!(
                local(t).naive_local(),
                (t + chrono::Duration::hours(7)).naive_utc()
            );
        }
    }

    #[test]
    fn a_moment_is_written_in_local_time_hours_and_minutes_first() {
        assert_eq!(
            format_time(utc(2026, 11, 27, 1, 5)),
            "08:05 ngày 27 tháng 11 năm 2026"
        );
        // Past 17:00 UTC on New Year's Eve it is already the new year here.
        assert_eq!(
            format_time(utc(2026, 12, 31, 17, 30)),
            "00:30 ngày 01 tháng 01 năm 2027"
        );
    }
}
