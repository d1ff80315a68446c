//! Graph's create-time rules for `federatedIdentityCredential` (reference F.1/F.2, seed 003).
//!
//! Graph checks only the shape of a FIC when it is written: a wrong issuer, subject or audience is
//! accepted and fails later at the token exchange (that is the [`crate::doctor`]'s job). The rules
//! here are the ones Graph does enforce, with the error Graph answers for each.
//!
//! Lengths are counted in UTF-16 code units, as .NET's `string.Length` counts them.
//! UNCONFIRMED: Graph's exact unit is not documented; UTF-16 is the .NET inference.

use std::fmt;

use serde::{Deserialize, Serialize};

pub mod expression;

use crate::directory::{ClaimsMatchingExpression, FederatedIdentityCredential};
use crate::graph_error::GraphError;
use crate::ids::ObjectId;

/// At most this many FICs per application (and per user-assigned identity).
pub const MAX_FICS_PER_APPLICATION: usize = 20;
/// `name`: 3-120 characters.
pub const NAME_MIN: usize = 3;
pub const NAME_MAX: usize = 120;
/// `issuer`, `subject`, each audience and `description`: at most 600 characters.
pub const VALUE_MAX: usize = 600;

/// What a Graph POST or PATCH body carries: every property optional, Graph's camelCase names.
/// Unknown members (`@odata.type`…) are tolerated and dropped.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FicDraft {
    /// Graph ignores a client-supplied id on create; kept so a pasted FIC keeps its identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ObjectId>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub audiences: Option<Vec<String>>,
    #[serde(default)]
    pub description: Option<String>,
    /// A flexible FIC's expression, in place of `subject`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims_matching_expression: Option<ClaimsMatchingExpression>,
}

impl FicDraft {
    /// Parses a JSON request body. Bad JSON or wrong member types are Graph's
    /// "Unable to read JSON request payload" error.
    pub fn parse_json(body: &str) -> Result<FicDraft, FicError> {
        // serde would also read a struct from a JSON array; Graph wants an object.
        match serde_json::from_str::<serde_json::Value>(body) {
            Ok(v @ serde_json::Value::Object(_)) => {
                serde_json::from_value(v).map_err(|_| FicError::UnreadableBody)
            }
            _ => Err(FicError::UnreadableBody),
        }
    }

    /// The draft a stored FIC would be if posted again.
    pub fn from_fic(fic: &FederatedIdentityCredential) -> FicDraft {
        FicDraft {
            id: Some(fic.id),
            name: Some(fic.name.clone()),
            issuer: Some(fic.issuer.clone()),
            subject: Some(fic.subject.clone()),
            audiences: Some(fic.audiences.clone()),
            description: fic.description.clone(),
            claims_matching_expression: fic.claims_matching_expression.clone(),
        }
    }
}

/// A property of a FIC, to point the playground at the right input box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    Name,
    Issuer,
    Subject,
    Audiences,
    Description,
    /// The application's FIC collection as a whole (the 20-credential limit).
    Collection,
    /// The request body as a whole.
    Body,
}

