//! The golden-capture check: what the engine answers, compared with real responses captured from
//! Entra, IMDS, App Service and Graph (`core/tests/captures/*.json`, each with its source, capture
//! date and our declared status). Every test boots the engine over the default scenario (or the
//! variant of it that provokes the case), sends the real HTTP request a client sends, and compares
//! the answer with the capture. A capture marked `subset` names what we leave out, one marked
//! `localhost variant` says what differs, and a capture that cannot be compared in full (only a
//! message was captured, or an older envelope) says which parts are compared: nothing passes
//! silently.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::directory::{AppRole, Directory, KeyCredential, PasswordCredential};
use crate::ids::{AppRoleId, Guid, KeyCredentialId};
use crate::jose::Jwt;
use crate::testutil::engine::{Answer, Harness};
use crate::testutil::*;

/// One capture file.
struct Capture {
    name: &'static str,
    doc: Value,
}

impl Capture {
    fn load(name: &'static str, text: &str) -> Capture {
        let doc: Value = serde_json::from_str(text).expect("a capture is JSON");
        for field in ["source", "captured", "status", "compare"] {
            assert!(doc.get(field).is_some(), "{name}: capture lacks `{field}`");
        }
        assert!(
            doc.get("body").is_some()
                || doc.get("message").is_some()
                || doc.get("properties").is_some(),
            "{name}: a capture holds a body, a message or a type's properties"
        );
        let status = doc["status"].as_str().unwrap();
        assert!(
            ["matches", "subset", "localhost variant", "not emulated"].contains(&status),
            "{name}: unknown status {status}"
        );
        Capture { name, doc }
    }

    fn status(&self) -> &str {
        self.doc["status"].as_str().unwrap()
    }

    fn body(&self) -> &Value {
        &self.doc["body"]
    }

    fn http_status(&self) -> Option<u16> {
        self.doc["http_status"]
            .as_u64()
            .map(|s| u16::try_from(s).unwrap())
    }

