//! The Microsoft Graph subset a federated-credential setup drives: applications, their federated
//! identity credentials, service principals and app role assignments, over one tenant (the
//! caller's `tid`), with Graph's permission checks and error envelope (reference F).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use crate::directory::{
    ApiApplication, AppRole, AppRoleAssignment, Application, Directory,
    FederatedIdentityCredential, ServicePrincipal, SignInAudience, Tenant,
};
use crate::fic::{self, FicDraft, FicError};
use crate::first_party;
use crate::ids::{AppRoleId, ClientId, ObjectId, TenantId};
use crate::resource::{AccessTokenClaims, ResourceAuthError};
use crate::time::UnixTime;

mod devices;
pub use devices::list_devices;

// ------------------------------------------------------------------------------------------------
// Envelope
// ------------------------------------------------------------------------------------------------

pub use crate::graph_error::GraphError;

/// Graph's failures specific to this module's operations; the envelope itself lives in
/// [`crate::graph_error`].
impl GraphError {
    /// 403 `Authorization_RequestDenied`: the caller's token lacks the application permission.
    pub fn insufficient_privileges() -> Self {
        GraphError::new(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    /// 404 `Request_ResourceNotFound` for an id or alternate key.
    pub fn resource_not_found(id: &str) -> Self {
        GraphError::not_found(format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ))
    }

    fn invalid_property(property: &str, resource: &str) -> Self {
        // UNCONFIRMED wording beyond Graph's usual "Invalid value specified for property …".
        GraphError::bad_request(format!(
            "Invalid value specified for property '{property}' of resource '{resource}'."
        ))
    }

    fn malformed_json() -> Self {
        GraphError::new(
            400,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )
    }

    /// Graph's answer to a refused token.
    // UNCONFIRMED wordings except "Invalid audience." and "Access token is empty.".
    pub fn from_auth(err: &ResourceAuthError) -> Self {
        let message = match err {
            ResourceAuthError::MissingToken | ResourceAuthError::NotBearer => {
                "Access token is empty."
            }
            ResourceAuthError::InvalidAudience(_) => {
                "Access token validation failure. Invalid audience."
            }
            ResourceAuthError::Expired { .. } => {
                "Lifetime validation failed, the token is expired."
            }
            ResourceAuthError::NotYetValid { .. } => {
                "Lifetime validation failed, the token is not yet valid."
            }
            ResourceAuthError::InvalidIssuer(_) | ResourceAuthError::UnknownTenant(_) => {
                "Access token validation failure. Invalid issuer."
            }
            _ => "Access token validation failure.",
        };
        GraphError::new(401, "InvalidAuthenticationToken", message).with_www_authenticate(format!(
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"{}\"",
            first_party::MICROSOFT_GRAPH.app_id
        ))
    }
}

/// A successful Graph answer: status, optional body and `Location`.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphResponse {
    pub status: u16,
    pub body: Option<Value>,
    pub location: Option<String>,
}

impl GraphResponse {
    fn ok(body: Value) -> Self {
        GraphResponse {
            status: 200,
            body: Some(body),
            location: None,
        }
    }

    fn created(body: Value, location: String) -> Self {
        GraphResponse {
            status: 201,
            body: Some(body),
            location: Some(location),
        }
    }

