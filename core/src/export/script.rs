//! Whole-scenario export: every step of a guided scenario (or a lab run) as one script that
//! chains them (the managed-identity token feeds the exchange, the app token the resource call),
//! checks each outcome and reports the deliberate AADSTS mistakes instead of stopping at them.
//!
//! One script, two targets: endpoints are read from the environment with Azure's values as
//! defaults ([`crate::client::env_var`]), so a script runs against real Azure as it is and against
//! mock-entra after `eval "$(mock-entra env)"`. The requests are the ones the playground sends
//! (built by [`crate::scenario`] through [`crate::client`]); nothing here builds a request.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::client::{Body, HttpExchange, Piece, placeholders, render_pieces};
use crate::scenario::env::set_by;
use crate::scenario::{Expect, token_field};

/// The line that aims every exported script at a running mock-entra.
pub const SETUP_LINE: &str = "eval \"$(mock-entra env)\"";

/// A scenario or lab run, ready to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub title: String,
    pub steps: Vec<PlanStep>,
}

/// What a step of a [`Plan`] should answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Entra refuses with one of these AADSTS codes: one for a deliberate mistake, several when a
    /// lab run combines mistakes (Entra reports the first rule that fails).
    Aadsts(Vec<u32>),
}

impl From<Expect> for Outcome {
    fn from(e: Expect) -> Outcome {
        match e {
            Expect::Success => Outcome::Success,
            Expect::Aadsts(c) => Outcome::Aadsts(vec![c.code()]),
        }
    }
}

impl Outcome {
    /// The codes as a list literal: `[one]` is the code itself, several are `open … close`
    /// around `, `-separated codes (each script language writes its own brackets).
    fn codes(codes: &[u32], open: &str, close: &str) -> String {
        let list: Vec<String> = codes.iter().map(u32::to_string).collect();
        match list.as_slice() {
            [one] => one.clone(),
            _ => format!("{open}{}{close}", list.join(", ")),
        }
    }
}

/// One request of a [`Plan`] and the outcome it should have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStep {
    /// Stable id (`mi-token`), printed on the step's outcome line.
    pub id: String,
    pub title: String,
    pub request: HttpExchange,
    pub expect: Outcome,
    /// The step name (`miTokenResponse`) whose `access_token` later steps read.
    pub stores: Option<String>,
    /// Whether the script prints the response body (the resource calls).
    pub show_body: bool,
}

/// The languages a whole scenario exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScriptLang {
    Bash,
    Python,
    PowerShell,
    RestClient,
    CSharp,
    Rust,
}

impl ScriptLang {
    pub const ALL: [ScriptLang; 6] = [
        ScriptLang::Bash,
        ScriptLang::Python,
        ScriptLang::RestClient,
        ScriptLang::PowerShell,
        ScriptLang::CSharp,
        ScriptLang::Rust,
    ];

    /// A short stable id (test ids, snapshot names).
    pub fn id(self) -> &'static str {
        match self {
            ScriptLang::Bash => "bash",
            ScriptLang::Python => "python",
            ScriptLang::PowerShell => "powershell",
            ScriptLang::RestClient => "http",
            ScriptLang::CSharp => "csharp",
            ScriptLang::Rust => "rust",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ScriptLang::Bash => "bash + curl",
            ScriptLang::Python => "Python",
            ScriptLang::PowerShell => "PowerShell",
            ScriptLang::RestClient => ".http",
            ScriptLang::CSharp => "C#",
            ScriptLang::Rust => "Rust",
        }
    }

    /// The file name the script is meant to be saved as.
    pub fn file_name(self) -> &'static str {
        match self {
            ScriptLang::Bash => "scenario.sh",
            ScriptLang::Python => "scenario.py",
            ScriptLang::PowerShell => "scenario.ps1",
            ScriptLang::RestClient => "scenario.http",
            ScriptLang::CSharp => "Program.cs",
            ScriptLang::Rust => "main.rs",
        }
    }
}

/// The plan as a script in `lang`.
pub fn script(plan: &Plan, lang: ScriptLang) -> String {
    match lang {
        ScriptLang::Bash => bash(plan),
        ScriptLang::Python => python(plan),
        ScriptLang::PowerShell => powershell(plan),
        ScriptLang::RestClient => rest_client(plan),
        ScriptLang::CSharp => csharp(plan),
        ScriptLang::Rust => rust(plan),
    }
}

// --- shared -----------------------------------------------------------------------------------

/// `miTokenResponse` -> `miToken`: the variable holding the token value, not the response.
pub fn token_var(step: &str) -> String {
    step.strip_suffix("Response").unwrap_or(step).to_owned()
}

/// `miTokenResponse` -> `mi_token`, for Python and Rust.
pub fn token_var_snake(step: &str) -> String {
    let mut out = String::new();
    for c in token_var(step).chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Every string of a request, in order (URL, query values, headers, body).
fn strings(x: &HttpExchange) -> Vec<&str> {
    let mut out = vec![x.url.as_str()];
    out.extend(x.query.iter().map(|(_, v)| v.as_str()));
    out.extend(x.headers.iter().map(|(_, v)| v.as_str()));
    match &x.body {
        Some(Body::Form(f)) => out.extend(f.iter().map(|(_, v)| v.as_str())),
        Some(Body::Json(j)) => out.push(j),
        None => {}
    }
    out
}

/// The environment variables the requests read, first use first, with Azure's value (None:
/// no default exists, the platform sets it).
pub fn env_vars<'a>(
    requests: impl IntoIterator<Item = &'a HttpExchange>,
) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = vec![];
    for x in requests {
        for s in strings(x) {
            for p in placeholders(s) {
                if let Piece::Env { name, default } = p
                    && !out.iter().any(|(n, _)| n == name)
                {
                    out.push((name.to_owned(), default.map(str::to_owned)));
                }
            }
        }
    }
    out
}