    /// The values the captured message was filled with (replaced by ours before comparing).
    fn args(&self) -> Vec<&str> {
        self.doc["args"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// Member names the capture declares we do not emit (only for `subset`).
    fn not_emulated(&self) -> Vec<&str> {
        let list: Vec<&str> = self.doc["not_emulated"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            self.status() == "subset",
            !list.is_empty(),
            "{}: a `subset` capture lists what it leaves out, and only a subset does",
            self.name
        );
        list
    }
}

macro_rules! capture {
    ($file:literal) => {
        Capture::load($file, include_str!(concat!("../tests/captures/", $file)))
    };
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Asserts that `ours` has the capture's member names in the capture's order (less the declared
/// omissions) and the same JSON type for each.
fn assert_same_shape(capture: &Capture, theirs: &Value, ours: &Value) {
    let skip = capture.not_emulated();
    let theirs = theirs.as_object().expect("captured object");
    let ours = ours
        .as_object()
        .unwrap_or_else(|| panic!("{}: emitted no object: {ours}", capture.name));
    let expected: Vec<&str> = theirs
        .keys()
        .map(String::as_str)
        .filter(|k| !skip.contains(k))
        .collect();
    let emitted: Vec<&str> = ours.keys().map(String::as_str).collect();
    assert_eq!(
        emitted, expected,
        "{}: member names or order differ",
        capture.name
    );
    for (k, v) in theirs.iter().filter(|(k, _)| !skip.contains(&k.as_str())) {
        assert_eq!(
            json_type(&ours[k]),
            json_type(v),
            "{}: `{k}` has another JSON type",
            capture.name
        );
    }
    for k in &skip {
        assert!(
            !ours.contains_key(*k),
            "{}: `{k}` is declared not emulated but we emit it; update the capture's status",
            capture.name
        );
    }
}

// ------------------------------------------------------------------------------------------------
// Requests
// ------------------------------------------------------------------------------------------------

const ARM: &str = "https://management.azure.com/";
const EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";
const ASSERTION_TYPE: &str = "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";
/// `func-contoso`'s `IDENTITY_HEADER` in the default scenario.
const FUNC_IDENTITY_HEADER: &str = "853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a";

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A client-credentials request for `client` with `assertion` (a FIC exchange), for ARM.
fn federated_form(client: &str, assertion: &str) -> String {
    format!(
        "grant_type=client_credentials&client_id={client}&client_assertion_type={ASSERTION_TYPE}&client_assertion={assertion}&scope={}",
        encode("https://management.azure.com/.default")
    )
}

/// The multi-tenant app's FIC exchange in Litware with the Contoso identity's token for
/// `resource`, as the seed articles run it. Returns the answer and the assertion.
fn exchange_in_litware(dir: Directory, resource: &str) -> (Answer, String) {
    let h = Harness::new(dir);
    let mi = h.imds_token(resource, Some(&UMI_CLIENT.to_string()));
    let answer = h.token(
        &LITWARE.to_string(),
        &federated_form(&MULTI_TENANT_APP.to_string(), &mi),
    );
    (answer, mi)
}

/// The default scenario's FIC that trusts the Contoso identity.
fn the_fic(dir: &mut Directory) -> &mut crate::directory::FederatedIdentityCredential {
    dir.tenant_mut(CONTOSO)
        .unwrap()
        .applications
        .iter_mut()
        .find(|a| a.app_id == MULTI_TENANT_APP)
        .unwrap()
        .federated_identity_credentials
        .first_mut()
        .unwrap()
}

fn claims(token: &str) -> Map<String, Value> {
    Jwt::decode(token)
        .expect("a token decodes")
        .claims()
        .clone()
}

// ------------------------------------------------------------------------------------------------
// Entra's error envelope
// ------------------------------------------------------------------------------------------------

/// The message of an `error_description`, without the trace suffix (2022 captures separate it
/// with `\r\n`, current ones with a space).
fn without_trace(description: &str) -> &str {
    description
        .split("\r\nTrace ID: ")
        .next()
        .unwrap()
        .split(" Trace ID: ")
        .next()
        .unwrap()
}

/// Compares an AADSTS answer with a capture: the status and `error` where captured, the code,
/// the message with the captured values replaced by `ours` (the values our request carried), and
/// the envelope's member names, order and types unless the capture says why not.
fn assert_aadsts(c: &Capture, answer: &Answer, ours: &[&str]) {
    let body = &answer.json;
    if let Some(status) = c.http_status() {
        assert_eq!(answer.status, status, "{}: HTTP status", c.name);
    }
    let theirs = if c.body().is_null() {
        c.doc["message"].as_str().unwrap()
    } else {
        c.body()["error_description"].as_str().unwrap()
    };
    let args = c.args();
    assert_eq!(
        args.len(),
        ours.len(),
        "{}: one value of ours per arg",
        c.name
    );
    let mut expected = without_trace(theirs).to_owned();
    for (theirs, ours) in args.iter().zip(ours) {
        assert!(
            expected.contains(theirs),
            "{}: arg {theirs} not in message",
            c.name
        );
        expected = expected.replace(theirs, ours);
    }
    let description = body["error_description"]
        .as_str()
        .unwrap_or_else(|| panic!("{}: no error_description in {body}", c.name));
    assert_eq!(without_trace(description), expected, "{}: message", c.name);

    let code = c.body()["error_codes"][0]
        .as_u64()
        .or_else(|| c.doc["code"].as_u64())
        .expect("the capture names its code");
    assert_eq!(body["error_codes"], serde_json::json!([code]), "{}", c.name);
    let error = c.body()["error"].as_str().or(c.doc["error"].as_str());
    if let Some(error) = error {
        assert_eq!(body["error"], error, "{}: error value", c.name);
    }
    if c.body().is_object() {
        if c.doc["compare_shape"] == Value::Bool(false) {
            // Declared: the capture's envelope is older than the one we send.
            assert!(
                c.doc["compare"].as_str().unwrap().contains("not compared"),
                "{}: a capture whose shape is not compared says why",
                c.name
            );
        } else {
            assert_same_shape(c, c.body(), body);
            assert_eq!(body["error_uri"], c.body()["error_uri"], "{}", c.name);
        }
    }
}

#[test]
fn the_aadsts_envelope_matches_the_700213_capture() {
    let c = capture!("aadsts-700213.json");
    assert_eq!(c.status(), "matches");
    let mut dir = directory();
    the_fic(&mut dir).subject = "another-workload".to_owned();
    let (answer, mi) = exchange_in_litware(dir, EXCHANGE_AUDIENCE);
    let sub = claims(&mi)["sub"].as_str().unwrap().to_owned();
    assert_aadsts(&c, &answer, &[&sub]);
}

#[test]
fn an_app_without_a_service_principal_answers_the_7000229_capture() {
    let c = capture!("aadsts-7000229.json");
    assert_eq!(c.status(), "matches");
    let mut dir = directory();
    dir.tenant_mut(CONTOSO)
        .unwrap()
        .service_principals
        .retain(|sp| sp.app_id != MULTI_TENANT_APP);
    let h = Harness::new(dir);
    let mi = h.imds_token(EXCHANGE_AUDIENCE, Some(&UMI_CLIENT.to_string()));
    let answer = h.token(
        &CONTOSO.to_string(),
        &federated_form(&MULTI_TENANT_APP.to_string(), &mi),
    );
    let (app, tenant) = (MULTI_TENANT_APP.to_string(), CONTOSO.to_string());
    assert_aadsts(&c, &answer, &[&app, &tenant]);
}

#[test]
fn an_mi_token_for_arm_presented_to_a_fic_answers_the_7002121_capture() {
    let c = capture!("aadsts-7002121.json");
    assert_eq!(c.status(), "matches");
    let (answer, _) = exchange_in_litware(directory(), ARM);
    assert_aadsts(&c, &answer, &[ARM]);
}

#[test]
fn a_fic_still_propagating_answers_the_70021_capture() {
    let c = capture!("aadsts-70021.json");
    assert_eq!(c.status(), "matches");
    let mut dir = directory();
    dir.fic_propagation_seconds = 60;
    the_fic(&mut dir).created_at = Some(NOW.minus(10));
    let (answer, mi) = exchange_in_litware(dir, EXCHANGE_AUDIENCE);
    let claims = claims(&mi);
    let ours: Vec<&str> = ["iss", "sub", "aud"]
        .iter()
        .map(|k| claims[*k].as_str().unwrap())
        .collect();
    assert_aadsts(&c, &answer, &ours);
}

#[test]
fn a_scope_without_default_answers_the_1002012_captures_echoing_the_whole_scope() {
    let h = Harness::new(directory());
    for (c, scope) in [
        (capture!("aadsts-1002012.json"), "User.Read"),
        (
            capture!("aadsts-1002012-whole-scope.json"),
            "Sites.Manage.All offline_access openid profile User.Read",
        ),
    ] {
        assert_eq!(c.status(), "matches");
        let answer = h.token(
            &CONTOSO.to_string(),
            &format!(
                "grant_type=client_credentials&client_id={CONTOSO_ADMIN}&client_secret={}&scope={}",
                encode(CONTOSO_ADMIN_SECRET),
                encode(scope)
            ),
        );
        assert_aadsts(&c, &answer, &[scope]);
    }
}

#[test]
fn a_disabled_service_principal_answers_the_7000112_capture() {
    let c = capture!("aadsts-7000112.json");
    assert_eq!(c.status(), "matches");
    let mut dir = directory();
    for sp in &mut dir.tenant_mut(LITWARE).unwrap().service_principals {
        if sp.app_id == MULTI_TENANT_APP {
            sp.account_enabled = false;
        }
    }
    let (answer, _) = exchange_in_litware(dir, EXCHANGE_AUDIENCE);
    assert_aadsts(&c, &answer, &[]);
}

#[test]
fn a_federated_assertion_typed_at_jwt_answers_the_5002727_capture() {
    let c = capture!("aadsts-5002727.json");
    assert_eq!(c.status(), "matches");
    let part = |s: &str| URL_SAFE_NO_PAD.encode(s);
    let assertion = format!(
        "{}.{}.{}",
        part(r#"{"alg":"RS256","typ":"at+jwt"}"#),
        part(
            r#"{"iss":"https://token.actions.githubusercontent.com","sub":"repo:contoso/app:ref:refs/heads/main","aud":"api://AzureADTokenExchange","exp":1}"#
        ),
        part("signature")
    );
    let h = Harness::new(directory());
    let answer = h.token(
        &LITWARE.to_string(),
        &federated_form(&MULTI_TENANT_APP.to_string(), &assertion),
    );
    assert_aadsts(&c, &answer, &[]);
}

// ------------------------------------------------------------------------------------------------
// IMDS and App Service
// ------------------------------------------------------------------------------------------------

#[test]
fn the_imds_success_body_matches_the_capture() {
    let c = capture!("imds-token-success.json");
    assert_eq!(c.status(), "matches");
    let h = Harness::new(directory());
    let answer = h.request(
        "GET",
        &format!(
            "/metadata/identity/oauth2/token?api-version=2018-02-01&resource={ARM}&client_id={UMI_CLIENT}"
        ),
        &[("metadata", "true")],
        b"",
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_same_shape(&c, c.body(), &answer.json);
    assert_eq!(answer.json["token_type"], c.body()["token_type"]);
    assert_eq!(answer.json["resource"], c.body()["resource"]);
    assert_eq!(answer.json["ext_expires_in"], c.body()["ext_expires_in"]);
}

#[test]
fn the_imds_answer_without_the_metadata_header_matches_the_capture() {
    let c = capture!("imds-missing-metadata.json");
    assert_eq!(c.status(), "matches");
    let h = Harness::new(directory());
    let answer = h.request(
        "GET",
        &format!("/metadata/identity/oauth2/token?api-version=2018-02-01&resource={ARM}"),
        &[],
        b"",
    );
    assert_eq!(Some(answer.status), c.http_status());
    assert_eq!(&answer.json, c.body());
}

fn app_service(query: &str) -> Answer {
    Harness::new(directory()).request(
        "GET",
        &format!("/msi/token?api-version=2019-08-01&resource=https://vault.azure.net{query}"),
        &[("x-identity-header", FUNC_IDENTITY_HEADER)],
        b"",
    )
}

#[test]
fn the_app_service_success_body_matches_the_capture() {
    let c = capture!("app-service-token-success.json");
    assert_eq!(c.status(), "matches");
    let answer = app_service("");
    assert_eq!(Some(answer.status), c.http_status(), "{}", answer.text());
    assert_same_shape(&c, c.body(), &answer.json);
    for field in ["resource", "token_type"] {
        assert_eq!(answer.json[field], c.body()[field], "{field}");
    }
}

#[test]
fn an_app_service_identity_it_does_not_have_answers_the_capture() {
    let c = capture!("app-service-identity-not-found.json");
    assert_eq!(c.status(), "matches");
    let answer = app_service("&client_id=00000000-1111-4222-8333-444444444444");
    assert_eq!(Some(answer.status), c.http_status(), "{}", answer.text());
    assert_same_shape(&c, c.body(), &answer.json);
    for field in ["statusCode", "message"] {
        assert_eq!(answer.json[field], c.body()[field], "{field}");
    }
}

// ------------------------------------------------------------------------------------------------
// Discovery and tokens
// ------------------------------------------------------------------------------------------------

#[test]
fn every_jwks_key_has_the_captured_members_in_order() {
    let c = capture!("jwks-common-v2.json");
    assert_eq!(c.status(), "matches");
    let answer = Harness::new(directory()).request("GET", "/common/discovery/v2.0/keys", &[], b"");
    assert_eq!(answer.status, 200);
    let theirs = &c.body()["keys"][0];
    let keys = answer.json["keys"].as_array().unwrap();
    assert!(!keys.is_empty());
    for key in keys {
        assert_same_shape(&c, theirs, key);
        assert_eq!(key["cloud_instance_name"], theirs["cloud_instance_name"]);
        assert_eq!(key["issuer"], theirs["issuer"]);
    }
}

#[test]
fn the_common_v2_discovery_document_is_the_capture_on_the_mocks_origin() {
    let c = capture!("openid-configuration-common-v2.json");
    assert_eq!(c.status(), "localhost variant");
    let mut req = http::Request::builder()
        .method("GET")
        .uri("/common/v2.0/.well-known/openid-configuration")
        .header("host", "localhost:8443")
        .body(Vec::new())
        .unwrap();
    req.extensions_mut().insert(crate::engine::Scheme::Https);
    let answer = Harness::new(directory()).send(req);
    assert_eq!(answer.status, 200);
    assert_same_shape(&c, c.body(), &answer.json);
    // The only deliberate difference: Entra's own host becomes the emulator's origin.
    let theirs = serde_json::to_string(c.body()).unwrap().replace(
        "\"https://login.microsoftonline.com/common",
        "\"https://localhost:8443/common",
    );
    let theirs: Value = serde_json::from_str(&theirs).unwrap();
    assert_eq!(answer.json, theirs);
}

#[test]
fn a_graph_app_token_has_the_captured_claims_less_the_declared_ones() {
    let c = capture!("graph-app-token-claims.json");
    assert_eq!(c.status(), "subset");
    let answer = Harness::new(directory()).token(
        &CONTOSO.to_string(),
        &format!(
            "grant_type=client_credentials&client_id={CONTOSO_ADMIN}&client_secret={}&scope={}",
            encode(CONTOSO_ADMIN_SECRET),
            encode("https://graph.microsoft.com/.default")
        ),
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    let ours = Value::Object(claims(answer.json["access_token"].as_str().unwrap()));
    assert_same_shape(&c, c.body(), &ours);
    assert_eq!(ours["wids"], c.body()["wids"]);
    assert_eq!(ours["idtyp"], "app");
}

// ------------------------------------------------------------------------------------------------
// Graph objects against Graph's metadata
// ------------------------------------------------------------------------------------------------

/// Whether a JSON value is one Graph may send for a property of this Edm type.
fn edm_allows(edm: &str, nullable: bool, v: &Value) -> bool {
    match v {
        Value::Null => nullable,
        _ if edm.starts_with("Collection(") => v.is_array(),
        Value::String(_) => {
            matches!(
                edm,
                "Edm.String" | "Edm.Guid" | "Edm.DateTimeOffset" | "Edm.Binary"
            ) || edm.starts_with("graph.")
        }
        Value::Bool(_) => edm == "Edm.Boolean",
        Value::Number(n) => edm.starts_with("Edm.Int") && (n.is_i64() || n.is_u64()),
        Value::Object(_) => edm.starts_with("graph."),
        Value::Array(_) => false,
    }
}

/// Checks `ours` against a metadata type (`properties`): every member is a property with an
/// allowed JSON type; the properties we do not send are exactly `not_emulated`; and each nested
/// object named in `complex` is checked against its complex type the same way.
fn assert_fits_type(what: &str, ours: &Map<String, Value>, ty: &Value, complex: Option<&Value>) {
    let props = ty["properties"].as_array().expect("properties");
    let prop = |name: &str| props.iter().find(|p| p["name"] == name);
    for (k, v) in ours.iter().filter(|(k, _)| !k.starts_with("@odata.")) {
        let p = prop(k).unwrap_or_else(|| panic!("{what}: `{k}` is not a Graph property"));
        let (edm, nullable) = (p["type"].as_str().unwrap(), p["nullable"] == true);
        assert!(
            edm_allows(edm, nullable, v),
            "{what}: `{k}` = {v} does not fit {edm} (nullable: {nullable})"
        );
        if let Some(nested) = complex.and_then(|c| c.get(k.as_str())) {
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            assert!(!items.is_empty(), "{what}: no `{k}` to check");
            for item in items {
                let item = item.as_object().expect("a nested object");
                assert_fits_type(&format!("{what}.{k}"), item, nested, None);
            }
        }
    }
    let mut missing: Vec<&str> = props
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .filter(|n| !ours.contains_key(*n))
        .collect();
    missing.sort_unstable();
    let mut declared: Vec<&str> = ty["not_emulated"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    declared.sort_unstable();
    assert_eq!(
        missing, declared,
        "{what}: the properties we do not emit must be exactly the declared ones"
    );
}

/// Checks a Graph entity we answered against a metadata capture, control members first.
fn assert_graph_entity(c: &Capture, ours: &Value) {
    let ours = ours.as_object().expect("an entity");
    let controls: Vec<&String> = ours
        .keys()
        .take_while(|k| k.starts_with("@odata."))
        .collect();
    assert!(
        ours.keys()
            .skip(controls.len())
            .all(|k| !k.starts_with("@odata.")),
        "{}: control members come first",
        c.name
    );
    let top_not_emulated = c.not_emulated();
    assert!(!top_not_emulated.is_empty() || c.status() == "matches");
    assert_fits_type(c.name, ours, &c.doc, c.doc.get("complex_types"));
}

/// Contoso's admin session on the engine, over a scenario whose multi-tenant app has an app role,
/// a certificate and a secret, so that every nested object Graph sends is present to check.
struct GraphSession {
    h: Harness,
    bearer: String,
}

impl GraphSession {
    fn start() -> GraphSession {
        let mut dir = directory();
        let app = dir
            .tenant_mut(CONTOSO)
            .unwrap()
            .applications
            .iter_mut()
            .find(|a| a.app_id == MULTI_TENANT_APP)
            .unwrap();
        app.app_roles.push(AppRole {
            id: AppRoleId(Guid::derived(Guid::NIL, "capture-role")),
            value: "Data.Read".to_owned(),
            display_name: "Read data".to_owned(),
            description: "Reads the data".to_owned(),
            allowed_member_types: vec!["Application".to_owned()],
            is_enabled: true,
        });
        app.key_credentials.push(KeyCredential {
            key_id: KeyCredentialId(Guid::derived(Guid::NIL, "capture-cert")),
            display_name: Some("CN=capture".to_owned()),
            kind: "AsymmetricX509Cert".to_owned(),
            usage: "Verify".to_owned(),
            key: "MIIB".to_owned(),
            custom_key_identifier: Some("3q2+7w==".to_owned()),
            end_date_time: Some("2030-01-01T00:00:00Z".to_owned()),
        });
        app.password_credentials.push(PasswordCredential {
            key_id: KeyCredentialId(Guid::derived(Guid::NIL, "capture-secret")),
            display_name: Some("capture".to_owned()),
            hint: Some("cap".to_owned()),
            secret_text: None,
            start_date_time: Some("2025-01-01T00:00:00Z".to_owned()),
            end_date_time: Some("2030-01-01T00:00:00Z".to_owned()),
        });
        let h = Harness::new(dir);
        let answer = h.token(
            &CONTOSO.to_string(),
            &format!(
                "grant_type=client_credentials&client_id={CONTOSO_ADMIN}&client_secret={}&scope={}",
                encode(CONTOSO_ADMIN_SECRET),
                encode("https://graph.microsoft.com/.default")
            ),
        );
        assert_eq!(answer.status, 200, "{}", answer.text());
        let token = answer.json["access_token"].as_str().unwrap();
        GraphSession {
            bearer: format!("Bearer {token}"),
            h,
        }
    }

    fn get(&self, uri: &str) -> Value {
        let a = self
            .h
            .request("GET", uri, &[("authorization", &self.bearer)], b"");
        assert_eq!(a.status, 200, "{uri}: {}", a.text());
        a.json
    }
}

#[test]
fn graph_applications_carry_only_graph_properties_and_declare_the_rest() {
    let c = capture!("graph-application.json");
    assert_eq!(c.status(), "subset");
    let s = GraphSession::start();
    let entity = s.get(&format!("/v1.0/applications(appId='{MULTI_TENANT_APP}')"));
    assert_eq!(
        entity["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#applications/$entity"
    );
    assert_graph_entity(&c, &entity);
    for app in s.get("/v1.0/applications")["value"].as_array().unwrap() {
        assert_fits_type(c.name, app.as_object().unwrap(), &c.doc, None);
    }
}

#[test]
fn graph_service_principals_carry_only_graph_properties_and_declare_the_rest() {
    let c = capture!("graph-service-principal.json");
    assert_eq!(c.status(), "subset");
    let s = GraphSession::start();
    let list = s.get("/v1.0/servicePrincipals");
    let sps = list["value"].as_array().unwrap();
    let with_roles = sps
        .iter()
        .find(|sp| !sp["appRoles"].as_array().unwrap().is_empty())
        .expect("a principal with app roles");
    let entity = s.get(&format!(
        "/v1.0/servicePrincipals/{}",
        with_roles["id"].as_str().unwrap()
    ));
    assert_eq!(
        entity["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity"
    );
    assert_graph_entity(&c, &entity);
    for sp in sps {
        assert_fits_type(c.name, sp.as_object().unwrap(), &c.doc, None);
    }
}

#[test]
fn graph_federated_identity_credentials_carry_every_graph_property() {
    let c = capture!("graph-federated-identity-credential.json");
    assert_eq!(c.status(), "matches");
    let s = GraphSession::start();
    let base =
        format!("/v1.0/applications(appId='{MULTI_TENANT_APP}')/federatedIdentityCredentials");
    let list = s.get(&base);
    let first = &list["value"][0];
    let entity = s.get(&format!("{base}/{}", first["id"].as_str().unwrap()));
    assert!(
        entity["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/federatedIdentityCredentials/$entity")
    );
    assert_graph_entity(&c, &entity);
    for fic in list["value"].as_array().unwrap() {
        assert_fits_type(c.name, fic.as_object().unwrap(), &c.doc, None);
    }
}