    fn no_content() -> Self {
        GraphResponse {
            status: 204,
            body: None,
            location: None,
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Permissions
// ------------------------------------------------------------------------------------------------

const READ_APPLICATIONS: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE_APPLICATIONS: &[&str] = &["Application.ReadWrite.All"];
/// Creating a service principal; `Application.ReadWrite.OwnedBy` only for apps of this tenant.
const CREATE_SERVICE_PRINCIPALS: &[&str] = &[
    "Application.ReadWrite.All",
    "Application.ReadWrite.OwnedBy",
    "Directory.ReadWrite.All",
];
const READ_ASSIGNMENTS: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE_ASSIGNMENTS: &[&str] = &[
    "AppRoleAssignment.ReadWrite.All",
    "Application.ReadWrite.All",
    "Directory.ReadWrite.All",
];

fn require(caller: &AccessTokenClaims, any_of: &[&str]) -> Result<(), GraphError> {
    if caller.has_any_role(any_of) {
        Ok(())
    } else {
        Err(GraphError::insufficient_privileges())
    }
}

fn tenant_of<'d>(dir: &'d Directory, caller: &AccessTokenClaims) -> Result<&'d Tenant, GraphError> {
    dir.tenant(caller.tenant)
        .ok_or_else(GraphError::insufficient_privileges)
}

fn tenant_mut<'d>(
    dir: &'d mut Directory,
    caller: &AccessTokenClaims,
) -> Result<&'d mut Tenant, GraphError> {
    dir.tenant_mut(caller.tenant)
        .ok_or_else(GraphError::insufficient_privileges)
}

fn base(tenant: &Tenant) -> &'static str {
    tenant.cloud.graph_endpoint()
}

fn parse_body(body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(GraphError::malformed_json()),
    }
}

// ------------------------------------------------------------------------------------------------
// Applications
// ------------------------------------------------------------------------------------------------

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

fn find_app(tenant: &Tenant, r: &ApplicationRef) -> Result<usize, GraphError> {
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

fn sign_in_audience_str(a: SignInAudience) -> &'static str {
    match a {
        SignInAudience::AzureADMyOrg => "AzureADMyOrg",
        SignInAudience::AzureADMultipleOrgs => "AzureADMultipleOrgs",
        SignInAudience::AzureADandPersonalMicrosoftAccount => "AzureADandPersonalMicrosoftAccount",
        SignInAudience::PersonalMicrosoftAccount => "PersonalMicrosoftAccount",
    }
}

fn app_role_json(r: &AppRole) -> Value {
    json!({
        "allowedMemberTypes": r.allowed_member_types,
        "description": r.description,
        "displayName": r.display_name,
        "id": r.id,
        "isEnabled": r.is_enabled,
        "origin": "Application",
        "value": r.value,
    })
}

/// An application as Graph returns it. Secrets are never echoed (`secretText` is null).
fn application_json(tenant: &Tenant, app: &Application) -> Value {
    json!({
        "id": app.id,
        "deletedDateTime": null,
        "appId": app.app_id,
        "createdDateTime": app.created_date_time,
        "displayName": app.display_name,
        "identifierUris": app.identifier_uris,
        "publisherDomain": tenant.verified_domains.first().map(|d| d.as_str()),
        "signInAudience": sign_in_audience_str(app.sign_in_audience),
        "api": {"requestedAccessTokenVersion": app.api.requested_access_token_version},
        "appRoles": app.app_roles.iter().map(app_role_json).collect::<Vec<_>>(),
        "keyCredentials": app.key_credentials.iter().map(|k| json!({
            "customKeyIdentifier": k.custom_key_identifier,
            "displayName": k.display_name,
            "endDateTime": k.end_date_time,
            "key": null,
            "keyId": k.key_id,
            "type": k.kind,
            "usage": k.usage,
        })).collect::<Vec<_>>(),
        "passwordCredentials": app.password_credentials.iter().map(|p| json!({
            "displayName": p.display_name,
            "endDateTime": p.end_date_time,
            "hint": p.hint,
            "keyId": p.key_id,
            "secretText": null,
            "startDateTime": p.start_date_time,
        })).collect::<Vec<_>>(),
    })
}

fn with_context(context: String, body: Value) -> Value {
    let mut out = Map::new();
    out.insert("@odata.context".to_owned(), Value::String(context));
    if let Value::Object(fields) = body {
        out.extend(fields);
    }
    Value::Object(out)
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
    let value: Vec<Value> = tenant
        .applications
        .iter()
        .filter(|a| app_filter_matches(wanted.as_ref(), a.app_id, &a.display_name))
        .map(|a| application_json(tenant, a))
        .collect();
    Ok(collection(tenant, "applications", value))
}

