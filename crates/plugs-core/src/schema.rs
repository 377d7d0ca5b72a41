//! The tables' specs (from `plugs-domain`) and how their values meet SQLite: the domain validates
//! a value into a neutral [`DbValue`]; this turns it into SQLite's value and reads stored values back.

pub use plugs_domain::schema::*;
use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::Value;

/// A column's values in and out of SQLite.
pub trait SqlColumn {
    /// Validates a JSON input value and turns it into what SQLite stores; the error names the
    /// column and the rule.
    fn to_sql(&self, v: &Value) -> crate::Result<SqlValue>;
    /// Reads a stored value back as JSON (money as a decimal string, booleans as booleans, JSON
    /// columns parsed). A NULL where the seed has a default reads as that default.
    fn read_sql(&self, v: ValueRef<'_>) -> Value;
}

impl SqlColumn for Column {
    fn to_sql(&self, v: &Value) -> crate::Result<SqlValue> {
        Ok(sql_value(self.to_db(v)?))
    }
    fn read_sql(&self, v: ValueRef<'_>) -> Value {
        self.from_db(match v {
            ValueRef::Null => DbRef::Null,
            ValueRef::Integer(i) => DbRef::Integer(i),
            ValueRef::Real(r) => DbRef::Real(r),
            ValueRef::Text(t) => DbRef::Text(t),
            ValueRef::Blob(b) => DbRef::Blob(b),
        })
    }
}

/// The SQLite value of a neutral stored value.
pub fn sql_value(v: DbValue) -> SqlValue {
    match v {
        DbValue::Null => SqlValue::Null,
        DbValue::Integer(i) => SqlValue::Integer(i),
        DbValue::Text(s) => SqlValue::Text(s),
    }
}
