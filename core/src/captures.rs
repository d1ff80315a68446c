//! The golden-capture check: what core emits, compared with real responses captured from Entra,
//! IMDS and Graph (`core/tests/captures/*.json`, each with its source, capture date and our
//! declared status). A capture marked `subset` names what we leave out; nothing passes silently.

use serde_json::{Value, json};

use crate::error::{Aadsts, EntraError};
use crate::managed_identity::imds::{RequestedResource, token_response};
use crate::testutil::*;
use crate::token::mint;

/// One capture file.
struct Capture {
    name: &'static str,
    doc: Value,
}

impl Capture {
    fn load(name: &'static str, text: &str) -> Capture {
        let doc: Value = serde_json::from_str(text).expect("a capture is JSON");
        for field in ["source", "captured", "status", "compare", "body"] {
            assert!(doc.get(field).is_some(), "{name}: capture lacks `{field}`");
        }
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
    let ours = ours.as_object().expect("emitted object");
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

#[test]
fn the_imds_success_body_matches_the_capture() {
    let c = capture!("imds-token-success.json");
    assert_eq!(c.status(), "matches");
    let ours = token_response(
        "eyJ0eXAi...",
        UMI_CLIENT,
        NOW.plus(86_400),
        NOW.minus(300),
        NOW,
        &RequestedResource("https://management.azure.com/".into()),
    );
    let ours = serde_json::to_value(ours).unwrap();
    assert_same_shape(&c, c.body(), &ours);
    assert_eq!(ours["token_type"], c.body()["token_type"]);
    assert_eq!(ours["ext_expires_in"], c.body()["ext_expires_in"]);
}

#[test]
fn the_imds_answer_without_the_metadata_header_matches_the_capture() {
    let c = capture!("imds-missing-metadata.json");
    assert_eq!(c.status(), "matches");
    let e = crate::managed_identity::imds::ImdsError::MissingMetadataHeader;
    assert_eq!(
        u64::from(e.http_status()),
        c.doc["http_status"].as_u64().unwrap()
    );
    assert_eq!(&e.to_body(), c.body());
}

#[test]
fn the_aadsts_envelope_matches_the_700213_capture() {
    let c = capture!("aadsts-700213.json");
    assert_eq!(c.status(), "matches");
    let subject = "repository_owner_id:6844498:repository_id:117169328:environment:crontests";
    let e = EntraError::new(Aadsts::FicSubjectMismatch, [subject]);
    let ours = serde_json::to_value(e.to_body(trace(), NOW, "login.microsoftonline.com")).unwrap();
    assert_same_shape(&c, c.body(), &ours);
    assert_eq!(
        u64::from(e.http_status()),
        c.doc["http_status"].as_u64().unwrap()
    );
    for field in ["error", "error_codes", "error_uri"] {
        assert_eq!(ours[field], c.body()[field], "{field}");
    }
    let message = |v: &Value| {
        v["error_description"]
            .as_str()
            .unwrap()
            .split(" Trace ID: ")
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(message(&ours), message(c.body()));
}

#[test]
fn every_jwks_key_has_the_captured_members_in_order() {
    let c = capture!("jwks-common-v2.json");
    assert_eq!(c.status(), "matches");
    let keys = keys();
    let dir = directory();
    let common = crate::discovery::resolve_authority(&dir, "common").unwrap();
    let doc = crate::discovery::jwks(
        &keys,
        &common,
        crate::discovery::DocVersion::V2,
        &ENTRA,
        NOW,
    );
    let ours = serde_json::to_value(doc).unwrap();
    let theirs = &c.body()["keys"][0];
    for key in ours["keys"].as_array().unwrap() {
        assert_same_shape(&c, theirs, key);
        assert_eq!(key["cloud_instance_name"], theirs["cloud_instance_name"]);
        assert_eq!(key["issuer"], theirs["issuer"]);
    }
}

#[test]
fn a_graph_app_token_has_the_captured_claims_less_the_declared_ones() {
    let c = capture!("graph-app-token-claims.json");
    assert_eq!(c.status(), "subset");
    let keys = keys();
    let dir = directory();
    let tenant = dir.tenant(CONTOSO).unwrap();
    let spec = graph_admin_token_spec(tenant, vec!["Application.ReadWrite.All".into()], false);
    let t = mint(&spec, &env(&keys, NOW, 9)).unwrap();
    let ours = decoded(&t.access_token)["claims"].clone();
    assert_same_shape(&c, c.body(), &ours);
    assert_eq!(ours["wids"], c.body()["wids"]);
    assert_eq!(ours["idtyp"], json!("app"));
}

#[test]
fn the_common_v2_discovery_document_is_the_capture_on_the_mocks_origin() {
    let c = capture!("openid-configuration-common-v2.json");
    assert_eq!(c.status(), "localhost variant");
    let dir = directory();
    let common = crate::discovery::resolve_authority(&dir, "common").unwrap();
    let base = "https://localhost:8443";
    let ours = crate::discovery::openid_configuration(
        &common,
        crate::discovery::DocVersion::V2,
        base,
        &ENTRA,
    );
    assert_same_shape(&c, c.body(), &ours);
    // The only deliberate difference: Entra's own host becomes the emulator's origin.
    let theirs = serde_json::to_string(c.body()).unwrap().replace(
        "\"https://login.microsoftonline.com/common",
        &format!("\"{base}/common"),
    );
    let theirs: Value = serde_json::from_str(&theirs).unwrap();
    assert_eq!(ours, theirs);
}
