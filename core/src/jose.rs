//! JSON Web Tokens as Entra uses them: compact JWS, RS256. This module decodes without a key
//! (the FIC doctor reads tokens from real Azure); `keys` signs and verifies.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// The most bytes of token the decoder looks at; longer input is refused before any work.
/// Entra's own tokens stay far below (a few KiB).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Why a string is not a well-formed JWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the token is longer than {MAX_TOKEN_BYTES} bytes")]
    TooLong,
    #[error("a compact JWS has three dot-separated segments")]
    NotThreeSegments,
    #[error("a segment is not base64url")]
    NotBase64Url,
    #[error("the header is not a JSON object")]
    HeaderNotJson,
    #[error("the payload is not a JSON object")]
    PayloadNotJson,
    #[error("a JSON object repeats a member name")]
    DuplicateMember,
}

/// A decoded, not yet verified, compact JWS.
#[derive(Clone, PartialEq)]
pub struct Jwt {
    header: Map<String, Value>,
    claims: Map<String, Value>,
    /// `base64url(header) "." base64url(payload)`: the bytes the signature covers.
    signing_input_len: usize,
    raw: String,
    signature: Vec<u8>,
}

impl fmt::Debug for Jwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwt")
            .field("header", &self.header)
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

impl Jwt {
    /// Decodes a compact JWS. Surrounding whitespace is tolerated (tokens get pasted);
    /// anything else malformed is refused.
    pub fn decode(token: &str) -> Result<Jwt, DecodeError> {
        let token = token.trim();
        if token.len() > MAX_TOKEN_BYTES {
            return Err(DecodeError::TooLong);
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(DecodeError::NotThreeSegments);
        };
        let header_bytes = URL_SAFE_NO_PAD
            .decode(h)
            .map_err(|_| DecodeError::NotBase64Url)?;
        let payload_bytes = URL_SAFE_NO_PAD
            .decode(p)
            .map_err(|_| DecodeError::NotBase64Url)?;
        let signature = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| DecodeError::NotBase64Url)?;
        let header =
            parse_object(&header_bytes).map_err(|e| e.unwrap_or(DecodeError::HeaderNotJson))?;
        let claims =
            parse_object(&payload_bytes).map_err(|e| e.unwrap_or(DecodeError::PayloadNotJson))?;
        Ok(Jwt {
            header,
            claims,
            signing_input_len: h.len() + 1 + p.len(),
            raw: token.to_owned(),
            signature,
        })
    }

    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    pub fn raw(&self) -> &str {
        &self.raw
    }

    pub fn signing_input(&self) -> &[u8] {
        &self.raw.as_bytes()[..self.signing_input_len]
    }

    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// `alg` of the header, if it is a string.
    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// A string claim.
    pub fn str_claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A numeric date claim (`exp`, `nbf`, `iat`). Entra emits integers; a float is truncated.
    pub fn time_claim(&self, name: &str) -> Option<crate::time::UnixTime> {
        let v = self.claims.get(name)?;
        v.as_i64()
            .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(crate::time::UnixTime)
    }

    /// `aud` as a list: a string, or an array of strings (RFC 7519 allows both).
    pub fn audiences(&self) -> Vec<&str> {
        match self.claims.get("aud") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

/// Parses a JSON object and refuses repeated member names anywhere in it: two parsers that pick
/// different duplicates are how claims get smuggled past a validator.
fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, Option<DecodeError>> {
    let strict: StrictValue = serde_json::from_slice(bytes).map_err(|e| {
        if e.to_string().contains(DUPLICATE_MARKER) {
            Some(DecodeError::DuplicateMember)
        } else {
            None
        }
    })?;
    match strict.0 {
        Value::Object(map) => Ok(map),
        _ => Err(None),
    }
}

const DUPLICATE_MARKER: &str = "duplicate member name";

/// A `serde_json::Value` whose objects must not repeat a key.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let StrictValue(v) = map.next_value()?;
            if out.insert(key, v).is_some() {
                return Err(de::Error::custom(DUPLICATE_MARKER));
            }
        }
        Ok(Value::Object(out))
    }
}

/// base64url without padding, the JOSE encoding.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Encodes header and claims as the signing input `b64(header).b64(claims)`.
pub fn signing_input<H: Serialize, C: Serialize>(header: &H, claims: &C) -> String {
    let h = serde_json::to_vec(header).unwrap_or_default();
    let c = serde_json::to_vec(claims).unwrap_or_default();
    format!("{}.{}", b64url(&h), b64url(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.{}",
            b64url(header.as_bytes()),
            b64url(payload.as_bytes()),
            b64url(b"sig")
        )
    }

    #[test]
    fn decodes_header_claims_and_signature() {
        let jwt = Jwt::decode(&token(
            r#"{"alg":"RS256","kid":"k1"}"#,
            r#"{"aud":"a","exp":10}"#,
        ))
        .unwrap();
        assert_eq!(jwt.alg(), Some("RS256"));
        assert_eq!(jwt.kid(), Some("k1"));
        assert_eq!(jwt.audiences(), vec!["a"]);
        assert_eq!(jwt.time_claim("exp"), Some(crate::time::UnixTime(10)));
        assert_eq!(jwt.signature(), b"sig");
    }

    #[test]
    fn repeated_claim_names_are_refused() {
        let t = token(r#"{"alg":"RS256"}"#, r#"{"sub":"a","sub":"b"}"#);
        assert_eq!(Jwt::decode(&t), Err(DecodeError::DuplicateMember));
    }

    #[test]
    fn malformed_tokens_are_refused_with_the_reason() {
        assert_eq!(Jwt::decode("a.b"), Err(DecodeError::NotThreeSegments));
        assert_eq!(Jwt::decode("a.b.c.d"), Err(DecodeError::NotThreeSegments));
        assert_eq!(Jwt::decode("!!.e30.e30"), Err(DecodeError::NotBase64Url));
        assert_eq!(
            Jwt::decode(&token("[]", "{}")),
            Err(DecodeError::HeaderNotJson)
        );
        assert_eq!(
            Jwt::decode(&token("{}", "3")),
            Err(DecodeError::PayloadNotJson)
        );
        assert_eq!(
            Jwt::decode(&"a".repeat(MAX_TOKEN_BYTES + 1)),
            Err(DecodeError::TooLong)
        );
    }
}
