//! Graph `applications`: list (with `$filter`), get by object id or `(appId='…')`, create and
//! update, with Graph's identifier URI and token-version rules.

use serde_json::{Map, Value};

use super::model::{ApplicationResource, to_value};
use super::{
    GraphError, GraphResponse, READ_APPLICATIONS, WRITE_APPLICATIONS, app_filter_matches, base,
    collection, entity, parse_body, parse_eq_filter, require, tenant_mut, tenant_of,
};
use crate::directory::{ApiApplication, Application, Directory, SignInAudience, Tenant};
use crate::ids::{ClientId, ObjectId};
use crate::resource::AccessTokenClaims;
use crate::time::UnixTime;

/// How a URL names an application: `/applications/{id}` or `/applications(appId='{appId}')`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationRef {
    ObjectId(String),
    AppId(String),
}

impl ApplicationRef {
    /// Reads `{id}`, `(appId='…')` or `applications(appId='…')` (quotes `'` or `%27`).
    pub fn parse(segment: &str) -> ApplicationRef {
        let s = segment.replace("%27", "'");
        let s = s.strip_prefix("applications").unwrap_or(&s);
        if let Some(inner) = s
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .and_then(|r| {
                r.split_once('=')
                    .filter(|(k, _)| k.trim().eq_ignore_ascii_case("appId"))
            })
            .map(|(_, v)| v.trim().trim_matches('\'').to_owned())
        {
            return ApplicationRef::AppId(inner);
        }
        ApplicationRef::ObjectId(s.trim_start_matches('/').to_owned())
    }

    fn text(&self) -> &str {
        match self {
            ApplicationRef::ObjectId(s) | ApplicationRef::AppId(s) => s,
        }
    }
}

pub(super) fn find_app(tenant: &Tenant, r: &ApplicationRef) -> Result<usize, GraphError> {
    let found = match r {
        ApplicationRef::ObjectId(s) => {
            let id = ObjectId::parse(s).ok_or_else(|| {
                GraphError::bad_request(format!("Invalid object identifier '{s}'."))
            })?;
            tenant.applications.iter().position(|a| a.id == id)
        }
        ApplicationRef::AppId(s) => ClientId::parse(s)
            .and_then(|id| tenant.applications.iter().position(|a| a.app_id == id)),
    };
    found.ok_or_else(|| GraphError::resource_not_found(r.text()))
}

/// An application as Graph returns it. Secrets are never echoed (`secretText` is null).
fn view<'a>(tenant: &'a Tenant, app: &'a Application) -> ApplicationResource<'a> {
    ApplicationResource::new(app, tenant.verified_domains.first().map(|d| d.as_str()))
}

/// `GET /v1.0/applications`, optionally `$filter=appId eq '…'`.
pub fn list_applications(
    dir: &Directory,
    caller: &AccessTokenClaims,
    filter: Option<&str>,
) -> Result<GraphResponse, GraphError> {
    require(caller, READ_APPLICATIONS)?;
    let tenant = tenant_of(dir, caller)?;
    let wanted = parse_eq_filter(filter, &["appId", "displayName"], "Application")?;
    let value: Vec<_> = tenant
        .applications
        .iter()
        .filter(|a| app_filter_matches(wanted.as_ref(), a.app_id, &a.display_name))
        .map(|a| view(tenant, a))
        .collect();
    Ok(collection(tenant, "applications", value))
}

/// `GET /v1.0/applications/{id}` or `/v1.0/applications(appId='…')`.
pub fn get_application(
    dir: &Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
) -> Result<GraphResponse, GraphError> {
    require(caller, READ_APPLICATIONS)?;
    let tenant = tenant_of(dir, caller)?;
    let i = find_app(tenant, app)?;
    Ok(GraphResponse::ok(to_value(&entity(
        tenant,
        "applications",
        view(tenant, &tenant.applications[i]),
    ))))
}

/// The writable properties of an application, as a create or patch body carries them.
#[derive(Debug, Default)]
struct AppChanges {
    display_name: Option<String>,
    sign_in_audience: Option<SignInAudience>,
    identifier_uris: Option<Vec<String>>,
    api: Option<ApiApplication>,
}

fn app_changes(body: &Map<String, Value>) -> Result<AppChanges, GraphError> {
    let mut c = AppChanges::default();
    if let Some(v) = body.get("displayName") {
        match v {
            Value::String(s) if !s.trim().is_empty() && s.len() <= 256 => {
                c.display_name = Some(s.clone());
            }
            _ => return Err(GraphError::invalid_property("displayName", "Application")),
        }
    }
    if let Some(v) = body.get("signInAudience") {
        c.sign_in_audience = Some(
            serde_json::from_value(v.clone())
                .map_err(|_| GraphError::invalid_property("signInAudience", "Application"))?,
        );
    }
    if let Some(v) = body.get("identifierUris") {
        c.identifier_uris = Some(
            serde_json::from_value(v.clone())
                .map_err(|_| GraphError::invalid_property("identifierUris", "Application"))?,
        );
    }
    if let Some(v) = body.get("api") {
        let version = match v.get("requestedAccessTokenVersion") {
            None | Some(Value::Null) => None,
            Some(n) => match n.as_u64() {
                Some(1) => Some(1),
                Some(2) => Some(2),
                _ => {
                    return Err(GraphError::invalid_property(
                        "requestedAccessTokenVersion",
                        "ApiApplication",
                    ));
                }
            },
        };
        if !v.is_object() {
            return Err(GraphError::invalid_property("api", "Application"));
        }
        c.api = Some(ApiApplication {
            requested_access_token_version: version,
        });
    }
    Ok(c)
}

