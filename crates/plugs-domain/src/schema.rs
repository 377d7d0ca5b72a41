//! What the store knows about each table: its columns, their kinds and rules, who may write them.
//! Each table module under `tables/` declares one [`TableSpec`]; the repository and the CLI are driven
//! by it, so a rule is written once and holds for every entry point.

use crate::error::{DomainError as Error, Result};
use crate::types::{Money, Timestamp};
use serde_json::{Number, Value};
use std::net::IpAddr;
use std::str::FromStr;

/// Extra shape rules on top of a text column's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    /// Plain text that may be empty: a person's second name (many people go by one name).
    Name,
    Email,
    Url,
    /// Digits, spaces and `+ - ( ) . /`, at least three digits. A phone with an extension is stored
    /// in one form, `+12125550100x204`, whatever spelling it came in (`ext. 204`, `#204`,
    /// `;ext=204`…): see [`crate::phone`] for the form and why.
    Phone,
    /// ISO 4217 code, three letters.
    Currency,
    /// IANA time-zone name, e.g. `Europe/Paris`.
    TimeZone,
}

/// The JSON value a JSON column must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonShape {
    Object,
    Array,
    Any,
}

/// A column's kind: how it is stored in SQLite and what values it takes.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Uuid { references: Option<&'static str> },
    Text { max: Option<usize>, format: Format },
    Enum(&'static [&'static str]),
    Int { min: i64, max: i64 },
    Bool,
    Json(JsonShape),
    Timestamp,
    Date,
    Money,
    Inet,
}

/// A column default, as the seed declares it.
#[derive(Debug, Clone, Copy)]
pub enum Default {
    /// A JSON literal of the default value.
    Json(&'static str),
    /// The time of the write.
    Now,
}

/// Who may set a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Set on create and changed by update.
    Write,
    /// Set on create, then fixed (e.g. the contact an interaction belongs to).
    CreateOnly,
    /// Set by the store only (ids, authorship, stamps, tombstones, state changed by dedicated
    /// actions whose rules the table declares).
    System,
    /// Computed from other rows by the store that holds them (an event's registrations, a
    /// contact's latest interaction): a value a device sends is never taken as it is.
    Derived,
    /// Kept by the server alone (account bookkeeping, the billing plan): never written by a device.
    Server,
}

/// How a table deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoftDelete {
    /// `is_deleted` and `deleted_at`.
    Full,
    /// `is_deleted` only (notifications).
    Flag,
    /// No tombstone columns: rows are removed (if the table allows deleting at all).
    None,
}

/// Which writes a table takes through the repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ops {
    /// Create, update, delete (and restore where it soft-deletes).
    All,
    /// Update only (organizations: created with the workspace).
    Update,
    /// Create only: logs, never changed once written.
    Append,
    /// Written by the store itself (audit_logs).
    ReadOnly,
}

/// One column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    /// Whether the seed allows NULL. Columns with a default are still never set to NULL by the store.
    pub nullable: bool,
    pub default: Option<Default>,
    pub access: Access,
}

/// One table.
#[derive(Debug)]
pub struct TableSpec {
    pub name: &'static str,
    /// The table's rules beyond its columns, run by every store before a row is written.
    pub rules: crate::rules::TableRules,
    /// Values of this table's rows computed from other rows, kept current by every store.
    pub derived: &'static [Derived],
    pub columns: &'static [Column],
    pub soft_delete: SoftDelete,
    pub ops: Ops,
    pub sortable: &'static [&'static str],
}

/// A value as a store keeps it: the neutral form each side turns into its own database's value
/// (SQLite stores money as integer hundredths and booleans as 0/1; PostgreSQL casts the text).
#[derive(Debug, Clone, PartialEq)]
pub enum DbValue {
    Null,
    Integer(i64),
    Text(String),
}

/// A stored value as read back, borrowed from the store's row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DbRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

impl DbValue {
    /// The value borrowed as read back.
    pub fn as_ref(&self) -> DbRef<'_> {
        match self {
            DbValue::Null => DbRef::Null,
            DbValue::Integer(i) => DbRef::Integer(*i),
            DbValue::Text(s) => DbRef::Text(s.as_bytes()),
        }
    }
}

