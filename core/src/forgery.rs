//! Forged-token generator for the hardening suites: every way we know of turning a genuine token
//! into one an attacker could present (algorithm tricks, foreign keys, key URLs, tampering,
//! broken time windows, missing claims, malformed JSON, look-alike identifiers). Core's tests and
//! the server's socket-level tests feed the same variants to the token endpoint and to the
//! resources and assert that none is accepted.
//!
//! Only compiled for tests (`cfg(test)` or the `test-support` feature); it performs no IO.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use crate::error::Aadsts;
use crate::jose::{MAX_TOKEN_BYTES, b64url};
use crate::keys::{PublishedKey, Signer, sign_jwt};

/// One way of forging a token. `Forger::forge` turns a genuine token into the variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// `alg: none` and an empty signature.
    AlgNone,
    /// `alg: none` keeping the genuine signature bytes.
    AlgNoneKeepingSignature,
    /// `alg: rs256` (case games), signed with the genuine key.
    AlgLowercase,
    /// HS256 keyed with the issuer's certificate PEM (the classic algorithm confusion).
    Hs256KeyedWithCertificatePem,
    /// HS256 keyed with the RSA modulus bytes of the published key.
    Hs256KeyedWithModulus,
    /// `alg: PS256` over a PKCS#1 v1.5 signature.
    Ps256LabelOnRs256Signature,
    /// A `kid` nobody publishes, signed with the genuine key.
    UnknownKid,
    /// No `kid`, `x5t` or `x5t#S256` at all, signed with the genuine key.
    NoKeyIdentifier,
    /// The `kid` of a certificate that exists but is not published by this issuer (keys are
    /// not per tenant in Entra: "another tenant's key" is any key this issuer did not publish).
    UnpublishedKid,
    /// Signed by the attacker's key, with the attacker's certificate in `x5c`.
    AttackerKeyInX5c,
    /// Signed by the attacker's key, pointing `jku` at the attacker's JWKS.
    AttackerKeyViaJku,
    /// Signed by the attacker's key, pointing `x5u` at the attacker's certificate.
    AttackerKeyViaX5u,
    /// The genuine `kid`, signed by the attacker's key, attacker certificate in `x5c`.
    GenuineKidAttackerSignature,
    /// A claim changed after signing.
    TamperedPayload,
    /// A header member added after signing.
    TamperedHeader,
    /// The signature segment removed (`h.p.`).
    StrippedSignature,
    /// The signature cut in half.
    TruncatedSignature,
    /// Only two segments (`h.p`).
    TwoSegments,
    /// A fourth segment appended.
    FourSegments,
    /// Expired an hour ago (re-signed with the genuine key).
    Expired,
    /// Valid only from an hour from now.
    NotYetValid,
    /// Issued ten years in the future, `nbf`/`exp` untouched.
    FarFutureIat,
    MissingIss,
    MissingSub,
    MissingAud,
    MissingExp,
    /// `exp` as a string.
    ExpNotANumber,
    /// `sub` twice in the payload, the first one the attacker's.
    DuplicateClaim,
    /// `alg` twice in the header.
    DuplicateHeaderMember,
    HeaderNotJson,
    PayloadNotJson,
    /// The payload is a JSON array.
    PayloadNotAnObject,
    /// A segment with characters outside base64url.
    NotBase64Url,
    /// A genuine-key token padded past the size limit.
    Oversized,
    IssTrailingSpace,
    IssLeadingSpace,
    /// A Cyrillic letter that looks Latin in `iss`.
    IssCyrillicLookAlike,
    /// A zero-width space in `iss`.
    IssZeroWidthSpace,
    /// A NUL character at the end of `iss`.
    IssTrailingNul,
    SubTrailingSpace,
    SubCyrillicLookAlike,
    SubZeroWidthSpace,
}

