//! The directory editor: tenants, identities, apps, FICs and service principals of the running
//! scenario. FICs, apps and service principals change through Microsoft Graph (with the tenant's
//! "Playground Admin" token), the whole scenario through the control API. FIC rules are checked
//! while typing.
use entra_core::client;
use entra_core::directory::{Application, Directory, FederatedIdentityCredential, Tenant};
use entra_core::fic::{FicDraft, Field};
use entra_core::ids::ObjectId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, HttpReq};
use crate::components::inspector::ExchangeView;
use crate::core_bridge::fic_problems;
use crate::scenarios::{EXCHANGE_AUDIENCE, GRAPH_SCOPE, secret_token};
use crate::state::{AppState, StepResult};
use crate::world::{World, admin_of};

/// The FIC being created or edited.
#[derive(Debug, Clone, PartialEq, Default)]
struct FicForm {
    tenant: String,
    /// Object id of the application.
    app: String,
    /// Id of the FIC being edited; None when creating.
    existing: Option<String>,
    name: String,
    issuer: String,
    subject: String,
    audience: String,
    description: String,
}

impl FicForm {
    /// The form as Graph's request body (core's draft): the values as typed, trimmed.
    fn draft(&self) -> FicDraft {
        let some = |s: &str| Some(s.trim().to_owned());
        FicDraft {
            id: None,
            name: some(&self.name),
            issuer: some(&self.issuer),
            subject: some(&self.subject),
            audiences: Some(vec![self.audience.trim().to_owned()]),
            description: Some(self.description.clone()).filter(|d| !d.is_empty()),
            claims_matching_expression: None,
        }
    }

    /// Core's FIC rules for this form against the application's other credentials.
    fn problems(&self, existing: &[FederatedIdentityCredential]) -> Vec<(Field, String)> {
        let edited = self.existing.as_deref().and_then(ObjectId::parse);
        fic_problems(&self.draft(), edited, existing)
    }
}

fn existing_fics(dir: &Directory, app_object: &str) -> Vec<FederatedIdentityCredential> {
    dir.tenants
        .iter()
        .flat_map(|t| &t.applications)
        .find(|a| a.id.to_string() == app_object)
        .map(|a| a.federated_identity_credentials.clone())
        .unwrap_or_default()
}

/// A Graph write the editor makes, waiting for the admin's token: core builds each request
/// once the token is known (the editor builds none by hand).
enum GraphCall {
    /// `POST …/federatedIdentityCredentials`.
    CreateFic { app: ObjectId, draft: FicDraft },
    /// `PATCH …/federatedIdentityCredentials/{id}` with the draft's changeable properties.
    UpdateFic {
        app: ObjectId,
        fic: ObjectId,
        draft: FicDraft,
    },
    /// `DELETE …/federatedIdentityCredentials/{id}`.
    DeleteFic { app: ObjectId, fic: ObjectId },
    /// `PATCH /applications/{id}` setting `api.requestedAccessTokenVersion`.
    TokenVersion { app: ObjectId, version: Option<u8> },
    /// `POST /servicePrincipals` for the appId as typed.
    CreateServicePrincipal { app_id: String },
}

impl GraphCall {
    fn with_token(self, token: &str) -> HttpReq {
        match self {
            GraphCall::CreateFic { app, draft } => {
                client::graph_fic_create_request("", app, token, &draft)
            }
            GraphCall::UpdateFic { app, fic, draft } => {
                client::graph_fic_update_request("", app, fic, token, &client::fic_changes(&draft))
            }
            GraphCall::DeleteFic { app, fic } => {
                client::graph_fic_delete_request("", app, fic, token)
            }
            GraphCall::TokenVersion { app, version } => {
                client::graph_token_version_request("", app, version, token)
            }
            GraphCall::CreateServicePrincipal { app_id } => {
                client::graph_service_principal_create_request("", &app_id, token)
            }
        }
        .into()
    }
}

