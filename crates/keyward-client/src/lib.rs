//! keyward-client: a device's side of Keyward's team mode, for the CLI and the desktop app.
//!
//! - [`server_url`]: which addresses a device sends its credential to (HTTPS, or HTTP on this
//!   machine unless told `--insecure`)
//! - [`link`]: a data folder's link to a team: `team.json` beside the database, the device's
//!   credentials in the OS keyring
//! - [`api`]: the team server's `/v1/team/…` over HTTP, its refusals turned back into core errors
//! - [`device`]: what a device does: join, sign in, leave
//! - [`sealing`]: a key encrypted to recipient devices, and this device's share opened

pub mod api;
pub mod device;
pub mod link;
pub mod sealing;
pub mod server_url;