impl Variant {
    /// Every variant, in declaration order.
    pub const ALL: [Variant; 42] = [
        Variant::AlgNone,
        Variant::AlgNoneKeepingSignature,
        Variant::AlgLowercase,
        Variant::Hs256KeyedWithCertificatePem,
        Variant::Hs256KeyedWithModulus,
        Variant::Ps256LabelOnRs256Signature,
        Variant::UnknownKid,
        Variant::NoKeyIdentifier,
        Variant::UnpublishedKid,
        Variant::AttackerKeyInX5c,
        Variant::AttackerKeyViaJku,
        Variant::AttackerKeyViaX5u,
        Variant::GenuineKidAttackerSignature,
        Variant::TamperedPayload,
        Variant::TamperedHeader,
        Variant::StrippedSignature,
        Variant::TruncatedSignature,
        Variant::TwoSegments,
        Variant::FourSegments,
        Variant::Expired,
        Variant::NotYetValid,
        Variant::FarFutureIat,
        Variant::MissingIss,
        Variant::MissingSub,
        Variant::MissingAud,
        Variant::MissingExp,
        Variant::ExpNotANumber,
        Variant::DuplicateClaim,
        Variant::DuplicateHeaderMember,
        Variant::HeaderNotJson,
        Variant::PayloadNotJson,
        Variant::PayloadNotAnObject,
        Variant::NotBase64Url,
        Variant::Oversized,
        Variant::IssTrailingSpace,
        Variant::IssLeadingSpace,
        Variant::IssCyrillicLookAlike,
        Variant::IssZeroWidthSpace,
        Variant::IssTrailingNul,
        Variant::SubTrailingSpace,
        Variant::SubCyrillicLookAlike,
        Variant::SubZeroWidthSpace,
    ];
}

/// What Entra answers to each variant, so that every suite (core here, HTTP in mock-entra)
/// holds forgeries to the same codes.
impl Variant {
    /// Entra's answer to each variant as a federated assertion (an MI token presented to Litware for
    /// the multi-tenant app).
    pub fn refusal_as_federated_assertion(self) -> Aadsts {
        use Variant::*;
        match self {
            AlgNone
            | AlgNoneKeepingSignature
            | AlgLowercase
            | Hs256KeyedWithCertificatePem
            | Hs256KeyedWithModulus => Aadsts::UnsupportedSigningAlgorithm,
            Ps256LabelOnRs256Signature
            | UnknownKid
            | NoKeyIdentifier
            | UnpublishedKid
            | AttackerKeyInX5c
            | AttackerKeyViaJku
            | AttackerKeyViaX5u
            | GenuineKidAttackerSignature
            | TamperedPayload
            | TamperedHeader
            | StrippedSignature
            | TruncatedSignature => Aadsts::AssertionSignature,
            TwoSegments
            | FourSegments
            | DuplicateClaim
            | DuplicateHeaderMember
            | HeaderNotJson
            | PayloadNotJson
            | PayloadNotAnObject
            | NotBase64Url
            | Oversized => Aadsts::MalformedJwt,
            Expired | NotYetValid | FarFutureIat => Aadsts::AssertionTimeRange,
            MissingIss | MissingSub | MissingAud | MissingExp | ExpNotANumber => {
                Aadsts::MissingClaim
            }
            // A look-alike issuer is not the FIC's issuer (exact match, reference F.1).
            IssTrailingSpace | IssLeadingSpace | IssCyrillicLookAlike | IssZeroWidthSpace
            | IssTrailingNul => Aadsts::FicIssuerMismatch,
            SubTrailingSpace | SubCyrillicLookAlike | SubZeroWidthSpace => {
                Aadsts::FicSubjectMismatch
            }
        }
    }

    /// Entra's answer to each variant as a certificate assertion (`iss` = `sub` = client id).
    pub fn refusal_as_certificate_assertion(self) -> Aadsts {
        use Variant::*;
        match self {
            // Without x5t, x5t#S256 or kid Entra cannot even look the certificate up.
            NoKeyIdentifier => Aadsts::MissingKeyIdentifier,
            // A client id with a look-alike character or padding is no longer the client id, so
            // the assertion is judged federated, and the app has no FIC for that "issuer".
            IssTrailingSpace | IssLeadingSpace | IssCyrillicLookAlike | IssZeroWidthSpace
            | IssTrailingNul => Aadsts::FicIssuerMismatch,
            // iss is the client id but sub is not.
            SubTrailingSpace | SubCyrillicLookAlike | SubZeroWidthSpace => {
                Aadsts::AssertionClientMismatch
            }
            other => other.refusal_as_federated_assertion(),
        }
    }
}

