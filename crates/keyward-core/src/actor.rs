//! Who is acting: the OS user, unless `KEYWARD_ACTOR` names someone else (shared machines,
//! scripts). The name is matched against account members; it proves nothing by itself, which
//! is why the audit trail also records the device.

use serde::Serialize;

pub const ACTOR_ENV: &str = "KEYWARD_ACTOR";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Actor(String);

impl Actor {
    pub fn new(name: impl Into<String>) -> Actor {
        Actor(name.into())
    }

    /// `KEYWARD_ACTOR`, else the OS account name of this process, else "unknown".
    pub fn local() -> Actor {
        std::env::var(ACTOR_ENV)
            .ok()
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .or_else(|| whoami::username().ok())
            .map(Actor)
            .unwrap_or_else(|| Actor("unknown".into()))
    }

    pub fn name(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