/// Calls Graph in `tenant` as its Playground Admin, then reloads the directory.
async fn graph(state: AppState, tenant: String, call: GraphCall) -> Vec<StepResult> {
    let Some((app, secret)) = state.dir.with_untracked(|d| admin_of(d, &tenant)) else {
        state.notice.set(
            "This tenant has no 'Playground Admin' app with a secret: use the JSON editor.".into(),
        );
        return Vec::new();
    };
    let tok = state
        .perform(secret_token(&tenant, &app, &secret, GRAPH_SCOPE))
        .await;
    let Some(t) = tok.access_token() else {
        state
            .notice
            .set(format!("Admin token failed: {}", tok.summary()));
        return vec![tok];
    };
    let r = state.perform(call.with_token(&t)).await;
    let graph_message = serde_json::from_str::<serde_json::Value>(&r.body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    state.notice.set(format!(
        "{} {} → {}{graph_message}",
        r.req.method,
        r.req.url,
        r.summary()
    ));
    state.reload_directory().await;
    vec![tok, r]
}

#[component]
fn FicFormView(
    /// The form state (Some while the form is open).
    form: RwSignal<Option<FicForm>>,
    /// The results of the last Graph call.
    last: RwSignal<Vec<StepResult>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let problems = Memo::new(move |_| {
        form.with(|f| {
            f.as_ref()
                .map(|f| {
                    let existing = state.dir.with(|d| existing_fics(d, &f.app));
                    f.problems(&existing)
                })
                .unwrap_or_default()
        })
    });
    let field = move |label: &'static str,
                      key: Field,
                      get: fn(&FicForm) -> String,
                      set: fn(&mut FicForm, String),
                      disabled: bool| {
        let id = format!("fic-{}", key.as_str());
        view! {
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                data-testid=id.clone()
                disabled=disabled
                aria-describedby=format!("{id}-problems")
                prop:value=move || form.with(|f| f.as_ref().map(get).unwrap_or_default())
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    form.update(|f| if let Some(f) = f { set(f, v) });
                }
            />
            <div id=format!("{id}-problems") data-testid=format!("{id}-problems") aria-live="polite">
                {move || {
                    let ps: Vec<String> = problems.get().into_iter().filter(|(f, _)| *f == key).map(|(_, m)| m).collect();
                    if ps.is_empty() {
                        view! { <p class="field-ok">"✓"</p> }.into_any()
                    } else {
                        ps.into_iter().map(|m| view! { <p class="field-problem">{m}</p> }).collect_view().into_any()
                    }
                }}
            </div>
        }
    };
    let editing = form.with_untracked(|f| f.as_ref().is_some_and(|f| f.existing.is_some()));
    let save = move |_| {
        let Some(f) = form.get_untracked() else {
            return;
        };
        let d = f.draft();
        let Some(app) = ObjectId::parse(&f.app) else {
            return;
        };
        let call = match f.existing.as_deref().map(ObjectId::parse) {
            None => GraphCall::CreateFic { app, draft: d },
            Some(Some(fic)) => GraphCall::UpdateFic { app, fic, draft: d },
            Some(None) => return,
        };
        spawn_local(async move {
            let r = graph(state, f.tenant.clone(), call).await;
            if r.last().is_some_and(StepResult::succeeded) {
                form.set(None);
            }
            last.set(r);
        });
    };
    view! {
        <div class="form" data-testid="fic-form" role="group" aria-label="federated identity credential">
            <h4>{if editing { "Edit federated credential" } else { "New federated credential" }}</h4>
            {field("Name", Field::Name, |f| f.name.clone(), |f, v| f.name = v, editing)}
            {field("Issuer", Field::Issuer, |f| f.issuer.clone(), |f, v| f.issuer = v, false)}
            {field("Subject (object id of the identity)", Field::Subject, |f| f.subject.clone(), |f, v| f.subject = v, false)}
            {field("Audience", Field::Audiences, |f| f.audience.clone(), |f, v| f.audience = v, false)}
            {field("Description", Field::Description, |f| f.description.clone(), |f, v| f.description = v, false)}
            <div class="actions">
                <button class="primary" data-testid="fic-save" disabled=move || !problems.get().is_empty() on:click=save>"Save through Graph"</button>
                <button data-testid="fic-cancel" on:click=move |_| form.set(None)>"Cancel"</button>
            </div>
        </div>
    }
}