/// `$filter=appId eq '…'` (any case) or `displayName eq '…'` (exact), as parsed by
/// [`parse_eq_filter`].
fn app_filter_matches(wanted: Option<&(String, String)>, app_id: ClientId, name: &str) -> bool {
    match wanted {
        None => true,
        Some((p, v)) if p == "appId" => app_id.to_string().eq_ignore_ascii_case(v),
        Some((_, v)) => name == v,
    }
}

/// A collection answer: `@odata.context` for `entity_set` and the values.
fn collection(tenant: &Tenant, entity_set: &str, value: Vec<Value>) -> GraphResponse {
    GraphResponse::ok(json!({
        "@odata.context": format!("{}/v1.0/$metadata#{entity_set}", base(tenant)),
        "value": value,
    }))
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
    Ok(GraphResponse::ok(with_context(
        format!("{}/v1.0/$metadata#applications/$entity", base(tenant)),
        application_json(tenant, &tenant.applications[i]),
    )))
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
    let body = with_context(
        format!("{}/v1.0/$metadata#applications/$entity", base(tenant)),
        application_json(tenant, &app),
    );
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

// ------------------------------------------------------------------------------------------------
// Federated identity credentials
// ------------------------------------------------------------------------------------------------

/// How a URL names a FIC: `/{id}`, `/{name}` or `(name='{name}')`.
pub fn parse_fic_segment(segment: &str) -> String {
    let s = segment.replace("%27", "'");
    s.strip_prefix("(name=")
        .and_then(|r| r.strip_suffix(')'))
        .map_or(s.clone(), |v| v.trim_matches('\'').to_owned())
}

fn fic_json(f: &FederatedIdentityCredential) -> Value {
    json!({
        "id": f.id,
        "name": f.name,
        "issuer": f.issuer,
        "subject": f.subject,
        "description": f.description,
        "audiences": f.audiences,
    })
}

fn fics_context(tenant: &Tenant, app: &Application) -> String {
    format!(
        "{}/v1.0/$metadata#applications('{}')/federatedIdentityCredentials",
        base(tenant),
        app.id
    )
}

fn fic_entity(tenant: &Tenant, app: &Application, f: &FederatedIdentityCredential) -> Value {
    let mut out = Map::new();
    out.insert(
        "@odata.context".to_owned(),
        Value::String(format!("{}/$entity", fics_context(tenant, app))),
    );
    out.insert(
        "@odata.id".to_owned(),
        Value::String(format!(
            "{}/v2/{}/directoryObjects/$/Microsoft.DirectoryServices.Application('{}')/federatedIdentityCredentials/{}",
            base(tenant),
            tenant.id,
            app.id,
            f.id
        )),
    );
    if let Value::Object(fields) = fic_json(f) {
        out.extend(fields);
    }
    Value::Object(out)
}

fn find_fic(app: &Application, key: &str) -> Option<usize> {
    let by_id = ObjectId::parse(key);
    app.federated_identity_credentials
        .iter()
        .position(|f| Some(f.id) == by_id || f.name.eq_ignore_ascii_case(key))
}

fn fic_not_found_by_name(name: &str) -> GraphError {
    GraphError::new(
        404,
        "Request_ResourceNotFound",
        format!("FederatedIdentityCredential with name {name} not found."),
    )
}

/// `GET /v1.0/applications/{id}/federatedIdentityCredentials`.
pub fn list_federated_identity_credentials(
    dir: &Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
) -> Result<GraphResponse, GraphError> {
    require(caller, READ_APPLICATIONS)?;
    let tenant = tenant_of(dir, caller)?;
    let a = &tenant.applications[find_app(tenant, app)?];
    Ok(GraphResponse::ok(json!({
        "@odata.context": fics_context(tenant, a),
        "value": a.federated_identity_credentials.iter().map(fic_json).collect::<Vec<_>>(),
    })))
}

/// `GET /v1.0/applications/{id}/federatedIdentityCredentials/{id or name}`.
pub fn get_federated_identity_credential(
    dir: &Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
    fic: &str,
) -> Result<GraphResponse, GraphError> {
    require(caller, READ_APPLICATIONS)?;
    let tenant = tenant_of(dir, caller)?;
    let a = &tenant.applications[find_app(tenant, app)?];
    let i = find_fic(a, fic).ok_or_else(|| GraphError::resource_not_found(fic))?;
    Ok(GraphResponse::ok(fic_entity(
        tenant,
        a,
        &a.federated_identity_credentials[i],
    )))
}

/// `POST /v1.0/applications/{id}/federatedIdentityCredentials` → 201 with the new credential.
pub fn create_federated_identity_credential(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
    body: &[u8],
    new_id: ObjectId,
    now: UnixTime,
) -> Result<GraphResponse, GraphError> {
    require(caller, WRITE_APPLICATIONS)?;
    let map = parse_body(body)?;
    let tenant = tenant_mut(dir, caller)?;
    let i = find_app(tenant, app)?;
    let draft = draft_of(map)?;
    let new = fic::validate_create(
        &draft,
        &tenant.applications[i].federated_identity_credentials,
    )?;
    // Remembered for the scenario's propagation delay; never shown in Graph's JSON.
    let fic = FederatedIdentityCredential {
        created_at: Some(now),
        ..new.with_id(new_id)
    };
    insert_fic(tenant, i, fic)
}

/// A request body as the FIC rules read it.
fn draft_of(map: Map<String, Value>) -> Result<FicDraft, GraphError> {
    serde_json::from_value(Value::Object(map)).map_err(|_| FicError::UnreadableBody.into())
}

fn insert_fic(
    tenant: &mut Tenant,
    app_index: usize,
    fic: FederatedIdentityCredential,
) -> Result<GraphResponse, GraphError> {
    let a = &tenant.applications[app_index];
    let body = fic_entity(tenant, a, &fic);
    let location = format!(
        "{}/v1.0/applications/{}/federatedIdentityCredentials/{}",
        base(tenant),
        a.id,
        fic.id
    );
    tenant.applications[app_index]
        .federated_identity_credentials
        .push(fic);
    Ok(GraphResponse::created(body, location))
}

fn apply_patch(
    tenant: &mut Tenant,
    app_index: usize,
    fic_index: usize,
    map: &Map<String, Value>,
) -> Result<GraphResponse, GraphError> {
    let fics = &tenant.applications[app_index].federated_identity_credentials;
    let current = &fics[fic_index];
    let draft = draft_of(map.clone())?;
    let merged = fic::validate_patch(current, &draft, fics)?;
    tenant.applications[app_index].federated_identity_credentials[fic_index] = merged;
    Ok(GraphResponse::no_content())
}

/// `PATCH /v1.0/applications/{id}/federatedIdentityCredentials/{id}` → 204. `name` is
/// immutable.
pub fn update_federated_identity_credential(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
    fic: &str,
    body: &[u8],
) -> Result<GraphResponse, GraphError> {
    require(caller, WRITE_APPLICATIONS)?;
    let map = parse_body(body)?;
    let tenant = tenant_mut(dir, caller)?;
    let i = find_app(tenant, app)?;
    let j = find_fic(&tenant.applications[i], fic)
        .ok_or_else(|| GraphError::resource_not_found(fic))?;
    apply_patch(tenant, i, j, &map)
}

/// `PATCH /v1.0/applications/{id}/federatedIdentityCredentials(name='{name}')`: with
/// `Prefer: create-if-missing` an upsert (201 created / 204 updated); without it an update of an
/// existing credential (404 otherwise).
pub fn upsert_federated_identity_credential(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
    name: &str,
    body: &[u8],
    create_if_missing: bool,
    new_id: ObjectId,
) -> Result<GraphResponse, GraphError> {
    require(caller, WRITE_APPLICATIONS)?;
    let mut map = parse_body(body)?;
    let tenant = tenant_mut(dir, caller)?;
    let i = find_app(tenant, app)?;
    let existing = tenant.applications[i]
        .federated_identity_credentials
        .iter()
        .position(|f| f.name.eq_ignore_ascii_case(name));
    match existing {
        Some(j) => apply_patch(tenant, i, j, &map),
        None if create_if_missing => {
            // The name comes from the URL; a different one in the body is refused by the rules.
            map.entry("name".to_owned())
                .or_insert_with(|| Value::String(name.to_owned()));
            if map.get("name").and_then(Value::as_str) != Some(name) {
                return Err(GraphError::invalid_property(
                    "name",
                    "FederatedIdentityCredential",
                ));
            }
            let draft = draft_of(map)?;
            let new = fic::validate_create(
                &draft,
                &tenant.applications[i].federated_identity_credentials,
            )?;
            insert_fic(tenant, i, new.with_id(new_id))
        }
        None => Err(fic_not_found_by_name(name)),
    }
}

/// `DELETE /v1.0/applications/{id}/federatedIdentityCredentials/{id or name}` → 204.
pub fn delete_federated_identity_credential(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    app: &ApplicationRef,
    fic: &str,
) -> Result<GraphResponse, GraphError> {
    require(caller, WRITE_APPLICATIONS)?;
    let tenant = tenant_mut(dir, caller)?;
    let i = find_app(tenant, app)?;
    let j = find_fic(&tenant.applications[i], fic)
        .ok_or_else(|| GraphError::resource_not_found(fic))?;
    tenant.applications[i]
        .federated_identity_credentials
        .remove(j);
    Ok(GraphResponse::no_content())
}

// ------------------------------------------------------------------------------------------------
// Service principals
// ------------------------------------------------------------------------------------------------

/// The app roles a service principal exposes: its own, else its first-party app's, else its
/// application's (scenario files often leave them out).
fn roles_of(dir: &Directory, sp: &ServicePrincipal) -> Vec<AppRole> {
    if !sp.app_roles.is_empty() {
        return sp.app_roles.clone();
    }
    if let Some(fp) = first_party::by_app_id(sp.app_id) {
        return fp.app_roles();
    }
    dir.application(sp.app_id)
        .map(|(_, a)| a.app_roles.clone())
        .unwrap_or_default()
}

fn service_principal_json(dir: &Directory, sp: &ServicePrincipal) -> Value {
    let app = dir.application(sp.app_id);
    json!({
        "id": sp.id,
        "deletedDateTime": null,
        "accountEnabled": sp.account_enabled,
        "appDisplayName": app.map_or(sp.display_name.as_str(), |(_, a)| a.display_name.as_str()),
        "appId": sp.app_id,
        "appOwnerOrganizationId": sp.app_owner_organization_id,
        "appRoleAssignmentRequired": sp.app_role_assignment_required,
        "displayName": sp.display_name,
        "servicePrincipalNames": sp.service_principal_names,
        "servicePrincipalType": sp.service_principal_type,
        "signInAudience": app.map(|(_, a)| sign_in_audience_str(a.sign_in_audience)),
        "appRoles": roles_of(dir, sp).iter().map(app_role_json).collect::<Vec<_>>(),
    })
}

/// Why `app_id` cannot get a service principal in `tenant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProvisionError {
    /// No application has this appId.
    UnknownApp,
    /// The application is single-tenant and registered in another tenant.
    SingleTenantElsewhere,
}

