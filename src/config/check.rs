//! The two stages of loading: merge the file and the environment with the
//! `config` crate and deserialize (unknown keys rejected, with their path),
//! then check values and references into [`Settings`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;

use super::editable::EditableError;
use super::raw::{RawSettings, RawUnit, RawYear};
use super::{
    ImapSettings, InboxSettings, MailSettings, Paths, Security, Settings, SmtpSettings,
    SmtpTimeouts, Transport, VoteSettings,
};
use crate::domain::cells::Limits;
use crate::domain::cluster::{
    Award, Cluster, Crosscheck, Rules, TieBreak, Unit, UnitType, YearPlan,
};
use crate::domain::criteria::CriteriaError;
use crate::domain::schedule::{CatchUp, JobKind, JobSpec, Schedule};

/// A configuration mistake. The message names the file (or the environment
/// variable that set the key) and the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read the configuration: {reason}")]
    Io { file: String, reason: String },
    #[error("{file}: {reason}")]
    Syntax { file: String, reason: String },
    #[error("{origin}: key `{key}`: {reason}")]
    Key {
        origin: String,
        key: String,
        reason: String,
    },
    #[error(transparent)]
    Criteria(#[from] CriteriaError),
    /// A criteria table (or their folder) that cannot be read.
    #[error(transparent)]
    File(#[from] EditableError),
}

const ENV_PREFIX: &str = "THIDUA";
const ENV_SEP: &str = "__";

pub(super) fn build(
    source: &str,
    text: &str,
    base: Option<&Path>,
    env: &[(String, String)],
) -> Result<Settings, ConfigError> {
    let env_map: config::Map<String, String> = env.iter().cloned().collect();
    let merged = config::Config::builder()
        .add_source(config::File::from_str(text, config::FileFormat::Toml))
        .add_source(
            config::Environment::with_prefix(ENV_PREFIX)
                .prefix_separator(ENV_SEP)
                .separator(ENV_SEP)
                .try_parsing(true)
                .source(Some(env_map)),
        )
        .build()
        .map_err(|e| ConfigError::Syntax {
            file: source.to_string(),
            reason: e.to_string(),
        })?;
    let tree: serde_json::Value = merged.try_deserialize().map_err(|e| ConfigError::Syntax {
        file: source.to_string(),
        reason: e.to_string(),
    })?;
    let raw: RawSettings = serde_path_to_error::deserialize(tree).map_err(|e| {
        let key = e.path().to_string();
        ConfigError::Key {
            origin: origin(source, &key, env),
            key,
            reason: e.into_inner().to_string(),
        }
    })?;
    Checker { source, env }.settings(&raw, base)
}

/// Where a key's value came from: the environment variable that sets it, or
/// the file.
fn origin(source: &str, key: &str, env: &[(String, String)]) -> String {
    let mut name = String::from(ENV_PREFIX);
    for part in key.split('.') {
        let part = part.split('[').next().unwrap_or(part);
        name.push_str(ENV_SEP);
        name.push_str(&part.to_uppercase());
    }
    if env.iter().any(|(k, _)| k.eq_ignore_ascii_case(&name)) {
        format!("environment variable {name} (over {source})")
    } else {
        source.to_string()
    }
}

struct Checker<'a> {
    source: &'a str,
    env: &'a [(String, String)],
}

