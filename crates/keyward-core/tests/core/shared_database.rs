//! Two machines on one database, each with its own keyring: a key's secret stays where it was
//! made, the other machine is told where, and each machine clears only its own keyring.

use std::sync::Arc;

use chrono::Duration;
use keyward_core::secrets::store::{MemorySecrets, SecretStore};
use keyward_core::{Confirmation, Error, Grace, Keyward, Reveal};

use crate::{on_both_backends, Backend, Fixture};

async fn a_key_made_on_another_machine_is_shown_there_and_cleaned_there(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (ana, t0) = (&f.admin, f.t0);
    let first = f.keyward.generate_key(ana, "acme", t0).await.unwrap();
    let laptop_secrets = Arc::new(MemorySecrets::default());
    let laptop = Keyward::connect(&f.database, laptop_secrets.clone()).await.unwrap().with_device("laptop-2");

    let err = laptop.reveal_key(ana, "acme", Reveal::View, t0).await.unwrap_err();
    let made_on = f.keyward.device().to_owned();
    assert!(matches!(&err, Error::SecretElsewhere { device, .. } if *device == made_on), "{err}");
    assert!(err.to_string().contains(&made_on), "the message names the machine: {err}");

    // Rotated on the laptop: the new secret is the laptop's, the old one waits for its machine.
    let rotated = laptop.rotate_key(ana, "acme", Grace::None, &Confirmation::Explicit, t0).await.unwrap();
    assert_eq!(laptop.reveal_key(ana, "acme", Reveal::Copy, t0).await.unwrap(), rotated.new_key.key);
    assert_eq!(f.secrets.get(&first.info.key_id).unwrap(), Some(first.key.clone()));
    let later = t0 + Duration::hours(1);
    assert_eq!(laptop.clean_orphaned_secrets(later).await.unwrap(), 0, "not the laptop's to clean");
    assert_eq!(f.keyward.clean_orphaned_secrets(later).await.unwrap(), 1);
    assert_eq!(f.secrets.len(), 0);
    assert_eq!(laptop_secrets.len(), 1);
}

on_both_backends!(a_key_made_on_another_machine_is_shown_there_and_cleaned_there);
