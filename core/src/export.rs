//! Code export: the flow's requests as something to paste and run. Raw HTTP for curl, VS Code
//! REST Client (seed 002's style: `# @name` and `{{miTokenResponse.response.body.access_token}}`
//! chaining) and PowerShell; the SDK way (ManagedIdentityCredential + ClientAssertionCredential)
//! for C#, Python and Rust, since the SDKs hide the individual requests.
//!
//! Every export is a pure function to a `String`.

use std::fmt::Write as _;

use crate::client::{Body, CALL_STEP, Endpoints, FicFlow, HttpExchange, MiHost, Step};

mod plan;
pub mod script;

// --- curl -------------------------------------------------------------------------------------

use script::{
    bash_env, c_like_escape, cs_value, curl_args, env_vars, ps_env, ps_string, py_env, py_value,
    rest_env, rest_request, rs_env, rs_value, token_var,
};

fn curl_lines(x: &HttpExchange) -> Vec<String> {
    let mut lines = vec!["curl -sS --fail-with-body".to_owned()];
    lines.extend(curl_args(x));
    lines
}

/// One request as a curl command.
/// Endpoints read from the environment come first, with Azure's values as defaults.
pub fn curl_command(x: &HttpExchange) -> String {
    let env = bash_env(&env_vars([x]));
    let sep = if env.is_empty() { "" } else { "\n" };
    format!("{env}{sep}{}", curl_lines(x).join(" \\\n  "))
}

/// The steps as a bash script; token steps capture `access_token` with `jq`.
pub fn curl_script(steps: &[Step]) -> String {
    let mut out = String::from("#!/usr/bin/env bash\nset -euo pipefail\n");
    for s in steps {
        let _ = write!(out, "\n# {}\n", s.title);
        let cmd = curl_lines(&s.request).join(" \\\n    ");
        if s.yields_token {
            let _ = writeln!(
                out,
                "{}=$({cmd} \\\n  | jq -r .access_token)",
                token_var(&s.name)
            );
        } else {
            let _ = writeln!(out, "{cmd}");
        }
    }
    out
}

// --- VS Code REST Client --------------------------------------------------------------------

/// One request for a `.http` file.
pub fn rest_client_request(x: &HttpExchange) -> String {
    let mut out = rest_env(&env_vars([x]));
    out.push_str("###\n");
    rest_request(x, &Default::default(), &mut out);
    out
}

/// The steps as a `.http` file, each named so the next can read its token.
pub fn rest_client_file(steps: &[Step]) -> String {
    let mut out = String::new();
    for (i, s) in steps.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "### {}\n# @name {}", s.title, s.name);
        rest_request(&s.request, &Default::default(), &mut out);
    }
    out
}

// --- PowerShell -------------------------------------------------------------------------------

fn ps_request(x: &HttpExchange) -> String {
    let mut out = String::new();
    let method = x.method.as_str();
    let method = format!("{}{}", &method[..1], method[1..].to_ascii_lowercase());
    let _ = write!(
        out,
        "Invoke-RestMethod -Method {method} -Uri {}",
        ps_string(&x.full_url())
    );
    let headers: Vec<_> = x
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("Content-Type"))
        .collect();
    if !headers.is_empty() {
        let list: Vec<String> = headers
            .iter()
            .map(|(k, v)| format!("'{k}' = {}", ps_string(v)))
            .collect();
        let _ = write!(out, " -Headers @{{ {} }}", list.join("; "));
    }
    if let Some((_, ct)) = x
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
        && x.body.is_some()
    {
        let _ = write!(out, " -ContentType '{ct}'");
    }
    match &x.body {
        Some(Body::Form(fields)) => {
            out.push_str(" -Body @{\n");
            for (k, v) in fields {
                let _ = writeln!(out, "    '{k}' = {}", ps_string(v));
            }
            out.push('}');
        }
        Some(Body::Json(j)) => {
            let _ = write!(out, " -Body @'\n{j}\n'@");
        }
        None => {}
    }
    out
}

/// One request as an `Invoke-RestMethod` call.
pub fn powershell_command(x: &HttpExchange) -> String {
    format!("{}{}", ps_env(&env_vars([x])), ps_request(x))
}

