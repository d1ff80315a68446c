//! TLS with the generated CA; key material reused across restarts; the native signer and
//! verifier agree with core's, and both agree with `jsonwebtoken` as an independent encoder.

use entra_core::jose::{Jwt, b64url};
use entra_core::keys::{KeySet, PublishedKey, RsaSigner, Signer, Verifier, VerifyError, sign_jwt};
use mock_entra::MockEntra;
use mock_entra::config::Config;
use mock_entra::signer::NativeVerifier;

use crate::helpers::{client_for, seeded_data_dir, temp_dir};

#[tokio::test]
async fn https_works_with_the_generated_ca_for_localhost_and_127_0_0_1() {
    let running = MockEntra::start(Config::for_tests(seeded_data_dir("tls")))
        .await
        .unwrap();
    let client = client_for(&running);
    let port = running.https_addr.port();
    for host in ["localhost", "127.0.0.1"] {
        let resp = client
            .get(format!("https://{host}:{port}/common/discovery/keys"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{host}");
    }
    // Without the CA the handshake fails.
    let plain = reqwest::Client::new();
    assert!(
        plain
            .get(format!("https://localhost:{port}/common/discovery/keys"))
            .send()
            .await
            .is_err()
    );
    running.stop().await;
}

#[tokio::test]
async fn key_material_is_generated_once_and_reused() {
    let dir = temp_dir("reuse");
    let a = MockEntra::start(Config::for_tests(dir.clone()))
        .await
        .unwrap();
    let kid_a = a.state.keys().published()[0].kid().clone();
    let ca_a = a.ca_pem.clone();
    a.stop().await;
    let b = MockEntra::start(Config::for_tests(dir)).await.unwrap();
    assert_eq!(b.state.keys().published()[0].kid(), &kid_a);
    assert_eq!(b.ca_pem, ca_a);
    b.stop().await;
}

#[test]
fn native_signatures_equal_core_rsa_signer_signatures() {
    let dir = seeded_data_dir("signer");
    let key = mock_entra::pki::load_or_create_signing_key(&dir).unwrap();
    let core = RsaSigner::from_pkcs8_der(&key.private_pkcs8_der, &key.published).unwrap();
    for input in [
        &b"eyJhbGciOiJSUzI1NiJ9.e30"[..],
        b"",
        b"x".repeat(5000).as_slice(),
    ] {
        assert_eq!(key.signer.sign(input), core.sign(input));
    }
    assert_eq!(key.signer.key_id(), core.key_id());
}

#[test]
fn the_native_verifier_accepts_and_refuses_what_core_accepts_and_refuses() {
    let dir = seeded_data_dir("verifier");
    let key = mock_entra::pki::load_or_create_signing_key(&dir).unwrap();
    let keys = KeySet::new(key.signer.clone(), key.published.clone());
    let kid = key.signer.key_id().as_str().to_owned();
    let claims = serde_json::json!({"sub": "a", "aud": "api://AzureADTokenExchange"});
    let good = sign_jwt(
        key.signer.as_ref(),
        &serde_json::json!({"alg": "RS256", "kid": kid}),
        &claims,
    );
    let (head, rest) = good.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let tampered = format!("{head}.{}.{signature}", b64url(br#"{"sub":"b"}"#));
    let short_sig = Jwt::decode(&good).unwrap().signature()[1..].to_vec();
    let truncated = format!("{head}.{}", rest.replace(signature, &b64url(&short_sig)));
    let as_rs384 = format!(
        "{}.{rest}",
        b64url(format!(r#"{{"alg":"RS384","kid":"{kid}"}}"#).as_bytes())
    );
    let as_ps256 = format!(
        "{}.{rest}",
        b64url(format!(r#"{{"alg":"PS256","kid":"{kid}"}}"#).as_bytes())
    );
    let other = PublishedKey::from_certificate(key.published.certificate_der()).unwrap();
    for (token, accepted) in [
        (good.as_str(), true),
        (tampered.as_str(), false),
        (truncated.as_str(), false),
        (as_rs384.as_str(), false),
        (as_ps256.as_str(), false),
    ] {
        let jwt = Jwt::decode(token).unwrap();
        let core = key.published.verify(&jwt);
        let native = NativeVerifier.verify(&other, &jwt);
        assert_eq!(core.is_ok(), accepted, "core on {token}");
        assert_eq!(native, core, "native on {token}");
        assert_eq!(
            keys.clone()
                .with_verifier(std::sync::Arc::new(NativeVerifier))
                .verify(&jwt, entra_core::time::UnixTime(0))
                .map(|_| ()),
            if accepted {
                Ok(())
            } else {
                Err(VerifyError::BadSignature)
            }
        );
    }
}

/// The key as `jsonwebtoken` takes it (PKCS#1 DER inside the stored PKCS#8).
fn jsonwebtoken_key(key: &mock_entra::pki::SigningKey) -> jsonwebtoken::EncodingKey {
    let pkcs1 = rsa::pkcs8::PrivateKeyInfo::try_from(key.private_pkcs8_der.as_slice())
        .unwrap()
        .private_key
        .to_vec();
    jsonwebtoken::EncodingKey::from_rsa_der(&pkcs1)
}

#[test]
fn a_v2_header_is_signed_byte_for_byte_as_jsonwebtoken_encodes_it() {
    let dir = seeded_data_dir("jsonwebtoken-encode");
    let key = mock_entra::pki::load_or_create_signing_key(&dir).unwrap();
    let kid = key.signer.key_id().as_str().to_owned();
    let claims = serde_json::json!({
        "aud": "fb60f99c-7a34-4190-8149-302f77469936",
        "exp": 1_790_000_000,
        "sub": "s",
    });
    let ours = sign_jwt(
        key.signer.as_ref(),
        &serde_json::json!({"typ": "JWT", "alg": "RS256", "kid": kid}),
        &claims,
    );
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(kid);
    let theirs = jsonwebtoken::encode(&header, &claims, &jsonwebtoken_key(&key)).unwrap();
    assert_eq!(ours, theirs);
}

#[test]
fn tokens_jsonwebtoken_signs_verify_with_core_and_the_native_verifier_alike() {
    let dir = seeded_data_dir("jsonwebtoken-verify");
    let key = mock_entra::pki::load_or_create_signing_key(&dir).unwrap();
    let keys = KeySet::new(key.signer.clone(), key.published.clone());
    let native = keys
        .clone()
        .with_verifier(std::sync::Arc::new(NativeVerifier));
    let kid = key.signer.key_id().as_str().to_owned();
    let claims = serde_json::json!({"sub": "a"});
    for alg in [
        jsonwebtoken::Algorithm::RS256,
        jsonwebtoken::Algorithm::RS384,
        jsonwebtoken::Algorithm::RS512,
        jsonwebtoken::Algorithm::PS256,
    ] {
        let mut header = jsonwebtoken::Header::new(alg);
        header.kid = Some(kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &jsonwebtoken_key(&key)).unwrap();
        let jwt = Jwt::decode(&token).unwrap();
        let now = entra_core::time::UnixTime(0);
        assert!(keys.verify(&jwt, now).is_ok(), "core, {alg:?}");
        assert!(native.verify(&jwt, now).is_ok(), "native, {alg:?}");
    }
}
