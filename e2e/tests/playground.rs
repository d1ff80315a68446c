//! The built playground in headless Chromium against an in-process mock-entra: every guided
//! scenario to its end (managed identities, GitHub Actions, AKS workload identity), every lab
//! toggle's AADSTS code, a FIC added in the directory editor, the FIC doctor on pasted managed
//! identity, GitHub and Kubernetes tokens, and code export with the scenario's real ids. The same walks run
//! a second time on the static site (`cargo xtask site`) under a plain static file server with no
//! mock-entra running, where core's engine answers in the page: same steps, same AADSTS codes and
//! status codes.

use e2e::thirtyfour::prelude::*;
use e2e::{Backend, Playground, WAIT};
use entra_core::directory::Directory;

/// (step id, expected badge) of each guided scenario, in order: `✓` or `✗ AADSTSnnn`.
const SCENARIOS: &[(&str, &[(&str, &str)])] = &[
    (
        "single-tenant",
        &[("mi-token", "✓"), ("app-token", "✓"), ("list-blobs", "✓")],
    ),
    (
        "cross-tenant",
        &[
            ("mi-token", "✓"),
            ("own-app", "✗ AADSTS700236"),
            ("app-token", "✓"),
            ("resource-groups", "✓"),
        ],
    ),
    (
        "custom-audience",
        &[
            ("mi-token", "✓"),
            ("app-token", "✓"),
            ("admin-token", "✓"),
            ("set-v1", "✓"),
            ("mi-token-v1", "✓"),
            ("exchange-v1", "✗ AADSTS700211"),
            ("set-v2", "✓"),
        ],
    ),
    (
        "functions-graph",
        &[
            ("mi-token", "✓"),
            ("app-token", "✓"),
            ("devices", "✓"),
            ("fabrikam", "✗ AADSTS700016"),
            ("admin-consent", "✓"),
            ("admin-consent-accept", "✓"),
            ("fabrikam-retry", "✓"),
        ],
    ),
    (
        "github-actions",
        &[
            ("id-token", "✓"),
            ("app-token", "✓"),
            ("resource-groups", "✓"),
            ("admin-token", "✓"),
            ("fic-branch", "✓"),
            ("exchange-branch", "✗ AADSTS700213"),
            ("fic-case", "✓"),
            ("exchange-case", "✗ AADSTS700213"),
            ("fic-restore", "✓"),
        ],
    ),
    (
        "aks-workload-identity",
        &[
            ("sa-token-default", "✓"),
            ("exchange-default", "✗ AADSTS700213"),
            ("sa-token", "✓"),
            ("app-token", "✓"),
            ("list-blobs", "✓"),
        ],
    ),
];

/// Each lab toggle and the AADSTS code Entra answers with it.
const MISTAKES: &[(&str, u32)] = &[
    ("issuer-trailing-slash", 700211),
    ("subject-case", 700213),
    ("mi-token-for-arm", 7002121),
    ("v1-issuer", 700211),
    ("system-assigned", 700213),
    ("no-service-principal", 700016),
    ("home-without-service-principal", 7000229),
    ("fic-not-propagated", 70021),
    ("app-wrong-tenant", 700236),
    ("expired-assertion", 700024),
    ("wrong-cloud", 700212),
    ("missing-default", 1002012),
    ("github-subject-case", 700213),
    ("github-branch-subject", 700213),
    ("github-flexible-mismatch", 7002131),
    ("aks-issuer-without-slash", 700211),
    ("aks-wrong-audience", 700212),
];

fn tenant_id(dir: &Directory, name: &str) -> String {
    dir.tenants
        .iter()
        .find(|t| t.display_name == name)
        .map(|t| t.id.to_string())
        .unwrap_or_else(|| panic!("tenant {name} in the scenario"))
}

fn app_id(dir: &Directory, name: &str) -> String {
    dir.tenants
        .iter()
        .flat_map(|t| &t.applications)
        .find(|a| a.display_name == name)
        .map(|a| a.app_id.to_string())
        .unwrap_or_else(|| panic!("application {name} in the scenario"))
}