fn only_text(s: &str) -> bool {
    placeholders(s).iter().all(|p| matches!(p, Piece::Text(_)))
}

/// Renders each piece: text through `text`, a token through `token`, a variable through `env`.
fn pieces(
    s: &str,
    text: impl Fn(&str) -> String,
    token: impl Fn(&str) -> String,
    env: impl Fn(&str) -> String,
) -> String {
    render_pieces(s, text, token, |name, _| env(name))
}

/// `application/x-www-form-urlencoded` bodies are written by every client library itself.
fn is_form(x: &HttpExchange) -> bool {
    matches!(x.body, Some(Body::Form(_)))
}

/// The headers to write out: all but a form's Content-Type, which the client library writes.
pub(crate) fn sent_headers(x: &HttpExchange) -> impl Iterator<Item = &(String, String)> {
    x.headers
        .iter()
        .filter(move |(k, _)| !(is_form(x) && k.eq_ignore_ascii_case("Content-Type")))
}

fn expect_comment(e: &Outcome) -> String {
    match e {
        Outcome::Success => "success".to_owned(),
        Outcome::Aadsts(codes) => match codes.as_slice() {
            [c] => format!("AADSTS{c} (the deliberate mistake)"),
            _ => format!(
                "one of {} (the deliberate mistakes: Entra reports the first rule that fails)",
                codes
                    .iter()
                    .map(|c| format!("AADSTS{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    }
}

/// Whether a step after `i` reads the token step `i` stores before another step stores it again
/// (the Rust script binds only tokens it reads: generated code compiles without warnings).
fn token_read_later(plan: &Plan, i: usize) -> bool {
    let Some(name) = &plan.steps[i].stores else {
        return false;
    };
    for s in &plan.steps[i + 1..] {
        let reads = strings(&s.request).into_iter().any(|v| {
            placeholders(v)
                .iter()
                .any(|p| matches!(p, Piece::TokenOf(step) if step == name))
        });
        if reads {
            return true;
        }
        if s.stores.as_ref() == Some(name) {
            return false;
        }
    }
    false
}

fn header(plan: &Plan, comment: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{comment} {}", plan.title);
    let _ = writeln!(
        out,
        "{comment} Runs against real Azure as it is, and against mock-entra after: {SETUP_LINE}"
    );
    out
}

// --- Azure CLI and Azure PowerShell equivalents ------------------------------------------------

fn query<'a>(x: &'a HttpExchange, k: &str) -> Option<&'a str> {
    x.query
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.as_str())
}

fn form<'a>(x: &'a HttpExchange, k: &str) -> Option<&'a str> {
    match &x.body {
        Some(Body::Form(f)) => f.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()),
        _ => None,
    }
}

/// The path after the endpoint placeholder (`/{tenant}/oauth2/v2.0/token`).
fn path(x: &HttpExchange) -> &str {
    x.url.rsplit_once("}}").map_or(x.url.as_str(), |(_, p)| p)
}

/// What a step is in the Azure CLI and in Azure PowerShell, where it has an equivalent: the
/// `az` / `Az` command that sends the same request (or, for admin consent, the same change).
pub fn equivalents(x: &HttpExchange) -> Option<(String, String)> {
    let p = path(x);
    let segment = |i: usize| p.split('/').nth(i).unwrap_or_default().to_owned();
    if p.ends_with("/metadata/identity/oauth2/token")
        || x.headers.iter().any(|(k, _)| k == "X-IDENTITY-HEADER")
    {
        let resource = query(x, "resource")?;
        let (az_user, ps_user) = match query(x, "client_id") {
            Some(c) => (format!(" --client-id {c}"), format!(" -AccountId {c}")),
            None => (String::new(), String::new()),
        };
        return Some((
            format!(
                "az login --identity{az_user} --allow-no-subscriptions && az account get-access-token --resource {resource}"
            ),
            format!(
                "Connect-AzAccount -Identity{ps_user}; Get-AzAccessToken -ResourceUrl {resource}"
            ),
        ));
    }
    if p.ends_with("/oauth2/v2.0/token") {
        let tenant = segment(1);
        let client = form(x, "client_id")?;
        let scope = form(x, "scope")?;
        let resource = scope.trim_end_matches("/.default");
        if let Some(assertion) = form(x, "client_assertion") {
            // The variable of the step whose token is the assertion (`$miToken`, `$idToken`).
            let var = placeholders(assertion)
                .iter()
                .find_map(|p| match p {
                    Piece::TokenOf(step) => Some(token_var(step)),
                    _ => None,
                })
                .unwrap_or_else(|| "miToken".to_owned());
            return Some((
                format!(
                    "az login --service-principal -u {client} --federated-token \"${var}\" --tenant {tenant} --allow-no-subscriptions && az account get-access-token --scope {scope}"
                ),
                format!(
                    "Connect-AzAccount -ServicePrincipal -ApplicationId {client} -FederatedToken ${var} -Tenant {tenant}; Get-AzAccessToken -ResourceUrl {resource}"
                ),
            ));
        }
        return Some((
            format!(
                "az login --service-principal -u {client} -p <secret> --tenant {tenant} && az account get-access-token --scope {scope}"
            ),
            format!(
                "Connect-AzAccount -ServicePrincipal -Credential (Get-Credential {client}) -Tenant {tenant}; Get-AzAccessToken -ResourceUrl {resource}"
            ),
        ));
    }
    if p.ends_with("/resourceGroups") {
        let sub = segment(2);
        return Some((
            format!("az group list --subscription {sub}"),
            format!("Set-AzContext -Subscription {sub}; Get-AzResourceGroup"),
        ));
    }
    if p == "/v1.0/devices" {
        return Some((
            "az rest --url https://graph.microsoft.com/v1.0/devices".to_owned(),
            "Invoke-AzRestMethod -Uri https://graph.microsoft.com/v1.0/devices".to_owned(),
        ));
    }
    if query(x, "comp") == Some("list") {
        let container = segment(1);
        // The account is the first label of the Blob endpoint's Azure default.
        let account = placeholders(&x.url)
            .into_iter()
            .find_map(|p| match p {
                Piece::Env {
                    default: Some(d), ..
                } => d
                    .strip_prefix("https://")
                    .and_then(|h| h.split('.').next())
                    .map(str::to_owned),
                _ => None,
            })
            .unwrap_or_else(|| "<account>".to_owned());
        return Some((
            format!(
                "az storage blob list --container-name {container} --auth-mode login --account-name {account}"
            ),
            format!(
                "Get-AzStorageBlob -Container {container} -Context (New-AzStorageContext -StorageAccountName {account} -UseConnectedAccount)"
            ),
        ));
    }
    if x.method == http::Method::PATCH && p.starts_with("/v1.0/applications/") {
        let id = segment(3);
        let version = match &x.body {
            Some(Body::Json(j)) => serde_json::from_str::<serde_json::Value>(j)
                .ok()
                .and_then(|v| v["api"]["requestedAccessTokenVersion"].as_u64())?,
            _ => return None,
        };
        return Some((
            format!("az ad app update --id {id} --set api.requestedAccessTokenVersion={version}"),
            format!(
                "Update-AzADApplication -ObjectId {id} -Api @{{ RequestedAccessTokenVersion = {version} }}"
            ),
        ));
    }
    if p.ends_with("/adminconsent") {
        let client = query(x, "client_id").or_else(|| form(x, "client_id"))?;
        return Some((
            format!(
                "az ad sp create --id {client} && az ad app permission admin-consent --id {client}"
            ),
            format!("New-AzADServicePrincipal -ApplicationId {client}"),
        ));
    }
    None
}

