//! Injected faults (`POST /_mock/faults`): a status, a latency, a count and a path pattern. The
//! engine applies them before routing, so injected failures show in the inspector like real ones.

use serde::{Deserialize, Serialize};

/// One fault rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// Status to answer with; absent means "only add latency".
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub latency_ms: u64,
    /// How many requests it applies to; absent means until deleted.
    #[serde(default)]
    pub count: Option<u32>,
    /// Path pattern: `*` matches any run of characters; matched case-insensitively.
    #[serde(default = "any_path")]
    pub path: String,
    /// `Retry-After` seconds (defaults to 1 for 429 and 503).
    #[serde(default)]
    pub retry_after: Option<u64>,
}

fn any_path() -> String {
    "*".to_owned()
}

/// The fault rules in force.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<Fault>,
}

/// What to do to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub status: Option<u16>,
    pub latency_ms: u64,
    pub retry_after: Option<u64>,
}

impl Faults {
    pub fn add(&mut self, fault: Fault) {
        self.rules.push(fault);
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    pub fn list(&self) -> &[Fault] {
        &self.rules
    }

    /// The first rule matching `path`, consuming one of its count.
    pub fn take(&mut self, path: &str) -> Option<Applied> {
        let idx = self.rules.iter().position(|f| glob(&f.path, path))?;
        let rule = &mut self.rules[idx];
        let applied = Applied {
            status: rule.status,
            latency_ms: rule.latency_ms,
            retry_after: rule.retry_after.or(match rule.status {
                Some(429 | 503) => Some(1),
                _ => None,
            }),
        };
        if let Some(c) = rule.count.as_mut() {
            *c = c.saturating_sub(1);
            if *c == 0 {
                self.rules.remove(idx);
            }
        }
        Some(applied)
    }
}

/// `*`-glob, case-insensitive.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None, 0usize);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_prefixes_and_wildcards() {
        assert!(glob("*", "/anything"));
        assert!(glob("/metadata/*", "/metadata/identity/oauth2/token"));
        assert!(glob("*/oauth2/v2.0/token", "/contoso/oauth2/v2.0/token"));
        assert!(!glob("/msi/*", "/metadata/identity"));
        assert!(glob("/MSI/token", "/msi/token"));
    }

    #[test]
    fn counted_faults_expire() {
        let mut f = Faults::default();
        f.add(Fault {
            status: Some(429),
            latency_ms: 0,
            count: Some(1),
            path: "*".into(),
            retry_after: None,
        });
        assert_eq!(f.take("/x").and_then(|a| a.retry_after), Some(1));
        assert!(f.take("/x").is_none());
    }
}
