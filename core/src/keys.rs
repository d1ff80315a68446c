//! Signing keys: RS256 signing behind a small trait (the server plugs in a faster signer than the
//! pure-Rust one here), verification of RS256/RS384/RS512/PS256 signatures through `jsonwebtoken`
//! (pluggable the same way), and the JWKS documents Entra publishes.
//!
//! Key material always arrives as bytes: core never generates keys.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1v15;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer as _};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Serialize;
use sha1::Digest as _;
use sha2::Sha256;
use x509_cert::der::{Decode, Encode};

use crate::ids::KeyId;
use crate::jose::{Jwt, b64url};
use crate::time::UnixTime;

/// Something that signs JWS signing input with RS256 (RSASSA-PKCS1-v1_5 with SHA-256).
///
/// PKCS#1 v1.5 is deterministic, so every implementation must produce byte-identical output for
/// the same key and input; tests check the server's signer against [`RsaSigner`].
pub trait Signer: Send + Sync {
    /// The `kid` (and `x5t`) of the key, as published in the JWKS.
    fn key_id(&self) -> &KeyId;
    /// The signature over `signing_input`.
    fn sign(&self, signing_input: &[u8]) -> Vec<u8>;
}

/// Something that checks a token's signature with a published key.
///
/// Core's own check ([`PublishedKey::verify`]) is pure Rust so that it runs in the browser; the
/// server plugs in a native one, as it does for signing. An implementation must accept exactly
/// the signatures [`PublishedKey::verify`] accepts (it may hand any case it does not handle back
/// to it).
pub trait Verifier: Send + Sync {
    fn verify(&self, key: &PublishedKey, jwt: &Jwt) -> Result<(), VerifyError>;
}

/// Why key material was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the private key is not PKCS#8 DER RSA")]
    PrivateKey,
    #[error("the certificate is not X.509 DER")]
    Certificate,
    #[error("the certificate does not hold an RSA public key")]
    NotRsa,
    #[error("the certificate does not belong to the private key")]
    Mismatch,
}

/// A public key as Entra publishes it: RSA modulus/exponent, the X.509 certificate, and
/// `kid` = `x5t` = base64url(SHA-1(certificate DER)).
#[derive(Clone)]
pub struct PublishedKey {
    kid: KeyId,
    x5t_s256: String,
    cert_der: Vec<u8>,
    public: RsaPublicKey,
    /// Big-endian modulus and exponent, as JWKS and native verifiers take them.
    n: Vec<u8>,
    e: Vec<u8>,
    /// When a rotated-out key stops being accepted (None while current).
    retire_at: Option<UnixTime>,
}

impl fmt::Debug for PublishedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublishedKey")
            .field("kid", &self.kid)
            .field("retire_at", &self.retire_at)
            .finish()
    }
}