/// The body of the response shown for the current step (the last logged exchange of the step).
async fn response_body(p: &Playground) -> String {
    let bodies = p
        .driver
        .query(By::Css(
            "[data-testid=\"step-panel\"] [data-testid$=\"-response-body\"]",
        ))
        .wait(WAIT, std::time::Duration::from_millis(50))
        .all_from_selector_required()
        .await
        .expect("a response body in the step panel");
    let mut out = String::new();
    for b in bodies {
        out.push_str(&b.text().await.unwrap_or_default());
    }
    out
}

/// The HTTP status of every exchange the inspector shows inside `container`, in order.
async fn statuses(p: &Playground, container: &str) -> Vec<String> {
    let found = p
        .driver
        .query(By::Css(format!(
            "[data-testid=\"{container}\"] [data-testid^=\"exchange-\"][data-testid$=\"-status\"]"
        )))
        .nowait()
        .all_from_selector()
        .await
        .unwrap_or_default();
    let mut out = Vec::new();
    for e in found {
        out.push(e.text().await.unwrap_or_default().trim().to_owned());
    }
    out
}

/// A screenshot name that says which engine answered.
fn shot(backend: Backend, name: &str) -> String {
    match backend {
        Backend::Mock => name.to_owned(),
        Backend::StaticSite => format!("static-site-{name}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_guided_scenario_runs_to_its_end_with_the_same_codes_on_mock_entra_and_the_static_site()
 {
    let served = walk_every_guided_scenario(Backend::Mock).await;
    let in_page = walk_every_guided_scenario(Backend::StaticSite).await;
    assert_eq!(
        served, in_page,
        "the static site's in-page engine answers every step as mock-entra does"
    );
}

/// Runs every guided scenario to its end; returns, per step, its badge and the status of each
/// exchange it made (`single-tenant/mi-token ✓ [200]`).
async fn walk_every_guided_scenario(backend: Backend) -> Vec<String> {
    let mut transcript = Vec::new();
    let p = Playground::start_on(backend).await;
    let dir = p.directory().await;
    let storage = dir
        .tenants
        .iter()
        .flat_map(|t| &t.storage_accounts)
        .flat_map(|s| &s.containers)
        .flat_map(|c| &c.blobs)
        .map(|b| b.name.clone())
        .next()
        .expect("a blob in the scenario");
    let device = dir
        .tenants
        .iter()
        .find(|t| t.display_name == "Litware")
        .and_then(|t| t.devices.first())
        .map(|d| d.display_name.clone())
        .expect("a Litware device in the scenario");

    for (scenario, steps) in SCENARIOS {
        p.open(&format!("view=guide&scenario={scenario}&step=0"))
            .await;
        p.click(&format!("scenario-tab-{scenario}")).await;
        p.click("scenario-reset").await;
        p.wait_text(&format!("step-{}-badge", steps[0].0), str::is_empty)
            .await;
        p.click("run-all").await;
        let (last, _) = steps[steps.len() - 1];
        p.wait_text(&format!("step-{last}-badge"), |t| !t.is_empty())
            .await;
        for (step, badge) in *steps {
            let got = p.wait_text(&format!("step-{step}-badge"), |_| true).await;
            assert_eq!(got.trim(), *badge, "{scenario}: step {step}");
        }
        let outcome = p.wait_text("step-outcome", |t| !t.is_empty()).await;
        assert!(outcome.starts_with("Done"), "{scenario}: {outcome}");
        for (step, badge) in *steps {
            p.click(&format!("step-{step}")).await;
            p.wait_text("step-title", |t| !t.is_empty()).await;
            let codes = statuses(&p, "step-panel").await;
            assert!(
                !codes.is_empty(),
                "{scenario}: step {step} shows its exchange"
            );
            transcript.push(format!("{scenario}/{step} {badge} {codes:?}"));
        }

        // What the flow was for: the resource's answer (custom audience: the v1 token's issuer).
        let answer_step = match *scenario {
            "single-tenant" | "aks-workload-identity" => "list-blobs",
            "cross-tenant" | "github-actions" => "resource-groups",
            "custom-audience" => "mi-token-v1",
            _ => "devices",
        };
        p.click(&format!("step-{answer_step}")).await;
        match *scenario {
            "custom-audience" => {
                p.wait_text("step-mi-token-claim-iss", |t| {
                    t.contains("https://sts.windows.net/")
                })
                .await;
            }
            _ => {
                let needle = match *scenario {
                    "single-tenant" | "aks-workload-identity" => storage.as_str(),
                    "cross-tenant" => "NetworkWatcherRG",
                    // Litware Own App is Contributor of this group only.
                    "github-actions" => "rg-litware-apps",
                    _ => device.as_str(),
                };
                let body = response_body(&p).await;
                assert!(body.contains(needle), "{scenario}: {needle} not in {body}");
            }
        }
        if *scenario == "github-actions" {
            // The ID token decoded: GitHub's issuer and the environment subject.
            p.click("step-id-token").await;
            p.wait_text("step-mi-token-claim-iss", |t| {
                t.contains("https://token.actions.githubusercontent.com")
            })
            .await;
            p.wait_text("step-mi-token-claim-sub", |t| {
                t.contains("repo:litware/deploy-infra:environment:production")
            })
            .await;
            p.click("step-exchange-case").await;
            p.wait_text("step-error-description", |t| {
                t.contains("AADSTS700213")
                    && t.contains("repo:litware/deploy-infra:environment:production")
            })
            .await;
            p.click(&format!("step-{answer_step}")).await;
        }
        if *scenario == "aks-workload-identity" {
            p.click("step-sa-token").await;
            p.wait_text("step-mi-token-claim-sub", |t| {
                t.contains("system:serviceaccount:payments:payments-api")
            })
            .await;
            p.wait_text("step-mi-token-claim-iss", |t| {
                t.contains(".oic.prod-aks.azure.com/")
            })
            .await;
            p.click(&format!("step-{answer_step}")).await;
        }
        if *scenario == "cross-tenant" {
            // The mock logged the URL exactly as core built it.
            p.wait_text("step-panel", |t| {
                t.contains("/resourceGroups?api-version=2024-08-01 HTTP/1.1")
            })
            .await;
            p.click("step-own-app").await;
            p.wait_text("step-error-description", |t| t.contains("AADSTS700236"))
                .await;
            p.click(&format!("step-{answer_step}")).await;
        }
        let png = p
            .screenshot(&shot(backend, &format!("scenario-{scenario}")))
            .await;
        assert!(std::fs::metadata(&png).is_ok_and(|m| m.len() > 10_000));
    }
    p.quit().await;
    transcript
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_lab_toggle_reproduces_its_aadsts_code_on_mock_entra_and_the_static_site() {
    let served = walk_every_lab_toggle(Backend::Mock).await;
    let in_page = walk_every_lab_toggle(Backend::StaticSite).await;
    assert_eq!(
        served, in_page,
        "the static site's in-page engine answers every lab toggle as mock-entra does"
    );
}

/// Runs the lab with each toggle alone, then with none; returns each run's code and the status
/// of each exchange it made.
async fn walk_every_lab_toggle(backend: Backend) -> Vec<String> {
    let mut transcript = Vec::new();
    let p = Playground::start_on(backend).await;
    p.open("view=lab").await;
    for (mistake, code) in MISTAKES {
        p.click(&format!("lab-toggle-{mistake}")).await;
        p.click("lab-run").await;
        // The result of this run names this mistake's fix.
        p.el(&format!("lab-fix-{mistake}")).await;
        let shown = p.wait_text("lab-code", |t| t.starts_with("AADSTS")).await;
        assert_eq!(
            shown.trim(),
            format!("AADSTS{code}"),
            "lab toggle {mistake}"
        );
        let codes = statuses(&p, "lab-result").await;
        transcript.push(format!("{mistake} {} {codes:?}", shown.trim()));
        p.click(&format!("lab-toggle-{mistake}")).await;
    }
    p.click("lab-run").await;
    p.wait_text("lab-verdict", |t| t.contains("No mistakes"))
        .await;
    transcript.push(format!("none ✓ {:?}", statuses(&p, "lab-result").await));
    p.screenshot(&shot(backend, "lab")).await;
    p.quit().await;
    transcript
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fic_added_in_the_directory_editor_lets_a_refused_identity_in() {
    add_a_fic_in_the_editor(Backend::Mock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_static_site_a_fic_added_in_the_editor_lets_a_refused_identity_in_and_survives_a_reload()
 {
    add_a_fic_in_the_editor(Backend::StaticSite).await;
}

async fn add_a_fic_in_the_editor(backend: Backend) {
    let p = Playground::start_on(backend).await;
    let dir = p.directory().await;
    let host = dir
        .compute_hosts
        .iter()
        .find(|h| h.name == "func-contoso")
        .expect("func-contoso in the scenario");
    let system = host
        .identity
        .system_assigned
        .as_ref()
        .expect("func-contoso has a system-assigned identity");
    let contoso = tenant_id(&dir, "Contoso");
    let multi = app_id(&dir, "Multi-Tenant Example App");

    // Without a FIC for it, the function's system-assigned identity is refused.
    p.open("view=lab&lab=system-assigned").await;
    p.click("lab-run").await;
    p.wait_text("lab-code", |t| t.contains("AADSTS700213"))
        .await;

    // Add a FIC for that identity through the editor (Graph), checked live by core's rules.
    p.open("view=directory").await;
    p.click(&format!("app-{multi}-add-fic")).await;
    p.fill("fic-name", "-bad").await;
    p.wait_text("fic-name-problems", |t| t.contains("letter or digit"))
        .await;
    p.fill("fic-name", "func-contoso-system").await;
    p.fill(
        "fic-issuer",
        &format!("https://login.microsoftonline.com/{contoso}/v2.0"),
    )
    .await;
    p.fill("fic-subject", &system.principal_id.to_string())
        .await;
    p.fill("fic-audiences", "api://AzureADTokenExchange").await;
    p.wait_text("fic-name-problems", |t| t.trim() == "✓").await;
    p.click("fic-save").await;
    p.wait_text("notice", |t| {
        t.contains("federatedIdentityCredentials") && t.contains("201")
    })
    .await;
    let stored = p.directory().await;
    let fic = stored
        .tenants
        .iter()
        .flat_map(|t| &t.applications)
        .filter(|a| a.app_id.to_string() == multi)
        .flat_map(|a| &a.federated_identity_credentials)
        .find(|f| f.name == "func-contoso-system")
        .expect("the new FIC is in the directory");
    assert_eq!(fic.subject, system.principal_id.to_string());
    p.el(&format!("fic-{}", fic.id)).await;
    // A reload keeps it: the mock's directory, or on the static site the page's storage.
    p.open("view=directory").await;
    p.el(&format!("fic-{}", fic.id)).await;

    // The same flow now gets a token.
    p.open("view=lab&lab=system-assigned").await;
    p.click("lab-run").await;
    let verdict = p
        .wait_text("lab-verdict", |t| {
            t.contains("succeeded") || t.contains("refused")
        })
        .await;
    assert!(verdict.contains("succeeded"), "{verdict}");
    p.screenshot(&shot(backend, "directory-editor-fic")).await;
    p.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fic_doctor_names_the_mismatch_of_a_pasted_token_and_fic_json() {
    let p = Playground::start().await;
    let dir = p.directory().await;
    let umi = dir
        .tenants
        .iter()
        .flat_map(|t| &t.managed_identities)
        .find(|m| m.name == "umi-multi-tenant-example")
        .expect("the user-assigned identity");
    let contoso = tenant_id(&dir, "Contoso");
    let token: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://AzureADTokenExchange&client_id={}",
            p.base, umi.properties.client_id
        ))
        .header("Metadata", "true")
        .send()
        .await
        .expect("IMDS answers")
        .json()
        .await
        .expect("IMDS JSON");
    let token = token["access_token"].as_str().expect("access_token");
    let principal = umi.properties.principal_id.to_string();
    let fic = |subject: &str| {
        serde_json::json!({
            "name": "umi-pasted",
            "issuer": format!("https://login.microsoftonline.com/{contoso}/v2.0"),
            "subject": subject,
            "audiences": ["api://AzureADTokenExchange"],
        })
        .to_string()
    };

    p.open("view=doctor").await;
    p.fill("doctor-token", token).await;
    p.fill("doctor-fic", &fic(&principal.to_uppercase())).await;
    let verdict = p
        .wait_text("doctor-verdict", |t| t.contains("AADSTS"))
        .await;
    assert!(verdict.contains("AADSTS700213"), "{verdict}");
    let row = p.el("doctor-check-sub").await;
    assert!(row.text().await.unwrap_or_default().contains("case"));
    p.fill("doctor-fic", &fic(&principal)).await;
    p.wait_text("doctor-verdict", |t| t.contains("matches"))
        .await;
    p.screenshot("fic-doctor").await;
    p.quit().await;
}

/// A token of the emulated issuer `name`, minted by mock-entra's control API.
async fn issuer_token(p: &Playground, name: &str, overrides: serde_json::Value) -> String {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/_mock/issuers/{name}/token", p.base))
        .json(&overrides)
        .send()
        .await
        .expect("the control API answers")
        .json()
        .await
        .expect("the control API's JSON");
    answer["token"].as_str().expect("a minted token").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fic_doctor_explains_github_and_kubernetes_tokens_flexible_fics_included() {
    let p = Playground::start().await;
    let github = issuer_token(
        &p,
        "github",
        serde_json::json!({"audience": "api://AzureADTokenExchange"}),
    )
    .await;
    let flexible = |expression: &str| {
        serde_json::json!({
            "name": "github-flexible",
            "issuer": "https://token.actions.githubusercontent.com",
            "subject": null,
            "audiences": ["api://AzureADTokenExchange"],
            "claimsMatchingExpression": {"value": expression, "languageVersion": 1},
        })
        .to_string()
    };

    p.open("view=doctor").await;
    p.fill("doctor-token", &github).await;
    p.fill(
        "doctor-fic",
        &flexible("claims['sub'] matches 'repo:litware/deploy-infra:ref:refs/heads/*'"),
    )
    .await;
    let verdict = p
        .wait_text("doctor-verdict", |t| t.contains("AADSTS"))
        .await;
    assert!(verdict.contains("AADSTS7002131"), "{verdict}");
    let row = p.el("doctor-check-sub").await;
    let why = row.text().await.unwrap_or_default();
    assert!(
        why.contains("repo:litware/deploy-infra:environment:production"),
        "{why}"
    );
    p.fill(
        "doctor-fic",
        &flexible("claims['sub'] matches 'repo:litware/deploy-infra:environment:*'"),
    )
    .await;
    p.wait_text("doctor-verdict", |t| t.contains("matches"))
        .await;

    // A pod of another namespace against the cluster's FIC from the directory.
    let pod = issuer_token(
        &p,
        "aks-contoso",
        serde_json::json!({"namespace": "default", "serviceAccount": "default"}),
    )
    .await;
    let aks_fic = p
        .directory()
        .await
        .tenants
        .iter()
        .flat_map(|t| &t.applications)
        .flat_map(|a| &a.federated_identity_credentials)
        .find(|f| f.name == "aks-contoso-payments-api")
        .cloned()
        .expect("the AKS FIC in the scenario");
    p.fill("doctor-token", &pod).await;
    p.fill(
        "doctor-fic",
        &serde_json::to_string(&aks_fic).expect("a FIC serialises"),
    )
    .await;
    let verdict = p
        .wait_text("doctor-verdict", |t| t.contains("AADSTS"))
        .await;
    assert!(verdict.contains("AADSTS700213"), "{verdict}");
    p.screenshot("fic-doctor-external").await;
    p.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_export_carries_the_scenarios_real_ids_in_every_language() {
    export_code(Backend::Mock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_static_site_code_export_carries_the_same_ids_and_no_page_address() {
    export_code(Backend::StaticSite).await;
}

async fn export_code(backend: Backend) {
    let p = Playground::start_on(backend).await;
    let dir = p.directory().await;
    let litware = tenant_id(&dir, "Litware");
    let multi = app_id(&dir, "Multi-Tenant Example App");

    // Cross-tenant, step 3: the exchange in Litware with the multi-tenant app.
    p.open("view=guide&scenario=cross-tenant&step=2").await;
    p.wait_text("step-title", |t| t.contains("multi-tenant app"))
        .await;
    // "The request, as code" is open until the step has run; open it if it is not.
    let export_shown = match p
        .driver
        .query(e2e::tid("export-code"))
        .nowait()
        .first_opt()
        .await
    {
        Ok(Some(e)) => e.is_displayed().await.unwrap_or(false),
        _ => false,
    };
    if !export_shown {
        p.click("step-request-toggle").await;
    }
    for lang in ["curl", "http", "powershell", "csharp", "python", "rust"] {
        p.click(&format!("export-tab-{lang}")).await;
        let code = p
            .wait_text("export-code", |t| {
                t.contains(&litware) && t.contains(&multi)
            })
            .await;
        assert!(code.contains("client_assertion"), "{lang}: {code}");
        // One script, two targets: Azure's authority unless the environment names another.
        assert!(
            code.contains("AZURE_AUTHORITY_HOST")
                && code.contains("https://login.microsoftonline.com")
                && code.contains(&format!("/{litware}/oauth2/v2.0/token")),
            "{lang} reads its endpoint from the environment: {code}"
        );
        assert!(
            !code.contains(&p.base),
            "{lang} has no mock address: {code}"
        );
    }
    p.wait_text("export-setup", |t| t == "eval \"$(mock-entra env)\"")
        .await;

    // The whole scenario as one script, under the same one-line setup.
    p.click("scenario-export-toggle").await;
    p.wait_text("scenario-export-setup", |t| {
        t == "eval \"$(mock-entra env)\""
    })
    .await;
    for lang in ["bash", "python", "http", "powershell", "csharp", "rust"] {
        p.click(&format!("scenario-export-tab-{lang}")).await;
        let code = p
            .wait_text("scenario-export-code", |t| {
                t.contains(&litware) && t.contains(&multi)
            })
            .await;
        // Every step of the scenario, the deliberate mistake included.
        for step in [
            "Managed identity token from IMDS",
            "The mistake: an app registered in Litware",
            "The fix: Contoso's multi-tenant app, in Litware",
            "List Litware's resource groups (ARM)",
        ] {
            assert!(code.contains(step), "{lang} has step {step}: {code}");
        }
        assert!(
            code.contains("700236"),
            "{lang} expects AADSTS700236: {code}"
        );
    }
    p.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lab_offers_its_run_as_one_script_with_the_mistakes_codes() {
    let p = Playground::start().await;
    let dir = p.directory().await;
    let litware = tenant_id(&dir, "Litware");
    // A FIC mistake (through Graph), a request mistake, and one only the mock can make.
    p.open("view=lab&lab=issuer-trailing-slash,missing-default,expired-assertion")
        .await;
    p.click("lab-export-toggle").await;
    p.wait_text("lab-export-setup", |t| t == "eval \"$(mock-entra env)\"")
        .await;
    p.wait_text("lab-export-left-out", |t| t.contains("Expired assertion"))
        .await;
    for lang in ["bash", "python", "http", "powershell", "csharp", "rust"] {
        p.click(&format!("lab-export-tab-{lang}")).await;
        let code = p
            .wait_text("lab-export-code", |t| {
                t.contains(&litware) && t.contains("federatedIdentityCredentials")
            })
            .await;
        // Either mistake's code is expected; the left-out one's is not.
        assert!(
            code.contains("700211") && code.contains("1002012"),
            "{lang} expects both codes: {code}"
        );
        assert!(!code.contains("700024"), "{lang}: {code}");
        assert!(
            !code.contains(&p.base),
            "{lang} has no mock address: {code}"
        );
    }
    p.wait_text("lab-export-file", |t| t == "main.rs").await;
    // Unchecking everything exports the plain run: no Graph change, the exchange succeeds.
    p.open("view=lab").await;
    p.click("lab-export-toggle").await;
    p.click("lab-export-tab-bash").await;
    p.wait_text("lab-export-code", |t| {
        t.contains("send app-token ok") && !t.contains("federatedIdentityCredentials")
    })
    .await;
    p.quit().await;
}
