//! Where key strings live: the OS keyring, never the database.
//!
//! - [`store`]: the [`SecretStore`](store::SecretStore) trait, the OS keyring, and an in-memory
//!   store for tests
//! - [`journal`]: keyring entries that may outlive an interrupted change, and their cleanup

pub mod journal;
pub mod store;