impl PublishedKey {
    /// Reads a DER certificate holding an RSA key.
    pub fn from_certificate(cert_der: &[u8]) -> Result<Self, KeyError> {
        let cert = x509_cert::Certificate::from_der(cert_der).map_err(|_| KeyError::Certificate)?;
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|_| KeyError::Certificate)?;
        let public = RsaPublicKey::from_public_key_der(&spki).map_err(|_| KeyError::NotRsa)?;
        Ok(PublishedKey {
            kid: KeyId(b64url(&sha1::Sha1::digest(cert_der))),
            x5t_s256: b64url(&Sha256::digest(cert_der)),
            cert_der: cert_der.to_vec(),
            n: public.n().to_bytes_be(),
            e: public.e().to_bytes_be(),
            public,
            retire_at: None,
        })
    }

    /// A key known only by its JWK members (an external issuer's JWKS without `x5c`): `kid`,
    /// base64url modulus `n` and exponent `e`. It verifies signatures; it has no certificate.
    pub fn from_jwk_components(kid: &str, n: &str, e: &str) -> Result<Self, KeyError> {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let decode = |s: &str| URL_SAFE_NO_PAD.decode(s.trim_end_matches('='));
        let (n, e) = (
            decode(n).map_err(|_| KeyError::NotRsa)?,
            decode(e).map_err(|_| KeyError::NotRsa)?,
        );
        let public = RsaPublicKey::new(
            rsa::BigUint::from_bytes_be(&n),
            rsa::BigUint::from_bytes_be(&e),
        )
        .map_err(|_| KeyError::NotRsa)?;
        Ok(PublishedKey {
            kid: KeyId(kid.to_owned()),
            x5t_s256: String::new(),
            cert_der: Vec::new(),
            n: public.n().to_bytes_be(),
            e: public.e().to_bytes_be(),
            public,
            retire_at: None,
        })
    }

    pub fn kid(&self) -> &KeyId {
        &self.kid
    }

    /// `x5t`: base64url SHA-1 thumbprint (equal to `kid` for Entra's keys).
    pub fn x5t(&self) -> &str {
        self.kid.as_str()
    }

    /// `x5t#S256`: base64url SHA-256 thumbprint.
    pub fn x5t_s256(&self) -> &str {
        &self.x5t_s256
    }

    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The RSA modulus, big-endian.
    pub fn modulus(&self) -> &[u8] {
        &self.n
    }

    /// The RSA public exponent, big-endian.
    pub fn exponent(&self) -> &[u8] {
        &self.e
    }

    pub fn retire_at(&self) -> Option<UnixTime> {
        self.retire_at
    }

    /// Whether the key still verifies at `now` (a rotated-out key has a grace period).
    pub fn is_live(&self, now: UnixTime) -> bool {
        self.retire_at.is_none_or(|t| now < t)
    }

    /// Checks `jwt`'s signature with this key, for the algorithms Entra accepts.
    ///
    /// The cryptography is `jsonwebtoken`'s pure-Rust (RustCrypto) backend, which runs on both
    /// targets. What jsonwebtoken is given has already passed core's stricter gate: the token was
    /// decoded by [`Jwt::decode`] (duplicate members refused), the key was chosen by `kid`/`x5t`
    /// alone ([`KeySet::find`]), and only the algorithms below reach it (`none`, HMAC and every
    /// other family are refused here, so no key can be used as an HMAC secret).
    pub fn verify(&self, jwt: &Jwt) -> Result<(), VerifyError> {
        let alg = jwt
            .alg()
            .ok_or(VerifyError::UnsupportedAlgorithm(String::new()))?;
        let algorithm = match alg {
            "RS256" => jsonwebtoken::Algorithm::RS256,
            "RS384" => jsonwebtoken::Algorithm::RS384,
            "RS512" => jsonwebtoken::Algorithm::RS512,
            "PS256" => jsonwebtoken::Algorithm::PS256,
            other => return Err(VerifyError::UnsupportedAlgorithm(other.to_owned())),
        };
        let key = jsonwebtoken::DecodingKey::from_rsa_raw_components(&self.n, &self.e);
        // The provider is named, not looked up: jsonwebtoken's process-wide default would panic
        // if another crate in the build ever enabled its second backend next to this one.
        let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
        let verifier =
            (provider.verifier_factory)(&algorithm, &key).map_err(|_| VerifyError::BadSignature)?;
        verifier
            .verify(jwt.signing_input(), &jwt.signature().to_vec())
            .map_err(|_| VerifyError::BadSignature)
    }

    /// The JWK of this key. `issuer` is added for v2 key sets (reference C.3).
    pub fn to_jwk(&self, issuer: Option<&str>) -> Jwk {
        Jwk {
            kty: "RSA",
            usage: "sig",
            kid: self.kid.0.clone(),
            x5t: self.kid.0.clone(),
            n: b64url(&self.n),
            e: b64url(&self.e),
            x5c: vec![STANDARD.encode(&self.cert_der)],
            cloud_instance_name: None,
            issuer: issuer.map(str::to_owned),
        }
    }
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("'{0}' is not a supported signature algorithm")]
    UnsupportedAlgorithm(String),
    #[error("no published key has this kid")]
    UnknownKey,
    #[error("the signature does not verify")]
    BadSignature,
}

/// One entry of a JWKS document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Jwk {
    pub kty: &'static str,
    #[serde(rename = "use")]
    pub usage: &'static str,
    pub kid: String,
    pub x5t: String,
    pub n: String,
    pub e: String,
    pub x5c: Vec<String>,
    /// The national cloud the key signs for (`microsoftonline.com`, `microsoftonline.us`, ...),
    /// before `issuer` as in Entra's 2025 key documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_instance_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

/// `{"keys":[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// The keys the emulated Entra publishes and accepts: the current key first, then rotated-out
/// keys until their grace period ends.
#[derive(Clone, Default)]
pub struct KeySet {
    signer: Option<Arc<dyn Signer>>,
    published: Vec<PublishedKey>,
    /// A native verifier; `None` means core's own.
    verifier: Option<Arc<dyn Verifier>>,
    /// The key sets of the emulated external issuers (GitHub Actions, Kubernetes clusters), by
    /// lower-case issuer name: each signs with its own key and rotates on its own.
    issuers: std::collections::BTreeMap<String, KeySet>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field("published", &self.published)
            .finish_non_exhaustive()
    }
}

