//! Unit enums (roles, grace windows, actions, events, verify codes) are written and read by their
//! serde names everywhere: JSON through the derive, the database through `sqlx::Type` with the same
//! `rename_all`, and text (CLI arguments, `Display`) through the helpers here. One mapping per enum.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// The serde name of a unit variant (`Role::SuperAdmin` -> `super-admin`).
pub fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => unreachable!("name_of is for unit enums, which serialise to a string"),
    }
}

/// The variant named `text` (aliases included), if any.
pub fn from_name<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::from(text)).ok()
}

/// `Display` as the serde name.
macro_rules! display_as_serde_name {
    ($($enum:ty),+) => {$(
        impl std::fmt::Display for $enum {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&$crate::serde_names::name_of(self))
            }
        }
    )+};
}
pub(crate) use display_as_serde_name;
