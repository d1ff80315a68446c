//! TLS with the generated CA; key material reused across restarts; ring signer equals core's.

use entra_core::keys::{RsaSigner, Signer};
use mock_entra::MockEntra;
use mock_entra::config::Config;

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
fn ring_signatures_equal_core_rsa_signer_signatures() {
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