/// Creates (or finds) the service principal of `app_id` in `tenant_id`, as Graph's
/// `POST /servicePrincipals` and admin consent do. Returns the principal and whether it is new.
pub(crate) fn provision_service_principal(
    dir: &mut Directory,
    tenant_id: TenantId,
    app_id: ClientId,
    new_id: ObjectId,
) -> Result<(ServicePrincipal, bool), ProvisionError> {
    let (home, app) = match dir.application(app_id) {
        Some((home, app)) => (home.id, app.clone()),
        None => return Err(ProvisionError::UnknownApp),
    };
    if home != tenant_id && !app.sign_in_audience.is_multi_tenant() {
        return Err(ProvisionError::SingleTenantElsewhere);
    }
    let Some(tenant) = dir.tenant_mut(tenant_id) else {
        return Err(ProvisionError::UnknownApp);
    };
    if let Some(sp) = tenant
        .service_principals
        .iter()
        .find(|s| s.app_id == app_id)
    {
        return Ok((sp.clone(), false));
    }
    let mut names = vec![app.app_id.to_string()];
    names.extend(app.identifier_uris.iter().cloned());
    let sp = ServicePrincipal {
        id: new_id,
        app_id,
        display_name: app.display_name.clone(),
        account_enabled: true,
        app_role_assignment_required: false,
        service_principal_type: "Application".to_owned(),
        app_owner_organization_id: Some(home),
        app_roles: app.app_roles.clone(),
        service_principal_names: names,
    };
    tenant.service_principals.push(sp.clone());
    Ok((sp, true))
}