/// The steps as a PowerShell script; each token lands in `$miToken`, `$entraToken`.
pub fn powershell_script(steps: &[Step]) -> String {
    let mut out = String::from("$ErrorActionPreference = 'Stop'\n");
    for s in steps {
        if s.yields_token {
            let _ = write!(
                out,
                "\n# {}\n${} = ({}).access_token\n",
                s.title,
                token_var(&s.name),
                ps_request(&s.request)
            );
        } else {
            let _ = write!(
                out,
                "\n# {}\n{} | ConvertTo-Json -Depth 10\n",
                s.title,
                ps_request(&s.request)
            );
        }
    }
    out
}

// --- SDK programs ----------------------------------------------------------------------------

/// Whether the flow targets real Azure's authority (else the program must be told the mock's).
fn custom_authority(flow: &FicFlow) -> Option<&str> {
    let real = Endpoints::azure(flow.cloud);
    (flow.endpoints.authority.trim_end_matches('/') != real.authority)
        .then_some(flow.endpoints.authority.as_str())
}

/// Comment lines telling how the SDK reaches a non-default managed-identity endpoint.
fn mi_env_comment(flow: &FicFlow, prefix: &str, pod_identity_honoured: bool) -> String {
    let mut out = String::new();
    match &flow.host {
        MiHost::AppService {
            identity_endpoint,
            identity_header,
        } => {
            let _ = writeln!(
                out,
                "{prefix} Environment: IDENTITY_ENDPOINT={identity_endpoint} IDENTITY_HEADER={identity_header}"
            );
        }
        MiHost::Imds if flow.endpoints.imds.trim_end_matches('/') != "http://169.254.169.254" => {
            if pod_identity_honoured {
                let _ = writeln!(
                    out,
                    "{prefix} Environment: AZURE_POD_IDENTITY_AUTHORITY_HOST={}",
                    flow.endpoints.imds
                );
            } else {
                let _ = writeln!(
                    out,
                    "{prefix} This SDK always calls 169.254.169.254 for IMDS; to reach a mock, serve the App Service protocol and set IDENTITY_ENDPOINT and IDENTITY_HEADER."
                );
            }
        }
        MiHost::Imds => {}
    }
    if custom_authority(flow).is_some() {
        let _ = writeln!(
            out,
            "{prefix} The authority is served over HTTPS by the mock: trust its CA certificate."
        );
    }
    out
}

fn call_step(flow: &FicFlow) -> HttpExchange {
    flow.steps()
        .into_iter()
        .find(|s| s.name == CALL_STEP)
        .map(|s| s.request)
        .unwrap_or_else(unreachable_call)
}

/// `steps()` always ends with the call; a harmless default keeps this panic-free.
fn unreachable_call() -> HttpExchange {
    HttpExchange {
        method: http::Method::GET,
        url: String::new(),
        query: vec![],
        headers: vec![],
        body: None,
    }
}

/// Extra headers of the resource call, without the bearer token.
fn call_headers(x: &HttpExchange) -> Vec<(String, String)> {
    x.headers
        .iter()
        .filter(|(k, _)| {
            !k.eq_ignore_ascii_case("Authorization") && !k.eq_ignore_ascii_case("Content-Type")
        })
        .cloned()
        .collect()
}

fn cs_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', r"\\").replace('"', "\\\""))
}

