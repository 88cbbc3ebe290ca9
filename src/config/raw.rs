//! The configuration file as written: serde structures that reject unknown
//! keys. Nothing here is checked beyond its type; `config::check` turns these
//! into typed settings and names the key of every mistake.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    pub cluster: RawCluster,
    #[serde(default)]
    pub paths: RawPaths,
    #[serde(default)]
    pub inbox: RawInbox,
    #[serde(default)]
    pub limits: RawLimits,
    #[serde(default)]
    pub mail: RawMail,
    #[serde(default)]
    pub http: RawHttp,
    #[serde(default)]
    pub intake: RawIntake,
    #[serde(default)]
    pub scoring: RawScoring,
    #[serde(default)]
    pub awards: Vec<RawAward>,
    #[serde(default)]
    pub unit_types: Vec<RawUnitType>,
    #[serde(default)]
    pub units: Vec<RawUnit>,
    #[serde(default)]
    pub years: Vec<RawYear>,
    #[serde(default)]
    pub jobs: Vec<RawJob>,
    #[serde(default)]
    pub vote: RawVote,
}

/// `[vote]`: the commendation vote at the year-end conference.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVote {
    /// When ballots stop counting, local time `YYYY-MM-DD HH:MM`.
    pub closes: Option<String>,
    /// Share of members that must vote (0..1), e.g. 0.6667.
    pub quorum: Option<f64>,
    /// A candidate needs more than this share of the ballots cast (0..1).
    pub threshold: Option<f64>,
    /// Whether a unit may vote for itself.
    pub self_vote: Option<bool>,
    /// The conference secretary's name, signed on the minutes.
    pub secretary: Option<String>,
}

/// `[[jobs]]`: one scheduled job.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJob {
    /// A job's name, one of `JobKind::ALL` (`thidua job --help` lists them).
    pub name: String,
    /// Six-field cron expression, seconds first, in the cluster's timezone.
    pub schedule: String,
    pub enabled: Option<bool>,
    /// `once` (default) or `skip`: a run missed while the daemon was down.
    pub catch_up: Option<String>,
    /// A missed time older than this many hours is not caught up but
    /// recorded as skipped (a clock that was wrong, a long outage).
    pub catch_up_within_hours: Option<f64>,
}

/// `[cluster]`: who the cluster is and which years are open.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCluster {
    /// Full name, e.g. "Khu vực thi đua các cơ quan Tư pháp các tỉnh Bắc Trung Bộ".
    pub name: String,
    /// Abbreviation used in document numbers, e.g. "KVTĐ".
    pub short_name: String,
    /// IANA timezone of the cluster; only `Asia/Ho_Chi_Minh` is expected.
    pub timezone: String,
    /// Years open for submissions.
    pub open_years: Vec<i32>,
    /// The ministry's emulation office address (year-end package).
    pub ministry_email: String,
}

/// `[paths]`: where data and criteria tables live. Relative paths are taken
/// from the working directory for `data` and from the config file's folder for
/// `criteria`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPaths {
    pub data: Option<String>,
    pub criteria: Option<String>,
    pub inbox: Option<String>,
    pub archive: Option<String>,
    pub rejected: Option<String>,
    pub outbox: Option<String>,
    pub reports: Option<String>,
    pub ledger: Option<String>,
    /// Mail and document templates; relative to the config file's folder.
    pub templates: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInbox {
    pub stable_secs: Option<f64>,
    pub rescan_secs: Option<f64>,
}

/// `[limits]`: bounds on what one workbook may cost to read.
#[allow(clippy::struct_field_names)]
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub max_file_mib: Option<f64>,
    pub max_unpacked_mib: Option<f64>,
    pub max_cells: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMail {
    pub transport: Option<String>,
    pub from: Option<String>,
    /// Failed attempts after which each further one is logged as an error
    /// (a mail that is refused outright fails at once; one that could not
    /// be delivered for now is never given up).
    pub max_attempts: Option<u32>,
    /// First retry delay in seconds; doubles with each attempt, up to `retry_max_secs`.
    pub retry_secs: Option<f64>,
    /// The longest wait between two attempts, in seconds.
    pub retry_max_secs: Option<f64>,
    #[serde(default)]
    pub smtp: RawSmtp,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSmtp {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub security: Option<String>,
    pub username: Option<String>,
    /// Extra CA certificate (PEM) to trust, for a server with an internal CA.
    pub ca_file: Option<String>,
    /// Seconds to open the TCP connection.
    pub connect_timeout_secs: Option<f64>,
    /// Seconds for the server's greeting (and the EHLO answer) once connected.
    pub greeting_timeout_secs: Option<f64>,
    /// Seconds for the answer to each command (the message's final dot included).
    pub command_timeout_secs: Option<f64>,
    /// Seconds for one mail's whole exchange, from connecting to the last answer.
    pub exchange_timeout_secs: Option<f64>,
}

/// `[intake]`: other ways files come in than the inbox folders.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIntake {
    #[serde(default)]
    pub imap: RawImap,
}

