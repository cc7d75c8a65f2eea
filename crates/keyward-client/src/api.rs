//! The team server's `/v1/team/…` over HTTP. A refusal comes back as the same core error the
//! server refused with (rebuilt from its kind and detail; else in its words, of the kind it
//! named), so a front door gives it the same exit code, hint or dialog as a local refusal.

use std::time::Duration;

use keyward_core::error::{Error, ErrorKind, Result};
use keyward_core::team::codes::IssuedCode;
use keyward_core::team::enrol::Enrolment;
use keyward_core::team::refusal::refusal_error;
use keyward_core::team::sealed::{Recipient, SealedKey, SealedRotation, Share};
use keyward_core::team::{Device, Revoked, Session, TeamRole};
use keyward_core::{Account, AuditEntry, CallEntry, CallFilter, CallStats, ChainStatus, Deactivation, KeyInfo};
use keyward_core::{Action, Challenge, Confirmation, Grace};
use keyward_core::{DueReminder, KeyStatus, Member, Timestamp, UsageLimits};
use keyward_core::{Removal, Reveal, Role};
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use url::Url;

const TIMEOUT: Duration = Duration::from_secs(15);

pub struct TeamApi {
    base: Url,
    http: reqwest::Client,
    token: Option<String>,
}

/// A refusal's body (the gateway's `ErrorBody`).
#[derive(Deserialize)]
struct Refusal {
    error: String,
    kind: Option<ErrorKind>,
    detail: Option<serde_json::Value>,
}

/// A query string: an absent field is left out of it.
#[derive(Serialize)]
struct AuditQuery<'a> {
    event: Option<&'a str>,
    limit: Option<i64>,
}

/// The server's answer to a snooze.
#[derive(Deserialize)]
struct Snoozed {
    until: Timestamp,
}

impl TeamApi {
    /// Unsigned: only [`TeamApi::join`] works.
    pub fn new(base: Url) -> TeamApi {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with the system's roots builds");
        TeamApi { base, http, token: None }
    }

    /// Every request carries this device token.
    pub fn signed(base: Url, token: &str) -> TeamApi {
        TeamApi { token: Some(token.to_owned()), ..TeamApi::new(base) }
    }

    pub fn server(&self) -> &Url {
        &self.base
    }

    pub async fn join(&self, enrolment: &Enrolment) -> Result<Session> {
        self.send(self.request(Method::POST, "v1/team/join")?.json(enrolment)).await
    }

    pub async fn me(&self) -> Result<Session> {
        self.send(self.request(Method::GET, "v1/team/me")?).await
    }

    pub async fn invite(&self, name: &str, email: Option<&str>, role: TeamRole) -> Result<IssuedCode> {
        let body = json!({ "name": name, "email": email, "role": role });
        self.send(self.request(Method::POST, "v1/team/invites")?.json(&body)).await
    }

    pub async fn devices(&self) -> Result<Vec<Device>> {
        self.send(self.request(Method::GET, "v1/team/devices")?).await
    }

    pub async fn revoke_device(&self, id: &str) -> Result<Revoked> {
        let path = format!("v1/team/devices/{}/revoke", escaped(id));
        self.send(self.request(Method::POST, &path)?).await
    }

    pub async fn accounts(&self) -> Result<Vec<Account>> {
        self.send(self.request(Method::GET, "v1/team/accounts")?).await
    }

    pub async fn create_account(&self, name: &str, display_name: Option<&str>) -> Result<Account> {
        let body = json!({ "name": name, "display_name": display_name });
        self.send(self.request(Method::POST, "v1/team/accounts")?.json(&body)).await
    }

    pub async fn account(&self, account: &str) -> Result<Account> {
        self.send(self.request(Method::GET, &format!("v1/team/accounts/{}", escaped(account)))?).await
    }

    pub async fn set_policy(
        &self,
        account: &str,
        rotation_period_days: i64,
        reminder_lead_days: i64,
    ) -> Result<Account> {
        let body = json!({ "rotation_period_days": rotation_period_days, "reminder_lead_days": reminder_lead_days });
        self.send(self.request(Method::PUT, &account_path(account, "policy"))?.json(&body)).await
    }