/// C#: Azure.Identity's ManagedIdentityCredential feeding a ClientAssertionCredential (seed 003).
pub fn csharp_program(flow: &FicFlow) -> String {
    let call = call_step(flow);
    let scope = flow.target.scope(flow.cloud);
    let mut out = String::new();
    out.push_str("// dotnet add package Azure.Identity\n");
    out.push_str(&mi_env_comment(flow, "//", true));
    out.push_str("using System.Net.Http.Headers;\nusing Azure.Core;\nusing Azure.Identity;\n\n");
    let _ = writeln!(
        out,
        "const string TenantId = {};",
        cs_str(&flow.target_tenant.to_string())
    );
    let _ = writeln!(
        out,
        "const string AppClientId = {};",
        cs_str(&flow.app_client_id.to_string())
    );
    let _ = writeln!(
        out,
        "const string Audience = {};\n",
        cs_str(flow.exchange_audience())
    );
    match flow.mi_client_id {
        Some(c) => {
            let _ = writeln!(
                out,
                "var miCredential = new ManagedIdentityCredential({});",
                cs_str(&c.to_string())
            );
        }
        None => out.push_str("var miCredential = new ManagedIdentityCredential();\n"),
    }
    let options = match custom_authority(flow) {
        Some(a) => format!(
            ",\n    new ClientAssertionCredentialOptions {{ AuthorityHost = new Uri({}), DisableInstanceDiscovery = true }}",
            cs_str(a)
        ),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "var appCredential = new ClientAssertionCredential(\n    TenantId,\n    AppClientId,\n    async ct => (await miCredential.GetTokenAsync(new TokenRequestContext(new[] {{ $\"{{Audience}}/.default\" }}), ct)).Token{options});\n"
    );
    let _ = writeln!(
        out,
        "var token = await appCredential.GetTokenAsync(new TokenRequestContext(new[] {{ {} }}));",
        cs_str(&scope)
    );
    out.push_str("using var http = new HttpClient();\n");
    let _ = writeln!(
        out,
        "using var request = new HttpRequestMessage(HttpMethod.Get, {});",
        cs_str(&call.full_url())
    );
    out.push_str(
        "request.Headers.Authorization = new AuthenticationHeaderValue(\"Bearer\", token.Token);\n",
    );
    for (k, v) in call_headers(&call) {
        let _ = writeln!(out, "request.Headers.Add({}, {});", cs_str(&k), cs_str(&v));
    }
    out.push_str("using var response = await http.SendAsync(request);\nresponse.EnsureSuccessStatusCode();\nConsole.WriteLine(await response.Content.ReadAsStringAsync());\n");
    out
}

fn py_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', r"\\").replace('"', "\\\""))
}

/// Python: azure-identity's ManagedIdentityCredential feeding a ClientAssertionCredential.
pub fn python_program(flow: &FicFlow) -> String {
    let call = call_step(flow);
    let scope = flow.target.scope(flow.cloud);
    let mut out = String::from("# pip install azure-identity\n");
    out.push_str(&mi_env_comment(flow, "#", true));
    out.push_str("import urllib.request\n\nfrom azure.identity import ClientAssertionCredential, ManagedIdentityCredential\n\n");
    let _ = writeln!(
        out,
        "TENANT_ID = {}",
        py_str(&flow.target_tenant.to_string())
    );
    let _ = writeln!(
        out,
        "APP_CLIENT_ID = {}",
        py_str(&flow.app_client_id.to_string())
    );
    let _ = writeln!(out, "AUDIENCE = {}\n", py_str(flow.exchange_audience()));
    match flow.mi_client_id {
        Some(c) => {
            let _ = writeln!(
                out,
                "mi_credential = ManagedIdentityCredential(client_id={})",
                py_str(&c.to_string())
            );
        }
        None => out.push_str("mi_credential = ManagedIdentityCredential()\n"),
    }
    out.push_str("\n\ndef mi_assertion() -> str:\n    return mi_credential.get_token(f\"{AUDIENCE}/.default\").token\n\n\n");
    let extra = match custom_authority(flow) {
        Some(a) => format!(
            ",\n    authority={},\n    disable_instance_discovery=True",
            py_str(a)
        ),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "app_credential = ClientAssertionCredential(\n    tenant_id=TENANT_ID,\n    client_id=APP_CLIENT_ID,\n    func=mi_assertion{extra},\n)"
    );
    let _ = writeln!(
        out,
        "token = app_credential.get_token({}).token\n",
        py_str(&scope)
    );
    let mut headers = vec![("Authorization".to_owned(), "f\"Bearer {token}\"".to_owned())];
    headers.extend(
        call_headers(&call)
            .into_iter()
            .map(|(k, v)| (k, py_str(&v))),
    );
    let list: Vec<String> = headers
        .iter()
        .map(|(k, v)| format!("{}: {v}", py_str(k)))
        .collect();
    let _ = writeln!(
        out,
        "request = urllib.request.Request(\n    {},\n    headers={{{}}},\n)",
        py_str(&call.full_url()),
        list.join(", ")
    );
    out.push_str(
        "with urllib.request.urlopen(request) as response:\n    print(response.read().decode())\n",
    );
    out
}