impl Field {
    /// Graph's property name.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Issuer => "issuer",
            Field::Subject => "subject",
            Field::Audiences => "audiences",
            Field::Description => "description",
            Field::Collection => "federatedIdentityCredentials",
            Field::Body => "body",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One broken rule. Carries what the message needs and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FicError {
    /// The body is not JSON, or a member has the wrong type.
    UnreadableBody,
    /// A required property (`name`, `issuer`, `subject`, `audiences`) is absent, null or empty.
    Missing(Field),
    /// `name` outside 3-120 characters.
    NameLength { name: String, len: usize },
    /// `name` has a character other than ASCII letters, digits, `-` and `_`.
    NameNotUrlFriendly { name: String },
    /// `name` starts with `-` or `_`.
    NameFirstCharNotAlphanumeric { name: String },
    /// A PATCH tried to rename: "It's immutable once created."
    NameImmutable,
    /// `audiences` has more than one value: "This field can only accept a single value".
    AudienceCount { count: usize },
    /// `issuer`, `subject`, an audience or `description` longer than 600 characters.
    TooLong { field: Field, len: usize },
    /// `*` in issuer, subject or audience: classic FICs have no wildcards.
    Wildcard(Field),
    /// The application already has 20 FICs.
    TooMany,
    /// Another FIC of the application has the same issuer and subject (exact comparison).
    DuplicateIssuerSubject { issuer: String, subject: String },
    /// Another FIC of the application has the same name.
    DuplicateName { name: String },
    /// Both `subject` and `claimsMatchingExpression` are set: "Either 'subject' or
    /// 'claimsMatchingExpression' must be defined, but not both."
    SubjectAndExpression,
    /// The expression is not in the language (or not language version 1).
    ExpressionInvalid { reason: String },
    /// The expression reads none of the claims Entra requires (`sub`).
    ExpressionLacksRequiredClaims,
}

impl FicError {
    /// The field the playground should highlight.
    pub fn field(&self) -> Field {
        match self {
            FicError::UnreadableBody => Field::Body,
            FicError::Missing(f) | FicError::Wildcard(f) | FicError::TooLong { field: f, .. } => *f,
            FicError::NameLength { .. }
            | FicError::NameNotUrlFriendly { .. }
            | FicError::NameFirstCharNotAlphanumeric { .. }
            | FicError::NameImmutable
            | FicError::DuplicateName { .. } => Field::Name,
            FicError::AudienceCount { .. } => Field::Audiences,
            FicError::TooMany => Field::Collection,
            FicError::DuplicateIssuerSubject { .. }
            | FicError::SubjectAndExpression
            | FicError::ExpressionInvalid { .. }
            | FicError::ExpressionLacksRequiredClaims => Field::Subject,
        }
    }

    /// Graph's `error.code`.
    pub fn graph_code(&self) -> &'static str {
        match self {
            // UNCONFIRMED: Graph's generic code for an unreadable payload.
            FicError::UnreadableBody => "BadRequest",
            // UNCONFIRMED: Graph's generic property-validation code.
            FicError::Missing(_)
            | FicError::NameLength { .. }
            | FicError::NameNotUrlFriendly { .. }
            | FicError::NameFirstCharNotAlphanumeric { .. }
            | FicError::NameImmutable
            | FicError::TooMany => "Request_BadRequest",
            // Confirmed for the duplicate issuer+subject case; UNCONFIRMED (same family chosen)
            // for the other FIC value rules.
            FicError::AudienceCount { .. }
            | FicError::TooLong { .. }
            | FicError::Wildcard(_)
            | FicError::DuplicateIssuerSubject { .. }
            | FicError::SubjectAndExpression
            | FicError::ExpressionInvalid { .. }
            | FicError::ExpressionLacksRequiredClaims => "InvalidFederatedIdentityCredentialValue",
            // From azure-workload-identity's error table; status UNCONFIRMED.
            FicError::DuplicateName { .. } => "Request_MultipleObjectsWithSameKeyValue",
        }
    }

    /// Every rule is a 400.
    /// UNCONFIRMED for the duplicate name (400 chosen, reference F.2 "400 likely") and for the
    /// 20-credential limit.
    pub fn http_status(&self) -> u16 {
        400
    }

