//! A team's people and devices: codes are single-use and expire, a refused enrolment spends
//! nothing, only owners invite, and a revoked device is refused at its next request.

use chrono::Duration;
use keyward_core::error::{Error, SignIn, TeamProblem};
use keyward_core::team::credentials::Credentials;
use keyward_core::team::enrol::Enrolment;
use keyward_core::team::{Session, TeamRole};

use keyward_core::Actor;

use crate::{Backend, Fixture};

crate::on_both_backends!(
    a_setup_code_makes_an_owner_once,
    codes_refused_for_any_reason_say_the_same,
    a_refused_enrolment_leaves_the_code_usable,
    only_owners_invite_and_an_invite_can_add_a_device,
    a_revoked_device_is_refused,
);

fn enrolment(code: &str, name: &str, credentials: &Credentials) -> Enrolment {
    Enrolment {
        code: code.to_owned(),
        name: name.to_owned(),
        email: None,
        label: format!("{name}'s laptop"),
        token: credentials.token().to_owned(),
        recipient: credentials.recipient(),
    }
}

/// alice, owner, signed in; her credentials.
async fn owner(f: &Fixture) -> (Session, Credentials) {
    let code = f.keyward.create_setup_code(&Actor::new("operator"), f.t0).await.unwrap();
    let credentials = Credentials::generate();
    let alice = f.keyward.enrol(&enrolment(&code.code, "alice", &credentials), f.t0).await.unwrap();
    (alice, credentials)
}

async fn a_setup_code_makes_an_owner_once(backend: Backend) {
    let f = Fixture::new(backend).await;
    assert!(f.keyward.team_is_empty().await.unwrap());
    let code = f.keyward.create_setup_code(&Actor::new("operator"), f.t0).await.unwrap();
    assert_eq!(code.expires_at.0, f.t0 + Duration::hours(24));
    let credentials = Credentials::generate();
    // Typed in lower case, without dashes: the same code.
    let typed = code.code.to_lowercase().replace('-', "");
    let alice = f.keyward.enrol(&enrolment(&typed, "alice", &credentials), f.t0).await.unwrap();
    assert_eq!((alice.person.as_str(), alice.role), ("alice", TeamRole::Owner));
    assert!(!f.keyward.team_is_empty().await.unwrap());
    let signed = f.keyward.sign_in(credentials.token(), f.t0).await.unwrap();
    assert_eq!(signed, alice);
    let again = f.keyward.enrol(&enrolment(&code.code, "mallory", &Credentials::generate()), f.t0).await;
    assert!(matches!(again, Err(Error::SignIn(SignIn::Code))), "{again:?}");
}

async fn codes_refused_for_any_reason_say_the_same(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (_, _) = owner(&f).await;
    let expired = f.keyward.create_setup_code(&Actor::new("operator"), f.t0).await.unwrap();
    let late = f.t0 + Duration::hours(24) + Duration::seconds(1);
    let mut messages = Vec::new();
    for (code, at) in [(expired.code.as_str(), late), ("ABCD-EFGH-JKMN-PQRS-TVWX", f.t0)] {
        let err = f.keyward.enrol(&enrolment(code, "eve", &Credentials::generate()), at).await.unwrap_err();
        assert!(matches!(err, Error::SignIn(SignIn::Code)), "{err:?}");
        messages.push(err.to_string());
    }
    assert_eq!(messages[0], messages[1]);
    assert!(messages[0].contains("ask an owner"), "{}", messages[0]);
    let unknown = f.keyward.sign_in("kwt_not-a-token-of-this-team-at-all-0000000000", f.t0).await;
    assert!(matches!(unknown, Err(Error::SignIn(SignIn::Token))), "{unknown:?}");
}

async fn a_refused_enrolment_leaves_the_code_usable(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (alice, _) = owner(&f).await;
    let invite = f.keyward.invite(&alice, "bob", Some("bob@example.com"), TeamRole::Member, f.t0).await.unwrap();
    let credentials = Credentials::generate();
    let someone_else = f.keyward.enrol(&enrolment(&invite.code, "robert", &credentials), f.t0).await;
    assert!(
        matches!(&someone_else, Err(Error::Team(TeamProblem::InvitedSomeoneElse { name })) if name == "bob"),
        "{someone_else:?}"
    );
    let mut forged = enrolment(&invite.code, "bob", &credentials);
    forged.recipient = "age1notarecipient".into();
    let forged = f.keyward.enrol(&forged, f.t0).await;
    assert!(matches!(forged, Err(Error::Team(TeamProblem::Credentials))), "{forged:?}");
    let bob = f.keyward.enrol(&enrolment(&invite.code, "bob", &credentials), f.t0).await.unwrap();
    assert_eq!((bob.role, bob.email.as_deref()), (TeamRole::Member, Some("bob@example.com")));
}

async fn only_owners_invite_and_an_invite_can_add_a_device(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (alice, _) = owner(&f).await;
    let invite = f.keyward.invite(&alice, "bob", None, TeamRole::Member, f.t0).await.unwrap();
    let bob = f.keyward.enrol(&enrolment(&invite.code, "bob", &Credentials::generate()), f.t0).await.unwrap();
    let refused = f.keyward.invite(&bob, "carol", None, TeamRole::Member, f.t0).await;
    assert!(matches!(&refused, Err(Error::NotAnOwner { person }) if person == "bob"), "{refused:?}");
    // A second device for bob: same person, same role, two devices.
    let second = f.keyward.invite(&alice, "bob", None, TeamRole::Owner, f.t0).await.unwrap();
    let desktop = Credentials::generate();
    let bob_desktop = f.keyward.enrol(&enrolment(&second.code, "bob", &desktop), f.t0).await.unwrap();
    assert_eq!((bob_desktop.person.as_str(), bob_desktop.role), ("bob", TeamRole::Member));
    assert_ne!(bob_desktop.device, bob.device);
    let everyone = f.keyward.devices(&alice).await.unwrap();
    assert_eq!(everyone.len(), 3);
    let own = f.keyward.devices(&bob).await.unwrap();
    assert_eq!(own.len(), 2);
    assert!(own.iter().all(|d| d.person == "bob" && !d.revoked));
}

async fn a_revoked_device_is_refused(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (alice, alice_credentials) = owner(&f).await;
    let invite = f.keyward.invite(&alice, "bob", None, TeamRole::Member, f.t0).await.unwrap();
    let credentials = Credentials::generate();
    let bob = f.keyward.enrol(&enrolment(&invite.code, "bob", &credentials), f.t0).await.unwrap();
    // bob sees only his own devices, so alice's is not there for him to revoke.
    let not_his = f.keyward.revoke_device(&bob, &alice.device, f.t0).await;
    assert!(matches!(not_his, Err(Error::Team(TeamProblem::NoDevice { .. }))), "{not_his:?}");
    let revoked = f.keyward.revoke_device(&alice, &bob.device, f.t0).await.unwrap();
    assert!(revoked.device.revoked);
    assert!(revoked.may_hold_keys_of.is_empty(), "bob's device could open no key");
    let refused = f.keyward.sign_in(credentials.token(), f.t0).await;
    assert!(matches!(refused, Err(Error::SignIn(SignIn::Token))), "{refused:?}");
    assert!(f.keyward.sign_in(alice_credentials.token(), f.t0).await.is_ok());
    // Revoking twice changes nothing.
    assert!(f.keyward.revoke_device(&alice, &bob.device, f.t0).await.unwrap().device.revoked);
}
