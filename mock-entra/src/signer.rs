//! The hot-path RS256 signer: `ring` with the key parsed once, plugged into core's `Signer`.

use entra_core::ids::KeyId;
use entra_core::keys::{KeyError, PublishedKey, Signer};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};

/// Signs with a parsed `ring` RSA key. PKCS#1 v1.5 is deterministic, so its output equals core's
/// `RsaSigner` byte for byte (tested).
pub struct RingSigner {
    kid: KeyId,
    key: RsaKeyPair,
    rng: SystemRandom,
}

impl std::fmt::Debug for RingSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RingSigner")
            .field("kid", &self.kid)
            .finish()
    }
}

impl RingSigner {
    /// From PKCS#8 DER and the certificate that publishes it.
    pub fn from_pkcs8_der(private_key_der: &[u8], cert: &PublishedKey) -> Result<Self, KeyError> {
        let key = RsaKeyPair::from_pkcs8(private_key_der).map_err(|_| KeyError::PrivateKey)?;
        Ok(RingSigner {
            kid: cert.kid().clone(),
            key,
            rng: SystemRandom::new(),
        })
    }
}

impl Signer for RingSigner {
    fn key_id(&self) -> &KeyId {
        &self.kid
    }

    fn sign(&self, signing_input: &[u8]) -> Vec<u8> {
        let mut sig = vec![0u8; self.key.public().modulus_len()];
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