    /// Graph's `error.message`.
    pub fn message(&self) -> String {
        let invalid = |f: Field| {
            // UNCONFIRMED: Graph's usual property-validation wording, applied to FICs.
            format!(
                "Invalid value specified for property '{f}' of resource 'FederatedIdentityCredential'."
            )
        };
        match self {
            // UNCONFIRMED wording (Graph's usual text for an unreadable payload).
            FicError::UnreadableBody => "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.".to_owned(),
            FicError::Missing(f) => invalid(*f),
            // The documented wording (entra-docs, workload-identity-federation-considerations,
            // "Errors", which applies to applications and user-assigned managed identities).
            FicError::NameLength { name, .. }
            | FicError::NameNotUrlFriendly { name }
            | FicError::NameFirstCharNotAlphanumeric { name } => {
                format!("Federated Identity Credential name '{name}' is invalid.")
            }
            // UNCONFIRMED wording.
            FicError::NameImmutable => "Property 'name' is read-only and cannot be updated.".to_owned(),
            // Wording of the managed-identity FIC API; UNCONFIRMED for Graph's application API.
            FicError::AudienceCount { .. } => "Federated identity credentials must have exactly one audience.".to_owned(),
            // UNCONFIRMED wording.
            FicError::TooLong { field, .. } => {
                format!("The value of property '{field}' exceeds the maximum length of {VALUE_MAX} characters.")
            }
            // UNCONFIRMED wording.
            FicError::Wildcard(f) => {
                format!("Wildcard characters are not supported in property '{f}' of a federated identity credential.")
            }
            // UNCONFIRMED wording.
            FicError::TooMany => format!(
                "The maximum number of federated identity credentials ({MAX_FICS_PER_APPLICATION}) for the application has been reached."
            ),
            // Verbatim (Azure/azure-workload-identity#434).
            FicError::DuplicateIssuerSubject { issuer, subject } => format!(
                "The combination of issuer and subject must be unique for the application. Issuer {issuer} and Subject: {subject} already exist. paramName: FederatedIdentityCredential.Subject, paramValue: {subject}, objectType: Microsoft.Online.DirectoryServices.Application"
            ),
            // azure-workload-identity `pkg/cloud/errors.go`.
            FicError::DuplicateName { name } => format!("FederatedIdentityCredential with name {name} already exists."),
            // UNCONFIRMED wording; the rule is the documented one.
            FicError::SubjectAndExpression => "Either 'subject' or 'claimsMatchingExpression' must be defined, but not both.".to_owned(),
            // UNCONFIRMED wording.
            FicError::ExpressionInvalid { reason } => format!("The claims matching expression is invalid: {reason}."),
            // "lacks all required claims" is captured (2026 runbook, id 62791864960); the rest
            // of the sentence is UNCONFIRMED.
            FicError::ExpressionLacksRequiredClaims => "The claims matching expression lacks all required claims: it must read claims['sub'].".to_owned(),
        }
    }

    /// The rule in plain English, for the playground (Graph's own messages are terse).
    pub fn rule(&self) -> String {
        match self {
            FicError::UnreadableBody => {
                "The body must be a JSON object with string properties and an `audiences` array."
                    .to_owned()
            }
            FicError::Missing(f) => format!("`{f}` is required and must not be empty."),
            FicError::NameLength { len, .. } => {
                format!("`name` must be {NAME_MIN}-{NAME_MAX} characters long; it has {len}.")
            }
            FicError::NameNotUrlFriendly { .. } => {
                "`name` may only contain letters, digits, `-` and `_`.".to_owned()
            }
            FicError::NameFirstCharNotAlphanumeric { .. } => {
                "`name` must start with a letter or digit.".to_owned()
            }
            FicError::NameImmutable => {
                "`name` cannot change once the credential exists; create a new one instead."
                    .to_owned()
            }
            FicError::AudienceCount { count } => {
                format!("`audiences` takes exactly one value; it has {count}.")
            }
            FicError::TooLong { field, len } => {
                format!("`{field}` may be at most {VALUE_MAX} characters; it has {len}.")
            }
            FicError::Wildcard(f) => {
                format!("`{f}` must not contain `*`: classic federated credentials match exactly.")
            }
            FicError::TooMany => format!(
                "An application can have at most {MAX_FICS_PER_APPLICATION} federated credentials."
            ),
            FicError::DuplicateIssuerSubject { .. } => {
                "Another credential of this application already has this issuer and subject."
                    .to_owned()
            }
            FicError::DuplicateName { name } => {
                format!("Another credential of this application is already named `{name}`.")
            }
            FicError::SubjectAndExpression => {
                "A flexible credential matches with its expression: leave `subject` empty."
                    .to_owned()
            }
            FicError::ExpressionInvalid { reason } => format!(
                "The expression must be `claims['<claim>'] matches|eq '<value>'` conditions joined by ` and `, language version 1 ({reason})."
            ),
            FicError::ExpressionLacksRequiredClaims => {
                "The expression must include a condition on `claims['sub']`.".to_owned()
            }
        }
    }
}

impl fmt::Display for FicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for FicError {}

impl From<FicError> for GraphError {
    fn from(e: FicError) -> Self {
        GraphError::new(e.http_status(), e.graph_code(), e.message())
    }
}

impl From<&FicError> for GraphError {
    fn from(e: &FicError) -> Self {
        GraphError::new(e.http_status(), e.graph_code(), e.message())
    }
}

/// A FIC that passed the rules and waits for the id Graph will give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFic {
    pub name: String,
    pub issuer: String,
    pub subject: String,
    pub audience: String,
    pub description: Option<String>,
    pub claims_matching_expression: Option<ClaimsMatchingExpression>,
}