// --- bash + curl + jq -------------------------------------------------------------------------

/// A shell word: single-quoted text, or double-quoted with `${var}` for tokens and endpoints.
pub(crate) fn sh_word(s: &str) -> String {
    if only_text(s) {
        return format!("'{}'", s.replace('\'', r"'\''"));
    }
    let inner = pieces(
        s,
        |t| {
            t.replace('\\', r"\\")
                .replace('"', "\\\"")
                .replace('$', r"\$")
                .replace('`', "\\`")
        },
        |step| format!("${{{}}}", token_var(step)),
        |name| format!("${{{name}}}"),
    );
    format!("\"{inner}\"")
}

/// curl's arguments for a request (without `curl` and its output options).
pub(crate) fn curl_args(x: &HttpExchange) -> Vec<String> {
    let mut args = vec![];
    let bodyless_default = if x.body.is_some() { "POST" } else { "GET" };
    if x.method.as_str() != bodyless_default {
        args.push(format!("-X {}", x.method));
    }
    for (k, v) in sent_headers(x) {
        args.push(format!("-H {}", sh_word(&format!("{k}: {v}"))));
    }
    match &x.body {
        Some(Body::Form(fields)) => {
            for (k, v) in fields {
                args.push(format!("--data-urlencode {}", sh_word(&format!("{k}={v}"))));
            }
        }
        Some(Body::Json(j)) => args.push(format!("--data-binary {}", sh_word(j))),
        None => {}
    }
    args.push(sh_word(&x.full_url()));
    args
}

/// `NAME="${NAME:-default}"` lines (or a required check) for the variables `x` reads.
/// One line per endpoint variable: `defaulted` for one with Azure's value as default, `required`
/// for one only the host sets.
fn env_lines(
    vars: &[(String, Option<String>)],
    defaulted: impl Fn(&str, &str) -> String,
    required: impl Fn(&str) -> String,
) -> String {
    let mut out = String::new();
    for (name, default) in vars {
        let line = match default {
            Some(d) => defaulted(name, d),
            None => required(name),
        };
        let _ = writeln!(out, "{line}");
    }
    out
}

pub(crate) fn bash_env(vars: &[(String, Option<String>)]) -> String {
    env_lines(
        vars,
        |name, d| format!("{name}=\"${{{name}:-{d}}}\""),
        |name| {
            format!(
                ": \"${{{name}:?is set by {} (or by mock-entra env)}}\"",
                set_by(name)
            )
        },
    )
}

