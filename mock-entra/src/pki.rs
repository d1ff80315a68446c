//! Key material in the data directory: a local CA, a server certificate for
//! localhost/127.0.0.1/::1, and the RSA-2048 token-signing key with its self-signed
//! `CN=accounts.accesscontrol.windows.net` certificate. Generated once, reused afterwards, never on
//! a request path.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use entra_core::keys::{PublishedKey, Signer};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use crate::signer::NativeSigner;

/// Errors while preparing key material.
#[derive(Debug)]
pub struct PkiError(pub String);

impl std::fmt::Display for PkiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PkiError {}

fn err(context: &str) -> impl FnOnce(String) -> PkiError + '_ {
    move |e| PkiError(format!("{context}: {e}"))
}

/// The TLS material of the HTTPS listener.
#[derive(Debug, Clone)]
pub struct TlsMaterial {
    pub ca_pem_path: PathBuf,
    pub ca_pem: Vec<u8>,
    pub server_cert_pem: Vec<u8>,
    pub server_key_pem: Vec<u8>,
}

const CA_CERT: &str = "ca.pem";
const CA_KEY: &str = "ca-key.pem";
const SERVER_CERT: &str = "server.pem";
const SERVER_KEY: &str = "server-key.pem";
const SIGNING_KEY: &str = "signing-key.pk8";
const SIGNING_CERT: &str = "signing-cert.der";

/// Writes atomically: temp file, fsync, rename (so a crash never leaves half a key).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_owned());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Loads the CA and server certificate from `data_dir`, generating them on first start.
pub fn load_or_create_tls(data_dir: &Path) -> Result<TlsMaterial, PkiError> {
    let paths = [CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY].map(|f| data_dir.join(f));
    if !paths.iter().all(|p| p.exists()) {
        create_tls(data_dir)?;
    }
    let read =
        |p: &PathBuf| std::fs::read(p).map_err(|e| PkiError(format!("{}: {e}", p.display())));
    Ok(TlsMaterial {
        ca_pem_path: paths[0].clone(),
        ca_pem: read(&paths[0])?,
        server_cert_pem: read(&paths[2])?,
        server_key_pem: read(&paths[3])?,
    })
}

fn create_tls(data_dir: &Path) -> Result<(), PkiError> {
    let ca_key = KeyPair::generate().map_err(|e| err("CA key")(e.to_string()))?;
    let mut ca =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| err("CA")(e.to_string()))?;
    ca.distinguished_name
        .push(DnType::CommonName, "mock-entra local CA");
    ca.distinguished_name
        .push(DnType::OrganizationName, "mock-entra");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.not_before = rcgen::date_time_ymd(2024, 1, 1);
    ca.not_after = rcgen::date_time_ymd(2049, 12, 31);
    let ca_cert = ca
        .self_signed(&ca_key)
        .map_err(|e| err("CA cert")(e.to_string()))?;

    let server_key = KeyPair::generate().map_err(|e| err("server key")(e.to_string()))?;
    let mut server = CertificateParams::new(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])
    .map_err(|e| err("server cert")(e.to_string()))?;
    server
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    server.not_before = rcgen::date_time_ymd(2024, 1, 1);
    // Below 825 days would please Apple clients; ours are CLI SDKs, keep it long-lived.
    server.not_after = rcgen::date_time_ymd(2049, 12, 31);
    let issuer = Issuer::new(ca, &ca_key);
    let server_cert = server
        .signed_by(&server_key, &issuer)
        .map_err(|e| err("server cert")(e.to_string()))?;

    let w = |name: &str, bytes: &[u8]| {
        write_atomic(&data_dir.join(name), bytes).map_err(|e| PkiError(format!("{name}: {e}")))
    };
    w(CA_KEY, ca_key.serialize_pem().as_bytes())?;
    w(SERVER_KEY, server_key.serialize_pem().as_bytes())?;
    let mut chain = server_cert.pem();
    chain.push_str(&ca_cert.pem());
    w(SERVER_CERT, chain.as_bytes())?;
    w(CA_CERT, ca_cert.pem().as_bytes())?;
    Ok(())
}

/// A token-signing key: the signer and the certificate that publishes it.
#[derive(Clone)]
pub struct SigningKey {
    pub signer: Arc<dyn Signer>,
    pub published: PublishedKey,
    pub private_pkcs8_der: Arc<Vec<u8>>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("published", &self.published)
            .finish_non_exhaustive()
    }
}

