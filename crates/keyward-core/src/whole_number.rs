//! JSON numbers read as whole numbers the way JSON Schema's `integer` means them: `2811` and
//! `2811.0` alike (some JSON encoders write every number as a float); `2811.5` is refused.

use serde::de::{Deserializer, Error, Visitor};

/// For `#[serde(deserialize_with = "…")]` on an integer field of a request body.
pub fn deserialize<'de, D: Deserializer<'de>, T: TryFrom<i64>>(deserializer: D) -> Result<T, D::Error> {
    let n = deserializer.deserialize_any(Whole)?;
    T::try_from(n).map_err(|_| D::Error::custom(format!("{n} is out of range")))
}

struct Whole;

impl Visitor<'_> for Whole {
    type Value = i64;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a whole number")
    }

    fn visit_i64<E: Error>(self, n: i64) -> Result<i64, E> {
        Ok(n)
    }

    fn visit_u64<E: Error>(self, n: u64) -> Result<i64, E> {
        i64::try_from(n).map_err(|_| E::custom(format!("{n} is out of range")))
    }

    fn visit_f64<E: Error>(self, n: f64) -> Result<i64, E> {
        let whole = n.fract() == 0.0 && (i64::MIN as f64..i64::MAX as f64).contains(&n);
        whole.then_some(n as i64).ok_or_else(|| E::custom(format!("{n} is not a whole number")))
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::deserialize")]
        n: u32,
    }

    fn read(json: &str) -> Result<u32, String> {
        serde_json::from_str::<Body>(json).map(|b| b.n).map_err(|e| e.to_string())
    }

    #[test]
    fn whole_floats_read_and_others_are_refused() {
        assert_eq!(read(r#"{"n": 2811}"#), Ok(2811));
        assert_eq!(read(r#"{"n": 2811.0}"#), Ok(2811));
        assert!(read(r#"{"n": 2811.5}"#).unwrap_err().contains("not a whole number"));
        assert!(read(r#"{"n": -1}"#).unwrap_err().contains("out of range"));
        assert!(read(r#"{"n": "7"}"#).is_err());
        assert!(read(r#"{"n": 1e300}"#).is_err());
    }
}
