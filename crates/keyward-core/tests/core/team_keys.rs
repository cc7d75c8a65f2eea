//! Sealed team keys: shares go only to the devices of the account's super admins, a new super
//! admin's device waits for a share (and is told whom to ask), a device that lacks one is found
//! for sharing, and a removed super admin's shares go (with a warning that they may hold it).

use keyward_core::error::Error;
use keyward_core::team::credentials::Credentials;
use keyward_core::team::enrol::Enrolment;
use keyward_core::team::sealed::{SealedKey, Share};
use keyward_core::team::{Session, TeamRole};
use keyward_core::{Actor, Reveal, Role};

use crate::{Backend, Fixture};

crate::on_both_backends!(shares_follow_the_super_admins_of_the_account,);

/// The server only stores ciphertexts: any armored text stands in for one here.
fn share(device: &str) -> Share {
    Share {
        device: device.to_owned(),
        ciphertext: format!("-----BEGIN AGE ENCRYPTED FILE-----\n{device}\n-----END AGE ENCRYPTED FILE-----\n"),
    }
}

fn sealed(shares: Vec<Share>) -> SealedKey {
    SealedKey { key_hash: "ab".repeat(32), hint: "kw_Ab1…9xYz".into(), shares }
}

async fn person(f: &Fixture, code: &str, name: &str) -> Session {
    let credentials = Credentials::generate();
    let enrolment = Enrolment {
        code: code.to_owned(),
        name: name.to_owned(),
        email: None,
        label: format!("{name}-laptop"),
        token: credentials.token().to_owned(),
        recipient: credentials.recipient(),
    };
    f.keyward.enrol(&enrolment, f.t0).await.unwrap()
}

async fn shares_follow_the_super_admins_of_the_account(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, t0) = (&f.keyward, f.t0);
    let setup = kw.create_setup_code(&Actor::new("operator"), t0).await.unwrap();
    let alice = person(&f, &setup.code, "alice").await;
    let bob = person(&f, &kw.invite(&alice, "bob", None, TeamRole::Member, t0).await.unwrap().code, "bob").await;
    kw.create_team_account(&alice, "globex", None, t0).await.unwrap();
    kw.add_team_member(&alice, "globex", "bob", Role::Member, t0).await.unwrap();

    // Only alice is a super admin: a share for bob's device is refused, nothing is made.
    let recipients = kw.key_recipients(&alice, "globex", t0).await.unwrap();
    assert_eq!(recipients.iter().map(|r| r.person.as_str()).collect::<Vec<_>>(), ["alice"]);
    let stray =
        kw.generate_sealed_key(&alice, "globex", &sealed(vec![share(&alice.device), share(&bob.device)]), t0).await;
    assert!(matches!(&stray, Err(Error::NotARecipient { device, .. }) if *device == bob.device), "{stray:?}");
    let without_own = kw.generate_sealed_key(&alice, "globex", &sealed(vec![]), t0).await;
    assert!(matches!(without_own, Err(Error::NotARecipient { .. })), "the sealing device must be able to open it");
    assert_eq!(f.count("SELECT COUNT(*) FROM api_keys WHERE retired_at IS NULL AND hint = 'kw_Ab1…9xYz'").await, 0);
    kw.generate_sealed_key(&alice, "globex", &sealed(vec![share(&alice.device)]), t0).await.unwrap();
    let bobs = kw.sealed_key_share(&bob, "globex", Reveal::View, t0).await;
    assert!(matches!(bobs, Err(Error::PermissionDenied { .. })), "a member never gets a share: {bobs:?}");

    // Made a super admin, bob waits for a share and is told whom to ask; alice's device finds
    // his as the one lacking and shares.
    kw.set_role(&alice.actor(), "globex", "bob", Role::SuperAdmin, t0).await.unwrap();
    let waiting = kw.sealed_key_share(&bob, "globex", Reveal::View, t0).await;
    assert!(matches!(&waiting, Err(Error::NotShared { ask, .. }) if ask.contains("alice")), "{waiting:?}");
    let lacking = kw.recipients_lacking_share(&alice, "globex", t0).await.unwrap();
    assert_eq!(lacking.iter().map(|r| r.device.as_str()).collect::<Vec<_>>(), [bob.device.as_str()]);
    assert_eq!(kw.add_key_shares(&alice, "globex", &[share(&bob.device)], t0).await.unwrap(), 1);
    assert!(kw.recipients_lacking_share(&alice, "globex", t0).await.unwrap().is_empty());
    assert_eq!(kw.sealed_key_share(&bob, "globex", Reveal::Copy, t0).await.unwrap(), share(&bob.device));

    // Removed, bob's shares go, and the answer warns he may still hold the key.
    let removal = kw.remove_member(&alice.actor(), "globex", "bob", t0).await.unwrap();
    assert!(removal.may_hold_key, "{removal:?}");
    let left = format!("SELECT COUNT(*) FROM key_shares WHERE device_id = '{}'", bob.device);
    assert_eq!(f.count(&left).await, 0);
    let events = f.audit_events().await;
    assert!(events.contains(&"shared".to_owned()) && events.contains(&"copied".to_owned()), "{events:?}");
    assert_eq!(events.last().map(String::as_str), Some("member_removed"));
}