/// What a forger holds: the genuine signing key (to re-sign edited claims, as if the attacker
/// could make the issuer sign anything but the edit), the published certificate, an attacker key
/// pair, an unpublished certificate, the URL an attacker would have the server fetch, and now.
pub struct Forger<'a> {
    pub genuine: &'a dyn Signer,
    pub genuine_cert: &'a PublishedKey,
    pub attacker: &'a dyn Signer,
    pub attacker_cert: &'a PublishedKey,
    pub unpublished_cert: &'a PublishedKey,
    /// Where `jku`/`x5u` point (a listener the test watches).
    pub attacker_url: &'a str,
    pub now: i64,
}

impl Forger<'_> {
    /// The forged form of `genuine_token` (a compact JWS the genuine key signed).
    pub fn forge(&self, variant: Variant, genuine_token: &str) -> String {
        let mut segments = genuine_token.split('.');
        let h64 = segments.next().unwrap_or_default();
        let p64 = segments.next().unwrap_or_default();
        let s64 = segments.next().unwrap_or_default();
        let header = decode_object(h64);
        let claims = decode_object(p64);
        let resign = |h: Map<String, Value>, c: Map<String, Value>| {
            sign_jwt(self.genuine, &Value::Object(h), &Value::Object(c))
        };
        let edit_header = |f: &dyn Fn(&mut Map<String, Value>)| {
            let mut h = header.clone();
            f(&mut h);
            h
        };
        let edit_claims = |f: &dyn Fn(&mut Map<String, Value>)| {
            let mut c = claims.clone();
            f(&mut c);
            c
        };
        let set = |name: &'static str, v: Value| {
            move |m: &mut Map<String, Value>| {
                m.insert(name.to_owned(), v.clone());
            }
        };
        let attacker_header = |extra: &[(&str, Value)]| {
            let kid = self.attacker_cert.kid().as_str();
            let mut h = Map::new();
            h.insert("typ".into(), json!("JWT"));
            h.insert("alg".into(), json!("RS256"));
            h.insert("kid".into(), json!(kid));
            h.insert("x5t".into(), json!(kid));
            for (k, v) in extra {
                h.insert((*k).to_owned(), v.clone());
            }
            Value::Object(h)
        };
        let attacker_x5c = json!([STANDARD.encode(self.attacker_cert.certificate_der())]);
        let string_claim = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        match variant {
            Variant::AlgNone => {
                format!("{}.{p64}.", obj64(&edit_header(&set("alg", json!("none")))))
            }
            Variant::AlgNoneKeepingSignature => format!(
                "{}.{p64}.{s64}",
                obj64(&edit_header(&set("alg", json!("none"))))
            ),
            Variant::AlgLowercase => resign(edit_header(&set("alg", json!("rs256"))), claims),
            Variant::Hs256KeyedWithCertificatePem | Variant::Hs256KeyedWithModulus => {
                let key = if variant == Variant::Hs256KeyedWithCertificatePem {
                    pem(self.genuine_cert.certificate_der()).into_bytes()
                } else {
                    let jwk = self.genuine_cert.to_jwk(None);
                    URL_SAFE_NO_PAD.decode(jwk.n).unwrap_or_default()
                };
                let input = format!("{}.{p64}", obj64(&edit_header(&set("alg", json!("HS256")))));
                let mac = hmac_sha256(&key, input.as_bytes());
                format!("{input}.{}", b64url(&mac))
            }
            Variant::Ps256LabelOnRs256Signature => {
                resign(edit_header(&set("alg", json!("PS256"))), claims)
            }
            Variant::UnknownKid => resign(
                edit_header(&|h| {
                    h.remove("x5t");
                    h.remove("x5t#S256");
                    h.insert("kid".into(), json!("bm90LWEta2V5LXdlLXB1Ymxpc2g"));
                }),
                claims,
            ),
            Variant::NoKeyIdentifier => resign(
                edit_header(&|h| {
                    h.remove("x5t");
                    h.remove("x5t#S256");
                    h.remove("kid");
                }),
                claims,
            ),
            Variant::UnpublishedKid => {
                let kid = json!(self.unpublished_cert.kid().as_str());
                resign(
                    edit_header(&|h| {
                        h.remove("x5t#S256");
                        h.insert("kid".into(), kid.clone());
                        h.insert("x5t".into(), kid.clone());
                    }),
                    claims,
                )
            }
            Variant::AttackerKeyInX5c => sign_jwt(
                self.attacker,
                &attacker_header(&[("x5c", attacker_x5c.clone())]),
                &Value::Object(claims),
            ),
            Variant::AttackerKeyViaJku => sign_jwt(
                self.attacker,
                &attacker_header(&[("jku", json!(self.attacker_url))]),
                &Value::Object(claims),
            ),
            Variant::AttackerKeyViaX5u => sign_jwt(
                self.attacker,
                &attacker_header(&[("x5u", json!(self.attacker_url))]),
                &Value::Object(claims),
            ),
            Variant::GenuineKidAttackerSignature => {
                let mut h = header.clone();
                h.insert("x5c".into(), attacker_x5c);
                sign_jwt(self.attacker, &Value::Object(h), &Value::Object(claims))
            }
            Variant::TamperedPayload => {
                let c = edit_claims(&set("roles", json!(["Directory.ReadWrite.All"])));
                format!("{h64}.{}.{s64}", obj64(&c))
            }
            Variant::TamperedHeader => format!(
                "{}.{p64}.{s64}",
                obj64(&edit_header(&set("cty", json!("JWT"))))
            ),
            Variant::StrippedSignature => format!("{h64}.{p64}."),
            Variant::TruncatedSignature => {
                // An even cut keeps the segment valid base64url, so the signature check is what
                // refuses it.
                let cut = (s64.len() / 2) & !3;
                format!("{h64}.{p64}.{}", &s64[..cut])
            }
            Variant::TwoSegments => format!("{h64}.{p64}"),
            Variant::FourSegments => format!("{genuine_token}.{s64}"),
            Variant::Expired => resign(
                header.clone(),
                edit_claims(&|c| {
                    c.insert("iat".into(), json!(self.now - 7200));
                    c.insert("nbf".into(), json!(self.now - 7200));
                    c.insert("exp".into(), json!(self.now - 3600));
                }),
            ),
            Variant::NotYetValid => resign(
                header.clone(),
                edit_claims(&|c| {
                    c.insert("iat".into(), json!(self.now + 3600));
                    c.insert("nbf".into(), json!(self.now + 3600));
                    c.insert("exp".into(), json!(self.now + 7200));
                }),
            ),
            Variant::FarFutureIat => resign(
                header.clone(),
                edit_claims(&set("iat", json!(self.now + 10 * 365 * 86_400))),
            ),
            Variant::MissingIss => resign(header.clone(), without(&claims, "iss")),
            Variant::MissingSub => resign(header.clone(), without(&claims, "sub")),
            Variant::MissingAud => resign(header.clone(), without(&claims, "aud")),
            Variant::MissingExp => resign(header.clone(), without(&claims, "exp")),
            Variant::ExpNotANumber => resign(
                header.clone(),
                edit_claims(&set("exp", json!((self.now + 3600).to_string()))),
            ),
            Variant::DuplicateClaim => {
                let body = serde_json::to_string(&Value::Object(without(&claims, "sub")))
                    .unwrap_or_default();
                let sub = string_claim("sub");
                let inner = body.trim_start_matches('{').trim_end_matches('}');
                let duplicated = format!("{{\"sub\":\"attacker\",{inner},\"sub\":{}}}", json!(sub));
                self.raw_signed(
                    &serde_json::to_string(&Value::Object(header.clone())).unwrap_or_default(),
                    &duplicated,
                )
            }
            Variant::DuplicateHeaderMember => {
                let h = serde_json::to_string(&Value::Object(header.clone())).unwrap_or_default();
                let duplicated = format!("{{\"alg\":\"none\",{}", h.trim_start_matches('{'));
                let c = serde_json::to_string(&Value::Object(claims.clone())).unwrap_or_default();
                self.raw_signed(&duplicated, &c)
            }
            Variant::HeaderNotJson => {
                let c = serde_json::to_string(&Value::Object(claims.clone())).unwrap_or_default();
                self.raw_signed("alg=RS256", &c)
            }
            Variant::PayloadNotJson => {
                let h = serde_json::to_string(&Value::Object(header.clone())).unwrap_or_default();
                self.raw_signed(&h, "{\"iss\":")
            }
            Variant::PayloadNotAnObject => {
                let h = serde_json::to_string(&Value::Object(header.clone())).unwrap_or_default();
                let c = serde_json::to_string(&Value::Object(claims.clone())).unwrap_or_default();
                self.raw_signed(&h, &format!("[{c}]"))
            }
            Variant::NotBase64Url => format!("{h64}.{}+/=.{s64}", &p64[..p64.len().min(8)]),
            Variant::Oversized => resign(
                header.clone(),
                edit_claims(&set("pad", json!("A".repeat(MAX_TOKEN_BYTES + 1024)))),
            ),
            Variant::IssTrailingSpace => {
                self.with_claim(&header, &claims, "iss", format!("{} ", string_claim("iss")))
            }
            Variant::IssLeadingSpace => {
                self.with_claim(&header, &claims, "iss", format!(" {}", string_claim("iss")))
            }
            Variant::IssCyrillicLookAlike => {
                self.with_claim(&header, &claims, "iss", look_alike(&string_claim("iss")))
            }
            Variant::IssZeroWidthSpace => {
                self.with_claim(&header, &claims, "iss", zero_width(&string_claim("iss")))
            }
            Variant::IssTrailingNul => self.with_claim(
                &header,
                &claims,
                "iss",
                format!("{}\0", string_claim("iss")),
            ),
            Variant::SubTrailingSpace => {
                self.with_claim(&header, &claims, "sub", format!("{} ", string_claim("sub")))
            }
            Variant::SubCyrillicLookAlike => {
                self.with_claim(&header, &claims, "sub", look_alike(&string_claim("sub")))
            }
            Variant::SubZeroWidthSpace => {
                self.with_claim(&header, &claims, "sub", zero_width(&string_claim("sub")))
            }
        }
    }

    fn with_claim(
        &self,
        header: &Map<String, Value>,
        claims: &Map<String, Value>,
        name: &str,
        value: String,
    ) -> String {
        let mut c = claims.clone();
        c.insert(name.to_owned(), json!(value));
        sign_jwt(
            self.genuine,
            &Value::Object(header.clone()),
            &Value::Object(c),
        )
    }

    /// Signs exactly these header and payload bytes with the genuine key.
    fn raw_signed(&self, header_json: &str, claims_json: &str) -> String {
        let input = format!(
            "{}.{}",
            b64url(header_json.as_bytes()),
            b64url(claims_json.as_bytes())
        );
        let sig = self.genuine.sign(input.as_bytes());
        format!("{input}.{}", b64url(&sig))
    }
}