/// `[intake.imap]`: the submission mailbox (contract §6 and §7).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawImap {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub security: Option<String>,
    pub username: Option<String>,
    pub folder: Option<String>,
    pub ca_file: Option<String>,
    /// Seconds between looks at the folder when the server has no IDLE.
    pub poll_secs: Option<f64>,
    /// A folder handled mail is moved to; empty: it stays, flagged.
    pub done_folder: Option<String>,
    /// The mailbox's address, told to the units; default: the username
    /// when it is an address.
    pub address: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHttp {
    pub listen: Option<String>,
}

/// `[scoring]`: how ties are broken and how hard conditions cap a class.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScoring {
    /// Applied in order where a strict order is needed: `group:<code>` (the
    /// higher subtotal of that criterion wins) or `earliest` (the earlier
    /// accepted submission wins).
    pub tie_breaks: Option<Vec<String>>,
    /// The highest class a unit with an unmet hard condition can get.
    pub hard_cap: Option<String>,
}

/// `[[awards]]`: a commendation proposed by quota, per unit type, in order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAward {
    pub code: String,
    pub name: String,
    /// Seats per unit type.
    pub seats: u32,
    /// The lowest class that may be proposed.
    pub min_class: String,
    /// Unit types it applies to (absent: all).
    pub unit_types: Option<Vec<String>>,
}

/// `[[unit_types]]`: one per scoring table family (Sở Tư pháp, THADS).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUnitType {
    pub code: String,
    pub name: String,
}

/// `[[units]]`: a member unit and the years it exists.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUnit {
    pub code: String,
    pub name: String,
    pub unit_type: String,
    pub province: String,
    pub emails: Vec<String>,
    /// First year the unit exists as a member.
    pub from_year: i32,
    /// Last year the unit exists (absent: still exists).
    pub until_year: Option<i32>,
    /// Code of the unit that took over after `until_year`.
    pub successor: Option<String>,
    /// Name of the unit's head, printed under its signature block.
    pub head_name: String,
    /// Role printed above the head's signature, e.g. "GIÁM ĐỐC".
    pub head_title: String,
    /// Names the unit carried before, each up to and including `until_year`.
    #[serde(default)]
    pub former_names: Vec<RawFormerName>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFormerName {
    pub until_year: i32,
    pub name: String,
}

/// `[[years]]`: the cluster's organisation in one scoring year.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawYear {
    pub year: i32,
    /// Last day for submissions, `YYYY-MM-DD`.
    pub deadline: String,
    /// Code of the unit heading the cluster that year.
    pub head: String,
    pub deputies: Vec<String>,
    /// The campaign's motto, printed in the agreement.
    pub motto: Option<String>,
    #[serde(default)]
    pub crosschecks: Vec<RawCrosscheck>,
    /// The year-end conference.
    pub conference: Option<RawConference>,
    /// "Khu vực" (default) or "Cụm".
    pub cluster_word: Option<String>,
    /// The ministry's body receiving the year-end package.
    pub ministry_body: Option<String>,
    /// Its mail address; default `cluster.ministry_email`.
    pub ministry_email: Option<String>,
    /// The legal bases the papers cite, in order.
    #[serde(default)]
    pub legal_bases: Vec<String>,
}

/// `[years.conference]`: the year-end conference.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConference {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`, local time.
    pub time: Option<String>,
    pub place: String,
    pub chair: String,
    pub chair_title: Option<String>,
    pub secretary: Option<String>,
    #[serde(default)]
    pub counting: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCrosscheck {
    pub inspector: String,
    pub inspected: String,
}
