//! The RS256 limit of this machine as mock-entra sees it: signs with the server's own signer
//! (`NativeSigner`, a parsed RSA-2048 key) on every core for a fixed time, and verifies with the
//! key set the token endpoint checks assertions against (its native verifier). `cargo xtask
//! bench` runs it next to `openssl speed` and prints one JSON line:
//!
//! ```text
//! {"threads":2,"seconds":3.0,"sign_per_s":…,"verify_per_s":…,"core_sign_per_s":…,
//!  "jsonwebtoken_sign_per_s":…,"core_verify_per_s":…}
//! ```
//!
//! For comparison only (the server never uses them): `core_sign_per_s` is core's pure-Rust
//! `RsaSigner` (what the playground signs with in wasm); `jsonwebtoken_sign_per_s` is
//! `jsonwebtoken::crypto::sign` with the same key (its RustCrypto backend, the one the build
//! enables; it re-parses the DER key and draws blinding randomness on every call), the figure
//! ARCHITECTURE.md cites for keeping a parsed key on the hot path; `core_verify_per_s` is core's
//! own check (jsonwebtoken's RustCrypto verifier), which the native verifier replaces.

#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use entra_core::jose::Jwt;
use entra_core::keys::{KeySet, PublishedKey, RsaSigner, Signer, sign_jwt};
use entra_core::time::UnixTime;

/// Runs `op` on `threads` threads for `seconds` and returns operations per second.
fn rate(threads: usize, seconds: f64, op: impl Fn() + Sync) -> f64 {
    let stop = AtomicBool::new(false);
    let done = AtomicU64::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    op();
                    n += 1;
                }
                done.fetch_add(n, Ordering::Relaxed);
            });
        }
        std::thread::sleep(Duration::from_secs_f64(seconds));
        stop.store(true, Ordering::Relaxed);
    });
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn arg(name: &str) -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == name {
            return args.next();
        }
    }
    None
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let threads = arg("--threads")
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let seconds: f64 = arg("--seconds").and_then(|s| s.parse().ok()).unwrap_or(3.0);

    // A fresh key, as a new data directory gets; generated before any timing starts.
    let (der, cert) = mock_entra::pki::generate_signing_key()?;
    let key = mock_entra::pki::signing_key_from_der(der.clone(), &cert)?;
    let published = PublishedKey::from_certificate(&cert)?;
    let keys = KeySet::new(key.signer.clone(), published.clone())
        .with_verifier(Arc::new(mock_entra::signer::NativeVerifier));

    // A token shaped like the FIC exchange's output, so the signing input has a realistic size.
    let header = serde_json::json!({"typ":"JWT","alg":"RS256","kid":key.signer.key_id().as_str()});
    let claims = serde_json::json!({
        "aud": "https://management.azure.com/",
        "iss": "https://sts.windows.net/eac4f0b2-6d0e-4c3f-8a41-2b9d7e5c1691/",
        "iat": 1_790_000_000, "nbf": 1_790_000_000, "exp": 1_790_003_899,
        "appid": "d70e4b1a-2c3d-4e5f-8a9b-0c1d2e3f4c6f", "appidacr": "2",
        "idtyp": "app", "oid": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "tid": "eac4f0b2-6d0e-4c3f-8a41-2b9d7e5c1691", "ver": "1.0",
    });
    let input = entra_core::jose::signing_input(&header, &claims);
    let token = sign_jwt(key.signer.as_ref(), &header, &claims);
    let jwt = Jwt::decode(&token)?;
    keys.verify(&jwt, UnixTime(0))
        .map_err(|e| format!("the server's signer made a token its key set refuses: {e}"))?;

    let signer = Arc::clone(&key.signer);
    let sign_per_s = rate(threads, seconds, || {
        std::hint::black_box(signer.sign(input.as_bytes()));
    });
    let verify_per_s = rate(threads, seconds / 3.0, || {
        std::hint::black_box(keys.verify(&jwt, UnixTime(0)).is_ok());
    });
    let core_signer = RsaSigner::from_pkcs8_der(&der, &published)?;
    let core_sign_per_s = rate(threads, seconds / 3.0, || {
        std::hint::black_box(core_signer.sign(input.as_bytes()));
    });
    let pkcs1 = rsa::pkcs8::PrivateKeyInfo::try_from(der.as_slice())
        .map_err(|e| format!("PKCS#8: {e}"))?
        .private_key
        .to_vec();
    let jwt_key = jsonwebtoken::EncodingKey::from_rsa_der(&pkcs1);
    let jsonwebtoken_sign_per_s = rate(threads, seconds / 3.0, || {
        std::hint::black_box(
            jsonwebtoken::crypto::sign(input.as_bytes(), &jwt_key, jsonwebtoken::Algorithm::RS256)
                .is_ok(),
        );
    });
    let core_verify_per_s = rate(threads, seconds / 3.0, || {
        std::hint::black_box(published.verify(&jwt).is_ok());
    });
    println!(
        "{}",
        serde_json::json!({
            "threads": threads,
            "seconds": seconds,
            "sign_per_s": sign_per_s.round(),
            "verify_per_s": verify_per_s.round(),
            "core_sign_per_s": core_sign_per_s.round(),
            "jsonwebtoken_sign_per_s": jsonwebtoken_sign_per_s.round(),
            "core_verify_per_s": core_verify_per_s.round(),
        })
    );
    Ok(())
}