/// How a derived value folds the rows it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// How many rows.
    Count,
    /// The greatest value of a column (NULL when there is none).
    Max(&'static str),
}

/// A column computed from other rows: the live (not deleted) rows of `from` whose `fk` names this
/// row, filtered, folded by `aggregate`. Declared once here; each store writes it in its own SQL
/// after every write of a `from` row, in the same transaction.
#[derive(Debug, Clone, Copy)]
pub struct Derived {
    pub column: &'static str,
    pub from: &'static str,
    pub fk: &'static str,
    pub aggregate: Aggregate,
    /// Only rows whose column has this value.
    pub only: Option<(&'static str, &'static str)>,
    /// Not rows whose column has this value.
    pub except: Option<(&'static str, &'static str)>,
}

impl Derived {
    /// The SQL condition that keeps the live rows it is derived from (tables without tombstones,
    /// such as logs, have only live rows).
    pub fn live_sql(&self) -> &'static str {
        match crate::tables::spec(self.from).map(|s| s.soft_delete) {
            Some(SoftDelete::None) => "",
            _ => " AND NOT COALESCE(is_deleted, false)",
        }
    }

    /// The SQL condition of the filters (`only`, `except`), after the live and parent conditions.
    /// The values are the domain's own literals, never input.
    pub fn filter_sql(&self) -> String {
        let mut s = String::new();
        if let Some((c, v)) = self.only {
            s.push_str(&format!(" AND {c} = '{v}'"));
        }
        if let Some((c, v)) = self.except {
            s.push_str(&format!(" AND COALESCE({c}, '') <> '{v}'"));
        }
        s
    }
}

/// A typed row of a table.
pub trait Entity: serde::Serialize + serde::de::DeserializeOwned {
    const SPEC: &'static TableSpec;
}

impl TableSpec {
    /// The column of that name.
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name == name)
    }
    /// Whether the table has that column.
    pub fn has(&self, name: &str) -> bool {
        self.column(name).is_some()
    }
    /// The table a reference column points at.
    pub fn references(&self, column: &str) -> Option<&'static str> {
        match self.column(column)?.kind {
            Kind::Uuid { references } => references,
            _ => None,
        }
    }
    /// The column naming who created the row (`created_by` or `uploaded_by`).
    pub fn creator_column(&self) -> Option<&'static str> {
        ["created_by", "uploaded_by"].into_iter().find(|c| self.has(c))
    }
    /// Columns a client may give on create.
    pub fn creatable(&self) -> impl Iterator<Item = &'static Column> + '_ {
        self.columns.iter().filter(|c| matches!(c.access, Access::Write | Access::CreateOnly))
    }
    /// Columns a client may change on update.
    pub fn updatable(&self) -> impl Iterator<Item = &'static Column> + '_ {
        self.columns.iter().filter(|c| c.access == Access::Write)
    }
    /// Comma-separated column list for SELECTs, in declaration order.
    pub fn select_list(&self) -> String {
        self.columns.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
    }
}

impl Column {
    /// Whether NULL is a value this column may be given (nullable and without a default).
    pub fn accepts_null(&self) -> bool {
        self.nullable && self.default.is_none()
    }

    /// Validates a JSON input value and returns it in its one canonical JSON form.
    pub fn normalize(&self, v: &Value) -> Result<Value> {
        let db = self.to_db(v)?;
        Ok(self.from_db(db.as_ref()))
    }

    /// Whether a value must be given on create.
    pub fn required_on_create(&self) -> bool {
        !self.nullable && self.default.is_none()
    }