fn decode_object(segment: &str) -> Map<String, Value> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .ok()
        .and_then(|b| serde_json::from_slice::<Map<String, Value>>(&b).ok())
        .unwrap_or_default()
}

fn obj64(m: &Map<String, Value>) -> String {
    b64url(&serde_json::to_vec(m).unwrap_or_default())
}

fn without(claims: &Map<String, Value>, name: &str) -> Map<String, Value> {
    let mut c = claims.clone();
    c.remove(name);
    c
}

/// Replaces the first Latin letter that has a Cyrillic twin (`a`, `c`, `e`, `o`, `p`, `x`).
fn look_alike(s: &str) -> String {
    let twin = |c: char| match c {
        'a' => Some('\u{0430}'),
        'c' => Some('\u{0441}'),
        'e' => Some('\u{0435}'),
        'o' => Some('\u{043E}'),
        'p' => Some('\u{0440}'),
        'x' => Some('\u{0445}'),
        _ => None,
    };
    let mut done = false;
    s.chars()
        .map(|c| match twin(c) {
            Some(t) if !done => {
                done = true;
                t
            }
            _ => c,
        })
        .collect()
}

/// Inserts a zero-width space after the scheme of a URL, else in front.
fn zero_width(s: &str) -> String {
    if s.contains("://") {
        s.replacen("://", "://\u{200B}", 1)
    } else {
        format!("\u{200B}{s}")
    }
}

fn pem(der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// HMAC-SHA256 (RFC 2104), enough to forge an HS256 token.
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| block.map(|k| k ^ b);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

#[cfg(test)]
mod tests;
