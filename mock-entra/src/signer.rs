//! The hot-path RSA code: an RS256 signer holding a parsed key and a signature verifier, both on
//! AWS-LC (`aws-lc-rs`), plugged into core's `Signer` and `Verifier` seams.
//!
//! Why AWS-LC: every token is one RSA-2048 signature and every FIC exchange also verifies one.
//! On the x86-64 machines this was measured on, AWS-LC signs at ~0.9 of `openssl speed`, `ring`
//! at ~0.35 and core's pure-Rust `rsa` at ~0.1; core's verification runs ~15x slower than
//! AWS-LC's (`cargo xtask bench` measures them; docs/performance.md).

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self as sig, RSA_PKCS1_SHA256, RsaKeyPair, RsaParameters, RsaPublicKeyComponents,
};
use entra_core::ids::KeyId;
use entra_core::jose::Jwt;
use entra_core::keys::{KeyError, PublishedKey, Signer, Verifier, VerifyError};

/// Signs with a parsed RSA key. PKCS#1 v1.5 is deterministic, so its output equals core's
/// `RsaSigner` byte for byte (tested).
pub struct NativeSigner {
    kid: KeyId,
    key: RsaKeyPair,
    rng: SystemRandom,
}

impl std::fmt::Debug for NativeSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeSigner")
            .field("kid", &self.kid)
            .finish()
    }
}

impl NativeSigner {
    /// From PKCS#8 DER and the certificate that publishes it.
    pub fn from_pkcs8_der(private_key_der: &[u8], cert: &PublishedKey) -> Result<Self, KeyError> {
        let key = RsaKeyPair::from_pkcs8(private_key_der).map_err(|_| KeyError::PrivateKey)?;
        Ok(NativeSigner {
            kid: cert.kid().clone(),
            key,
            rng: SystemRandom::new(),
        })
    }
}

impl Signer for NativeSigner {
    fn key_id(&self) -> &KeyId {
        &self.kid
    }

    fn sign(&self, signing_input: &[u8]) -> Vec<u8> {
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        // Signing with a valid parsed key only fails on an undersized buffer, which cannot happen
        // here; an empty signature would then fail verification rather than panic.
        if self
            .key
            .sign(&RSA_PKCS1_SHA256, &self.rng, signing_input, &mut sig)
            .is_err()
        {
            sig.clear();
        }
        sig
    }
}

/// Verifies RS256/RS384/RS512 with AWS-LC for the common shape (a 2048-8192-bit modulus,
/// exponent 65537, a signature as long as the modulus); anything else (PS256, other keys, odd
/// signature lengths) goes to core's own check, so both accept the same signatures.
#[derive(Debug, Clone, Copy, Default)]
pub struct NativeVerifier;

impl Verifier for NativeVerifier {
    fn verify(&self, key: &PublishedKey, jwt: &Jwt) -> Result<(), VerifyError> {
        let params: &RsaParameters = match jwt.alg() {
            Some("RS256") => &sig::RSA_PKCS1_2048_8192_SHA256,
            Some("RS384") => &sig::RSA_PKCS1_2048_8192_SHA384,
            Some("RS512") => &sig::RSA_PKCS1_2048_8192_SHA512,
            _ => return key.verify(jwt),
        };
        let modulus = key.modulus();
        let common = (256..=1024).contains(&modulus.len())
            && modulus[0] != 0
            && key.exponent() == [1, 0, 1]
            && jwt.signature().len() == modulus.len();
        if !common {
            return key.verify(jwt);
        }
        let public = RsaPublicKeyComponents {
            n: modulus,
            e: key.exponent(),
        };
        public
            .verify(params, jwt.signing_input(), jwt.signature())
            .map_err(|_| VerifyError::BadSignature)
    }
}