/// Rust: azure_identity 1.0's ManagedIdentityCredential feeding a ClientAssertionCredential
/// (the program of sdk-compat 3.5, verified against a stub), then reqwest.
pub fn rust_program(flow: &FicFlow) -> String {
    let call = call_step(flow);
    let scope = flow.target.scope(flow.cloud);
    let mut out = String::new();
    out.push_str("// Cargo.toml: azure_identity = \"1\", azure_core = \"1\", async-trait = \"0.1\",\n//   reqwest = \"0.12\", tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n");
    out.push_str(&mi_env_comment(flow, "//", false));
    if let Some(a) = custom_authority(flow) {
        let _ = writeln!(out, "// Environment: AZURE_AUTHORITY_HOST={a}");
    }
    out.push_str(
        "use std::sync::Arc;\n\nuse azure_core::credentials::TokenCredential;\nuse azure_core::http::ClientMethodOptions;\nuse azure_identity::{ClientAssertion, ClientAssertionCredential, ManagedIdentityCredential};\n\n",
    );
    let _ = writeln!(out, "const TENANT_ID: &str = \"{}\";", flow.target_tenant);
    let _ = writeln!(
        out,
        "const APP_CLIENT_ID: &str = \"{}\";",
        flow.app_client_id
    );
    let _ = writeln!(
        out,
        "const EXCHANGE_SCOPE: &str = \"{}/.default\";\n",
        flow.exchange_audience()
    );
    out.push_str(
        "/// Hands the managed identity's token to the app credential as its client assertion.\n#[derive(Debug)]\nstruct MiAssertion(Arc<ManagedIdentityCredential>);\n\n#[async_trait::async_trait]\nimpl ClientAssertion for MiAssertion {\n    async fn secret(&self, _options: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {\n        Ok(self.0.get_token(&[EXCHANGE_SCOPE], None).await?.token.secret().to_string())\n    }\n}\n\n",
    );
    out.push_str("#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {\n");
    match flow.mi_client_id {
        Some(c) => {
            let _ = writeln!(
                out,
                "    let options = azure_identity::ManagedIdentityCredentialOptions {{\n        user_assigned_id: Some(azure_identity::UserAssignedId::ClientId(\"{c}\".into())),\n        ..Default::default()\n    }};\n    let mi = ManagedIdentityCredential::new(Some(options))?;"
            );
        }
        None => out.push_str("    let mi = ManagedIdentityCredential::new(None)?;\n"),
    }
    out.push_str("    let app = ClientAssertionCredential::new(TENANT_ID.into(), APP_CLIENT_ID.into(), MiAssertion(mi), None)?;\n");
    let _ = writeln!(
        out,
        "    let token = app.get_token(&[\"{scope}\"], None).await?;"
    );
    let _ = write!(
        out,
        "    let body = reqwest::Client::new()\n        .get(\"{}\")\n        .bearer_auth(token.token.secret())",
        call.full_url()
    );
    for (k, v) in call_headers(&call) {
        let _ = write!(out, "\n        .header(\"{k}\", \"{v}\")");
    }
    out.push_str("\n        .send()\n        .await?\n        .error_for_status()?\n        .text()\n        .await?;\n    println!(\"{body}\");\n    Ok(())\n}\n");
    out
}

// --- Single requests in C#, Python and Rust ------------------------------------------------
//
// The SDK programs above hide the individual requests; the playground also shows one step's raw
// request in these languages. A placeholder `{{step.access_token}}` becomes a variable named
// after the step, interpolated into the string.