    /// Validates a JSON input value and turns it into what SQLite stores. The error names the
    /// column and the rule.
    pub fn to_db(&self, v: &Value) -> Result<DbValue> {
        let f = self.name;
        if v.is_null() {
            return if self.accepts_null() { Ok(DbValue::Null) } else { Err(Error::invalid(f, "required", "is required and cannot be empty")) };
        }
        let want = |what: &str| Error::invalid(f, "invalid_type", format!("must be {what}"));
        Ok(match self.kind {
            Kind::Uuid { .. } => {
                let s = v.as_str().ok_or_else(|| want("a UUID string"))?;
                let id = uuid::Uuid::parse_str(s.trim()).map_err(|_| Error::invalid(f, "invalid_format", format!("'{s}' is not a UUID")))?;
                DbValue::Text(id.hyphenated().to_string())
            }
            Kind::Text { max, format } => {
                let s = v.as_str().ok_or_else(|| want("text"))?;
                let s = s.trim();
                check_storable(f, s)?;
                if s.is_empty() && format == Format::Name {
                    return Ok(DbValue::Text(String::new()));
                }
                if s.is_empty() {
                    return if self.accepts_null() { Ok(DbValue::Null) } else { Err(Error::invalid(f, "required", "is required and cannot be empty")) };
                }
                let s = check_format(f, format, s)?;
                if let Some(max) = max {
                    let n = s.chars().count();
                    if n > max {
                        return Err(Error::invalid(f, "max_length", format!("must be at most {max} characters (got {n})")));
                    }
                }
                DbValue::Text(s)
            }
            Kind::Enum(values) => {
                let s = v.as_str().ok_or_else(|| want("text"))?;
                check_storable(f, s)?;
                if !values.contains(&s) {
                    return Err(Error::invalid(f, "invalid_choice", format!("'{s}' is not one of: {}", values.join(", "))));
                }
                DbValue::Text(s.to_owned())
            }
            Kind::Int { min, max } => {
                let n = v.as_i64().ok_or_else(|| want("a whole number"))?;
                if n < min || n > max {
                    let range = if max == i32::MAX as i64 || max == i64::MAX { format!("at least {min}") } else { format!("between {min} and {max}") };
                    return Err(Error::invalid(f, "out_of_range", format!("must be {range} (got {n})")));
                }
                DbValue::Integer(n)
            }
            Kind::Bool => DbValue::Integer(v.as_bool().ok_or_else(|| want("true or false"))? as i64),
            Kind::Json(shape) => {
                let ok = match shape {
                    JsonShape::Object => v.is_object(),
                    JsonShape::Array => v.is_array(),
                    JsonShape::Any => true,
                };
                if !ok {
                    return Err(want(if shape == JsonShape::Object { "a JSON object" } else { "a JSON array" }));
                }
                if json_has_nul(v) {
                    return Err(unstorable(f));
                }
                DbValue::Text(v.to_string())
            }
            Kind::Timestamp => {
                let s = v.as_str().ok_or_else(|| want("a time string"))?;
                let t = Timestamp::parse(s).map_err(|m| Error::invalid(f, "invalid_format", m))?;
                DbValue::Text(t.to_string())
            }
            Kind::Date => {
                let s = v.as_str().ok_or_else(|| want("a date string"))?;
                let d =
                    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| Error::invalid(f, "invalid_format", format!("'{s}' is not a date such as 2026-11-24")))?;
                DbValue::Text(d.format("%Y-%m-%d").to_string())
            }
            Kind::Money => {
                let s = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return Err(want("a decimal amount")),
                };
                let m = Money::parse(&s).map_err(|m| Error::invalid(f, "invalid_amount", m))?;
                DbValue::Integer(m.hundredths())
            }
            Kind::Inet => {
                let s = v.as_str().ok_or_else(|| want("an IP address"))?;
                DbValue::Text(parse_inet(s).map_err(|m| Error::invalid(f, "invalid_format", m))?)
            }
        })
    }

    /// Turns command-line text into the JSON value [`Column::to_sql`] takes: numbers for numeric
    /// columns, booleans for flags, parsed JSON for JSON columns, text otherwise. `null` or an empty
    /// string clears a nullable column.
    pub fn json_from_text(&self, s: &str) -> Result<Value> {
        let f = self.name;
        if s.is_empty() || (s == "null" && !matches!(self.kind, Kind::Text { .. })) {
            return Ok(Value::Null);
        }
        Ok(match self.kind {
            Kind::Int { .. } => Value::Number(s.trim().parse::<i64>().map_err(|_| Error::invalid(f, "invalid_type", format!("'{s}' is not a whole number")))?.into()),
            Kind::Bool => Value::Bool(match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" | "on" => true,
                "false" | "no" | "0" | "off" => false,
                _ => return Err(Error::invalid(f, "invalid_type", format!("'{s}' is not true or false"))),
            }),
            Kind::Json(_) => serde_json::from_str(s).map_err(|e| Error::invalid(f, "invalid_json", format!("is not valid JSON: {e}")))?,
            _ => Value::String(s.to_owned()),
        })
    }

    /// Reads a stored value back as JSON (money as a decimal string, booleans as booleans, JSON
    /// columns parsed). A NULL where the seed has a default reads as that default.
    pub fn from_db(&self, v: DbRef<'_>) -> Value {
        match v {
            DbRef::Null => match self.default {
                Some(Default::Json(lit)) => serde_json::from_str(lit).unwrap_or(Value::Null),
                _ => Value::Null,
            },
            DbRef::Integer(i) => match self.kind {
                Kind::Bool => Value::Bool(i != 0),
                Kind::Money => Value::String(Money::from_hundredths(i).to_string()),
                _ => Value::Number(Number::from(i)),
            },
            DbRef::Real(r) => Number::from_f64(r).map(Value::Number).unwrap_or(Value::Null),
            DbRef::Text(t) => {
                let s = String::from_utf8_lossy(t);
                match self.kind {
                    Kind::Json(_) => serde_json::from_str(&s).unwrap_or(Value::String(s.into_owned())),
                    _ => Value::String(s.into_owned()),
                }
            }
            DbRef::Blob(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
        }
    }
}