impl KeySet {
    /// A key set whose current key is `signer`, published as `key`.
    pub fn new(signer: Arc<dyn Signer>, key: PublishedKey) -> Self {
        KeySet {
            signer: Some(signer),
            published: vec![key],
            verifier: None,
            issuers: std::collections::BTreeMap::new(),
        }
    }

    /// The key set of the emulated external issuer `name`.
    pub fn issuer(&self, name: &str) -> Option<&KeySet> {
        self.issuers.get(&name.to_ascii_lowercase())
    }

    /// Installs (or replaces) the key set of the emulated external issuer `name`.
    pub fn set_issuer(&mut self, name: &str, keys: KeySet) {
        self.issuers.insert(name.to_ascii_lowercase(), keys);
    }

    /// The key set of the emulated external issuer `name`, to rotate it.
    pub fn issuer_mut(&mut self, name: &str) -> Option<&mut KeySet> {
        self.issuers.get_mut(&name.to_ascii_lowercase())
    }

    /// The names of the emulated issuers that have keys.
    pub fn issuer_names(&self) -> impl Iterator<Item = &str> {
        self.issuers.keys().map(String::as_str)
    }

    /// Checks signatures with `verifier` instead of core's pure-Rust check (kept across
    /// rotations).
    pub fn with_verifier(mut self, verifier: Arc<dyn Verifier>) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// Checks `jwt`'s signature with `key` (one of this set's keys, or a client's certificate).
    pub fn check_signature(&self, key: &PublishedKey, jwt: &Jwt) -> Result<(), VerifyError> {
        match &self.verifier {
            Some(v) => v.verify(key, jwt),
            None => key.verify(jwt),
        }
    }

    /// Makes `signer` current; the previous keys stay published until `now + grace_secs`.
    pub fn rotate(
        &mut self,
        signer: Arc<dyn Signer>,
        key: PublishedKey,
        now: UnixTime,
        grace_secs: i64,
    ) {
        for k in &mut self.published {
            k.retire_at.get_or_insert(now.plus(grace_secs));
        }
        self.published.insert(0, key);
        self.signer = Some(signer);
    }

    /// Drops keys whose grace period has ended.
    pub fn prune(&mut self, now: UnixTime) {
        self.published.retain(|k| k.is_live(now));
    }

    /// The current signer. Panics never: a `KeySet` without signer signs nothing and callers
    /// get `None`.
    pub fn signer(&self) -> Option<&dyn Signer> {
        self.signer.as_deref()
    }

    pub fn published(&self) -> &[PublishedKey] {
        &self.published
    }

    /// The live key a token names by `kid` (or `x5t`).
    pub fn find(&self, jwt: &Jwt, now: UnixTime) -> Option<&PublishedKey> {
        let kid = jwt
            .kid()
            .or_else(|| jwt.header().get("x5t").and_then(serde_json::Value::as_str))?;
        self.published
            .iter()
            .find(|k| k.kid.as_str() == kid && k.is_live(now))
    }

    /// Verifies a token issued by this key set. Only the header's `kid`/`x5t` select a key;
    /// `jku`, `x5u` and `x5c` headers are never followed or trusted.
    pub fn verify(&self, jwt: &Jwt, now: UnixTime) -> Result<&PublishedKey, VerifyError> {
        match jwt.alg() {
            Some("RS256" | "RS384" | "RS512" | "PS256") => {}
            other => {
                return Err(VerifyError::UnsupportedAlgorithm(
                    other.unwrap_or_default().to_owned(),
                ));
            }
        }
        let key = self.find(jwt, now).ok_or(VerifyError::UnknownKey)?;
        self.check_signature(key, jwt)?;
        Ok(key)
    }

    /// The JWKS document of a cloud (`cloud_instance_name` on every key); `issuer` set for v2
    /// documents.
    pub fn jwks(&self, cloud_instance_name: &str, issuer: Option<&str>, now: UnixTime) -> Jwks {
        Jwks {
            keys: self
                .published
                .iter()
                .filter(|k| k.is_live(now))
                .map(|k| Jwk {
                    cloud_instance_name: Some(cloud_instance_name.to_owned()),
                    ..k.to_jwk(issuer)
                })
                .collect(),
        }
    }
}