/// One request as C# with `HttpClient` (redirects not followed).
pub fn csharp_request(x: &HttpExchange) -> String {
    let mut out = script::cs_env(&env_vars([x]));
    out.push_str(
        "using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });\n",
    );
    let _ = writeln!(
        out,
        "using var request = new HttpRequestMessage(new HttpMethod({}), {});",
        cs_str(x.method.as_str()),
        cs_value(&x.full_url())
    );
    for (k, v) in x
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("Content-Type"))
    {
        let _ = writeln!(
            out,
            "request.Headers.TryAddWithoutValidation({}, {});",
            cs_str(k),
            cs_value(v)
        );
    }
    match &x.body {
        Some(Body::Form(fields)) => {
            out.push_str("request.Content = new FormUrlEncodedContent(new[]\n{\n");
            for (k, v) in fields {
                let _ = writeln!(
                    out,
                    "    KeyValuePair.Create({}, {}),",
                    cs_str(k),
                    cs_value(v)
                );
            }
            out.push_str("});\n");
        }
        Some(Body::Json(j)) => {
            let _ = writeln!(
                out,
                "request.Content = new StringContent({}, System.Text.Encoding.UTF8, \"application/json\");",
                cs_value(j)
            );
        }
        None => {}
    }
    out.push_str("using var response = await http.SendAsync(request);\n");
    out.push_str("Console.WriteLine($\"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\");\n");
    out
}

/// `requests` and `reqwest` write the form's Content-Type themselves.
fn is_form(x: &HttpExchange) -> bool {
    matches!(x.body, Some(Body::Form(_)))
}

/// One request as Python with `requests` (redirects not followed).
pub fn python_request(x: &HttpExchange) -> String {
    let env = py_env(&env_vars([x]));
    let mut out = if env.is_empty() {
        String::from("import requests\n\n")
    } else {
        format!("import os\n\nimport requests\n\n{env}\n")
    };
    out.push_str("response = requests.request(\n");
    let _ = writeln!(out, "    {},", py_str(x.method.as_str()));
    let _ = writeln!(out, "    {},", py_value(&x.full_url()));
    let headers: Vec<String> = x
        .headers
        .iter()
        .filter(|(k, _)| !(is_form(x) && k.eq_ignore_ascii_case("Content-Type")))
        .map(|(k, v)| format!("{}: {}", py_str(k), py_value(v)))
        .collect();
    if !headers.is_empty() {
        let _ = writeln!(out, "    headers={{{}}},", headers.join(", "));
    }
    match &x.body {
        Some(Body::Form(fields)) => {
            out.push_str("    data={\n");
            for (k, v) in fields {
                let _ = writeln!(out, "        {}: {},", py_str(k), py_value(v));
            }
            out.push_str("    },\n");
        }
        Some(Body::Json(j)) => {
            let _ = writeln!(out, "    data={}.encode(),", py_value(j));
        }
        None => {}
    }
    out.push_str("    allow_redirects=False,\n)\nprint(response.status_code, response.text)\n");
    out
}

/// One request as Rust with `reqwest`'s blocking client (redirects not followed).
pub fn rust_request(x: &HttpExchange) -> String {
    let mut out = String::from(
        "// Cargo.toml: reqwest = { version = \"0.12\", features = [\"blocking\"] }\n",
    );
    out.push_str(&rs_env(&env_vars([x]), ""));
    out.push_str("let client = reqwest::blocking::Client::builder()\n    .redirect(reqwest::redirect::Policy::none())\n    .build()?;\n");
    let _ = write!(
        out,
        "let response = client\n    .request(reqwest::Method::from_bytes(b\"{}\")?, {})",
        x.method,
        rs_value(&x.full_url())
    );
    for (k, v) in x
        .headers
        .iter()
        .filter(|(k, _)| !(is_form(x) && k.eq_ignore_ascii_case("Content-Type")))
    {
        let _ = write!(
            out,
            "\n    .header(\"{}\", {})",
            c_like_escape(k),
            rs_value(v)
        );
    }
    match &x.body {
        Some(Body::Form(fields)) => {
            out.push_str("\n    .form(&[");
            for (k, v) in fields {
                let _ = write!(
                    out,
                    "\n        (\"{}\", {}),",
                    c_like_escape(k),
                    rs_value(v)
                );
            }
            out.push_str("\n    ])");
        }
        Some(Body::Json(j)) => {
            let _ = write!(out, "\n    .body({}.to_owned())", rs_value(j));
        }
        None => {}
    }
    out.push_str("\n    .send()?;\nprintln!(\"{} {}\", response.status(), response.text()?);\n");
    out
}

#[cfg(test)]
mod tests;