/// `POST /v1.0/servicePrincipals` with `{"appId":"…"}` → 201.
///
/// - no application with that appId anywhere, or a single-tenant one from another tenant: 400
///   (UNCONFIRMED: Graph's "does not reference a valid application object" wording for both);
/// - a caller holding only Application.ReadWrite.OwnedBy, for an app of another tenant: 403 with
///   reference F.3's wording;
/// - the tenant already has one: 409 `Request_MultipleObjectsWithSameKeyValue` (UNCONFIRMED
///   status and wording).
pub fn create_service_principal(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    body: &[u8],
    new_id: ObjectId,
) -> Result<GraphResponse, GraphError> {
    require(caller, CREATE_SERVICE_PRINCIPALS)?;
    let map = parse_body(body)?;
    let raw = map
        .get("appId")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::invalid_property("appId", "ServicePrincipal"))?;
    let not_valid = || {
        GraphError::bad_request(format!(
            "The appId '{raw}' of the service principal does not reference a valid application object."
        ))
    };
    let app_id = ClientId::parse(raw).ok_or_else(not_valid)?;
    let home = dir.application(app_id).map(|(t, _)| t.id);
    let owned_by_only =
        !caller.has_any_role(&["Application.ReadWrite.All", "Directory.ReadWrite.All"]);
    if owned_by_only && home.is_some_and(|h| h != caller.tenant) {
        return Err(GraphError::new(
            403,
            "Authorization_RequestDenied",
            "When using this permission, the backing application of the service principal being created must in the local tenant",
        ));
    }
    let tenant = tenant_of(dir, caller)?;
    if tenant.service_principals.iter().any(|s| s.app_id == app_id)
        || first_party::by_app_id(app_id).is_some()
    {
        return Err(GraphError::new(
            409,
            "Request_MultipleObjectsWithSameKeyValue",
            "Another object with the same value for property servicePrincipalNames already exists.",
        ));
    }
    let (sp, _) =
        provision_service_principal(dir, caller.tenant, app_id, new_id).map_err(|_| not_valid())?;
    let tenant = tenant_of(dir, caller)?;
    let body = with_context(
        format!("{}/v1.0/$metadata#servicePrincipals/$entity", base(tenant)),
        service_principal_json(dir, &sp),
    );
    let location = format!(
        "{}/v2/{}/directoryObjects/{}/Microsoft.DirectoryServices.ServicePrincipal",
        base(tenant),
        tenant.id,
        sp.id
    );
    Ok(GraphResponse::created(body, location))
}

