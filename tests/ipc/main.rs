//! The IPC layer through Tauri's mock runtime: the commands the UI calls, with the argument
//! names it sends, answering in the one `{kind, message}` shape. No window or display; the core
//! runs on a real SQLite file with the in-memory keyring (the real keyring is covered end to end).

use std::sync::Arc;

use keyward_core::secrets::store::MemorySecrets;
use keyward_core::{Actor, Keyward};
use keyward_desktop::AppState;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};

struct Ipc {
    window: WebviewWindow<MockRuntime>,
    _app: tauri::App<MockRuntime>,
    dir: tempfile::TempDir,
}

impl Ipc {
    fn new() -> Ipc {
        let dir = tempfile::tempdir().unwrap();
        let app = keyward_desktop::shell(mock_builder()).build(mock_context(noop_assets())).unwrap();
        let state = tauri::async_runtime::block_on(async {
            let keyward = Keyward::open_with(dir.path(), Arc::new(MemorySecrets::default())).await.unwrap();
            AppState::with(keyward, Actor::new("ana"), dir.path().to_owned()).await.unwrap().0
        });
        app.manage(state);
        let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        Ipc { window, _app: app, dir }
    }

    /// Invokes `cmd` as the web view would; Ok(body) or Err(the error value).
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_owned(),
        };
        get_ipc_response(&self.window, request).map(|body| body.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args).unwrap_or_else(|err| panic!("{cmd}: {err}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args).expect_err(cmd)
    }
}

/// Every name in the one command list reaches a handler: a command missing from
/// `generate_handler!` answers "Command … not found" and fails here, not in a user's window.
#[test]
fn every_listed_command_is_registered() {
    let ipc = Ipc::new();
    assert!(
        ipc.call("no_such_command", json!({})).unwrap_err().to_string().contains("not found"),
        "the probe must see what an unregistered command answers"
    );
    for &command in keyward_desktop::commands::COMMANDS {
        // Without arguments most refuse them; what matters is that a handler answered.
        if let Err(err) = ipc.call(command, json!({})) {
            let text = err.to_string();
            assert!(!text.contains(&format!("Command {command} not found")), "{command}: {text}");
        }
    }
}

#[test]
fn rotate_through_a_challenge_with_the_arguments_the_ui_sends() {
    let ipc = Ipc::new();
    ipc.ok("account_create", json!({ "name": "acme", "displayName": "Acme Inc" }));
    let info = ipc.ok("key_generate", json!({ "account": "acme" }));
    assert!(info.get("key").is_none(), "generate answers with public facts only: {info}");
    let first = ipc.ok("key_reveal", json!({ "account": "acme" }));
    assert!(first.as_str().unwrap().starts_with("kw_"));

    let challenge = ipc.ok("challenge_issue", json!({ "account": "acme", "action": "rotate" }));
    let (id, code) = (challenge["id"].as_str().unwrap(), challenge["code"].as_str().unwrap());
    let wrong = ipc.err("key_rotate", json!({ "account": "acme", "grace": "1h", "challengeId": id, "code": "XXXXXX" }));
    assert_eq!(wrong["kind"], "confirmation");
    assert_eq!(wrong["detail"], json!({ "reason": "wrong", "attempts_left": 2 }));
    let done = ipc.ok("key_rotate", json!({ "account": "acme", "grace": "1h", "challengeId": id, "code": code }));
    assert!(done["old_key_valid_until"].is_string(), "a 1 h grace window: {done}");

    let status = ipc.ok("key_status", json!({ "account": "acme" }));
    assert_eq!(status["grace"].as_array().unwrap().len(), 1);
    let old = status["grace"][0]["key_id"].as_str().unwrap();
    assert_eq!(ipc.ok("key_expire_now", json!({ "account": "acme", "keyId": old })), json!([old]));
    assert_ne!(ipc.ok("key_reveal", json!({ "account": "acme" })), first);

    let events: Vec<String> = ipc
        .ok("audit_list", json!({ "account": "acme", "event": null }))
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        events,
        ["account_created", "generated", "viewed", "challenge_failed", "rotated", "grace_ended", "viewed"]
    );
    assert_eq!(ipc.ok("audit_verify", json!({}))["status"], "verified");
}

#[test]
fn bad_input_gets_the_one_error_shape_and_changes_nothing() {
    let ipc = Ipc::new();
    let bad_name = ipc.err("account_create", json!({ "name": "Acme Inc", "displayName": null }));
    assert_eq!(bad_name["kind"], "invalid_input");
    assert_eq!(bad_name["detail"], json!({ "reason": "account_name", "name": "Acme Inc" }));
    assert_eq!(ipc.ok("accounts_list", json!({})), json!([]));

    ipc.ok("account_create", json!({ "name": "acme", "displayName": null }));
    let missing = ipc.err("key_reveal", json!({ "account": "acme" }));
    assert_eq!(missing["kind"], "not_found");
    let unknown = ipc.err("key_status", json!({ "account": "globex" }));
    assert_eq!(unknown["kind"], "not_found");
    let bad_email =
        ipc.err("member_add", json!({ "account": "acme", "name": "bob", "email": "bob", "role": "member" }));
    assert_eq!(bad_email["kind"], "invalid_input");
    assert_eq!(ipc.ok("members_list", json!({ "account": "acme" })).as_array().unwrap().len(), 1);
    let bad_class = ipc.err("calls_list", json!({ "filter": { "account": "acme", "status_class": 7 } }));
    assert_eq!(bad_class["detail"], json!({ "reason": "status_class", "class": 7 }));
}

