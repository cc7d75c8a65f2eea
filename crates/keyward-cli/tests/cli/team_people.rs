//! People in a team, as real processes: two `keyward serve` replicas on one PostgreSQL database,
//! and devices (data folders with their credentials in the real keyring) that join with codes,
//! invite, list and revoke devices, and leave.

use std::path::Path;
use std::time::{Duration, Instant};

use keyward_core::team::credentials::Credentials;
use serde_json::Value;

use crate::serve::Server;
use crate::team::{psql, shared_server, team_database};
use crate::{keyring_lookup, Home, Run};

/// The code a command printed: alone on stdout, five groups of four.
pub(crate) fn code_of(run: &Run) -> String {
    let code = run.stdout.trim().to_owned();
    assert!(code.len() == 24 && code.split('-').count() == 5, "not a code alone on stdout: {}", run.shown());
    code
}

fn join(home: &Home, server: &Server, code: &str, name: &str) -> Run {
    home.run(&["team", "join", &server.url(), "--code", code, "--name", name, "--label", &format!("{name}-laptop")])
}

fn status(home: &Home) -> Value {
    home.ok(&["--json", "team", "status"]).json()
}

fn credentials_entry(home: &Home) -> String {
    let link: Value = serde_json::from_slice(&std::fs::read(home.db().join("team.json")).unwrap()).unwrap();
    link["credentials_entry"].as_str().unwrap().to_owned()
}

fn linked(dir: &Path) -> bool {
    dir.join("team.json").exists()
}

