//! The cluster: its member units with the years they exist and their
//! successors, the unit types, and per year the head, the deputies and the
//! cross-check pairs. Pure values, built by `config`.

use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct UnitType {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub unit_type: String,
    pub province: String,
    pub emails: Vec<String>,
    pub from_year: i32,
    pub until_year: Option<i32>,
    pub successor: Option<String>,
    pub head_name: String,
    pub head_title: String,
    /// `(until_year, name)`, oldest first.
    pub former_names: Vec<(i32, String)>,
}

impl Unit {
    /// Whether the unit is a member in `year`.
    pub fn exists_in(&self, year: i32) -> bool {
        year >= self.from_year && self.until_year.is_none_or(|u| year <= u)
    }

    /// The name the unit carried in `year`, so old years print old names.
    pub fn name_in(&self, year: i32) -> &str {
        self.former_names
            .iter()
            .find(|(until, _)| year <= *until)
            .map_or(self.name.as_str(), |(_, n)| n.as_str())
    }
}

/// A cross-check assignment: `inspector` verifies `inspected`'s scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crosscheck {
    pub inspector: String,
    pub inspected: String,
}

/// The cluster's organisation in one scoring year.
#[derive(Debug, Clone, Serialize)]
pub struct YearPlan {
    pub year: i32,
    pub deadline: NaiveDate,
    pub head: String,
    pub deputies: Vec<String>,
    pub motto: Option<String>,
    pub crosschecks: Vec<Crosscheck>,
    /// The year-end conference, once its date is set.
    pub conference: Option<crate::domain::conference::Conference>,
    /// The names the year's papers use.
    pub naming: crate::domain::conference::Naming,
}

/// How ties are broken where a strict order is needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TieBreak {
    /// The higher subtotal of this criterion (a group) wins.
    Group(String),
    /// The earlier accepted submission wins.
    Earliest,
}

/// A commendation proposed by quota.
#[derive(Debug, Clone, Serialize)]
pub struct Award {
    pub code: String,
    pub name: String,
    pub seats: u32,
    pub min_class: String,
    /// Unit types it applies to; empty means all.
    pub unit_types: Vec<String>,
}

impl Award {
    pub fn applies_to(&self, unit_type: &str) -> bool {
        self.unit_types.is_empty() || self.unit_types.iter().any(|t| t == unit_type)
    }
}

/// The configured rules of ranking.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rules {
    pub tie_breaks: Vec<TieBreak>,
    pub hard_cap: Option<String>,
    pub awards: Vec<Award>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    pub name: String,
    pub short_name: String,
    pub timezone: String,
    pub open_years: Vec<i32>,
    pub ministry_email: String,
    pub unit_types: Vec<UnitType>,
    pub units: Vec<Unit>,
    pub years: Vec<YearPlan>,
    pub rules: Rules,
}

impl Cluster {
    pub fn unit(&self, code: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.code == code)
    }

    pub fn unit_type(&self, code: &str) -> Option<&UnitType> {
        self.unit_types.iter().find(|t| t.code == code)
    }

    /// The unit with this code if it is a member in `year`.
    pub fn member(&self, code: &str, year: i32) -> Option<&Unit> {
        self.unit(code).filter(|u| u.exists_in(year))
    }

    /// Members in `year`, in configuration order.
    pub fn members(&self, year: i32) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(move |u| u.exists_in(year))
    }

    pub fn year(&self, year: i32) -> Option<&YearPlan> {
        self.years.iter().find(|y| y.year == year)
    }

    /// The names `year`'s papers use: its `[[years]]` entry's, else the
    /// defaults (the cluster's own mail address for the ministry's).
    pub fn naming(&self, year: i32) -> crate::domain::conference::Naming {
        self.year(year).map_or_else(
            || crate::domain::conference::Naming::defaults(&self.ministry_email),
            |y| y.naming.clone(),
        )
    }

    /// The cluster's word in `year` ("Khu vực" or "Cụm"), without copying
    /// the year's other names.
    pub fn word(&self, year: i32) -> &str {
        self.year(year)
            .map_or(crate::domain::conference::DEFAULT_WORD, |y| {
                y.naming.word.as_str()
            })
    }

    /// The cluster's name in `year`: its configured name with the year's
    /// word ("Khu vực" / "Cụm", `[[years]]` `cluster_word`) in front where
    /// the name starts with either.
    pub fn name_in(&self, year: i32) -> String {
        let word = self.word(year);
        let name = self.name.trim();
        for old in ["Khu vực", "Cụm"] {
            if let Some(rest) = name.strip_prefix(old)
                && rest.starts_with(' ')
            {
                return format!("{word}{rest}");
            }
        }
        name.to_string()
    }

    /// The body that speaks for the cluster in `year`, its head unit's
    /// office: "Thường trực Khu vực thi đua …". Mails are signed by it and
    /// come from it.
    pub fn secretariat(&self, year: i32) -> String {
        format!("Thường trực {}", self.name_in(year))
    }

    pub fn is_open(&self, year: i32) -> bool {
        self.open_years.contains(&year)
    }

    /// The latest open year: the default for commands given no `--year`.
    pub fn current_year(&self) -> i32 {
        self.open_years.iter().copied().max().unwrap_or_default()
    }

    /// Whether `inspector` is assigned to cross-check `inspected` in `year`.
    pub fn is_assigned(&self, inspector: &str, inspected: &str, year: i32) -> bool {
        self.year(year).is_some_and(|y| {
            y.crosschecks
                .iter()
                .any(|c| c.inspector == inspector && c.inspected == inspected)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, from: i32, until: Option<i32>) -> Unit {
        Unit {
            code: code.into(),
            name: "Thi hành án dân sự tỉnh Quảng Trị".into(),
            unit_type: "thads".into(),
            province: "Quảng Trị".into(),
            emails: vec![],
            from_year: from,
            until_year: until,
            successor: None,
            head_name: String::new(),
            head_title: String::new(),
            former_names: vec![(2024, "Cục Thi hành án dân sự tỉnh Quảng Trị".into())],
        }
    }

    #[test]
    fn old_years_print_old_names() {
        let u = unit("THADS-QTR", 2008, None);
        assert_eq!(u.name_in(2022), "Cục Thi hành án dân sự tỉnh Quảng Trị");
        assert_eq!(u.name_in(2024), "Cục Thi hành án dân sự tỉnh Quảng Trị");
        assert_eq!(u.name_in(2025), "Thi hành án dân sự tỉnh Quảng Trị");
    }

    #[test]
    fn membership_follows_validity_years() {
        let u = unit("THADS-QBI", 2008, Some(2024));
        assert!(u.exists_in(2008));
        assert!(u.exists_in(2024));
        assert!(!u.exists_in(2025));
        assert!(!u.exists_in(2007));
    }
}