impl Checker<'_> {
    /// A mail server's `security` key: `none`, `starttls` or `tls`.
    fn security(
        &self,
        key: &str,
        value: Option<&str>,
        default: Security,
    ) -> Result<Security, ConfigError> {
        match value {
            None => Ok(default),
            Some("none") => Ok(Security::None),
            Some("starttls") => Ok(Security::StartTls),
            Some("tls") => Ok(Security::Tls),
            Some(other) => {
                Err(self.err(key, format!("`{other}` is not `none`, `starttls` or `tls`")))
            }
        }
    }

    fn err(&self, key: &str, reason: impl Into<String>) -> ConfigError {
        ConfigError::Key {
            origin: origin(self.source, key, self.env),
            key: key.to_string(),
            reason: reason.into(),
        }
    }

    fn settings(&self, raw: &RawSettings, base: Option<&Path>) -> Result<Settings, ConfigError> {
        let cluster = self.cluster(raw)?;
        let mut paths = paths(raw);
        // Templates sit beside config/ (in the repository's `templates/`).
        paths.templates = match (&raw.paths.templates, base) {
            (Some(dir), Some(base)) => Some(base.join(dir)),
            (Some(dir), None) => Some(PathBuf::from(dir)),
            (None, Some(base)) => Some(base.join("..").join("templates")).filter(|p| p.is_dir()),
            (None, None) => None,
        };
        // The embedded config uses the embedded tables unless the
        // environment points `paths.criteria` at a folder.
        let env_criteria = self
            .env
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("THIDUA__PATHS__CRITERIA"));
        paths.criteria = match (&raw.paths.criteria, base) {
            (Some(dir), Some(base)) => Some(base.join(dir)),
            (Some(dir), None) if env_criteria => Some(PathBuf::from(dir)),
            (None, Some(base)) => Some(base.join("criteria")),
            (_, None) => None,
        };
        let tables = super::tables::load(paths.criteria.as_deref())?;
        for table in tables.iter() {
            let has = |name: &str| table.classes.iter().any(|c| c.name == name);
            if let Some(cap) = &cluster.rules.hard_cap
                && !has(cap)
            {
                return Err(self.err(
                    "scoring.hard_cap",
                    format!("`{cap}` is not a class of {}", table.source),
                ));
            }
            for (i, a) in cluster.rules.awards.iter().enumerate() {
                if a.applies_to(&table.unit_type) && !has(&a.min_class) {
                    return Err(self.err(
                        &format!("awards[{i}].min_class"),
                        format!("`{}` is not a class of {}", a.min_class, table.source),
                    ));
                }
            }
            for (i, t) in cluster.rules.tie_breaks.iter().enumerate() {
                if let crate::domain::cluster::TieBreak::Group(code) = t
                    && table.find(code).is_none()
                {
                    return Err(self.err(
                        &format!("scoring.tie_breaks[{i}]"),
                        format!("`{code}` is not a criterion of {}", table.source),
                    ));
                }
            }
        }
        for &year in &cluster.open_years {
            for t in &cluster.unit_types {
                if cluster.members(year).any(|u| u.unit_type == t.code)
                    && tables.get(&t.code, year).is_none()
                {
                    return Err(self.err(
                        "paths.criteria",
                        format!(
                            "no criteria table for unit type `{}` and open year {year} (expected a file {}-{year}.toml)",
                            t.code, t.code
                        ),
                    ));
                }
            }
        }
        let inbox = InboxSettings {
            stable: self.secs("inbox.stable_secs", raw.inbox.stable_secs, 2.0)?,
            rescan: self.secs("inbox.rescan_secs", raw.inbox.rescan_secs, 30.0)?,
        };
        let mib = |key: &str, v: Option<f64>, default: f64| -> Result<u64, ConfigError> {
            let v = v.unwrap_or(default);
            if !(v > 0.0 && v <= 1024.0 * 1024.0) {
                return Err(self.err(key, format!("{v} is not a size in MiB above 0")));
            }
            Ok((v * 1024.0 * 1024.0) as u64)
        };
        let limits = Limits {
            max_file_bytes: mib("limits.max_file_mib", raw.limits.max_file_mib, 20.0)?,
            max_unpacked_bytes: mib(
                "limits.max_unpacked_mib",
                raw.limits.max_unpacked_mib,
                100.0,
            )?,
            max_cells: match raw.limits.max_cells {
                Some(0) => return Err(self.err("limits.max_cells", "0 cells allows no workbook")),
                Some(n) => n,
                None => Limits::default().max_cells,
            },
        };
        let mail = self.mail(raw, &cluster)?;
        let http_listen = match raw.http.listen.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(a) => {
                let addr: std::net::SocketAddr = a.parse().map_err(|_| {
                    self.err(
                        "http.listen",
                        format!("`{a}` is not an address like 127.0.0.1:8080"),
                    )
                })?;
                if !addr.ip().is_loopback() {
                    return Err(self.err(
                        "http.listen",
                        format!(
                            "`{a}` is not a loopback address; the status page has no login, so it listens on 127.0.0.1 or [::1] only (share it through a reverse proxy that asks for one)"
                        ),
                    ));
                }
                Some(addr)
            }
        };
        let jobs = self.jobs(raw)?;
        let vote = self.vote(raw)?;
        let imap = self.imap(raw)?;
        Ok(Settings {
            source: self.source.to_string(),
            cluster,
            paths,
            inbox,
            limits,
            mail,
            http_listen,
            imap,
            tables,
            jobs,
            vote,
        })
    }

    fn vote(&self, raw: &RawSettings) -> Result<VoteSettings, ConfigError> {
        let v = &raw.vote;
        let share = |key: &str, x: Option<f64>, default: f64| match x {
            None => Ok(default),
            Some(x) if (0.0..=1.0).contains(&x) => Ok(x),
            Some(x) => Err(self.err(
                key,
                format!("{x} is not a share between 0 and 1 (e.g. 0.6667 for two thirds)"),
            )),
        };
        let closes = match v.closes.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(t) => {
                let local = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").map_err(|_| {
                    self.err("vote.closes", format!("`{t}` is not a local time `YYYY-MM-DD HH:MM`, e.g. \"2026-12-05 11:00\""))
                })?;
                Some(crate::domain::time::at_local(local.date(), local.time()))
            }
        };
        Ok(VoteSettings {
            rules: crate::domain::vote::VoteRules {
                quorum: share("vote.quorum", v.quorum, 2.0 / 3.0)?,
                threshold: share("vote.threshold", v.threshold, 0.5)?,
                self_vote: v.self_vote.unwrap_or(false),
            },
            closes,
            secretary: v.secretary.clone().unwrap_or_default(),
        })
    }

    fn jobs(&self, raw: &RawSettings) -> Result<Vec<JobSpec>, ConfigError> {
        let mut out: Vec<JobSpec> = Vec::new();
        for (i, j) in raw.jobs.iter().enumerate() {
            let key = |k: &str| format!("jobs[{i}].{k}");
            let kind = JobKind::from_name(j.name.trim()).ok_or_else(|| {
                self.err(
                    &key("name"),
                    format!("`{}` is not a job; use {}", j.name, JobKind::names()),
                )
            })?;
            if out.iter().any(|o| o.kind == kind) {
                return Err(self.err(&key("name"), format!("`{}` is configured twice", j.name)));
            }
            let schedule =
                Schedule::parse(j.schedule.trim()).map_err(|e| self.err(&key("schedule"), e))?;
            let catch_up = match j.catch_up.as_deref().map(str::trim) {
                None | Some("once") => CatchUp::Once,
                Some("skip") => CatchUp::Skip,
                Some(other) => {
                    return Err(self.err(
                        &key("catch_up"),
                        format!(
                            "`{other}`: use `once` (run a missed time once at start) or `skip`"
                        ),
                    ));
                }
            };
            let hours = j
                .catch_up_within_hours
                .unwrap_or(crate::domain::schedule::CATCH_UP_WITHIN_HOURS as f64);
            if !(hours > 0.0 && hours <= 24.0 * 366.0) {
                return Err(self.err(
                    &key("catch_up_within_hours"),
                    format!("{hours} is not a number of hours above 0 and at most a year"),
                ));
            }
            out.push(JobSpec {
                kind,
                schedule,
                enabled: j.enabled.unwrap_or(true),
                catch_up,
                catch_up_within: chrono::Duration::seconds((hours * 3600.0) as i64),
            });
        }
        Ok(out)
    }

    fn secs(&self, key: &str, v: Option<f64>, default: f64) -> Result<Duration, ConfigError> {
        let v = v.unwrap_or(default);
        if !(v > 0.0 && v < 86_400.0) {
            return Err(self.err(
                key,
                format!("{v} is not a number of seconds above 0 and below a day"),
            ));
        }
        Ok(Duration::from_secs_f64(v))
    }

    fn mail(&self, raw: &RawSettings, cluster: &Cluster) -> Result<MailSettings, ConfigError> {
        let transport = match raw.mail.transport.as_deref().unwrap_or("file") {
            "file" => Transport::File,
            "smtp" => Transport::Smtp,
            other => {
                return Err(self.err(
                    "mail.transport",
                    format!("`{other}` is not `file` or `smtp`"),
                ));
            }
        };
        let from = match &raw.mail.from {
            Some(f) => f.trim().to_string(),
            None => cluster
                .years
                .iter()
                .find(|y| cluster.is_open(y.year))
                .and_then(|y| cluster.unit(&y.head))
                .and_then(|u| u.emails.first().cloned())
                .unwrap_or_default(),
        };
        if !looks_like_email(&from) {
            return Err(self.err("mail.from", format!("`{from}` is not an email address")));
        }
        let s = &raw.mail.smtp;
        let security = self.security(
            "mail.smtp.security",
            s.security.as_deref(),
            Security::StartTls,
        )?;
        let username = s.username.clone().filter(|u| !u.trim().is_empty());
        if username.is_some() && security == Security::None {
            return Err(self.err(
                "mail.smtp.security",
                "`none` would send the password in clear; use `starttls` or `tls` with a username",
            ));
        }
        let d = SmtpTimeouts::default();
        let timeouts = SmtpTimeouts {
            connect: self.secs(
                "mail.smtp.connect_timeout_secs",
                s.connect_timeout_secs,
                d.connect.as_secs_f64(),
            )?,
            greeting: self.secs(
                "mail.smtp.greeting_timeout_secs",
                s.greeting_timeout_secs,
                d.greeting.as_secs_f64(),
            )?,
            command: self.secs(
                "mail.smtp.command_timeout_secs",
                s.command_timeout_secs,
                d.command.as_secs_f64(),
            )?,
            exchange: self.secs(
                "mail.smtp.exchange_timeout_secs",
                s.exchange_timeout_secs,
                d.exchange.as_secs_f64(),
            )?,
        };
        let smtp = match (&s.host, transport) {
            (Some(host), _) if !host.trim().is_empty() => Some(SmtpSettings {
                host: host.trim().to_string(),
                port: s.port.unwrap_or(match security {
                    Security::Tls => 465,
                    Security::StartTls => 587,
                    Security::None => 25,
                }),
                security,
                username,
                ca_file: s
                    .ca_file
                    .as_deref()
                    .filter(|f| !f.trim().is_empty())
                    .map(PathBuf::from),
                timeouts,
            }),
            (_, Transport::Smtp) => {
                return Err(self.err("mail.smtp.host", "required when mail.transport is `smtp`"));
            }
            _ => None,
        };
        let max_attempts = raw.mail.max_attempts.unwrap_or(20);
        if max_attempts == 0 {
            return Err(self.err("mail.max_attempts", "0 attempts would never send a mail"));
        }
        let retry = self.secs("mail.retry_secs", raw.mail.retry_secs, 30.0)?;
        let retry_max = self.secs("mail.retry_max_secs", raw.mail.retry_max_secs, 3600.0)?;
        if retry_max < retry {
            return Err(self.err(
                "mail.retry_max_secs",
                "is shorter than mail.retry_secs, the first wait",
            ));
        }
        Ok(MailSettings {
            transport,
            from,
            from_name: cluster.secretariat(cluster.current_year()),
            smtp,
            max_attempts,
            retry,
            retry_max,
        })
    }

    fn imap(&self, raw: &RawSettings) -> Result<Option<ImapSettings>, ConfigError> {
        let s = &raw.intake.imap;
        let Some(host) = s.host.as_deref().map(str::trim).filter(|h| !h.is_empty()) else {
            return Ok(None);
        };
        let security =
            self.security("intake.imap.security", s.security.as_deref(), Security::Tls)?;
        let Some(username) = s
            .username
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            return Err(self.err(
                "intake.imap.username",
                "required when intake.imap.host is set (the password comes from THIDUA_IMAP_PASSWORD)",
            ));
        };
        let folder = s
            .folder
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .unwrap_or("INBOX")
            .to_string();
        let done_folder = s
            .done_folder
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_string);
        if done_folder.as_deref() == Some(folder.as_str()) {
            return Err(self.err(
                "intake.imap.done_folder",
                format!("`{folder}` is the folder that is read; name another one, or leave it empty to flag handled mail"),
            ));
        }
        for (key, v) in [
            ("intake.imap.folder", Some(&folder)),
            ("intake.imap.done_folder", done_folder.as_ref()),
        ] {
            if let Some(v) = v
                && v.chars().any(|c| c.is_control() || c == '"' || c == '\\')
            {
                return Err(self.err(key, format!("`{}` is not a folder name", v.escape_debug())));
            }
        }
        Ok(Some(ImapSettings {
            host: host.to_string(),
            port: s.port.unwrap_or(match security {
                Security::Tls => 993,
                Security::StartTls | Security::None => 143,
            }),
            security,
            username: username.to_string(),
            folder,
            ca_file: s
                .ca_file
                .as_deref()
                .filter(|f| !f.trim().is_empty())
                .map(PathBuf::from),
            poll: self.secs("intake.imap.poll_secs", s.poll_secs, 60.0)?,
            done_folder,
            address: match s
                .address
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())
            {
                Some(a) if looks_like_email(a) => Some(a.to_string()),
                Some(a) => {
                    return Err(self.err(
                        "intake.imap.address",
                        format!("`{a}` is not an email address"),
                    ));
                }
                None => looks_like_email(username).then(|| username.to_string()),
            },
        }))
    }

    fn cluster(&self, raw: &RawSettings) -> Result<Cluster, ConfigError> {
        let c = &raw.cluster;
        if !matches!(c.timezone.as_str(), "Asia/Ho_Chi_Minh" | "Asia/Saigon") {
            return Err(self.err(
                "cluster.timezone",
                format!(
                    "`{}` is not supported; the cluster runs on Asia/Ho_Chi_Minh",
                    c.timezone
                ),
            ));
        }
        if !looks_like_email(&c.ministry_email) {
            return Err(self.err(
                "cluster.ministry_email",
                format!("`{}` is not an email address", c.ministry_email),
            ));
        }
        let mut types = Vec::new();
        for (i, t) in raw.unit_types.iter().enumerate() {
            if types.iter().any(|x: &UnitType| x.code == t.code) {
                return Err(self.err(
                    &format!("unit_types[{i}].code"),
                    format!("`{}` appears twice", t.code),
                ));
            }
            types.push(UnitType {
                code: t.code.clone(),
                name: t.name.clone(),
            });
        }
        if types.is_empty() {
            return Err(self.err("unit_types", "no unit type is defined"));
        }
        let mut units = Vec::new();
        for (i, u) in raw.units.iter().enumerate() {
            units.push(self.unit(i, u, &types, &units)?);
        }
        for (i, u) in units.iter().enumerate() {
            if let Some(s) = &u.successor
                && (!units.iter().any(|x| &x.code == s) || s == &u.code)
            {
                return Err(self.err(
                    &format!("units[{i}].successor"),
                    format!("`{s}` is not another unit's code"),
                ));
            }
        }
        let mut cluster = Cluster {
            name: c.name.trim().to_string(),
            short_name: c.short_name.trim().to_string(),
            timezone: c.timezone.clone(),
            open_years: c.open_years.clone(),
            ministry_email: c.ministry_email.trim().to_string(),
            unit_types: types,
            units,
            years: Vec::new(),
            rules: self.rules(raw)?,
        };
        for (i, y) in raw.years.iter().enumerate() {
            let plan = self.year(i, y, &cluster)?;
            if cluster.year(plan.year).is_some() {
                return Err(self.err(
                    &format!("years[{i}].year"),
                    format!("{} appears twice", plan.year),
                ));
            }
            cluster.years.push(plan);
        }
        if c.open_years.is_empty() {
            return Err(self.err("cluster.open_years", "no year is open for submissions"));
        }
        for y in &c.open_years {
            if cluster.year(*y).is_none() {
                return Err(self.err("cluster.open_years", format!("{y} has no [[years]] entry")));
            }
            if cluster.members(*y).next().is_none() {
                return Err(self.err("cluster.open_years", format!("no unit is a member in {y}")));
            }
        }
        Ok(cluster)
    }

    fn rules(&self, raw: &RawSettings) -> Result<Rules, ConfigError> {
        let mut tie_breaks = Vec::new();
        let given = raw
            .scoring
            .tie_breaks
            .clone()
            .unwrap_or_else(|| vec!["earliest".into()]);
        for (i, t) in given.iter().enumerate() {
            tie_breaks.push(match t.trim() {
                "earliest" => TieBreak::Earliest,
                g if g.starts_with("group:") && g.len() > 6 => {
                    TieBreak::Group(g[6..].trim().to_string())
                }
                other => {
                    return Err(self.err(
                        &format!("scoring.tie_breaks[{i}]"),
                        format!("`{other}` is not `earliest` or `group:<criterion code>`"),
                    ));
                }
            });
        }
        let mut awards = Vec::new();
        for (i, a) in raw.awards.iter().enumerate() {
            if a.seats == 0 {
                return Err(self.err(&format!("awards[{i}].seats"), "0 seats proposes nobody"));
            }
            let types = a.unit_types.clone().unwrap_or_default();
            if let Some(t) = types
                .iter()
                .find(|t| !raw.unit_types.iter().any(|u| &u.code == *t))
            {
                return Err(self.err(
                    &format!("awards[{i}].unit_types"),
                    format!("`{t}` is not a code of [[unit_types]]"),
                ));
            }
            awards.push(Award {
                code: a.code.clone(),
                name: a.name.trim().to_string(),
                seats: a.seats,
                min_class: a.min_class.trim().to_string(),
                unit_types: types,
            });
        }
        Ok(Rules {
            tie_breaks,
            hard_cap: raw
                .scoring
                .hard_cap
                .clone()
                .filter(|c| !c.trim().is_empty()),
            awards,
        })
    }

    fn unit(
        &self,
        i: usize,
        u: &RawUnit,
        types: &[UnitType],
        done: &[Unit],
    ) -> Result<Unit, ConfigError> {
        let key = |k: &str| format!("units[{i}].{k}");
        let code = u.code.trim();
        if code.is_empty()
            || !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(self.err(
                &key("code"),
                format!("`{code}` is not a code of ASCII letters, digits and `-`"),
            ));
        }
        if done.iter().any(|x| x.code == code) {
            return Err(self.err(&key("code"), format!("`{code}` appears twice")));
        }
        if !types.iter().any(|t| t.code == u.unit_type) {
            return Err(self.err(
                &key("unit_type"),
                format!("`{}` is not a code of [[unit_types]]", u.unit_type),
            ));
        }
        if u.emails.is_empty() {
            return Err(self.err(
                &key("emails"),
                format!("unit `{code}` has no email address"),
            ));
        }
        if let Some(e) = u.emails.iter().find(|e| !looks_like_email(e)) {
            return Err(self.err(&key("emails"), format!("`{e}` is not an email address")));
        }
        if let Some(until) = u.until_year
            && until < u.from_year
        {
            return Err(self.err(
                &key("until_year"),
                format!("{until} is before from_year {}", u.from_year),
            ));
        }
        let mut former: Vec<(i32, String)> = u
            .former_names
            .iter()
            .map(|f| (f.until_year, f.name.trim().to_string()))
            .collect();
        former.sort_by_key(|f| f.0);
        Ok(Unit {
            code: code.to_string(),
            name: u.name.trim().to_string(),
            unit_type: u.unit_type.clone(),
            province: u.province.trim().to_string(),
            emails: u.emails.iter().map(|e| e.trim().to_string()).collect(),
            from_year: u.from_year,
            until_year: u.until_year,
            successor: u.successor.clone(),
            head_name: u.head_name.trim().to_string(),
            head_title: u.head_title.trim().to_string(),
            former_names: former,
        })
    }

    fn year(&self, i: usize, y: &RawYear, cluster: &Cluster) -> Result<YearPlan, ConfigError> {
        let key = |k: &str| format!("years[{i}].{k}");
        let deadline = NaiveDate::parse_from_str(y.deadline.trim(), "%Y-%m-%d").map_err(|_| {
            self.err(
                &key("deadline"),
                format!("`{}` is not a date written YYYY-MM-DD", y.deadline),
            )
        })?;
        let member = |k: &str, code: &str| -> Result<(), ConfigError> {
            if cluster.member(code, y.year).is_none() {
                return Err(self.err(
                    &key(k),
                    format!("`{code}` is not a member unit in {}", y.year),
                ));
            }
            Ok(())
        };
        member("head", &y.head)?;
        for d in &y.deputies {
            member("deputies", d)?;
        }
        let mut seen = HashSet::new();
        let mut crosschecks = Vec::new();
        for (j, c) in y.crosschecks.iter().enumerate() {
            let k = format!("crosschecks[{j}]");
            member(&format!("{k}.inspector"), &c.inspector)?;
            member(&format!("{k}.inspected"), &c.inspected)?;
            if c.inspector == c.inspected {
                return Err(self.err(&key(&k), format!("`{}` cannot inspect itself", c.inspector)));
            }
            if !seen.insert((c.inspector.clone(), c.inspected.clone())) {
                return Err(self.err(
                    &key(&k),
                    format!("`{}` → `{}` appears twice", c.inspector, c.inspected),
                ));
            }
            crosschecks.push(Crosscheck {
                inspector: c.inspector.clone(),
                inspected: c.inspected.clone(),
            });
        }
        Ok(YearPlan {
            year: y.year,
            deadline,
            head: y.head.clone(),
            deputies: y.deputies.clone(),
            motto: y.motto.clone(),
            crosschecks,
            conference: super::year_names::conference(y, &key).map_err(|(k, m)| self.err(&k, m))?,
            naming: super::year_names::naming(y, cluster),
        })
    }
}