const BASH_SEND: &str = r#"# send ID EXPECT CURL_ARGS...: sends one request and checks its outcome. EXPECT is "ok", or
# the AADSTS code a deliberate mistake answers with (several: comma-separated, any of them).
# Leaves the answer in $status and $body.
send() {
  local id=$1 expect=$2 out got
  shift 2
  out=$(curl -sS -w '\n%{http_code}' "$@") || { echo "FAILED $id: no answer" >&2; exit 1; }
  status=${out##*$'\n'}
  body=${out%$'\n'*}
  if [[ $expect == ok ]]; then
    if ((status >= 200 && status < 400)); then
      echo "ok   $id: HTTP $status"
      return
    fi
    echo "FAILED $id: HTTP $status $body" >&2
    exit 1
  fi
  got=$(jq -r --argjson codes "[$expect]" 'first((.error_codes // [])[] | select(IN($codes[])))' <<<"$body" 2>/dev/null) || got=
  if [[ -n $got ]]; then
    echo "ok   $id: AADSTS$got as expected"
    return
  fi
  echo "FAILED $id: expected AADSTS$expect, got HTTP $status $body" >&2
  exit 1
}
"#;

fn bash(plan: &Plan) -> String {
    let mut out = String::from("#!/usr/bin/env bash\n");
    out.push_str(&header(plan, "#"));
    out.push_str("# Needs curl and jq.\nset -euo pipefail\n\n");
    out.push_str(&bash_env(&env_vars(plan.steps.iter().map(|s| &s.request))));
    out.push('\n');
    out.push_str(BASH_SEND);
    for (i, s) in plan.steps.iter().enumerate() {
        let _ = writeln!(out, "\n# {}. {}", i + 1, s.title);
        if let Some((az, _)) = equivalents(&s.request) {
            let _ = writeln!(out, "# Azure CLI: {az}");
        }
        let expect = match &s.expect {
            Outcome::Success => "ok".to_owned(),
            Outcome::Aadsts(c) => Outcome::codes(c, "", "").replace(", ", ","),
        };
        let mut lines = vec![format!("send {} {expect}", s.id)];
        lines.extend(curl_args(&s.request));
        let _ = writeln!(out, "{}", lines.join(" \\\n  "));
        if let Some(name) = &s.stores {
            let _ = writeln!(
                out,
                "{}=$(jq -r .{} <<<\"$body\")",
                token_var(name),
                token_field(name)
            );
        }
        if s.show_body {
            out.push_str("printf '%s\\n' \"$body\"\n");
        }
    }
    out
}

// --- Python (requests) ------------------------------------------------------------------------

pub(crate) fn c_like_escape(t: &str) -> String {
    t.replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', r"\n")
        .replace('\r', r"\r")
}

fn braces(t: &str) -> String {
    t.replace('{', "{{").replace('}', "}}")
}

/// A Python string: plain, or an f-string naming `mi_token` and the endpoint constants.
pub(crate) fn py_value(s: &str) -> String {
    c_like_value(s, token_var_snake, str::to_owned, |inner| {
        format!("f\"{inner}\"")
    })
}

/// A plain double-quoted literal for `s`, else `interpolate` of its escaped text with each token
/// as `{token(step)}` and each endpoint as `{endpoint(name)}` (Python, C# and Rust alike).
fn c_like_value(
    s: &str,
    token: fn(&str) -> String,
    endpoint: fn(&str) -> String,
    interpolate: fn(&str) -> String,
) -> String {
    if only_text(s) {
        return format!("\"{}\"", c_like_escape(s));
    }
    let inner = pieces(
        s,
        |t| braces(&c_like_escape(t)),
        |step| format!("{{{}}}", token(step)),
        |name| format!("{{{}}}", endpoint(name)),
    );
    interpolate(&inner)
}

pub(crate) fn py_env(vars: &[(String, Option<String>)]) -> String {
    env_lines(
        vars,
        |name, d| format!("{name} = os.environ.get(\"{name}\", \"{d}\")"),
        |name| {
            format!(
                "{name} = os.environ[\"{name}\"]  # set by {} (or by mock-entra env)",
                set_by(name)
            )
        },
    )
}

/// The keyword arguments of `requests.request` after method and URL.
pub(crate) fn py_kwargs(x: &HttpExchange, indent: &str) -> String {
    let mut out = String::new();
    let headers: Vec<String> = sent_headers(x)
        .map(|(k, v)| format!("\"{}\": {}", c_like_escape(k), py_value(v)))
        .collect();
    if !headers.is_empty() {
        let _ = writeln!(out, "{indent}headers={{{}}},", headers.join(", "));
    }
    match &x.body {
        Some(Body::Form(fields)) => {
            let _ = writeln!(out, "{indent}data={{");
            for (k, v) in fields {
                let _ = writeln!(
                    out,
                    "{indent}    \"{}\": {},",
                    c_like_escape(k),
                    py_value(v)
                );
            }
            let _ = writeln!(out, "{indent}}},");
        }
        Some(Body::Json(j)) => {
            let _ = writeln!(out, "{indent}data={}.encode(),", py_value(j));
        }
        None => {}
    }
    out
}

const PY_SEND: &str = r#"def send(step, expect, method, url, **kwargs):
    """Sends one request and checks its outcome: expect is None for success, or the AADSTS code
    a deliberate mistake answers with (a tuple of codes: any of them)."""
    response = requests.request(method, url, allow_redirects=False, timeout=60, **kwargs)
    if expect is None:
        if response.status_code < 400:
            print(f"ok   {step}: HTTP {response.status_code}")
            return response
        sys.exit(f"FAILED {step}: HTTP {response.status_code} {response.text}")
    try:
        codes = response.json().get("error_codes", [])
    except ValueError:
        codes = []
    wanted = expect if isinstance(expect, tuple) else (expect,)
    hit = next((code for code in codes if code in wanted), None)
    if hit is not None:
        print(f"ok   {step}: AADSTS{hit} as expected")
        return response
    sys.exit(f"FAILED {step}: expected AADSTS{expect}, got HTTP {response.status_code} {response.text}")
"#;

fn python(plan: &Plan) -> String {
    let mut out = header(plan, "#");
    out.push_str("# pip install requests\nimport os\nimport sys\n\nimport requests\n\n");
    out.push_str(&py_env(&env_vars(plan.steps.iter().map(|s| &s.request))));
    out.push_str("\n\n");
    out.push_str(PY_SEND);
    for (i, s) in plan.steps.iter().enumerate() {
        let _ = writeln!(out, "\n# {}. {}", i + 1, s.title);
        let expect = match &s.expect {
            Outcome::Success => "None".to_owned(),
            Outcome::Aadsts(c) => Outcome::codes(c, "(", ")"),
        };
        let _ = writeln!(
            out,
            "response = send(\n    \"{}\",\n    {expect},\n    \"{}\",\n    {},",
            s.id,
            s.request.method,
            py_value(&s.request.full_url())
        );
        out.push_str(&py_kwargs(&s.request, "    "));
        out.push_str(")\n");
        if let Some(name) = &s.stores {
            let _ = writeln!(
                out,
                "{} = response.json()[\"{}\"]",
                token_var_snake(name),
                token_field(name)
            );
        }
        if s.show_body {
            out.push_str("print(response.text)\n");
        }
    }
    out
}

// --- REST Client / httpyac ----------------------------------------------------------------------

/// Escapes only what would break a form field written unencoded, as seed 002 writes them.
const FORM_LIGHT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'&')
    .add(b'=')
    .add(b'+')
    .add(b'%')
    .add(b'#');

