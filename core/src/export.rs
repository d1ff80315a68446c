//! Code export of one request: something to paste and run, in curl, VS Code REST Client,
//! PowerShell, C#, Python and Rust. Whole scenarios as one script are [`script`]'s.
//!
//! Every export is a pure function to a `String`.

use std::fmt::Write as _;

use crate::client::{Body, HttpExchange};

mod plan;
pub mod script;

pub use plan::{LabPlan, lab_plan};

// --- curl -------------------------------------------------------------------------------------

use script::{
    bash_env, body_content_type, c_like_escape, cs_request, curl_args, env_vars, ps_env,
    ps_headers, ps_method, ps_string, py_env, py_kwargs, py_value, rest_env, rest_request, rs_env,
    rs_value, sent_headers,
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

// --- VS Code REST Client --------------------------------------------------------------------

/// One request for a `.http` file.
pub fn rest_client_request(x: &HttpExchange) -> String {
    let mut out = rest_env(&env_vars([x]));
    out.push_str("###\n");
    rest_request(x, &Default::default(), &mut out);
    out
}

// --- PowerShell -------------------------------------------------------------------------------

fn ps_request(x: &HttpExchange) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "Invoke-RestMethod -Method {} -Uri {}",
        ps_method(x),
        ps_string(&x.full_url())
    );
    let headers = ps_headers(x);
    if !headers.is_empty() {
        let _ = write!(out, " -Headers @{{ {} }}", headers.join("; "));
    }
    if let Some(ct) = body_content_type(x) {
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

// --- Single requests in C#, Python and Rust ------------------------------------------------
//
// The playground shows one step's raw request in these languages too. A placeholder
// `{{step.access_token}}` becomes a variable named after the step, interpolated into the string.

/// One request as C# with `HttpClient` (redirects not followed).
pub fn csharp_request(x: &HttpExchange) -> String {
    let mut out = script::cs_env(&env_vars([x]));
    out.push_str(
        "using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });\n",
    );
    out.push_str("using ");
    out.push_str(&cs_request(x, "request"));
    out.push_str("using var response = await http.SendAsync(request);\n");
    out.push_str("Console.WriteLine($\"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\");\n");
    out
}

/// A double-quoted string literal, alike in C# and Python for plain text.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', r"\\").replace('"', "\\\""))
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
    let _ = writeln!(out, "    {},", quoted(x.method.as_str()));
    let _ = writeln!(out, "    {},", py_value(&x.full_url()));
    out.push_str(&py_kwargs(x, "    "));
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
    for (k, v) in sent_headers(x) {
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