/// The pure-Rust RS256 signer (the `rsa` crate). Works everywhere, including wasm; slower than
/// a native signer, so the server plugs in its own.
pub struct RsaSigner {
    kid: KeyId,
    key: pkcs1v15::SigningKey<Sha256>,
}

impl RsaSigner {
    /// From PKCS#8 DER and the certificate that publishes it (which gives the `kid`).
    pub fn from_pkcs8_der(private_key_der: &[u8], cert: &PublishedKey) -> Result<Self, KeyError> {
        let private =
            RsaPrivateKey::from_pkcs8_der(private_key_der).map_err(|_| KeyError::PrivateKey)?;
        if RsaPublicKey::from(&private) != cert.public {
            return Err(KeyError::Mismatch);
        }
        Ok(RsaSigner {
            kid: cert.kid.clone(),
            key: pkcs1v15::SigningKey::new(private),
        })
    }
}

impl Signer for RsaSigner {
    fn key_id(&self) -> &KeyId {
        &self.kid
    }

    fn sign(&self, signing_input: &[u8]) -> Vec<u8> {
        self.key.sign(signing_input).to_vec()
    }
}

/// Signs `header.claims` with `signer` and returns the compact JWS.
pub fn sign_jwt<H: Serialize, C: Serialize>(signer: &dyn Signer, header: &H, claims: &C) -> String {
    let input = crate::jose::signing_input(header, claims);
    let sig = signer.sign(input.as_bytes());
    format!("{input}.{}", b64url(&sig))
}

#[cfg(any(test, feature = "test-support"))]
pub mod test_keys {
    //! A fixed 2048-bit test key and self-signed certificate (generated once with openssl), so
    //! core tests need no key generation and their signatures are byte-stable. Available to other
    //! crates' tests through the `test-support` feature.
    pub const PRIVATE_KEY_PEM: &str = include_str!("../tests/fixtures/test-key.pem");
    pub const CERT_PEM: &str = include_str!("../tests/fixtures/test-cert.pem");
    pub const OTHER_CERT_PEM: &str = include_str!("../tests/fixtures/other-cert.pem");
    /// A second key pair, the forgery suites' attacker.
    pub const ATTACKER_KEY_PEM: &str = include_str!("../tests/fixtures/attacker-key.pem");
    pub const ATTACKER_CERT_PEM: &str = include_str!("../tests/fixtures/attacker-cert.pem");

    use base64::Engine as _;

    pub fn pem_der(pem: &str) -> Vec<u8> {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .expect("fixture PEM")
    }

    pub fn key_set() -> super::KeySet {
        let cert = super::PublishedKey::from_certificate(&pem_der(CERT_PEM)).expect("fixture cert");
        let signer = super::RsaSigner::from_pkcs8_der(&pem_der(PRIVATE_KEY_PEM), &cert)
            .expect("fixture key");
        super::KeySet::new(std::sync::Arc::new(signer), cert)
    }

    /// The emulated GitHub Actions issuer's fixture key.
    pub const GITHUB_ISSUER_KEY_PEM: &str = include_str!("../tests/fixtures/github-issuer-key.pem");
    pub const GITHUB_ISSUER_CERT_PEM: &str =
        include_str!("../tests/fixtures/github-issuer-cert.pem");
    /// The emulated AKS cluster issuer's fixture key.
    pub const AKS_ISSUER_KEY_PEM: &str = include_str!("../tests/fixtures/aks-issuer-key.pem");
    pub const AKS_ISSUER_CERT_PEM: &str = include_str!("../tests/fixtures/aks-issuer-cert.pem");

    /// A one-key set from fixture PEMs.
    pub fn single(key_pem: &str, cert_pem: &str) -> super::KeySet {
        let cert = super::PublishedKey::from_certificate(&pem_der(cert_pem)).expect("fixture cert");
        let signer =
            super::RsaSigner::from_pkcs8_der(&pem_der(key_pem), &cert).expect("fixture key");
        super::KeySet::new(std::sync::Arc::new(signer), cert)
    }

    /// [`key_set`] with the default scenario's emulated issuers (`github`, `aks-contoso`)
    /// holding their fixture keys.
    pub fn key_set_with_issuers() -> super::KeySet {
        let mut keys = key_set();
        keys.set_issuer(
            "github",
            single(GITHUB_ISSUER_KEY_PEM, GITHUB_ISSUER_CERT_PEM),
        );
        keys.set_issuer(
            "aks-contoso",
            single(AKS_ISSUER_KEY_PEM, AKS_ISSUER_CERT_PEM),
        );
        keys
    }