fn find_sp(tenant: &Tenant, id: &str) -> Result<ServicePrincipal, GraphError> {
    let oid = ObjectId::parse(id)
        .ok_or_else(|| GraphError::bad_request(format!("Invalid object identifier '{id}'.")))?;
    tenant
        .service_principal_by_id(oid)
        .map(std::borrow::Cow::into_owned)
        .ok_or_else(|| GraphError::resource_not_found(id))
}

/// `GET /v1.0/servicePrincipals/{id}`.
pub fn get_service_principal(
    dir: &Directory,
    caller: &AccessTokenClaims,
    id: &str,
) -> Result<GraphResponse, GraphError> {
    require(caller, READ_APPLICATIONS)?;
    let tenant = tenant_of(dir, caller)?;
    let sp = find_sp(tenant, id)?;
    Ok(GraphResponse::ok(with_context(
        format!("{}/v1.0/$metadata#servicePrincipals/$entity", base(tenant)),
        service_principal_json(dir, &sp),
    )))
}

/// Reads `{property} eq '{value}'`, the only `$filter` form supported here.
fn parse_eq_filter(
    filter: Option<&str>,
    properties: &[&str],
    resource: &str,
) -> Result<Option<(String, String)>, GraphError> {
    let Some(f) = filter.map(str::trim).filter(|f| !f.is_empty()) else {
        return Ok(None);
    };
    let unsupported = || {
        GraphError::new(
            400,
            "Request_UnsupportedQuery",
            format!(
                "Unsupported or invalid query filter clause specified for property '{}' of resource '{resource}'.",
                f.split_whitespace().next().unwrap_or(f)
            ),
        )
    };
    let mut parts = f.splitn(3, ' ');
    let (Some(prop), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(unsupported());
    };
    let value = value.trim();
    if !op.eq_ignore_ascii_case("eq")
        || value.len() < 2
        || !value.starts_with('\'')
        || !value.ends_with('\'')
    {
        return Err(unsupported());
    }
    let Some(prop) = properties.iter().find(|p| p.eq_ignore_ascii_case(prop)) else {
        return Err(unsupported());
    };
    Ok(Some((
        (*prop).to_owned(),
        value[1..value.len() - 1].replace("''", "'"),
    )))
}

