use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa::OpenApi;

use super::team::accounts as team_accounts;
use super::team::keys as team_keys;
use super::team::logs as team_logs;
use super::team::people as team;
use crate::app::Caller;
use crate::freshness;

/// `/healthz`: `ok`, or `degraded` when the view of the keys is older than `--max-staleness`
/// (every key is refused until the database is back), with the view's age.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` or `degraded`
    pub status: &'static str,
    /// Milliseconds since the database last confirmed this gateway's view of the keys.
    pub view_age_ms: Option<u64>,
}

#[utoipa::path(get, path = "/healthz", responses(
    (status = 200, description = "Serving", body = Health),
    (status = 503, description = "Degraded: the database is out of reach for longer than --max-staleness", body = Health),
))]
pub async fn healthz(State(caller): State<Arc<Caller>>) -> impl IntoResponse {
    let (age, stale) = freshness::view(&caller.gateway);
    let health =
        Health { status: if stale { "degraded" } else { "ok" }, view_age_ms: age.map(|a| a.as_millis() as u64) };
    (if stale { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK }, Json(health))
}

/// Prometheus text: requests by outcome, latency, call-log rows served/written/dropped, queue depth.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format", body = String)))]
pub async fn metrics(State(caller): State<Arc<Caller>>) -> impl IntoResponse {
    let gateway = &caller.gateway;
    gateway.metrics.queue_depth.set(gateway.calls.queue_depth() as i64);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], gateway.metrics.render())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Keyward gateway",
        description = "Verify Keyward API keys, or put key auth in front of any HTTP service."
    ),
    paths(
        super::verify::verify,
        super::proxy::proxy,
        healthz,
        metrics,
        team::join,
        team::me,
        team::invite,
        team::devices,
        team::revoke_device,
        team_accounts::list,
        team_accounts::create,
        team_accounts::members,
        team_accounts::add_member,
        team_accounts::set_role,
        team_accounts::remove_member,
        team_keys::recipients,
        team_keys::generate,
        team_keys::share,
        team_keys::add_shares,
        team_keys::challenge,
        team_keys::rotate,
        team_keys::deactivate,
        team_keys::status,
        team_logs::audit,
        team_logs::verify_audit,
        team_logs::team_audit,
        team_logs::calls,
        team_logs::call_stats,
        super::team::reminders::claim,
        super::team::reminders::due,
        super::team::reminders::snooze,
        super::team::policy::show,
        super::team::policy::set_policy,
        super::team::policy::limits,
        super::team::policy::set_limits,
        team_keys::expire_now
    ),
    components(schemas(
        super::verify::VerifyRequest,
        super::verify::VerifyResponse,
        super::ErrorBody,
        Health,
        team::Invitation,
        team_accounts::NewAccount,
        team_accounts::NewMember,
        team_accounts::NewRole,
        team_keys::NewShares,
        team_keys::SharesAdded,
        team_keys::NewChallenge,
        team_keys::SealedRotationRequest,
        team_keys::DeactivationRequest,
        team_keys::ExpireNow,
        super::team::policy::Policy,
        super::team::reminders::Snooze,
        super::team::reminders::Snoozed
    )),
    modifiers(&DeviceToken)
)]
pub struct ApiDoc;

/// The team API's credential: a device token as a bearer token. Every operation that needs one
/// may also answer 401 (an unknown or revoked token) and 429 (too many failed sign-ins from the
/// caller's address); every team operation that reads a body or a query string 400 (it does not
/// read as documented) and, for a body, 415 (not JSON); every one that names an account 404.
/// Each says so.
struct DeviceToken;

impl utoipa::Modify for DeviceToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("device_token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        // The proxy's: an account's API key (also accepted as Authorization: Bearer, or ?hapikey=).
        let api_key =
            utoipa::openapi::security::ApiKey::Header(utoipa::openapi::security::ApiKeyValue::new("X-API-Key"));
        components.add_security_scheme("api_key", SecurityScheme::ApiKey(api_key));
        // A snooze is 1 or 7 days; utoipa has no field attribute for a list of integers.
        use utoipa::openapi::{RefOr, Schema};
        // A confirmation object is `{"challenge": …}` and nothing else (serde reads its one key
        // as the variant's name).
        if let Some(RefOr::T(Schema::OneOf(confirmation))) = components.schemas.get_mut("Confirmation") {
            for variant in confirmation.items.iter_mut() {
                if let RefOr::T(Schema::Object(object)) = variant {
                    object.additional_properties =
                        Some(Box::new(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)));
                }
            }
        }
        if let Some(RefOr::T(Schema::Object(snooze))) = components.schemas.get_mut("Snooze") {
            if let Some(RefOr::T(Schema::Object(days))) = snooze.properties.get_mut("days") {
                days.enum_values = Some(vec![1.into(), 7.into()]);
            }
        }
        use utoipa::openapi::path::ParameterIn;
        for (path, item) in openapi.paths.paths.iter_mut().filter(|(path, _)| path.starts_with("/v1/team/")) {
            let names_account_in_path = path.contains("{account}");
            let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete];
            for operation in operations.into_iter().flatten() {
                let has_body = operation.request_body.is_some();
                let has_query = operation.parameters.iter().flatten().any(|p| p.parameter_in == ParameterIn::Query);
                let names_account =
                    names_account_in_path || operation.parameters.iter().flatten().any(|p| p.name == "account");
                let signed = operation.security.is_some();
                let responses = &mut operation.responses.responses;
                let mut document = |status: &str, description: &str| {
                    responses.entry(status.into()).or_insert_with(|| error_response(description));
                };
                if signed {
                    document("401", "Unknown or revoked device token");
                    document("429", "Too many failed sign-ins from this address: wait a minute");
                }
                if has_body || has_query {
                    document("400", "The request does not read as documented (the error says what is wrong)");
                }
                if has_body {
                    document("415", "No JSON body (send Content-Type: application/json)");
                }
                if names_account {
                    document("404", "No such account");
                }
            }
        }
    }
}

fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    ResponseBuilder::new().description(description).content("application/json", content).build().into()
}

/// The OpenAPI document, generated from the handlers.
pub async fn openapi(State(caller): State<Arc<Caller>>) -> Json<utoipa::openapi::OpenApi> {
    let mut spec = ApiDoc::openapi();
    // A gateway on the embedded SQLite serves no team API: its spec says only what it serves.
    if caller.gateway.keyward.backend() == keyward_core::store::Backend::Sqlite {
        spec.paths.paths.retain(|path, _| !path.starts_with("/v1/team/"));
        if let Some(components) = spec.components.as_mut() {
            components.security_schemes.remove("device_token");
        }
    }
    Json(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// schemathesis found every query parameter of the team API documented as a path parameter
    /// (utoipa's default for `IntoParams`): each struct must say `parameter_in = Query`.
    #[test]
    fn the_team_api_documents_query_parameters_in_the_query() {
        let spec = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let mut seen = 0;
        for (path, item) in spec["paths"].as_object().unwrap() {
            for operation in item.as_object().unwrap().values() {
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    let name = parameter["name"].as_str().unwrap();
                    let in_path = path.contains(&format!("{{{name}}}"));
                    let expected = if in_path { "path" } else { "query" };
                    assert_eq!(parameter["in"], expected, "{path} {name}");
                    seen += usize::from(!in_path);
                }
            }
        }
        assert!(seen >= 10, "the query parameters are there to check ({seen})");
    }
}