/// Graph's identifier URI rules: an absolute URI; `http(s)` hosts must be a verified domain of
/// the tenant (or a subdomain); no two applications of the tenant share one.
fn check_identifier_uris(
    tenant: &Tenant,
    uris: &[String],
    except: Option<ObjectId>,
) -> Result<(), GraphError> {
    for uri in uris {
        let Some((scheme, rest)) = uri.split_once("://") else {
            return Err(GraphError::invalid_property(
                "identifierUris",
                "Application",
            ));
        };
        if rest.is_empty() || uri.contains('*') || uri.chars().any(char::is_whitespace) {
            return Err(GraphError::invalid_property(
                "identifierUris",
                "Application",
            ));
        }
        if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http") {
            let host = rest.split(['/', ':', '?']).next().unwrap_or("");
            let verified = tenant.verified_domains.iter().any(|d| {
                let d = d.as_str();
                host.eq_ignore_ascii_case(d)
                    || host
                        .to_ascii_lowercase()
                        .ends_with(&format!(".{}", d.to_ascii_lowercase()))
            });
            if !verified {
                return Err(GraphError::new(
                    400,
                    "HostNameNotOnVerifiedDomain",
                    format!(
                        "Values of identifierUris property must use a verified domain of the organization or its subdomain: '{uri}'"
                    ),
                ));
            }
        }
        let taken = tenant.applications.iter().any(|a| {
            Some(a.id) != except
                && a.identifier_uris
                    .iter()
                    .any(|u| u.eq_ignore_ascii_case(uri))
        });
        if taken {
            return Err(GraphError::new(
                400,
                "Request_MultipleObjectsWithSameKeyValue",
                "Another object with the same value for property identifierUris already exists.",
            ));
        }
    }
    Ok(())
}

/// `AzureADandPersonalMicrosoftAccount` requires v2 tokens (reference E.2).
fn check_version_for_audience(
    audience: SignInAudience,
    api: &ApiApplication,
) -> Result<(), GraphError> {
    let personal = matches!(
        audience,
        SignInAudience::AzureADandPersonalMicrosoftAccount
            | SignInAudience::PersonalMicrosoftAccount
    );
    if personal && api.requested_access_token_version != Some(2) {
        // UNCONFIRMED wording.
        return Err(GraphError::bad_request(
            "Property api.requestedAccessTokenVersion is invalid.",
        ));
    }
    Ok(())
}

/// `POST /v1.0/applications`. The new object id and appId come from the caller (core has no RNG).
pub fn create_application(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    body: &[u8],
    new_object_id: ObjectId,
    new_app_id: ClientId,
    now: UnixTime,
) -> Result<GraphResponse, GraphError> {
    require(caller, WRITE_APPLICATIONS)?;
    let map = parse_body(body)?;
    let changes = app_changes(&map)?;
    let tenant = tenant_mut(dir, caller)?;
    let Some(display_name) = changes.display_name else {
        return Err(GraphError::invalid_property("displayName", "Application"));
    };
    let identifier_uris = changes.identifier_uris.unwrap_or_default();
    check_identifier_uris(tenant, &identifier_uris, None)?;
    let sign_in_audience = changes.sign_in_audience.unwrap_or_default();
    let api = changes.api.unwrap_or_default();
    check_version_for_audience(sign_in_audience, &api)?;
    let app = Application {
        id: new_object_id,
        app_id: new_app_id,
        display_name,
        sign_in_audience,
        identifier_uris,
        api,
        app_roles: Vec::new(),
        password_credentials: Vec::new(),
        key_credentials: Vec::new(),
        federated_identity_credentials: Vec::new(),
        created_date_time: Some(now.rfc3339()),
    };
    let body = to_value(&entity(tenant, "applications", view(tenant, &app)));
    let location = format!(
        "{}/v2/{}/directoryObjects/{}/Microsoft.DirectoryServices.Application",
        base(tenant),
        tenant.id,
        app.id
    );
    tenant.applications.push(app);
    Ok(GraphResponse::created(body, location))
}

/// `PATCH /v1.0/applications/{id}`: displayName, signInAudience, identifierUris,
/// api.requestedAccessTokenVersion. Other properties are ignored.
pub fn update_application(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
    body: &[u8],
) -> Result<GraphResponse, GraphError> {
    require(caller, WRITE_APPLICATIONS)?;
    let map = parse_body(body)?;
    let changes = app_changes(&map)?;
    let tenant = tenant_mut(dir, caller)?;
    let i = find_app(tenant, app)?;
    let id = tenant.applications[i].id;
    if let Some(uris) = &changes.identifier_uris {
        check_identifier_uris(tenant, uris, Some(id))?;
    }
    let current = &tenant.applications[i];
    let audience = changes.sign_in_audience.unwrap_or(current.sign_in_audience);
    let api = changes.api.clone().unwrap_or_else(|| current.api.clone());
    check_version_for_audience(audience, &api)?;
    let target = &mut tenant.applications[i];
    if let Some(n) = changes.display_name {
        target.display_name = n;
    }
    if let Some(uris) = changes.identifier_uris {
        target.identifier_uris = uris;
    }
    target.sign_in_audience = audience;
    target.api = api;
    Ok(GraphResponse::no_content())
}