/// `GET /v1.0/servicePrincipals`, optionally `$filter=appId eq '…'` (or displayName). The
/// first-party principals every tenant holds are listed too.
pub fn list_service_principals(
    dir: &Directory,
    caller: &AccessTokenClaims,
    filter: Option<&str>,
) -> Result<GraphResponse, GraphError> {
    require(caller, READ_APPLICATIONS)?;
    let tenant = tenant_of(dir, caller)?;
    let wanted = parse_eq_filter(filter, &["appId", "displayName"], "ServicePrincipal")?;
    let mut all: Vec<ServicePrincipal> = tenant.service_principals.clone();
    for fp in first_party::ALL {
        if !all.iter().any(|s| s.app_id == fp.app_id) {
            all.push(fp.service_principal_in(tenant.id));
        }
    }
    let value: Vec<Value> = all
        .iter()
        .filter(|s| app_filter_matches(wanted.as_ref(), s.app_id, &s.display_name))
        .map(|s| service_principal_json(dir, s))
        .collect();
    Ok(collection(tenant, "servicePrincipals", value))
}

// ------------------------------------------------------------------------------------------------
// App role assignments
// ------------------------------------------------------------------------------------------------

/// Graph's assignment ids are 32 bytes in base64url: the principal's id then a unique part.
// UNCONFIRMED layout beyond the observed length; `unique` comes from the caller.
fn assignment_id(principal: ObjectId, unique: ObjectId) -> String {
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(&guid_bytes_le(principal));
    bytes.extend_from_slice(&guid_bytes_le(unique));
    URL_SAFE_NO_PAD.encode(bytes)
}

/// .NET's `Guid.ToByteArray` order.
fn guid_bytes_le(id: ObjectId) -> [u8; 16] {
    uuid::Uuid::parse_str(&id.to_string())
        .map(|u| u.to_bytes_le())
        .unwrap_or_default()
}

fn assignment_json(a: &AppRoleAssignment) -> Value {
    json!({
        "id": a.id,
        "deletedDateTime": null,
        "appRoleId": a.app_role_id,
        "createdDateTime": a.created_date_time,
        "principalDisplayName": a.principal_display_name,
        "principalId": a.principal_id,
        "principalType": a.principal_type,
        "resourceDisplayName": a.resource_display_name,
        "resourceId": a.resource_id,
    })
}