    /// The attacker's signer and certificate.
    pub fn attacker() -> (super::RsaSigner, super::PublishedKey) {
        let cert = super::PublishedKey::from_certificate(&pem_der(ATTACKER_CERT_PEM))
            .expect("attacker cert");
        let signer = super::RsaSigner::from_pkcs8_der(&pem_der(ATTACKER_KEY_PEM), &cert)
            .expect("attacker key");
        (signer, cert)
    }
}

#[cfg(test)]
mod tests {
    use super::test_keys::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn a_signed_token_verifies_and_any_tampering_does_not() {
        let keys = key_set();
        let signer = keys.signer().unwrap();
        let header = json!({"typ":"JWT","alg":"RS256","kid":signer.key_id().as_str()});
        let token = sign_jwt(signer, &header, &json!({"sub":"a"}));
        let jwt = Jwt::decode(&token).unwrap();
        assert!(keys.verify(&jwt, UnixTime(0)).is_ok());

        let (head, rest) = token.split_once('.').unwrap();
        let (_, sig) = rest.split_once('.').unwrap();
        let forged = format!("{head}.{}.{sig}", b64url(br#"{"sub":"b"}"#));
        assert_eq!(
            keys.verify(&Jwt::decode(&forged).unwrap(), UnixTime(0))
                .err(),
            Some(VerifyError::BadSignature)
        );
    }

    #[test]
    fn a_plugged_in_verifier_decides_instead_of_core() {
        struct Refuse;
        impl Verifier for Refuse {
            fn verify(&self, _: &PublishedKey, _: &Jwt) -> Result<(), VerifyError> {
                Err(VerifyError::BadSignature)
            }
        }
        let keys = key_set();
        let signer = keys.signer().unwrap();
        let token = sign_jwt(
            signer,
            &json!({"alg":"RS256","kid":signer.key_id().as_str()}),
            &json!({}),
        );
        let jwt = Jwt::decode(&token).unwrap();
        assert!(keys.verify(&jwt, UnixTime(0)).is_ok());
        let refusing = keys.with_verifier(Arc::new(Refuse));
        assert_eq!(
            refusing.verify(&jwt, UnixTime(0)).err(),
            Some(VerifyError::BadSignature)
        );
    }

    #[test]
    fn alg_none_and_hmac_are_refused_before_any_key_is_used() {
        let keys = key_set();
        for alg in ["none", "HS256"] {
            let t = format!(
                "{}.{}.",
                b64url(format!(r#"{{"alg":"{alg}"}}"#).as_bytes()),
                b64url(b"{}")
            );
            let jwt = Jwt::decode(&t).unwrap();
            assert_eq!(
                keys.verify(&jwt, UnixTime(0)).err(),
                Some(VerifyError::UnsupportedAlgorithm(alg.to_owned()))
            );
        }
    }

    #[test]
    fn kid_is_the_base64url_sha1_thumbprint_and_jwks_carries_the_certificate() {
        let cert = PublishedKey::from_certificate(&pem_der(CERT_PEM)).unwrap();
        assert_eq!(
            cert.kid().as_str(),
            b64url(&sha1::Sha1::digest(pem_der(CERT_PEM)))
        );
        let jwk = cert.to_jwk(Some("https://login.microsoftonline.com/{tenantid}/v2.0"));
        assert_eq!(jwk.e, "AQAB");
        assert_eq!(jwk.x5c.len(), 1);
    }

    #[test]
    fn a_rotated_out_key_verifies_until_its_grace_period_ends() {
        let mut keys = key_set();
        let old_signer = keys.signer().unwrap();
        let header = json!({"alg":"RS256","kid":old_signer.key_id().as_str()});
        let token = sign_jwt(old_signer, &header, &json!({}));
        let other = PublishedKey::from_certificate(&pem_der(OTHER_CERT_PEM)).unwrap();
        let same_signer =
            RsaSigner::from_pkcs8_der(&pem_der(PRIVATE_KEY_PEM), &keys.published()[0].clone())
                .unwrap();
        keys.rotate(Arc::new(same_signer), other, UnixTime(100), 50);
        let jwt = Jwt::decode(&token).unwrap();
        assert!(keys.verify(&jwt, UnixTime(149)).is_ok());
        assert_eq!(
            keys.verify(&jwt, UnixTime(150)).err(),
            Some(VerifyError::UnknownKey)
        );
        keys.prune(UnixTime(150));
        assert_eq!(keys.published().len(), 1);
    }
}