/// Loads the signing key from `data_dir`, generating it on first start (blocking: call from
/// `spawn_blocking` or before serving).
pub fn load_or_create_signing_key(data_dir: &Path) -> Result<SigningKey, PkiError> {
    let key_path = data_dir.join(SIGNING_KEY);
    let cert_path = data_dir.join(SIGNING_CERT);
    if key_path.exists() && cert_path.exists() {
        let key = std::fs::read(&key_path).map_err(|e| PkiError(format!("{SIGNING_KEY}: {e}")))?;
        let cert =
            std::fs::read(&cert_path).map_err(|e| PkiError(format!("{SIGNING_CERT}: {e}")))?;
        return signing_key_from_der(key, &cert);
    }
    let (key, cert) = generate_signing_key()?;
    write_atomic(&key_path, &key).map_err(|e| PkiError(format!("{SIGNING_KEY}: {e}")))?;
    write_atomic(&cert_path, &cert).map_err(|e| PkiError(format!("{SIGNING_CERT}: {e}")))?;
    signing_key_from_der(key, &cert)
}

/// Loads the signing key of the emulated external issuer `name` from `data_dir`, generating it
/// on first use, so tokens written to files (`mock-entra env --workload`) survive a restart.
pub fn load_or_create_issuer_key(data_dir: &Path, name: &str) -> Result<SigningKey, PkiError> {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let key_path = data_dir.join(format!("issuer-{safe}-key.der"));
    let cert_path = data_dir.join(format!("issuer-{safe}-cert.der"));
    if key_path.exists() && cert_path.exists() {
        let key = std::fs::read(&key_path).map_err(|e| PkiError(format!("{name} key: {e}")))?;
        let cert = std::fs::read(&cert_path).map_err(|e| PkiError(format!("{name} cert: {e}")))?;
        return signing_key_from_der(key, &cert);
    }
    rotate_issuer_key(data_dir, name)
}

/// A new key for the emulated issuer `name`, stored as its current one.
pub fn rotate_issuer_key(data_dir: &Path, name: &str) -> Result<SigningKey, PkiError> {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let (key, cert) = generate_signing_key()?;
    write_atomic(&data_dir.join(format!("issuer-{safe}-key.der")), &key)
        .map_err(|e| PkiError(format!("{name} key: {e}")))?;
    write_atomic(&data_dir.join(format!("issuer-{safe}-cert.der")), &cert)
        .map_err(|e| PkiError(format!("{name} cert: {e}")))?;
    signing_key_from_der(key, &cert)
}

/// Generates a new signing key, stores it as the current one and returns it (key rotation).
pub fn rotate_signing_key(data_dir: &Path) -> Result<SigningKey, PkiError> {
    let (key, cert) = generate_signing_key()?;
    write_atomic(&data_dir.join(SIGNING_KEY), &key)
        .map_err(|e| PkiError(format!("{SIGNING_KEY}: {e}")))?;
    write_atomic(&data_dir.join(SIGNING_CERT), &cert)
        .map_err(|e| PkiError(format!("{SIGNING_CERT}: {e}")))?;
    signing_key_from_der(key, &cert)
}

/// Builds the signer for a PKCS#8 key and its DER certificate.
pub fn signing_key_from_der(key: Vec<u8>, cert: &[u8]) -> Result<SigningKey, PkiError> {
    let published =
        PublishedKey::from_certificate(cert).map_err(|e| PkiError(format!("signing cert: {e}")))?;
    let signer = NativeSigner::from_pkcs8_der(&key, &published)
        .map_err(|e| PkiError(format!("signing key: {e}")))?;
    Ok(SigningKey {
        signer: Arc::new(signer),
        published,
        private_pkcs8_der: Arc::new(key),
    })
}

/// A fresh RSA-2048 key (PKCS#8 DER) and its self-signed certificate (DER), like Entra's
/// `CN=accounts.accesscontrol.windows.net` signing certificates.
pub fn generate_signing_key() -> Result<(Vec<u8>, Vec<u8>), PkiError> {
    use aws_lc_rs::encoding::AsDer as _;
    // AWS-LC generates a 2048-bit key in tens of milliseconds (the `rsa` crate took hundreds),
    // which is most of a first start's cold-start time.
    let private = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
        .map_err(|e| PkiError(format!("RSA key generation: {e}")))?;
    let der = private
        .as_der()
        .map_err(|e| PkiError(format!("PKCS#8: {e}")))?
        .as_ref()
        .to_vec();
    let pkcs8 = rustls::pki_types::PrivatePkcs8KeyDer::from(der.clone());
    let key = KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8, &rcgen::PKCS_RSA_SHA256)
        .map_err(|e| PkiError(format!("signing key: {e}")))?;
    let mut params =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| PkiError(e.to_string()))?;
    params
        .distinguished_name
        .push(DnType::CommonName, "accounts.accesscontrol.windows.net");
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2049, 12, 31);
    let cert = params
        .self_signed(&key)
        .map_err(|e| PkiError(format!("signing cert: {e}")))?;
    Ok((der, cert.der().to_vec()))
}