/// Text PostgreSQL cannot store (a NUL character) is refused on every side, at the same rule.
pub fn check_storable(field: &str, s: &str) -> Result<()> {
    if s.contains('\0') {
        return Err(unstorable(field));
    }
    Ok(())
}

fn unstorable(field: &str) -> Error {
    Error::invalid(field, "unstorable_text", "contains a NUL character (\\0), which cannot be stored")
}

fn json_has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(json_has_nul),
        Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || json_has_nul(v)),
        _ => false,
    }
}

fn check_format(field: &str, format: Format, s: &str) -> Result<String> {
    let bad = |m: String| Error::invalid(field, "invalid_format", m);
    Ok(match format {
        Format::Plain | Format::Name => s.to_owned(),
        Format::Email => {
            email_address::EmailAddress::from_str(s)
                .ok()
                .filter(|e| e.domain().contains('.') || e.domain() == "localhost")
                .ok_or_else(|| bad(format!("'{s}' is not an email address")))?;
            s.to_owned()
        }
        Format::Url => {
            let u = url::Url::parse(s).map_err(|_| bad(format!("'{s}' is not a web address (https://...)")))?;
            if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
                return Err(bad(format!("'{s}' is not a web address (https://...)")));
            }
            s.to_owned()
        }
        Format::Phone => {
            // An extension, however it is written, takes its one stored form (see `phone`).
            let s = crate::phone::with_extension(s).unwrap_or_else(|| s.to_owned());
            let digits = s.chars().filter(char::is_ascii_digit).count();
            if digits < 3 || !s.chars().all(|c| c.is_ascii_digit() || " +-().x/".contains(c)) {
                return Err(bad(format!("'{s}' is not a phone number (digits, spaces, + - ( ) . only, and an extension such as x204)")));
            }
            s
        }
        Format::Currency => {
            let up = s.to_ascii_uppercase();
            if up.len() != 3 || !up.chars().all(|c| c.is_ascii_uppercase()) {
                return Err(bad(format!("'{s}' is not a three-letter currency code such as EUR")));
            }
            up
        }
        Format::TimeZone => {
            chrono_tz::Tz::from_str(s).map_err(|_| bad(format!("'{s}' is not a time zone such as Europe/Paris")))?;
            s.to_owned()
        }
    })
}

/// An IP address, optionally with a prefix length, as PostgreSQL's INET takes it.
fn parse_inet(s: &str) -> std::result::Result<String, String> {
    let s = s.trim();
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let ip = IpAddr::from_str(addr).map_err(|_| format!("'{s}' is not an IP address"))?;
    match prefix {
        None => Ok(ip.to_string()),
        Some(p) => {
            let max = if ip.is_ipv4() { 32 } else { 128 };
            match p.parse::<u8>() {
                Ok(n) if n <= max => Ok(format!("{ip}/{n}")),
                _ => Err(format!("'{s}' has a prefix length outside 0..={max}")),
            }
        }
    }
}