impl NewFic {
    /// The stored object, with the id the caller allocated.
    pub fn with_id(self, id: ObjectId) -> FederatedIdentityCredential {
        FederatedIdentityCredential {
            id,
            name: self.name,
            issuer: self.issuer,
            subject: self.subject,
            audiences: vec![self.audience],
            description: self.description,
            claims_matching_expression: self.claims_matching_expression,
            created_at: None,
        }
    }
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// Problems of the name alone.
fn name_problems(name: &str, out: &mut Vec<FicError>) {
    let len = utf16_len(name);
    if !(NAME_MIN..=NAME_MAX).contains(&len) {
        out.push(FicError::NameLength {
            name: name.to_owned(),
            len,
        });
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        // UNCONFIRMED: "alphanumeric" read as ASCII only.
        out.push(FicError::NameNotUrlFriendly {
            name: name.to_owned(),
        });
    }
    if name.chars().next().is_some_and(|c| c == '-' || c == '_') {
        out.push(FicError::NameFirstCharNotAlphanumeric {
            name: name.to_owned(),
        });
    }
}

/// Problems of one issuer/subject/audience value: length and wildcards.
fn value_problems(field: Field, value: &str, out: &mut Vec<FicError>) {
    let len = utf16_len(value);
    if len > VALUE_MAX {
        out.push(FicError::TooLong { field, len });
    }
    // UNCONFIRMED: the docs say wildcards "aren't supported"; we reject `*` at write time rather
    // than let it silently never match.
    if value.contains('*') {
        out.push(FicError::Wildcard(field));
    }
}

/// Every per-field problem of the merged values, in Graph's order (required, then format).
fn shape_problems(
    name: Option<&str>,
    issuer: Option<&str>,
    subject: Option<&str>,
    expression: Option<&ClaimsMatchingExpression>,
    audiences: Option<&[String]>,
    description: Option<&str>,
) -> Vec<FicError> {
    let mut out = Vec::new();
    match name {
        None => out.push(FicError::Missing(Field::Name)),
        Some(n) => name_problems(n, &mut out),
    }
    match issuer {
        None => out.push(FicError::Missing(Field::Issuer)),
        Some(v) => value_problems(Field::Issuer, v, &mut out),
    }
    match (subject, expression) {
        (None, None) => out.push(FicError::Missing(Field::Subject)),
        (Some(_), Some(_)) => out.push(FicError::SubjectAndExpression),
        (Some(v), None) => value_problems(Field::Subject, v, &mut out),
        (None, Some(e)) => expression_problems(e, &mut out),
    }
    let audiences: Vec<&str> = audiences
        .unwrap_or(&[])
        .iter()
        .map(String::as_str)
        .collect();
    match audiences.as_slice() {
        [] => out.push(FicError::Missing(Field::Audiences)),
        [""] => out.push(FicError::Missing(Field::Audiences)),
        [one] => value_problems(Field::Audiences, one, &mut out),
        many => {
            out.push(FicError::AudienceCount { count: many.len() });
            for a in many {
                value_problems(Field::Audiences, a, &mut out);
            }
        }
    }
    if let Some(d) = description {
        let len = utf16_len(d);
        if len > VALUE_MAX {
            out.push(FicError::TooLong {
                field: Field::Description,
                len,
            });
        }
    }
    out
}

/// Problems of a flexible FIC's expression: language version 1, in the language, reading `sub`.
///
/// UNCONFIRMED: which claims Entra requires per issuer; `sub` is required for every issuer.
fn expression_problems(e: &ClaimsMatchingExpression, out: &mut Vec<FicError>) {
    if e.language_version != expression::LANGUAGE_VERSION {
        out.push(FicError::ExpressionInvalid {
            reason: format!("language version {} is not supported", e.language_version),
        });
        return;
    }
    match expression::Expression::parse(&e.value) {
        Err(err) => out.push(FicError::ExpressionInvalid {
            reason: err.to_string(),
        }),
        Ok(parsed) if !parsed.claims().any(|c| c == "sub") => {
            out.push(FicError::ExpressionLacksRequiredClaims)
        }
        Ok(_) => {}
    }
}

/// Problems that come from the application's other FICs.
fn sibling_problems(
    name: Option<&str>,
    issuer: Option<&str>,
    subject: Option<&str>,
    siblings: &[&FederatedIdentityCredential],
    creating: bool,
) -> Vec<FicError> {
    let mut out = Vec::new();
    if creating && siblings.len() >= MAX_FICS_PER_APPLICATION {
        out.push(FicError::TooMany);
    }
    if let Some(name) = name {
        // UNCONFIRMED: name uniqueness compared case-insensitively, as Graph's alternate keys are.
        if siblings.iter().any(|f| f.name.eq_ignore_ascii_case(name)) {
            out.push(FicError::DuplicateName {
                name: name.to_owned(),
            });
        }
    }
    if let (Some(issuer), Some(subject)) = (issuer, subject)
        && siblings
            .iter()
            .any(|f| f.issuer == issuer && f.subject == subject)
    {
        out.push(FicError::DuplicateIssuerSubject {
            issuer: issuer.to_owned(),
            subject: subject.to_owned(),
        });
    }
    out
}

/// Every problem of a draft about to be created, all at once (the playground checks as the user
/// types). Empty means [`validate_create`] succeeds.
pub fn field_problems(
    draft: &FicDraft,
    existing: &[FederatedIdentityCredential],
) -> Vec<(Field, FicError)> {
    let siblings: Vec<&FederatedIdentityCredential> = existing.iter().collect();
    let mut all = shape_problems(
        present(&draft.name),
        present(&draft.issuer),
        present(&draft.subject),
        draft.claims_matching_expression.as_ref(),
        draft.audiences.as_deref(),
        draft.description.as_deref(),
    );
    all.extend(sibling_problems(
        present(&draft.name),
        present(&draft.issuer),
        present(&draft.subject),
        &siblings,
        true,
    ));
    all.into_iter().map(|e| (e.field(), e)).collect()
}

/// `POST /applications/{id}/federatedIdentityCredentials`: the first broken rule, or the FIC to
/// store. `existing` are the application's current FICs.
pub fn validate_create(
    draft: &FicDraft,
    existing: &[FederatedIdentityCredential],
) -> Result<NewFic, FicError> {
    if let Some((_, first)) = field_problems(draft, existing).into_iter().next() {
        return Err(first);
    }
    Ok(NewFic {
        name: draft.name.clone().unwrap_or_default(),
        issuer: draft.issuer.clone().unwrap_or_default(),
        subject: draft.subject.clone().unwrap_or_default(),
        audience: draft
            .audiences
            .as_ref()
            .and_then(|a| a.first().cloned())
            .unwrap_or_default(),
        description: draft.description.clone(),
        claims_matching_expression: draft.claims_matching_expression.clone(),
    })
}

/// `PATCH /applications/{id}/federatedIdentityCredentials/{id}`: absent (or null) properties keep
/// their value; `name` may be repeated but not changed. `siblings` are the application's FICs
/// (the one being patched, if present among them, is skipped by id).
pub fn validate_patch(
    existing: &FederatedIdentityCredential,
    patch: &FicDraft,
    siblings: &[FederatedIdentityCredential],
) -> Result<FederatedIdentityCredential, FicError> {
    if let Some(name) = &patch.name
        && name != &existing.name
    {
        return Err(FicError::NameImmutable);
    }
    let merged = FederatedIdentityCredential {
        id: existing.id,
        name: existing.name.clone(),
        issuer: patch
            .issuer
            .clone()
            .unwrap_or_else(|| existing.issuer.clone()),
        subject: patch
            .subject
            .clone()
            .unwrap_or_else(|| existing.subject.clone()),
        audiences: patch
            .audiences
            .clone()
            .unwrap_or_else(|| existing.audiences.clone()),
        description: patch
            .description
            .clone()
            .or_else(|| existing.description.clone()),
        claims_matching_expression: patch
            .claims_matching_expression
            .clone()
            .or_else(|| existing.claims_matching_expression.clone()),
        created_at: existing.created_at,
    };
    let others: Vec<&FederatedIdentityCredential> =
        siblings.iter().filter(|f| f.id != existing.id).collect();
    let mut problems = shape_problems(
        Some(merged.name.as_str()),
        nonempty(&merged.issuer),
        nonempty(&merged.subject),
        merged.claims_matching_expression.as_ref(),
        Some(&merged.audiences),
        merged.description.as_deref(),
    );
    // The name did not change, so it cannot newly collide.
    problems.extend(sibling_problems(
        None,
        nonempty(&merged.issuer),
        nonempty(&merged.subject),
        &others,
        false,
    ));
    match problems.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(merged),
    }
}

fn nonempty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests;