/// REST Client's request variable for the `access_token` of the response to request `name`
/// (`$.` starts a JSONPath into the JSON body).
fn rest_token(name: &str, step: &str) -> String {
    format!("{name}.response.body.$.{}", token_field(step))
}

/// A `.http` value; `names` maps a step name to the request that last stored its token.
fn rest_value(s: &str, names: &BTreeMap<String, String>, form: bool) -> String {
    pieces(
        s,
        |t| {
            if form {
                percent_encoding::utf8_percent_encode(t, FORM_LIGHT).to_string()
            } else {
                t.to_owned()
            }
        },
        |step| {
            let name = names.get(step).map_or(step, String::as_str);
            format!("{{{{{}}}}}", rest_token(name, step))
        },
        |name| format!("{{{{{name}}}}}"),
    )
}

/// One request in REST Client syntax.
pub(crate) fn rest_request(x: &HttpExchange, names: &BTreeMap<String, String>, out: &mut String) {
    let _ = writeln!(
        out,
        "{} {}",
        x.method,
        rest_value(&x.full_url(), names, false)
    );
    for (k, v) in &x.headers {
        let _ = writeln!(out, "{k}: {}", rest_value(v, names, false));
    }
    match &x.body {
        Some(Body::Form(fields)) => {
            out.push('\n');
            for (i, (k, v)) in fields.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{}{k}={}",
                    if i == 0 { "" } else { "&" },
                    rest_value(v, names, true)
                );
            }
        }
        Some(Body::Json(j)) => {
            let _ = writeln!(out, "\n{}", rest_value(j, names, false));
        }
        None => {}
    }
}

/// File variables reading the process environment (REST Client and httpyac both know
/// `$processEnv`; neither has a default, so the Azure values are listed to export).
pub(crate) fn rest_env(vars: &[(String, Option<String>)]) -> String {
    let mut out = String::new();
    if vars.is_empty() {
        return out;
    }
    out.push_str("# The endpoints come from the process environment (REST Client's $processEnv has no\n# default). For real Azure export:\n");
    out.push_str(&env_lines(
        vars,
        |name, d| format!("#   {name}={d}"),
        |name| format!("#   {name} (set by {})", set_by(name)),
    ));
    for (name, _) in vars {
        let _ = writeln!(out, "@{name} = {{{{$processEnv {name}}}}}");
    }
    out
}

/// `own-app` -> `ownAppResponse`.
fn request_name(id: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else {
            upper = true;
        }
    }
    out.push_str("Response");
    out
}

/// The name of each step's request in the `.http` file: the step name of seed 002
/// (`miTokenResponse`) for the first step storing it, else one made from the step id, so that
/// every name is unique and later steps read the latest token.
pub fn rest_request_names(plan: &Plan) -> Vec<String> {
    let mut used: Vec<String> = vec![];
    plan.steps
        .iter()
        .map(|s| {
            let name = match &s.stores {
                Some(n) if !used.contains(n) => n.clone(),
                _ => request_name(&s.id),
            };
            used.push(name.clone());
            name
        })
        .collect()
}

/// The requests whose token a later request reads, each once, in order, with the step name
/// they store the token under.
fn rest_token_sources(plan: &Plan) -> Vec<(String, String)> {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut read: Vec<(String, String)> = vec![];
    for (s, name) in plan.steps.iter().zip(rest_request_names(plan)) {
        for v in strings(&s.request) {
            for p in placeholders(v) {
                if let Piece::TokenOf(step) = p
                    && let Some(source) = names.get(step)
                    && !read.iter().any(|(r, _)| r == source)
                {
                    read.push((source.clone(), step.to_owned()));
                }
            }
        }
        if let Some(stored) = &s.stores {
            names.insert(stored.clone(), name);
        }
    }
    read
}

/// One line per token a request reads, so that httpyac resolves REST Client's request variable
/// as written. REST Client resolves `{{name.response.body.$.access_token}}` from the request
/// named `name` before it looks at file variables, so it never reads these lines; httpyac
/// resolves a variable of exactly that name first, and the value, `{{name.access_token}}`, is
/// httpyac's own form (a named request is bound to its parsed body). docs/sdk-setup.md.
fn rest_httpyac_aliases(plan: &Plan) -> String {
    let sources = rest_token_sources(plan);
    let mut out = String::new();
    if sources.is_empty() {
        return out;
    }
    out.push_str("# For httpyac, which binds a named request to its parsed body: REST Client resolves these\n# request variables from the named requests first and never reads the lines.\n");
    for (name, step) in sources {
        let _ = writeln!(
            out,
            "@{} = {{{{{name}.{}}}}}",
            rest_token(&name, &step),
            token_field(&step)
        );
    }
    out
}