/// The data paths, made absolute against the working folder: the inbox
/// watcher reports absolute paths, and a file's unit folder (and whether
/// it is one of thidua's own files) is found by stripping the inbox root.
fn paths(raw: &RawSettings) -> Paths {
    let absolute = |p: PathBuf| std::path::absolute(&p).unwrap_or(p);
    let data = absolute(PathBuf::from(raw.paths.data.as_deref().unwrap_or("var")));
    let sub = |v: &Option<String>, name: &str| {
        v.as_deref()
            .map_or_else(|| data.join(name), |p| absolute(PathBuf::from(p)))
    };
    Paths {
        inbox: sub(&raw.paths.inbox, "inbox"),
        archive: sub(&raw.paths.archive, "archive"),
        rejected: sub(&raw.paths.rejected, "rejected"),
        outbox: sub(&raw.paths.outbox, "outbox"),
        reports: sub(&raw.paths.reports, "reports"),
        ledger: sub(&raw.paths.ledger, "thidua.sqlite"),
        templates: None,
        criteria: None,
        lock: data.join("thidua.lock"),
        staging: data.join(".staging"),
        data,
    }
}

/// A plain check that catches typing mistakes; the mail module parses for real.
pub(crate) fn looks_like_email(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        }
        None => false,
    }
}