/// Declares a table once: one list of columns makes both its row type (serde, ts-rs) and its
/// [`TableSpec`], so the two cannot drift apart. Each column reads
/// `name: RustType = kind, nullable, default, access;`.
#[macro_export]
macro_rules! table {
    (
        $(#[$m:meta])*
        pub struct $row:ident in $name:literal typed $new:ident, $patch:ident, $id:ident {
            $( $col:ident : $ty:ty = $kind:expr, $null:literal, $default:expr, $access:ident; )+
        }
        soft_delete: $sd:ident, ops: $ops:ident, sortable: [$($sort:literal),* $(,)?],
        rules: $rules:expr
        $(, derived: [$($derived:expr),* $(,)?])? $(,)?
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
        pub struct $row {
            $( pub $col: $ty, )+
        }

        /// The table's columns, rules and capabilities.
        pub static SPEC: $crate::schema::TableSpec = $crate::schema::TableSpec {
            name: $name,
            rules: $rules,
            derived: &[$($($derived),*)?],
            columns: &[ $( $crate::schema::Column { name: stringify!($col), kind: $kind, nullable: $null, default: $default, access: $crate::schema::Access::$access }, )+ ],
            soft_delete: $crate::schema::SoftDelete::$sd,
            ops: $crate::schema::Ops::$ops,
            sortable: &[$($sort),*],
        };

        impl $crate::schema::Entity for $row {
            const SPEC: &'static $crate::schema::TableSpec = &SPEC;
        }

        $crate::typed_fields! {
            #[doc = concat!("A new row of `", $name, "`: the columns a client may set when it creates one (each may be left out; the store fills the seed's defaults and refuses what the rules refuse).")]
            new $new [] $( $col : $ty = $access ; )+
        }

        $crate::typed_fields! {
            #[doc = concat!("A change to a row of `", $name, "`: only the fields given change (`null` clears a nullable one).")]
            patch $patch [] $( $col : $ty = $access ; )+
        }

        #[doc = concat!("The id of a row of `", $name, "`.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS)]
        #[serde(transparent)]
        pub struct $id(pub uuid::Uuid);
    };
}

/// The typed inputs of a table (see [`table!`]): `new` keeps the columns a client sets on create
/// (`Write` and `CreateOnly`), `patch` those it may change (`Write`). Each field is optional, and a
/// given `null` stays distinct from a field left out.
#[doc(hidden)]
#[macro_export]
macro_rules! typed_fields {
    (#[$m:meta] $mode:ident $name:ident [] $($rest:tt)*) => { $crate::typed_fields!(@collect #[$m] $mode $name [] $($rest)*); };
    (@collect #[$m:meta] $mode:ident $name:ident [$($acc:tt)*] $col:ident : $ty:ty = Write ; $($rest:tt)*) => { $crate::typed_fields!(@collect #[$m] $mode $name [$($acc)* $col : $ty ,] $($rest)*); };
    (@collect #[$m:meta] new $name:ident [$($acc:tt)*] $col:ident : $ty:ty = CreateOnly ; $($rest:tt)*) => { $crate::typed_fields!(@collect #[$m] new $name [$($acc)* $col : $ty ,] $($rest)*); };
    (@collect #[$m:meta] $mode:ident $name:ident [$($acc:tt)*] $col:ident : $ty:ty = $other:ident ; $($rest:tt)*) => { $crate::typed_fields!(@collect #[$m] $mode $name [$($acc)*] $($rest)*); };
    (@collect #[$m:meta] $mode:ident $name:ident [$($col:ident : $ty:ty ,)*]) => {
        #[$m]
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $(
                #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "plugs_domain::schema::given")]
                #[ts(optional)]
                pub $col: Option<$ty>,
            )*
        }
    };
}

/// Reads a field that was given (a `null` included) as `Some`: with `#[serde(default)]`, a field
/// left out stays `None`, so `Option<Option<T>>` tells "clear it" from "leave it".
pub fn given<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(d: D) -> std::result::Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}