fn rest_client(plan: &Plan) -> String {
    let mut out = header(plan, "#");
    out.push_str(
        "# Each named request feeds the next; the deliberate mistakes answer 4xx on purpose.\n",
    );
    out.push_str(&rest_env(&env_vars(plan.steps.iter().map(|s| &s.request))));
    out.push_str(&rest_httpyac_aliases(plan));
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for ((i, s), name) in plan.steps.iter().enumerate().zip(rest_request_names(plan)) {
        let _ = writeln!(out, "\n### {}. {}", i + 1, s.title);
        let _ = writeln!(out, "# @name {name}\n# @no-redirect");
        let _ = writeln!(out, "# Expect: {}", expect_comment(&s.expect));
        rest_request(&s.request, &names, &mut out);
        if let Some(stored) = &s.stores {
            names.insert(stored.clone(), name);
        }
    }
    out
}

// --- PowerShell ---------------------------------------------------------------------------------

pub(crate) fn ps_string(s: &str) -> String {
    if only_text(s) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let inner = pieces(
        s,
        |t| t.replace('`', "``").replace('$', "`$").replace('"', "`\""),
        |step| format!("${{{}}}", token_var(step)),
        |name| format!("${{{name}}}"),
    );
    format!("\"{inner}\"")
}

pub(crate) fn ps_env(vars: &[(String, Option<String>)]) -> String {
    env_lines(
        vars,
        |name, d| format!("${name} = if ($env:{name}) {{ $env:{name} }} else {{ '{d}' }}"),
        |name| {
            format!(
                "${name} = $env:{name}  # set by {} (or by mock-entra env)",
                set_by(name)
            )
        },
    )
}

/// The splatted parameters of `Invoke-WebRequest` for a request.
/// The method as PowerShell spells it: `Post`.
pub(crate) fn ps_method(x: &HttpExchange) -> String {
    let m = x.method.as_str();
    format!("{}{}", &m[..1], m[1..].to_ascii_lowercase())
}

/// The headers but Content-Type as hashtable entries, `'Name' = value`.
pub(crate) fn ps_headers(x: &HttpExchange) -> Vec<String> {
    x.headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("Content-Type"))
        .map(|(k, v)| format!("'{k}' = {}", ps_string(v)))
        .collect()
}

/// The Content-Type header of a request with a body (PowerShell takes it as a parameter).
pub(crate) fn body_content_type(x: &HttpExchange) -> Option<&str> {
    x.body.as_ref()?;
    x.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
        .map(|(_, ct)| ct.as_str())
}

pub(crate) fn ps_params(x: &HttpExchange, indent: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{indent}Method = '{}'", ps_method(x));
    let _ = writeln!(out, "{indent}Uri = {}", ps_string(&x.full_url()));
    let headers = ps_headers(x);
    if !headers.is_empty() {
        let _ = writeln!(out, "{indent}Headers = @{{ {} }}", headers.join("; "));
    }
    if let Some(ct) = body_content_type(x) {
        let _ = writeln!(out, "{indent}ContentType = '{ct}'");
    }
    match &x.body {
        Some(Body::Form(fields)) => {
            let _ = writeln!(out, "{indent}Body = @{{");
            for (k, v) in fields {
                let _ = writeln!(out, "{indent}    '{k}' = {}", ps_string(v));
            }
            let _ = writeln!(out, "{indent}}}");
        }
        Some(Body::Json(j)) => {
            let _ = writeln!(out, "{indent}Body = {}", ps_string(j));
        }
        None => {}
    }
    out
}

const PS_SEND: &str = r#"# Sends one request and checks its outcome: $Expect is $null for success, or the AADSTS code
# a deliberate mistake answers with (an array: any of them). PowerShell 7 or later
# (-SkipHttpErrorCheck).
function Send-Step([string]$Id, $Expect, [hashtable]$Request) {
    $response = Invoke-WebRequest @Request -SkipHttpErrorCheck -MaximumRedirection 0 -ErrorAction SilentlyContinue
    $status = [int]$response.StatusCode
    if ($null -eq $Expect) {
        if ($status -lt 400) { Write-Host "ok   ${Id}: HTTP $status"; return $response }
        throw "FAILED ${Id}: HTTP $status $($response.Content)"
    }
    $codes = try { @(($response.Content | ConvertFrom-Json).error_codes) } catch { @() }
    $hit = @($codes | Where-Object { @($Expect) -contains $_ })
    if ($hit.Count -gt 0) { Write-Host "ok   ${Id}: AADSTS$($hit[0]) as expected"; return $response }
    throw "FAILED ${Id}: expected AADSTS$Expect, got HTTP $status $($response.Content)"
}
"#;

fn powershell(plan: &Plan) -> String {
    let mut out = header(plan, "#");
    out.push_str("$ErrorActionPreference = 'Stop'\n\n");
    out.push_str(&ps_env(&env_vars(plan.steps.iter().map(|s| &s.request))));
    out.push('\n');
    out.push_str(PS_SEND);
    for (i, s) in plan.steps.iter().enumerate() {
        let _ = writeln!(out, "\n# {}. {}", i + 1, s.title);
        if let Some((_, az)) = equivalents(&s.request) {
            let _ = writeln!(out, "# Azure PowerShell: {az}");
        }
        let expect = match &s.expect {
            Outcome::Success => "$null".to_owned(),
            Outcome::Aadsts(c) => Outcome::codes(c, "@(", ")"),
        };
        let _ = writeln!(out, "$response = Send-Step '{}' {expect} @{{", s.id);
        out.push_str(&ps_params(&s.request, "    "));
        out.push_str("}\n");
        if let Some(name) = &s.stores {
            let _ = writeln!(
                out,
                "${} = ($response.Content | ConvertFrom-Json).{}",
                token_var(name),
                token_field(name)
            );
        }
        if s.show_body {
            out.push_str("$response.Content\n");
        }
    }
    out
}