#[test]
fn people_join_with_codes_invite_and_revoke_devices_on_either_replica() {
    let _shared = shared_server();
    let url = team_database();
    let operator = Home::on(&url);
    let (a, b) = (Server::start(&operator), Server::start(&operator));
    // A fresh team database: the server's start-up log offers a setup code for the first owner.
    assert!(a.log_line("No one is in this team yet").contains("--code "));

    let setup = code_of(&operator.ok(&["team", "setup-code"]));
    let alice = Home::device();
    let joined = join(&alice, &a, &setup, "alice");
    assert_eq!(joined.code, 0, "{}", joined.shown());
    let me = status(&alice);
    assert_eq!((me["person"].as_str(), me["role"].as_str()), (Some("alice"), Some("owner")));
    assert_eq!(me["server"].as_str(), Some(format!("{}/", a.url()).as_str()));
    assert!(keyring_lookup(&credentials_entry(&alice)).is_some(), "the credential is in the keyring");

    // A used code, an expired one and an unknown one: one answer (exit 3), nothing left behind.
    let invite = code_of(&alice.ok(&["team", "invite", "dave"]));
    psql(&url, "UPDATE team_codes SET expires_at = 1 WHERE name = 'dave'");
    let mut refusals = Vec::new();
    for (code, name) in [(setup.as_str(), "mallory"), (invite.as_str(), "dave"), ("ABCD-EFGH-JKMN-PQRS-TVWX", "eve")] {
        let outsider = Home::device();
        let refused = join(&outsider, &b, code, name);
        assert_eq!(refused.code, 3, "{}", refused.shown());
        assert!(!linked(outsider.db()), "a refused join leaves no link");
        refusals.push(refused.stderr);
    }
    assert!(refusals.iter().all(|r| r == &refusals[0] && r.contains("not valid")), "{refusals:?}");

    // alice invites bob, who joins through the other replica; bob may not invite.
    let for_bob = code_of(&alice.ok(&["team", "invite", "bob", "--email", "bob@example.com"]));
    let bob = Home::device();
    assert_eq!(join(&bob, &b, &for_bob, "bob").code, 0);
    let bob_me = status(&bob);
    assert_eq!((bob_me["role"].as_str(), bob_me["email"].as_str()), (Some("member"), Some("bob@example.com")));
    let not_owner = bob.run(&["team", "invite", "carol"]);
    assert_eq!(not_owner.code, 3, "{}", not_owner.shown());
    assert!(not_owner.stderr.contains("not an owner"), "{}", not_owner.shown());

    let devices = alice.ok(&["--json", "team", "devices"]).json();
    let devices = devices.as_array().unwrap();
    assert_eq!(devices.len(), 2);
    for field in ["id", "person", "label", "created_at", "last_seen_at", "revoked"] {
        assert!(devices.iter().all(|d| d.get(field).is_some()), "{field} in {devices:?}");
    }
    let bob_device = bob_me["device"].as_str().unwrap();
    assert_eq!(bob.ok(&["--json", "team", "devices"]).json().as_array().unwrap().len(), 1, "bob sees his own");

    // Revoked through replica A; bob's next request, to replica B, is refused.
    alice.ok(&["team", "revoke-device", bob_device]);
    let revoked_at = Instant::now();
    let refused = bob.run(&["team", "status"]);
    assert_eq!(refused.code, 3, "{}", refused.shown());
    assert!(refused.stderr.contains("not signed in"), "{}", refused.shown());
    assert!(revoked_at.elapsed() < Duration::from_secs(1));

    // A wrong token, straight to the API: 401 in JSON, naming the kind.
    let (status_code, body) = b.call("GET", "/v1/team/me", &[("Authorization", "Bearer kwt_wrong")], "");
    assert_eq!(status_code, 401, "{body}");
    assert_eq!(body["kind"], "permission_denied");

    // A body that is not the documented JSON: a 400 in the one error shape, saying what is wrong;
    // and the spec lists every answer an operation can give.
    let (status_code, body) = b.call("POST", "/v1/team/join", &[], r#"{"code": 1}"#);
    assert_eq!((status_code, body["kind"].as_str()), (400, Some("invalid_input")), "{body}");
    assert!(body["error"].as_str().unwrap().contains("invalid type"), "{body}");
    // A refusal names its reason and fields beside the English, so a device rebuilds the error.
    let enrolment = r#"{"code":"x","name":"two words","email":null,"label":"","token":"t","recipient":"r"}"#;
    let (status_code, body) = b.call("POST", "/v1/team/join", &[], enrolment);
    assert_eq!(status_code, 400, "{body}");
    assert_eq!(body["detail"], serde_json::json!({ "reason": "member_name", "name": "two words" }), "{body}");
    let (_, spec) = b.call("GET", "/openapi.json", &[], "");
    let policy = &spec["paths"]["/v1/team/accounts/{account}/policy"]["put"]["responses"];
    for status in ["200", "400", "401", "403", "404", "415", "429"] {
        assert!(policy.get(status).is_some(), "PUT policy documents {status}: {policy}");
    }

    // The team's own trail, for owners: who made codes, who enrolled, who revoked what.
    let trail = alice.ok(&["--json", "team", "audit"]).json();
    let events: Vec<(&str, &str)> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .filter(|(event, _)| *event != "setup_code_issued")
        .collect();
    assert_eq!(
        events,
        [
            ("device_enrolled", "alice"),
            ("invited", "alice"),
            ("invited", "alice"),
            ("device_enrolled", "bob"),
            ("device_revoked", "alice")
        ]
    );
    assert!(trail.as_array().unwrap().iter().all(|e| e["account"].is_null()));
    let revoked_row = &trail.as_array().unwrap().last().unwrap()["details"];
    assert!(revoked_row.as_str().unwrap().contains(bob_device), "{revoked_row}");
    // Each replica that started on the empty team offered one, and the operator made one.
    assert_eq!(psql(&url, "SELECT COUNT(*) FROM audit_log WHERE event = 'setup_code_issued'"), "3");

    // In a team, who acts is the device's person: a claimed name is an error, not ignored.
    let claimed = alice.run_claiming("mallory", &["team", "status"]);
    assert_eq!(claimed.code, 2, "{}", claimed.shown());
    assert!(claimed.stderr.contains("unset KEYWARD_ACTOR"), "{}", claimed.shown());

    // Leaving revokes this device and removes its credential and link.
    let entry = credentials_entry(&alice);
    alice.ok(&["team", "leave"]);
    assert!(!linked(alice.db()));
    assert_eq!(keyring_lookup(&entry), None, "the credential left the keyring");
    let devices = psql(&url, "SELECT COUNT(*) FROM devices WHERE revoked_at IS NULL");
    assert_eq!(devices, "0", "both devices are revoked");
}

#[test]
fn a_device_sends_its_credential_over_plain_http_only_to_this_machine() {
    let home = Home::device();
    let refused = home.run(&["team", "join", "http://keys.example.com", "--code", "X", "--name", "zoe"]);
    assert_eq!(refused.code, 2, "{}", refused.shown());
    assert!(refused.stderr.contains("--insecure"), "{}", refused.shown());
    assert!(!linked(home.db()));
}

#[test]
fn failed_sign_ins_are_limited_per_address() {
    let _shared = shared_server();
    let url = team_database();
    let server = Server::start(&Home::on(&url));
    let credentials = Credentials::generate();
    let guess = |code: &str| {
        serde_json::json!({
            "code": code, "name": "eve", "label": "x",
            "token": credentials.token(), "recipient": credentials.recipient(),
        })
        .to_string()
    };
    // Ten wrong codes are answered 401; then the address waits, whatever it sends.
    let statuses: Vec<u16> =
        (0..12).map(|i| server.call("POST", "/v1/team/join", &[], &guess(&format!("WRNG-{i:04}"))).0).collect();
    assert_eq!(statuses[..10], [401; 10], "{statuses:?}");
    assert_eq!(statuses[10..], [429; 2], "{statuses:?}");
    let setup = code_of(&Home::on(&url).ok(&["team", "setup-code"]));
    assert_eq!(server.call("POST", "/v1/team/join", &[], &guess(&setup)).0, 429, "a right code waits too");
}

/// A private CA and a server certificate for 127.0.0.1 it signed, made with openssl:
/// (their directory, ca.pem, cert.pem, key.pem).
fn private_ca() -> (tempfile::TempDir, String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let (ca, ca_key, cert, key) = (path("ca.pem"), path("ca.key"), path("cert.pem"), path("key.pem"));
    let new_ec = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"];
    let server = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"];
    let signed = ["-addext", "basicConstraints=critical,CA:FALSE", "-CA", &ca, "-CAkey", &ca_key];
    for extra in [
        vec!["-subj", "/CN=keyward test CA", "-keyout", &ca_key, "-out", &ca],
        [&server[..], &signed[..], &["-keyout", &key, "-out", &cert]].concat(),
    ] {
        let made =
            std::process::Command::new("openssl").args(new_ec).args(&extra).output().expect("openssl is installed");
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    }
    (dir, ca, cert, key)
}

#[test]
fn a_team_server_serves_https_and_devices_join_over_it() {
    let _shared = shared_server();
    let url = team_database();
    let operator = Home::on(&url);
    let (_dir, ca, cert, key) = private_ca();
    let server = Server::start_with(&operator, &["--tls-cert", &cert, "--tls-key", &key]);
    let https = server.url().replace("http://", "https://");
    // The device trusts the private CA (SSL_CERT_FILE), as it would a company's.
    let device = Home::device();
    let trusting = |args: &[&str]| Run::from(device.command("", args).env("SSL_CERT_FILE", &ca).output().unwrap());
    let setup = code_of(&operator.ok(&["team", "setup-code"]));
    let joined = trusting(&["team", "join", &https, "--code", &setup, "--name", "alice"]);
    assert_eq!(joined.code, 0, "{}", joined.shown());
    let me = trusting(&["--json", "team", "status"]);
    assert_eq!(me.json()["person"], "alice", "{}", me.shown());
    // Without trusting it: a clear failure, exit 1, nothing sent.
    let untrusted = device.run(&["team", "status"]);
    assert_eq!(untrusted.code, 1, "{}", untrusted.shown());
    assert!(untrusted.stderr.contains("could not be reached"), "{}", untrusted.shown());
    // Plain HTTP to the TLS port gets no answer.
    let (status, _) = std::panic::catch_unwind(|| server.call("GET", "/healthz", &[], "")).unwrap_or((0, Value::Null));
    assert_eq!(status, 0, "plain HTTP is not served on the TLS port");
    // A file that is not a certificate: exit 2, naming it.
    let bad = operator.run(&["serve", "--port", "0", "--tls-cert", &key, "--tls-key", &key]);
    assert_eq!(bad.code, 2, "{}", bad.shown());
    assert!(bad.stderr.contains("certificate"), "{}", bad.shown());
}
