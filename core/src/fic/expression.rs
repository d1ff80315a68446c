//! The restricted expression language of flexible FICs (`claimsMatchingExpression`, language
//! version 1), parsed once and evaluated against an assertion's claims.
//!
//! Microsoft's documented structure: a claim lookup `claims['<name>']`, one space, an operator
//! name, one space, and a comparand in single quotes; several such conditions joined by `and`.
//! Operators: `matches` (wildcards `*` for any run of characters and `?` for one character) and
//! `eq` (exact). Comparison is case-sensitive, like classic FIC subjects. There is no `or` and
//! no escaping inside comparands (a quote cannot appear in one).
//!
//! UNCONFIRMED choices: `and` is case-sensitive and must be surrounded by single spaces, like the
//! operator; a claim that is absent or not a string never matches.

use serde_json::{Map, Value};

/// The one language version Graph accepts.
pub const LANGUAGE_VERSION: i32 = 1;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// Wildcards `*` and `?`.
    Matches,
    /// Exact equality.
    Eq,
}

impl Operator {
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Matches => "matches",
            Operator::Eq => "eq",
        }
    }
}

/// One `claims['name'] op 'comparand'` condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub claim: String,
    pub operator: Operator,
    pub comparand: String,
}

impl Condition {
    /// Whether the claim `value` satisfies this condition.
    pub fn accepts(&self, value: &str) -> bool {
        match self.operator {
            Operator::Eq => value == self.comparand,
            Operator::Matches => wildcard_match(&self.comparand, value),
        }
    }
}

/// A parsed expression: every condition must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expression {
    pub conditions: Vec<Condition>,
}

/// Why an expression text is not in the language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpressionError {
    #[error("the expression is empty")]
    Empty,
    #[error("expected `claims['<name>']` at character {0}")]
    ClaimLookup(usize),
    #[error("expected ` matches ` or ` eq ` at character {0}")]
    Operator(usize),
    #[error("expected a comparand in single quotes at character {0}")]
    Comparand(usize),
    #[error("expected ` and ` or the end at character {0}")]
    Conjunction(usize),
}

impl Expression {
    /// Parses `text` (the FIC's `claimsMatchingExpression.value`).
    pub fn parse(text: &str) -> Result<Expression, ExpressionError> {
        if text.trim().is_empty() {
            return Err(ExpressionError::Empty);
        }
        let mut conditions = Vec::new();
        let mut rest = text;
        loop {
            let at = text.len() - rest.len();
            let after = rest
                .strip_prefix("claims['")
                .ok_or(ExpressionError::ClaimLookup(at))?;
            let end = after.find("']").ok_or(ExpressionError::ClaimLookup(at))?;
            let claim = &after[..end];
            if claim.is_empty() || claim.contains('\'') {
                return Err(ExpressionError::ClaimLookup(at));
            }
            rest = &after[end + 2..];
            let at = text.len() - rest.len();
            let (operator, after) = if let Some(r) = rest.strip_prefix(" matches ") {
                (Operator::Matches, r)
            } else if let Some(r) = rest.strip_prefix(" eq ") {
                (Operator::Eq, r)
            } else {
                return Err(ExpressionError::Operator(at));
            };
            rest = after;
            let at = text.len() - rest.len();
            let quoted = rest
                .strip_prefix('\'')
                .ok_or(ExpressionError::Comparand(at))?;
            let end = quoted.find('\'').ok_or(ExpressionError::Comparand(at))?;
            conditions.push(Condition {
                claim: claim.to_owned(),
                operator,
                comparand: quoted[..end].to_owned(),
            });
            rest = &quoted[end + 1..];
            if rest.is_empty() {
                return Ok(Expression { conditions });
            }
            let at = text.len() - rest.len();
            rest = rest
                .strip_prefix(" and ")
                .ok_or(ExpressionError::Conjunction(at))?;
        }
    }

    /// Whether every condition holds for `claims`.
    pub fn accepts(&self, claims: &Map<String, Value>) -> bool {
        self.conditions.iter().all(|c| {
            claims
                .get(&c.claim)
                .and_then(Value::as_str)
                .is_some_and(|v| c.accepts(v))
        })
    }

    /// The claims the expression reads.
    pub fn claims(&self) -> impl Iterator<Item = &str> {
        self.conditions.iter().map(|c| c.claim.as_str())
    }
}

/// `*` matches any run of characters (also none), `?` exactly one; everything else itself.
pub fn wildcard_match(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let v: Vec<char> = value.chars().collect();
    // Iterative matching with one backtrack point (the last `*`): linear in practice, never
    // exponential on adversarial patterns.
    let (mut pi, mut vi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == v[vi])) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, vi));
            pi += 1;
        } else if let Some((sp, sv)) = star {
            pi = sp + 1;
            vi = sv + 1;
            star = Some((sp, sv + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn a_branch_wildcard_accepts_every_branch_of_the_repository_and_nothing_else() {
        let e =
            Expression::parse("claims['sub'] matches 'repo:contoso/app:ref:refs/heads/*'").unwrap();
        assert!(e.accepts(&claims(
            json!({"sub": "repo:contoso/app:ref:refs/heads/feature/x"})
        )));
        assert!(!e.accepts(&claims(json!({"sub": "repo:contoso/app:environment:prod"}))));
        assert!(!e.accepts(&claims(
            json!({"sub": "repo:Contoso/app:ref:refs/heads/main"})
        )));
    }

    #[test]
    fn and_requires_every_condition() {
        let e = Expression::parse(
            "claims['sub'] matches 'repo:*:environment:production' and claims['repository_id'] eq '74'",
        )
        .unwrap();
        assert_eq!(e.conditions.len(), 2);
        let ok = json!({"sub": "repo:o/r:environment:production", "repository_id": "74"});
        let other_repo = json!({"sub": "repo:o/r:environment:production", "repository_id": "75"});
        assert!(e.accepts(&claims(ok)));
        assert!(!e.accepts(&claims(other_repo)));
        assert!(!e.accepts(&claims(json!({"sub": "repo:o/r:environment:production"}))));
    }

    #[test]
    fn question_mark_is_exactly_one_character() {
        assert!(wildcard_match("v?", "v1"));
        assert!(!wildcard_match("v?", "v"));
        assert!(!wildcard_match("v?", "v12"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match("a*b*c", "aXXbYY"));
    }

    #[test]
    fn text_outside_the_language_is_refused_with_the_place() {
        assert_eq!(Expression::parse(""), Err(ExpressionError::Empty));
        assert_eq!(
            Expression::parse("claims[\"sub\"] eq 'x'"),
            Err(ExpressionError::ClaimLookup(0))
        );
        assert_eq!(
            Expression::parse("claims['sub'] contains 'x'"),
            Err(ExpressionError::Operator(13))
        );
        assert_eq!(
            Expression::parse("claims['sub'] eq x"),
            Err(ExpressionError::Comparand(17))
        );
        assert_eq!(
            Expression::parse("claims['sub'] eq 'x' or claims['a'] eq 'b'"),
            Err(ExpressionError::Conjunction(20))
        );
    }

    #[test]
    fn a_missing_or_non_string_claim_never_matches() {
        let e = Expression::parse("claims['run_attempt'] matches '*'").unwrap();
        assert!(!e.accepts(&claims(json!({"run_attempt": 2}))));
        assert!(!e.accepts(&claims(json!({}))));
    }
}
