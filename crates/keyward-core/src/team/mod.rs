//! Team mode: the people of a team and their enrolled devices. Who acts is the person a device
//! token belongs to, never a name someone claims.
//!
//! - [`accounts`]: owners create accounts; members are people of the team
//! - [`credentials`]: a device's token and age identity (made and kept on the device)
//! - [`codes`]: single-use enrolment codes (a setup code for the first owner, invitations)
//! - [`enrol`]: redeeming a code: a person (new or known) gets a device
//! - [`sealed`]: team keys, made and encrypted on a super admin's device; the server keeps
//!   only their hash and ciphertexts
//! - [`devices`]: signing a request in by its device token; listing and revoking devices
//! - [`refusal`]: a refusal's reason and fields on the wire, so a device rebuilds the error

pub mod accounts;
pub mod codes;
pub mod credentials;
pub mod devices;
pub mod enrol;
pub mod refusal;
pub mod sealed;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result, TeamProblem};
use crate::serde_names::{display_as_serde_name, from_name, stored_as_serde_name};
use crate::time::Timestamp;

/// A team role: owners create accounts and invite people; members do neither. What someone
/// may do with an account's key is still their account role (super admin or member).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TeamRole {
    Owner,
    Member,
}

impl std::str::FromStr for TeamRole {
    type Err = Error;
    fn from_str(text: &str) -> Result<TeamRole> {
        from_name(text.trim()).ok_or_else(|| TeamProblem::Role { role: text.to_owned() }.into())
    }
}

display_as_serde_name!(TeamRole);
stored_as_serde_name!(TeamRole);

/// A person and the device a request came from: the actor of a team request.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Session {
    pub person: String,
    pub email: Option<String>,
    pub role: TeamRole,
    pub device: String,
    pub device_label: String,
}

impl Session {
    pub fn actor(&self) -> crate::Actor {
        crate::Actor::new(&self.person)
    }
}

/// One enrolled device, as `keyward team devices` lists it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Device {
    pub id: String,
    pub person: String,
    pub label: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub last_seen_at: Timestamp,
    pub revoked: bool,
}

/// A device just revoked, and the accounts whose active key it could open (rotate them: whoever
/// held the device may have kept the key).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Revoked {
    pub device: Device,
    pub may_hold_keys_of: Vec<String>,
}

/// Hex SHA-256: how tokens and codes are stored and looked up. Both carry 128+ random bits, so
/// a plain hash is enough (nothing to brute-force, unlike a password).
pub(crate) fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