// --- C# -----------------------------------------------------------------------------------------

/// A C# string: plain, or interpolated naming `miToken` and the endpoint variables.
pub(crate) fn cs_value(s: &str) -> String {
    c_like_value(s, token_var, str::to_owned, |inner| format!("$\"{inner}\""))
}

pub(crate) fn cs_env(vars: &[(String, Option<String>)]) -> String {
    env_lines(
        vars,
        |name, d| {
            format!("var {name} = Environment.GetEnvironmentVariable(\"{name}\") ?? \"{d}\";")
        },
        |name| {
            format!(
                "var {name} = Environment.GetEnvironmentVariable(\"{name}\")\n    ?? throw new InvalidOperationException(\"{name} is set by {} (or by mock-entra env)\");",
                set_by(name)
            )
        },
    )
}

/// Statements building `HttpRequestMessage` `var` for a request.
pub(crate) fn cs_request(x: &HttpExchange, var: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "var {var} = new HttpRequestMessage(new HttpMethod(\"{}\"), {});",
        x.method,
        cs_value(&x.full_url())
    );
    for (k, v) in x
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("Content-Type"))
    {
        let _ = writeln!(
            out,
            "{var}.Headers.TryAddWithoutValidation(\"{}\", {});",
            c_like_escape(k),
            cs_value(v)
        );
    }
    match &x.body {
        Some(Body::Form(fields)) => {
            let _ = writeln!(out, "{var}.Content = new FormUrlEncodedContent(new[]\n{{");
            for (k, v) in fields {
                let _ = writeln!(
                    out,
                    "    KeyValuePair.Create(\"{}\", {}),",
                    c_like_escape(k),
                    cs_value(v)
                );
            }
            out.push_str("});\n");
        }
        Some(Body::Json(j)) => {
            let _ = writeln!(
                out,
                "{var}.Content = new StringContent({}, System.Text.Encoding.UTF8, \"application/json\");",
                cs_value(j)
            );
        }
        None => {}
    }
    out
}

const CS_SEND: &str = r#"// Sends one request and checks its outcome: expect is null for success, or the AADSTS codes a
// deliberate mistake answers with (any of them). Returns the response body.
async Task<string> Send(string id, int[]? expect, HttpRequestMessage request)
{
    using var response = await http.SendAsync(request);
    var status = (int)response.StatusCode;
    var body = await response.Content.ReadAsStringAsync();
    if (expect is null)
    {
        if (status < 400) { Console.WriteLine($"ok   {id}: HTTP {status}"); return body; }
        throw new Exception($"FAILED {id}: HTTP {status} {body}");
    }
    var codes = new List<int>();
    try
    {
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.TryGetProperty("error_codes", out var list))
            codes.AddRange(list.EnumerateArray().Select(c => c.GetInt32()));
    }
    catch (JsonException) { }
    var hit = codes.Where(expect.Contains).ToList();
    if (hit.Count > 0) { Console.WriteLine($"ok   {id}: AADSTS{hit[0]} as expected"); return body; }
    throw new Exception($"FAILED {id}: expected AADSTS{string.Join(" or AADSTS", expect)}, got HTTP {status} {body}");
}

static string TokenIn(string body, string member) =>
    JsonDocument.Parse(body).RootElement.GetProperty(member).GetString() ?? "";
"#;

fn csharp(plan: &Plan) -> String {
    let mut out = header(plan, "//");
    out.push_str("// .NET 8 top-level program (dotnet new console); no package needed.\n");
    out.push_str("using System.Text.Json;\n\n");
    out.push_str(&cs_env(&env_vars(plan.steps.iter().map(|s| &s.request))));
    out.push_str(
        "using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });\n\n",
    );
    out.push_str(CS_SEND);
    let mut declared: Vec<String> = vec![];
    for (i, s) in plan.steps.iter().enumerate() {
        let _ = writeln!(out, "\n// {}. {}", i + 1, s.title);
        let var = format!("request{}", i + 1);
        out.push_str(&cs_request(&s.request, &var));
        let expect = match &s.expect {
            Outcome::Success => "null".to_owned(),
            Outcome::Aadsts(c) => format!("[{}]", Outcome::codes(c, "", "")),
        };
        let call = format!("await Send(\"{}\", {expect}, {var})", s.id);
        match (&s.stores, s.show_body) {
            (Some(name), _) => {
                let v = token_var(name);
                let decl = if declared.contains(&v) { "" } else { "var " };
                declared.push(v.clone());
                let _ = writeln!(
                    out,
                    "{decl}{v} = TokenIn({call}, \"{}\");",
                    token_field(name)
                );
            }
            (None, true) => {
                let _ = writeln!(out, "Console.WriteLine({call});");
            }
            (None, false) => {
                let _ = writeln!(out, "{call};");
            }
        }
    }
    out
}

// --- Rust (ureq) --------------------------------------------------------------------------------

/// A Rust `&str` expression: a literal, or `format!(…)` naming `mi_token` and the endpoints.
pub(crate) fn rs_value(s: &str) -> String {
    c_like_value(s, token_var_snake, str::to_ascii_lowercase, |inner| {
        format!("format!(\"{inner}\").as_str()")
    })
}

