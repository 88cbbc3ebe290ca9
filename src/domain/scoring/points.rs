//! Points as whole hundredths, so that sums of 0,25 and 0,5 steps are exact
//! and a total never prints as 89,99999.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};

use serde::{Serialize, Serializer};

/// A score in hundredths of a point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(pub i64);

impl Points {
    pub const ZERO: Points = Points(0);

    /// From a value read from a workbook or a table (rounded to hundredths).
    pub fn from_f64(v: f64) -> Points {
        Points((v * 100.0).round() as i64)
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Written the Vietnamese way: `187,25`, `1.103`.
    pub fn vi(self) -> String {
        crate::domain::vn::format_number(self.as_f64())
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.vi())
    }
}

impl Add for Points {
    type Output = Points;
    fn add(self, o: Points) -> Points {
        Points(self.0 + o.0)
    }
}

impl AddAssign for Points {
    fn add_assign(&mut self, o: Points) {
        self.0 += o.0;
    }
}

impl Sub for Points {
    type Output = Points;
    fn sub(self, o: Points) -> Points {
        Points(self.0 - o.0)
    }
}

impl Neg for Points {
    type Output = Points;
    fn neg(self) -> Points {
        Points(-self.0)
    }
}

impl Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, Add::add)
    }
}

/// In JSON, points are numbers with at most two decimals (`187.25`).
impl Serialize for Points {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_exact() {
        let tenths: Points = (0..1000).map(|_| Points::from_f64(0.1)).sum();
        assert_eq!(tenths, Points(10_000));
        assert_eq!(
            Points::from_f64(89.75) + Points::from_f64(0.25),
            Points(9000)
        );
        assert_eq!(Points(18725).vi(), "187,25");
        assert_eq!(Points(-50).vi(), "-0,5");
    }

    #[test]
    fn hundredths_round_to_the_nearest() {
        assert_eq!(Points::from_f64(9.5), Points(950));
        assert_eq!(Points::from_f64(0.004), Points(0));
        assert_eq!(Points::from_f64(0.006), Points(1));
        assert_eq!(Points::from_f64(-1.25), Points(-125));
        assert_eq!(Points(18725).as_f64(), 187.25);
        assert_eq!(Points(-5).as_f64(), -0.05);
    }

    #[test]
    fn arithmetic_on_hundredths() {
        assert_eq!(Points(1000) - Points(275), Points(725));
        assert_eq!(Points(275) - Points(1000), Points(-725));
        assert_eq!(-Points(275), Points(-275));
        assert_eq!(-Points(-5), Points(5));
        let mut p = Points(100);
        p += Points(25);
        p += Points(-5);
        assert_eq!(p, Points(120));
        let none: Points = std::iter::empty().sum();
        assert_eq!(none, Points::ZERO);
        assert_eq!(
            [Points(1), Points(20), Points(300)]
                .into_iter()
                .sum::<Points>(),
            Points(321)
        );
    }

    #[test]
    fn shown_the_vietnamese_way_and_numbers_in_json() {
        assert_eq!(Points(110_325).to_string(), "1.103,25");
        assert_eq!(format!("{}", Points(900)), "9");
        assert_eq!(serde_json::to_string(&Points(18725)).unwrap(), "187.25");
        assert_eq!(serde_json::to_string(&Points(-50)).unwrap(), "-0.5");
    }
}
