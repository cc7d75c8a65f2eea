//! Unit enums (roles, grace windows, actions, events, verify codes) are written and read by their
//! serde names everywhere: JSON through the derive, the database through [`stored_as_serde_name`], and text (CLI arguments, `Display`) through the helpers here. One mapping per enum.

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

/// Stores the enum in the database as its serde name (a TEXT column), on every backend.
macro_rules! stored_as_serde_name {
    ($($enum:ty),+) => {$(
        impl sqlx::Type<sqlx::Any> for $enum {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }
            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Any> for $enum {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <String as sqlx::Encode<'q, sqlx::Any>>::encode($crate::serde_names::name_of(self), buf)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Any> for $enum {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
                $crate::serde_names::from_name(text)
                    .ok_or_else(|| format!("\"{text}\" is not a {}", stringify!($enum)).into())
            }
        }
    )+};
}
pub(crate) use stored_as_serde_name;