    pub async fn limits(&self, account: &str) -> Result<UsageLimits> {
        self.send(self.request(Method::GET, &account_path(account, "limits"))?).await
    }

    pub async fn set_limits(&self, account: &str, limits: &UsageLimits) -> Result<UsageLimits> {
        self.send(self.request(Method::PUT, &account_path(account, "limits"))?.json(limits)).await
    }

    pub async fn members(&self, account: &str) -> Result<Vec<Member>> {
        self.send(self.request(Method::GET, &account_path(account, "members"))?).await
    }

    pub async fn add_member(&self, account: &str, person: &str, role: Role) -> Result<Member> {
        let body = json!({ "person": person, "role": role });
        self.send(self.request(Method::POST, &account_path(account, "members"))?.json(&body)).await
    }

    pub async fn set_role(&self, account: &str, person: &str, role: Role) -> Result<Member> {
        let path = account_path(account, &format!("members/{}", escaped(person)));
        self.send(self.request(Method::PUT, &path)?.json(&json!({ "role": role }))).await
    }

    pub async fn remove_member(&self, account: &str, person: &str) -> Result<Removal> {
        let path = account_path(account, &format!("members/{}", escaped(person)));
        self.send(self.request(Method::DELETE, &path)?).await
    }

    pub async fn key_status(&self, account: &str) -> Result<KeyStatus> {
        self.send(self.request(Method::GET, &account_path(account, "key/status"))?).await
    }

    pub async fn key_recipients(&self, account: &str) -> Result<Vec<Recipient>> {
        self.send(self.request(Method::GET, &account_path(account, "key/recipients"))?).await
    }

    /// The recipients with no share of the active key yet.
    pub async fn recipients_lacking_share(&self, account: &str) -> Result<Vec<Recipient>> {
        let request = self.request(Method::GET, &account_path(account, "key/recipients"))?;
        self.send(request.query(&[("lacking_share", "true")])).await
    }

    pub async fn generate_key(&self, account: &str, sealed: &SealedKey) -> Result<KeyInfo> {
        self.send(self.request(Method::POST, &account_path(account, "key"))?.json(sealed)).await
    }

    pub async fn key_share(&self, account: &str, why: Reveal) -> Result<Share> {
        let why = if why == Reveal::Copy { "copy" } else { "view" };
        self.send(self.request(Method::GET, &account_path(account, "key/share"))?.query(&[("why", why)])).await
    }

    /// How many of `shares` the server did not have yet.
    pub async fn add_key_shares(&self, account: &str, shares: &[Share]) -> Result<usize> {
        let added: serde_json::Value = self
            .send(self.request(Method::POST, &account_path(account, "key/shares"))?.json(&json!({ "shares": shares })))
            .await?;
        Ok(added["added"].as_u64().unwrap_or(0) as usize)
    }

    pub async fn challenge(&self, account: &str, action: Action) -> Result<Challenge> {
        let body = json!({ "action": action });
        self.send(self.request(Method::POST, &account_path(account, "challenges"))?.json(&body)).await
    }

    pub async fn rotate_key(
        &self,
        account: &str,
        grace: Grace,
        confirmation: &Confirmation,
        sealed: &SealedKey,
    ) -> Result<SealedRotation> {
        let body = json!({ "grace": grace, "confirmation": confirmation, "sealed": sealed });
        self.send(self.request(Method::POST, &account_path(account, "key/rotate"))?.json(&body)).await
    }

    /// Ends grace windows now; the keys that stopped working.
    pub async fn expire_now(&self, account: &str, key_id: Option<&str>) -> Result<Vec<String>> {
        let body = json!({ "key_id": key_id });
        self.send(self.request(Method::POST, &account_path(account, "key/expire-now"))?.json(&body)).await
    }