#[cfg(test)]
mod imap_tests {
    use crate::config::{Security, Settings};

    fn load(pairs: &[(&str, &str)]) -> Result<Settings, String> {
        let env: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        Settings::load_with_env(None, &env).map_err(|e| e.to_string())
    }

    #[test]
    fn the_mailbox_is_off_without_a_host_and_checked_with_one() {
        assert!(load(&[]).unwrap().imap.is_none());
        assert!(
            load(&[("THIDUA__INTAKE__IMAP__HOST", " ")])
                .unwrap()
                .imap
                .is_none()
        );
        let s = load(&[
            ("THIDUA__INTAKE__IMAP__HOST", "mail.example"),
            ("THIDUA__INTAKE__IMAP__USERNAME", "nopbai@khuvuc.example"),
        ])
        .unwrap()
        .imap
        .unwrap();
        assert_eq!(
            (s.port, s.security, s.folder.as_str()),
            (993, Security::Tls, "INBOX")
        );
        assert_eq!(s.address.as_deref(), Some("nopbai@khuvuc.example"));
        assert_eq!(s.done_folder, None);
        let e = load(&[("THIDUA__INTAKE__IMAP__HOST", "mail.example")]).unwrap_err();
        assert!(e.contains("intake.imap.username"), "{e}");
        let e = load(&[
            ("THIDUA__INTAKE__IMAP__HOST", "mail.example"),
            ("THIDUA__INTAKE__IMAP__USERNAME", "u"),
            ("THIDUA__INTAKE__IMAP__SECURITY", "ssl"),
        ])
        .unwrap_err();
        assert!(e.contains("intake.imap.security"), "{e}");
        let e = load(&[
            ("THIDUA__INTAKE__IMAP__HOST", "mail.example"),
            ("THIDUA__INTAKE__IMAP__USERNAME", "u"),
            ("THIDUA__INTAKE__IMAP__DONE_FOLDER", "INBOX"),
        ])
        .unwrap_err();
        assert!(e.contains("intake.imap.done_folder"), "{e}");
        let s = load(&[
            ("THIDUA__INTAKE__IMAP__HOST", "mail.example"),
            ("THIDUA__INTAKE__IMAP__USERNAME", "u"),
            ("THIDUA__INTAKE__IMAP__SECURITY", "starttls"),
        ])
        .unwrap()
        .imap
        .unwrap();
        assert_eq!((s.port, s.address), (143, None));
    }
}