/// One application of a tenant: its ids, its token version and its FICs, each editable through
/// Graph.
#[component]
fn AppCard(
    /// The tenant the application lives in (whose admin makes the Graph calls).
    tenant: String,
    app: Application,
    /// The subject a new FIC starts with (the scenario's managed identity).
    umi_principal: String,
    form: RwSignal<Option<FicForm>>,
    last: RwSignal<Vec<StepResult>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let (tid, a) = (tenant, &app);
    let app_obj = a.id.to_string();
    let app_id = a.app_id.to_string();
    let version = a.api.requested_access_token_version;
    let fics = a
        .federated_identity_credentials
        .iter()
        .map(|f| {
            let fic_id = f.id.to_string();
            let (t1, a1, fid1) = (tid.clone(), app_obj.clone(), fic_id.clone());
            let (t2, a2, fid2) = (tid.clone(), app_obj.clone(), fic_id.clone());
            let fc = f.clone();
            view! {
                <div class="fic-row" data-testid=format!("fic-{fic_id}")>
                    <div>
                        <strong>{f.name.clone()}</strong><br/>
                        "issuer " <code>{f.issuer.clone()}</code><br/>
                        "subject " <code>{f.subject.clone()}</code><br/>
                        "audience " <code>{f.audiences.join(", ")}</code>
                    </div>
                    <div class="actions">
                        <button data-testid=format!("fic-{fic_id}-edit") aria-label=format!("edit {}", f.name) on:click=move |_| {
                            form.set(Some(FicForm {
                                tenant: t1.clone(),
                                app: a1.clone(),
                                existing: Some(fid1.clone()),
                                name: fc.name.clone(),
                                issuer: fc.issuer.clone(),
                                subject: fc.subject.clone(),
                                audience: fc.audiences.first().cloned().unwrap_or_default(),
                                description: fc.description.clone().unwrap_or_default(),
                            }))
                        }>"Edit"</button>
                        <button class="danger" data-testid=format!("fic-{fic_id}-delete") aria-label=format!("delete {}", f.name) on:click=move |_| {
                            let (Some(app), Some(fic)) = (ObjectId::parse(&a2), ObjectId::parse(&fid2)) else { return };
                            let t = t2.clone();
                            spawn_local(async move { last.set(graph(state, t, GraphCall::DeleteFic { app, fic }).await); });
                        }>"Delete"</button>
                    </div>
                </div>
            }
        })
        .collect_view();
    let (t3, a3) = (tid.clone(), app_obj.clone());
    let (t4, a4) = (tid.clone(), app_obj.clone());
    // A new FIC starts out trusting the v2.0 issuer of the app's tenant, in that tenant's cloud.
    let issuer = state
        .dir
        .with_untracked(|d| {
            d.tenants
                .iter()
                .find(|t| t.id.to_string() == tid)
                .map(|t| t.cloud.v2_issuer(t.id).0)
        })
        .unwrap_or_default();
    let subject = umi_principal.clone();
    let app_obj_show = app_obj.clone();
    view! {
        <div class="card" data-testid=format!("app-{app_id}")>
            <strong>{a.display_name.clone()}</strong>
            <div class="ids">"appId " {app_id.clone()} " · object " {app_obj.clone()} " · " {format!("{:?}", a.sign_in_audience)}</div>
            {(!a.identifier_uris.is_empty()).then(|| view! { <div class="ids">"identifierUris " {a.identifier_uris.join(", ")}</div> })}
            <label for=format!("ver-{app_id}")>"requestedAccessTokenVersion"</label>
            <select id=format!("ver-{app_id}") data-testid=format!("app-{app_id}-token-version") on:change=move |ev| {
                let v = event_target_value(&ev);
                let version = match v.as_str() { "1" => Some(1), "2" => Some(2), _ => None };
                let Some(app) = ObjectId::parse(&a4) else { return };
                let t = t4.clone();
                spawn_local(async move { last.set(graph(state, t, GraphCall::TokenVersion { app, version }).await); });
            }>
                <option value="" selected=version.is_none()>"null (v1)"</option>
                <option value="1" selected=version == Some(1)>"1"</option>
                <option value="2" selected=version == Some(2)>"2"</option>
            </select>
            {fics}
            <div class="actions">
                <button data-testid=format!("app-{app_id}-add-fic") on:click=move |_| form.set(Some(FicForm {
                    tenant: t3.clone(),
                    app: a3.clone(),
                    existing: None,
                    name: String::new(),
                    issuer: issuer.clone(),
                    subject: subject.clone(),
                    audience: EXCHANGE_AUDIENCE.into(),
                    description: String::new(),
                }))>"Add federated credential"</button>
            </div>
            <Show when=move || form.with(|f| f.as_ref().is_some_and(|f| f.app == app_obj_show))>
                <FicFormView form=form last=last/>
            </Show>
        </div>
    }
}

