//! What the gateway's hot path reads: no database round trip and no lock per request.
//!
//! - [`key_index`]: the in-memory index of key hashes, kept current by this process's changes
//! - [`key_changes`]: following other processes' and hosts' changes (poll, LISTEN), the view's age
//! - [`budget`]: usage limits shared by every gateway of a team database (leased in chunks)
//! - [`published`]: a value read per request and replaced seldom (the index, the limiters)

pub mod budget;
pub mod key_changes;
pub mod key_index;
pub mod published;
