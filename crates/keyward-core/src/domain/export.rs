//! CSV export, shared by the audit trail and the call log.

use crate::error::{Error, Result};

/// A header row then one row per item, quoted as CSV needs.
pub fn to_csv<const N: usize>(header: [&str; N], rows: impl IntoIterator<Item = [String; N]>) -> Result<String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(header)?;
    for row in rows {
        out.write_record(&row)?;
    }
    let bytes = out.into_inner().map_err(|err| Error::Csv(err.into_error().into()))?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8"))
}