#[test]
fn members_and_roles_round_trip() {
    let ipc = Ipc::new();
    ipc.ok("account_create", json!({ "name": "acme", "displayName": null }));
    ipc.ok("member_add", json!({ "account": "acme", "name": "bob", "email": "bob@example.com", "role": "member" }));
    ipc.ok("member_set_role", json!({ "account": "acme", "name": "bob", "role": "super-admin" }));
    let members = ipc.ok("members_list", json!({ "account": "acme" }));
    assert_eq!(
        members[1],
        json!({ "name": "bob", "email": "bob@example.com", "role": "super-admin", "added_at": members[1]["added_at"] })
    );
    let changed =
        ipc.ok("member_set_email", json!({ "account": "acme", "name": "bob", "email": " bob@corp.example " }));
    assert_eq!(changed["email"], "bob@corp.example", "trimmed");
    let refused = ipc.err("member_set_email", json!({ "account": "acme", "name": "bob", "email": "bob" }));
    assert_eq!(refused["kind"], "invalid_input");
    assert_eq!(
        ipc.ok("member_set_email", json!({ "account": "acme", "name": "bob", "email": "" }))["email"],
        Value::Null,
        "emptied: cleared"
    );
    ipc.ok("member_remove", json!({ "account": "acme", "name": "bob" }));
    assert_eq!(ipc.ok("members_list", json!({ "account": "acme" })).as_array().unwrap().len(), 1);
}

#[test]
fn settings_are_checked_whole_and_a_new_port_moves_the_gateway() {
    let ipc = Ipc::new();
    let defaults = ipc.ok("settings_get", json!({}));
    assert_eq!(defaults["gateway_port"], 8790);
    let bad = ipc.err("settings_save", json!({ "settings": { "gateway_port": 80, "clipboard_clear_secs": 10 } }));
    assert_eq!(
        bad["detail"],
        json!({ "reason": "out_of_range", "field": "gateway_port", "value": 80, "min": 1024, "max": 65535 })
    );
    let bad = ipc.err("settings_save", json!({ "settings": { "rotation_period_days": 10, "theme": "dark" } }));
    assert_eq!(bad["detail"]["field"], "rotation_period_days");
    assert_eq!(ipc.ok("settings_get", json!({})), defaults, "nothing of a refused form is saved");

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let saved = ipc.ok("settings_save", json!({ "settings": { "gateway_port": port, "clipboard_clear_secs": 10 } }));
    assert_eq!(saved["clipboard_clear_secs"], 10);
    let gateway = ipc.ok("gateway_status", json!({}));
    assert_eq!(
        gateway,
        json!({ "url": format!("http://127.0.0.1:{port}"), "port": port, "running": true, "error": null })
    );
    std::net::TcpStream::connect(("127.0.0.1", port)).expect("the gateway listens on the new port");

    // Someone else takes the port: the status says so, with what to do.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = busy.local_addr().unwrap().port();
    ipc.ok("settings_save", json!({ "settings": { "gateway_port": taken } }));
    let gateway = ipc.ok("gateway_status", json!({}));
    assert_eq!(gateway["running"], false);
    assert!(gateway["error"].as_str().unwrap().contains(&format!("Port {taken} is already in use")), "{gateway}");
}

/// A local app has no team; a connect that cannot happen (plain http to another machine, a
/// server out of reach) says why in the one error shape and leaves the app local, with no link
/// written; leaving a team it is not in is refused.
#[test]
fn team_connect_refusals_leave_the_app_local() {
    let ipc = Ipc::new();
    assert_eq!(ipc.ok("team_status", json!({})), Value::Null);
    let connect = |server: &str| {
        let args = json!({ "server": server, "code": "ABCD-EFGH-JKMN-PQRS-TVWX", "name": "bob", "email": null, "insecure": false });
        ipc.err("team_connect", args)
    };
    let insecure = connect("http://keyward.example.com");
    assert_eq!(
        (insecure["kind"].as_str(), insecure["detail"]["reason"].as_str()),
        (Some("invalid_input"), Some("said"))
    );
    assert!(insecure["detail"]["message"].as_str().unwrap().contains("not HTTPS"), "{insecure}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let unreachable = connect(&format!("http://127.0.0.1:{closed}"));
    assert_eq!(unreachable["kind"], "unavailable");
    assert_eq!(
        unreachable["detail"],
        json!({ "reason": "unreachable", "server": format!("http://127.0.0.1:{closed}/") })
    );

    assert!(!ipc.dir.path().join("team.json").exists(), "a failed connect writes no link");
    assert_eq!(ipc.ok("team_status", json!({})), Value::Null);
    assert_eq!(ipc.ok("app_info", json!({}))["team_server"], Value::Null);
    assert_eq!(ipc.err("team_leave", json!({}))["kind"], "not_found");
}