    /// The team gateway's verdict on a key (`{valid, code, account, key_id, …}`), valid or not;
    /// the key goes in the body, never in the URL, and no device token goes with it (the gateway
    /// would read it as a second key).
    pub async fn verify_key(&self, key: &str) -> Result<serde_json::Value> {
        let url = self.base.join("v1/keys/verify").map_err(|_| self.unreachable("not a URL"))?;
        let response = self.http.post(url).json(&json!({ "key": key })).send().await;
        let response = response.map_err(|err| self.unreachable(&without_url(&err)))?;
        let verdict: serde_json::Value =
            response.json().await.map_err(|err| self.unreachable(&format!("not a verdict: {}", without_url(&err))))?;
        match verdict.get("code") {
            Some(_) => Ok(verdict),
            None => Err(self.unreachable("not a verdict from a Keyward gateway")),
        }
    }

    pub async fn deactivate_key(&self, account: &str, confirmation: &Confirmation) -> Result<Deactivation> {
        let body = json!({ "confirmation": confirmation });
        self.send(self.request(Method::POST, &account_path(account, "key/deactivate"))?.json(&body)).await
    }

    pub async fn audit(&self, account: &str, event: Option<&str>, limit: Option<i64>) -> Result<Vec<AuditEntry>> {
        let query = AuditQuery { event, limit };
        self.send(self.request(Method::GET, &account_path(account, "audit"))?.query(&query)).await
    }

    /// The team's own trail (owners).
    pub async fn team_audit(&self, limit: Option<i64>) -> Result<Vec<AuditEntry>> {
        let query = AuditQuery { event: None, limit };
        self.send(self.request(Method::GET, "v1/team/audit")?.query(&query)).await
    }

    pub async fn verify_audit(&self) -> Result<ChainStatus> {
        self.send(self.request(Method::GET, "v1/team/audit/verify")?).await
    }

    pub async fn calls(&self, filter: &CallFilter) -> Result<Vec<CallEntry>> {
        self.send(self.request(Method::GET, "v1/team/calls")?.query(filter)).await
    }

    pub async fn call_stats(&self, account: Option<&str>) -> Result<CallStats> {
        let query: &[(&str, &str)] = match account {
            Some(account) => &[("account", account)],
            None => &[],
        };
        self.send(self.request(Method::GET, "v1/team/calls/stats")?.query(query)).await
    }

    /// This person's reminders due now (nothing is claimed).
    pub async fn due_reminders(&self) -> Result<Vec<DueReminder>> {
        self.send(self.request(Method::GET, "v1/team/reminders/due")?).await
    }

    /// Holds back this person's reminders for the account's key (1 or 7 days); until when.
    pub async fn snooze_reminders(&self, account: &str, days: i64) -> Result<Timestamp> {
        let body = json!({ "days": days });
        let request = self.request(Method::POST, &account_path(account, "reminders/snooze"))?.json(&body);
        Ok(self.send::<Snoozed>(request).await?.until)
    }

    /// This person's due reminders, claimed for this device (each is handed out once).
    pub async fn claim_reminders(&self) -> Result<Vec<DueReminder>> {
        self.send(self.request(Method::POST, "v1/team/reminders/claim")?).await
    }

    fn request(&self, method: Method, path: &str) -> Result<RequestBuilder> {
        let url = self.base.join(path).map_err(|_| self.unreachable("not a URL"))?;
        let request = self.http.request(method, url);
        Ok(match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        })
    }

    async fn send<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T> {
        // reqwest's error text names the URL, never a header: the token is not in it.
        let response = request.send().await.map_err(|err| self.unreachable(&without_url(&err)))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|err| self.unreachable(&without_url(&err)))?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|err| self.unreachable(&format!("an answer this version does not read: {err}")));
        }
        Err(match serde_json::from_slice::<Refusal>(&body) {
            Ok(refusal) => refusal_error(refusal.kind.unwrap_or(ErrorKind::Internal), refusal.error, refusal.detail),
            Err(_) => self.unreachable(&format!("HTTP {status} from something that is not a Keyward team server")),
        })
    }

    fn unreachable(&self, detail: &str) -> Error {
        Error::ServerUnreachable { server: self.base.to_string(), detail: detail.to_owned() }
    }
}

/// `v1/team/accounts/ACCOUNT/rest`, the account name escaped.
fn account_path(account: &str, rest: &str) -> String {
    format!("v1/team/accounts/{}/{rest}", escaped(account))
}

fn escaped(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

/// What failed, without repeating the URL the message already names.
fn without_url(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}