pub(crate) fn rs_env(vars: &[(String, Option<String>)], indent: &str) -> String {
    env_lines(
        vars,
        |name, d| {
            let var = name.to_ascii_lowercase();
            format!(
                "{indent}let {var} = std::env::var(\"{name}\").unwrap_or_else(|_| \"{d}\".to_owned());"
            )
        },
        |name| {
            let var = name.to_ascii_lowercase();
            format!(
                "{indent}let {var} = std::env::var(\"{name}\")\n{indent}    .expect(\"{name} is set by {} (or by mock-entra env)\");",
                set_by(name)
            )
        },
    )
}

/// The ureq call for a request, up to the `Result` of sending it.
pub(crate) fn rs_call(x: &HttpExchange, indent: &str) -> String {
    let mut out = String::new();
    let method = x.method.as_str().to_ascii_lowercase();
    let _ = write!(
        out,
        "agent\n{indent}    .{method}({})",
        rs_value(&x.full_url())
    );
    for (k, v) in sent_headers(x) {
        let _ = write!(
            out,
            "\n{indent}    .header(\"{}\", {})",
            c_like_escape(k),
            rs_value(v)
        );
    }
    match &x.body {
        Some(Body::Form(fields)) => {
            let _ = write!(out, "\n{indent}    .send_form([");
            for (k, v) in fields {
                let _ = write!(
                    out,
                    "\n{indent}        (\"{}\", {}),",
                    c_like_escape(k),
                    rs_value(v)
                );
            }
            let _ = write!(out, "\n{indent}    ])");
        }
        Some(Body::Json(j)) => {
            let _ = write!(out, "\n{indent}    .send({})", rs_value(j));
        }
        None if matches!(
            x.method,
            http::Method::GET | http::Method::DELETE | http::Method::HEAD
        ) =>
        {
            let _ = write!(out, "\n{indent}    .call()");
        }
        None => {
            let _ = write!(out, "\n{indent}    .send_empty()");
        }
    }
    out
}

const RS_HELPERS: &str = r#"use std::fs;
use std::process::exit;
use std::sync::Arc;

use ureq::tls::{PemItem, RootCerts, TlsConfig};

/// An agent that answers 4xx as responses, follows no redirect, and trusts `SSL_CERT_FILE`'s
/// CA when it is set (mock-entra's), the public roots otherwise.
fn agent() -> ureq::Agent {
    let roots = match std::env::var("SSL_CERT_FILE") {
        Ok(path) => {
            let pem = fs::read(&path).unwrap_or_else(|e| {
                eprintln!("SSL_CERT_FILE {path}: {e}");
                exit(1)
            });
            let certs: Vec<_> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            RootCerts::Specific(Arc::new(certs))
        }
        Err(_) => RootCerts::WebPki,
    };
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .tls_config(TlsConfig::builder().root_certs(roots).build())
        .build()
        .new_agent()
}

/// Checks one step's outcome: `expect` is None for success, or the AADSTS codes a deliberate
/// mistake answers with (any of them). Returns the response body.
fn check(
    id: &str,
    expect: Option<&[u64]>,
    sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> String {
    let mut response = sent.unwrap_or_else(|e| {
        eprintln!("FAILED {id}: {e}");
        exit(1)
    });
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    let codes: Vec<u64> = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("error_codes").cloned())
        .and_then(|c| serde_json::from_value(c).ok())
        .unwrap_or_default();
    let hit = expect.and_then(|wanted| codes.iter().find(|c| wanted.contains(*c)));
    match (expect, hit) {
        (None, _) if status < 400 => println!("ok   {id}: HTTP {status}"),
        (Some(_), Some(code)) => println!("ok   {id}: AADSTS{code} as expected"),
        (None, _) => {
            eprintln!("FAILED {id}: HTTP {status} {body}");
            exit(1)
        }
        (Some(wanted), None) => {
            eprintln!("FAILED {id}: expected AADSTS{wanted:?}, got HTTP {status} {body}");
            exit(1)
        }
    }
    body
}

fn token_in(body: &str, member: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v[member].as_str().map(str::to_owned))
        .unwrap_or_default()
}
"#;

/// The scratch crate's dependencies, for the comment on top of the Rust script.
pub const RUST_DEPENDENCIES: &str = "ureq = \"3\", serde_json = \"1\"";

fn rust(plan: &Plan) -> String {
    let mut out = header(plan, "//!");
    let _ = writeln!(out, "//! Cargo.toml: [dependencies] {RUST_DEPENDENCIES}\n");
    out.push_str(RS_HELPERS);
    out.push_str("\nfn main() {\n");
    out.push_str(&rs_env(
        &env_vars(plan.steps.iter().map(|s| &s.request)),
        "    ",
    ));
    out.push_str("    let agent = agent();\n");
    for (i, s) in plan.steps.iter().enumerate() {
        let _ = writeln!(out, "\n    // {}. {}", i + 1, s.title);
        let expect = match &s.expect {
            Outcome::Success => "None".to_owned(),
            Outcome::Aadsts(c) => format!("Some(&[{}])", Outcome::codes(c, "", "")),
        };
        let call = rs_call(&s.request, "        ");
        let check = format!(
            "check(\n        \"{}\",\n        {expect},\n        {call},\n    )",
            s.id
        );
        match (&s.stores, s.show_body) {
            (Some(name), _) if token_read_later(plan, i) => {
                let _ = writeln!(
                    out,
                    "    let {} = token_in(&{check}, \"{}\");",
                    token_var_snake(name),
                    token_field(name)
                );
            }
            (_, true) => {
                let _ = writeln!(out, "    println!(\"{{}}\", {check});");
            }
            (_, false) => {
                let _ = writeln!(out, "    {check};");
            }
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests;
