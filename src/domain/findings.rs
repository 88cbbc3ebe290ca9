//! Findings: what is wrong (or worth a warning) in a workbook, with a stable
//! code from the contract, the sheet and A1 cell, and a Vietnamese message a
//! clerk can act on.

use serde::{Serialize, Serializer};

/// The finding codes of the contract (section 4). The strings are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    UnreadableFile,
    FileTooLarge,
    SheetMissing,
    HeaderMissing,
    UnitMissing,
    UnitUnknown,
    UnitFolderMismatch,
    YearMissing,
    YearMismatch,
    CriterionUnknown,
    CriterionDuplicate,
    CriterionMissing,
    MaxMismatch,
    ScoreMissing,
    ScoreNotNumber,
    ScoreNegative,
    ScoreAboveMax,
    ScoreStep,
    EvidenceMissing,
    GroupTotalMismatch,
    IndicatorInvalid,
    CrosscheckNotAssigned,
    ReasonMissing,
    BallotTooManyMarks,
    BallotSelfVote,
    BallotCandidateUnknown,
    BallotMarkInvalid,
    BallotClosed,
}

impl Code {
    pub const ALL: [Code; 28] = [
        Code::UnreadableFile,
        Code::FileTooLarge,
        Code::SheetMissing,
        Code::HeaderMissing,
        Code::UnitMissing,
        Code::UnitUnknown,
        Code::UnitFolderMismatch,
        Code::YearMissing,
        Code::YearMismatch,
        Code::CriterionUnknown,
        Code::CriterionDuplicate,
        Code::CriterionMissing,
        Code::MaxMismatch,
        Code::ScoreMissing,
        Code::ScoreNotNumber,
        Code::ScoreNegative,
        Code::ScoreAboveMax,
        Code::ScoreStep,
        Code::EvidenceMissing,
        Code::GroupTotalMismatch,
        Code::IndicatorInvalid,
        Code::CrosscheckNotAssigned,
        Code::ReasonMissing,
        Code::BallotTooManyMarks,
        Code::BallotSelfVote,
        Code::BallotCandidateUnknown,
        Code::BallotMarkInvalid,
        Code::BallotClosed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::UnreadableFile => "unreadable-file",
            Code::FileTooLarge => "file-too-large",
            Code::SheetMissing => "sheet-missing",
            Code::HeaderMissing => "header-missing",
            Code::UnitMissing => "unit-missing",
            Code::UnitUnknown => "unit-unknown",
            Code::UnitFolderMismatch => "unit-folder-mismatch",
            Code::YearMissing => "year-missing",
            Code::YearMismatch => "year-mismatch",
            Code::CriterionUnknown => "criterion-unknown",
            Code::CriterionDuplicate => "criterion-duplicate",
            Code::CriterionMissing => "criterion-missing",
            Code::MaxMismatch => "max-mismatch",
            Code::ScoreMissing => "score-missing",
            Code::ScoreNotNumber => "score-not-number",
            Code::ScoreNegative => "score-negative",
            Code::ScoreAboveMax => "score-above-max",
            Code::ScoreStep => "score-step",
            Code::EvidenceMissing => "evidence-missing",
            Code::GroupTotalMismatch => "group-total-mismatch",
            Code::IndicatorInvalid => "indicator-invalid",
            Code::CrosscheckNotAssigned => "crosscheck-not-assigned",
            Code::ReasonMissing => "reason-missing",
            Code::BallotTooManyMarks => "ballot-too-many-marks",
            Code::BallotSelfVote => "ballot-self-vote",
            Code::BallotCandidateUnknown => "ballot-candidate-unknown",
            Code::BallotMarkInvalid => "ballot-mark-invalid",
            Code::BallotClosed => "ballot-closed",
        }
    }

    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    /// The word shown to a Vietnamese reader.
    pub fn label_vi(self) -> &'static str {
        match self {
            Severity::Error => "Lỗi",
            Severity::Warning => "Lưu ý",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub sheet: Option<String>,
    pub cell: Option<String>,
    pub message: String,
}

impl Finding {
    pub fn error(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: Severity::Error,
            sheet: None,
            cell: None,
            message: message.into(),
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(code, message)
        }
    }

    #[must_use]
    pub fn on_sheet(mut self, sheet: &str) -> Finding {
        self.sheet = Some(sheet.to_string());
        self
    }

    /// Places the finding at a zero-based `(row, col)` of `sheet`.
    #[must_use]
    pub fn at(mut self, sheet: &str, pos: (u32, u32)) -> Finding {
        self.sheet = Some(sheet.to_string());
        self.cell = Some(a1(pos));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A1 name of a zero-based `(row, col)`: `(0, 0)` is `A1`, `(9, 27)` is `AB10`.
pub fn a1((row, col): (u32, u32)) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let r = (n - 1) % 26;
        letters.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8(letters).unwrap_or_default(),
        row + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_names() {
        assert_eq!(a1((0, 0)), "A1");
        assert_eq!(a1((9, 25)), "Z10");
        assert_eq!(a1((9, 27)), "AB10");
        assert_eq!(a1((1_048_575, 16_383)), "XFD1048576");
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(c));
            assert!(seen.insert(c.as_str()));
        }
    }
}
