//! What the gateway's hot path reads: no database round trip and no lock per request.
//!
//! - [`key_index`]: the in-memory index of key hashes, kept current by this process's changes
//!   and by following the store's key revision
//! - [`published`]: a value read per request and replaced seldom (the index, the limiters)

pub mod key_index;
pub mod published;