/// One tenant of the directory: its managed identities, applications and service principals.
#[component]
fn TenantPanel(
    tenant: Tenant,
    /// The names the steps use (for the subject a new FIC starts with).
    world: World,
    form: RwSignal<Option<FicForm>>,
    last: RwSignal<Vec<StepResult>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let (t, w) = (&tenant, &world);
    let tid = t.id.to_string();
    let mis = t
        .managed_identities
        .iter()
        .map(|m| {
            view! {
                <tr data-testid=format!("mi-{}", m.name)>
                    <td>{m.name.clone()}</td>
                    <td><code>{m.properties.client_id.to_string()}</code></td>
                    <td><code>{m.properties.principal_id.to_string()}</code></td>
                </tr>
            }
        })
        .collect_view();
    let apps = t
        .applications
        .iter()
        .map(|a| view! { <AppCard tenant=tid.clone() app=a.clone() umi_principal=w.umi_principal.clone() form=form last=last/> })
        .collect_view();
    let sps = t
        .service_principals
        .iter()
        .map(|sp| {
            view! {
                <tr data-testid=format!("sp-{}", sp.id)>
                    <td>{sp.display_name.clone()}</td>
                    <td><code>{sp.app_id.to_string()}</code></td>
                    <td>{sp.service_principal_type.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let t5 = tid.clone();
    let sp_app = RwSignal::new(String::new());
    view! {
        <section class="panel tenant" data-testid=format!("tenant-{tid}")>
            <h2>{t.display_name.clone()} " " <small>{tid.clone()} " · " {format!("{:?}", t.cloud)}</small></h2>
            {(!t.managed_identities.is_empty()).then(|| view! {
                <h3>"Managed identities"</h3>
                <table class="simple"><thead><tr><th>"name"</th><th>"client id"</th><th>"principal (object) id"</th></tr></thead><tbody>{mis}</tbody></table>
            })}
            <h3>"Applications"</h3>
            {apps}
            <h3>"Service principals"</h3>
            <table class="simple"><thead><tr><th>"name"</th><th>"appId"</th><th>"type"</th></tr></thead><tbody>{sps}</tbody></table>
            <div class="actions">
                <label class="sr-only" for=format!("sp-app-{tid}")>"appId for a new service principal"</label>
                <input id=format!("sp-app-{tid}") data-testid=format!("tenant-{tid}-sp-appid") placeholder="appId of a multi-tenant app"
                    prop:value=move || sp_app.get() on:input=move |ev| sp_app.set(event_target_value(&ev))/>
                <button data-testid=format!("tenant-{tid}-sp-create") on:click=move |_| {
                    let call = GraphCall::CreateServicePrincipal { app_id: sp_app.get_untracked() };
                    let t = t5.clone();
                    spawn_local(async move { last.set(graph(state, t, call).await); });
                }>"Create service principal"</button>
            </div>
        </section>
    }
}

/// The directory view.
#[component]
pub fn DirectoryEditor() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form: RwSignal<Option<FicForm>> = RwSignal::new(None);
    let last: RwSignal<Vec<StepResult>> = RwSignal::new(Vec::new());
    let json = RwSignal::new(String::new());

    let tenants = move || {
        let dir = state.dir.get();
        let w = state.world();
        dir.tenants
            .iter()
            .map(|t| view! { <TenantPanel tenant=t.clone() world=w.clone() form=form last=last/> })
            .collect_view()
    };

    view! {
        <section class="directory" data-testid="directory">
            <div class="actions">
                <button data-testid="dir-reload" on:click=move |_| spawn_local(async move { state.reload_directory().await; })>"Reload from mock"</button>
                <button data-testid="dir-reset" on:click=move |_| spawn_local(async move {
                    let _ = api::reset().await;
                    state.reload_directory().await;
                    state.notice.set("Scenario reset.".into());
                })>"Reset scenario"</button>
            </div>
            {move || {
                let l = last.get();
                (!l.is_empty()).then(|| view! {
                    <div class="panel" data-testid="dir-last-call">
                        <h3>"Last change"</h3>
                        {l.into_iter().flat_map(|r| r.exchanges).map(|ex| view! { <ExchangeView ex=ex open=false/> }).collect_view()}
                    </div>
                })
            }}
            <div class="two-col">
                <div>{tenants}</div>
                <div class="panel">
                    <h2>"Scenario JSON"</h2>
                    <p class="muted">"The whole directory (GET/PUT /_mock/scenario). Anything the forms do not cover can be changed here."</p>
                    <div class="actions">
                        <button data-testid="dir-json-load" on:click=move |_| json.set(state.dir.with_untracked(|d| serde_json::to_string_pretty(d).unwrap_or_default()))>"Load live JSON"</button>
                        <button class="primary" data-testid="dir-json-apply" on:click=move |_| {
                            let body = json.get_untracked();
                            spawn_local(async move {
                                match api::put_scenario(body).await {
                                    Ok(r) if r.status < 400 => state.notice.set("Scenario replaced.".into()),
                                    Ok(r) => state.notice.set(format!("PUT /_mock/scenario answered {}: {}", r.status, r.body)),
                                    Err(e) => state.notice.set(e),
                                }
                                state.reload_directory().await;
                            });
                        }>"Replace scenario"</button>
                    </div>
                    <label for="dir-json">"Directory JSON"</label>
                    <textarea id="dir-json" data-testid="dir-json" rows="24" prop:value=move || json.get() on:input=move |ev| json.set(event_target_value(&ev))></textarea>
                </div>
            </div>
        </section>
    }
}
