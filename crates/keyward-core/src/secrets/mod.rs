//! Where key strings live: the OS keyring, never the database.
//!
//! - [`store`]: the [`SecretStore`](store::SecretStore) trait, the OS keyring, and an in-memory
//!   store for tests
//! - [`device`]: a team device's token and age identity
//! - [`journal`]: keyring entries that may outlive an interrupted change, and their cleanup

pub mod device;
pub mod journal;
pub mod store;