fn assignments_context(tenant: &Tenant, sp: &str) -> String {
    format!(
        "{}/v1.0/$metadata#servicePrincipals('{sp}')/appRoleAssignments",
        base(tenant)
    )
}

/// `POST /v1.0/servicePrincipals/{id}/appRoleAssignments` with
/// `{"principalId","resourceId","appRoleId"}` → 201.
pub fn create_app_role_assignment(
    dir: &mut Directory,
    caller: &AccessTokenClaims,
    service_principal: &str,
    body: &[u8],
    new_id: ObjectId,
    now: UnixTime,
) -> Result<GraphResponse, GraphError> {
    require(caller, WRITE_ASSIGNMENTS)?;
    let map = parse_body(body)?;
    let tenant = tenant_of(dir, caller)?;
    let principal = find_sp(tenant, service_principal)?;
    let field = |name: &str| {
        map.get(name)
            .and_then(Value::as_str)
            .and_then(crate::ids::Guid::parse)
            .ok_or_else(|| GraphError::invalid_property(name, "AppRoleAssignment"))
    };
    let principal_id = ObjectId(field("principalId")?);
    let resource_id = ObjectId(field("resourceId")?);
    let app_role_id = AppRoleId(field("appRoleId")?);
    if principal_id != principal.id {
        // UNCONFIRMED: Graph wants the body's principal to be the one in the URL.
        return Err(GraphError::invalid_property(
            "principalId",
            "AppRoleAssignment",
        ));
    }
    let resource = tenant
        .service_principal_by_id(resource_id)
        .map(std::borrow::Cow::into_owned)
        .ok_or_else(|| GraphError::resource_not_found(&resource_id.to_string()))?;
    let role_ok = roles_of(dir, &resource).iter().any(|r| {
        r.id == app_role_id
            && r.is_enabled
            && r.allowed_member_types.iter().any(|m| m == "Application")
    });
    if !role_ok {
        return Err(GraphError::bad_request(format!(
            "Permission being assigned was not found on application '{}'.",
            resource.app_id
        )));
    }
    if tenant.app_role_assignments.iter().any(|a| {
        a.principal_id == principal_id
            && a.resource_id == resource_id
            && a.app_role_id == app_role_id
    }) {
        return Err(GraphError::bad_request(
            "Permission being assigned already exists on the object.",
        ));
    }
    let assignment = AppRoleAssignment {
        id: assignment_id(principal_id, new_id),
        principal_id,
        resource_id,
        app_role_id,
        principal_display_name: Some(principal.display_name.clone()),
        resource_display_name: Some(resource.display_name.clone()),
        principal_type: "ServicePrincipal".to_owned(),
        created_date_time: Some(now.rfc3339()),
    };
    let body = with_context(
        format!("{}/$entity", assignments_context(tenant, service_principal)),
        assignment_json(&assignment),
    );
    let location = format!(
        "{}/v1.0/servicePrincipals/{}/appRoleAssignments/{}",
        base(tenant),
        principal.id,
        assignment.id
    );
    tenant_mut(dir, caller)?
        .app_role_assignments
        .push(assignment);
    Ok(GraphResponse::created(body, location))
}

/// `GET /v1.0/servicePrincipals/{id}/appRoleAssignments`: the roles granted to that principal.
pub fn list_app_role_assignments(
    dir: &Directory,
    caller: &AccessTokenClaims,
    service_principal: &str,
) -> Result<GraphResponse, GraphError> {
    require(caller, READ_ASSIGNMENTS)?;
    let tenant = tenant_of(dir, caller)?;
    let principal = find_sp(tenant, service_principal)?;
    let value: Vec<Value> = tenant
        .app_role_assignments
        .iter()
        .filter(|a| a.principal_id == principal.id)
        .map(assignment_json)
        .collect();
    Ok(GraphResponse::ok(json!({
        "@odata.context": assignments_context(tenant, service_principal),
        "value": value,
    })))
}

#[cfg(test)]
mod tests;
