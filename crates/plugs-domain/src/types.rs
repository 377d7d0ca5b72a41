//! Value types parsed once at the edge: timestamps with fixed precision, exact money, string enums.

use chrono::{DateTime, SubsecRound, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A UTC instant with microsecond precision, written as `2026-11-24T14:03:05.123456Z` everywhere
/// (SQLite, JSON, the CLI) so that text order is time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ts_rs::TS)]
#[ts(type = "string")]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The current time, truncated to microseconds.
    pub fn now() -> Self {
        Self(Utc::now().trunc_subsecs(6))
    }
    /// Wraps a chrono time, truncating to microseconds.
    pub fn from_datetime(t: DateTime<Utc>) -> Self {
        Self(t.trunc_subsecs(6))
    }
    /// The chrono value.
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }
    /// Parses any RFC 3339 time (any offset, any precision); the result is in UTC.
    pub fn parse(s: &str) -> Result<Self, String> {
        DateTime::parse_from_rfc3339(s.trim())
            .map(|t| Self::from_datetime(t.with_timezone(&Utc)))
            .map_err(|_| format!("'{s}' is not an RFC 3339 time such as 2026-11-24T14:03:05Z"))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use chrono::{Datelike, Timelike};
        let t = &self.0;
        let nanos = t.nanosecond();
        if !(0..=9999).contains(&t.year()) || nanos >= 1_000_000_000 {
            // Outside four-digit years, or a leap second: chrono's own rendering.
            return write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S%.6fZ"));
        }
        // The same text as that format, written directly (this runs for every time stored).
        write!(f, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second(), nanos / 1000)
    }
}

impl FromStr for Timestamp {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An exact amount with two decimal places, as PostgreSQL's DECIMAL(12,2). Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, ts_rs::TS)]
#[ts(type = "string")]
pub struct Money(Decimal);

/// The largest magnitude DECIMAL(12,2) holds, in hundredths.
pub const MONEY_MAX_HUNDREDTHS: i64 = 999_999_999_999;

impl Money {
    /// Parses a decimal such as `12`, `12.5` or `12.50`; more than two decimals or more than
    /// twelve digits in all is refused, as PostgreSQL would.
    pub fn parse(s: &str) -> Result<Self, String> {
        let d = Decimal::from_str(s.trim()).map_err(|_| format!("'{s}' is not a decimal amount such as 12.50"))?;
        Self::from_decimal(d)
    }
    /// Checks scale (≤ 2) and range (12 digits).
    pub fn from_decimal(d: Decimal) -> Result<Self, String> {
        let d = d.normalize();
        if d.scale() > 2 {
            return Err(format!("{d} has more than two decimal places"));
        }
        let mut d = d;
        d.rescale(2);
        if d.mantissa().unsigned_abs() > MONEY_MAX_HUNDREDTHS as u128 {
            return Err(format!("{d} does not fit in 12 digits (10 before the point)"));
        }
        Ok(Self(d))
    }
    /// From integer hundredths, the SQLite storage form.
    pub fn from_hundredths(h: i64) -> Self {
        Self(Decimal::new(h, 2))
    }
    /// Integer hundredths, the SQLite storage form.
    pub fn hundredths(&self) -> i64 {
        // The mantissa of a scale-2 decimal within range always fits in i64.
        self.0.mantissa() as i64
    }
    /// The exact decimal value.
    pub fn as_decimal(&self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            S(String),
            I(i64),
        }
        match Repr::deserialize(d)? {
            Repr::S(s) => Self::parse(&s).map_err(serde::de::Error::custom),
            Repr::I(i) => Self::from_decimal(Decimal::from(i)).map_err(serde::de::Error::custom),
        }
    }
}

/// Declares an enum over the values of a CHECK (... IN (...)) list, serialized as those strings.
#[macro_export]
macro_rules! string_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($variant:ident = $value:literal,)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS)]
        pub enum $name {
            $(#[serde(rename = $value)] $variant,)+
        }
        impl $name {
            /// Every value the schema allows, in the schema's order.
            pub const VALUES: &'static [&'static str] = &[$($value),+];
            /// The value as stored.
            pub fn as_str(&self) -> &'static str {
                match self { $(Self::$variant => $value,)+ }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($value => Ok(Self::$variant),)+
                    _ => Err(format!("'{}' is not one of: {}", s, Self::VALUES.join(", "))),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_fixed_precision_and_are_utc() {
        let t = Timestamp::parse("2026-11-24T15:03:05.1+01:00").unwrap();
        assert_eq!(t.to_string(), "2026-11-24T14:03:05.100000Z");
        assert!(Timestamp::parse("2026-02-30T00:00:00Z").is_err());
        assert!(Timestamp::parse("yesterday").is_err());
    }

    #[test]
    fn money_is_exact_and_bounded() {
        assert_eq!(Money::parse("12.5").unwrap().to_string(), "12.50");
        assert_eq!(Money::parse("0.1").unwrap().hundredths() + Money::parse("0.2").unwrap().hundredths(), 30);
        assert!(Money::parse("1.005").is_err());
        assert!(Money::parse("10000000000").is_err());
        assert_eq!(Money::parse("9999999999.99").unwrap().hundredths(), MONEY_MAX_HUNDREDTHS);
        assert!(Money::parse("abc").is_err());
        assert_eq!(Money::from_hundredths(-250).to_string(), "-2.50");
    }
}

#[cfg(test)]
mod display_tests {
    use super::Timestamp;

    #[test]
    fn written_as_the_chrono_format_writes_it() {
        for text in ["2026-11-24T14:03:05Z", "0001-01-01T00:00:00.000001Z", "2024-02-29T23:59:59.999999Z", "1999-12-31T23:59:59.5+02:00", "9999-12-31T23:59:59Z"] {
            let t = Timestamp::parse(text).unwrap();
            assert_eq!(t.to_string(), t.as_datetime().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(), "{text}");
        }
        assert_eq!(Timestamp::parse("2026-11-24T14:03:05.1234567+01:00").unwrap().to_string(), "2026-11-24T13:03:05.123456Z");
    }
}
