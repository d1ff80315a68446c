//! The Graph subset under `/v1.0` (and the configurable prefix): applications,
//! federatedIdentityCredentials, servicePrincipals, appRoleAssignments, devices. Every call needs
//! a Graph token this emulator issued, with the right application permission; writes land only
//! when core accepts them.

use http::StatusCode;

use super::reply;
use super::resources::authenticate;
use super::route::{Params, query_get, query_pairs};
use super::shapes::graph_error;
use super::{Call, Request, Response};
use crate::graph::{self, ApplicationRef, GraphError, GraphResponse};
use crate::ids::{ClientId, ObjectId};
use crate::resource::{AccessTokenClaims, ResourceKind};

fn graph_client_id(req: &Request) -> Option<&str> {
    super::route::header(req, "client-request-id")
}

fn error(call: &Call<'_>, req: &Request, e: &GraphError) -> Response {
    graph_error(call, e, graph_client_id(req))
}

fn render(call: &Call<'_>, req: &Request, outcome: Result<GraphResponse, GraphError>) -> Response {
    match outcome {
        Ok(g) => {
            let mut resp = match g.body {
                Some(b) => reply::json(reply::status(g.status), &b),
                None => reply::empty(reply::status(g.status)),
            };
            if let Some(loc) = g.location {
                reply::set_header(&mut resp, "location", &loc);
            }
            reply::set_header(&mut resp, "request-id", &call.guid().to_string());
            resp
        }
        Err(e) => error(call, req, &e),
    }
}

fn caller(call: &Call<'_>, req: &Request) -> Result<AccessTokenClaims, Box<Response>> {
    authenticate(call, req, ResourceKind::Graph)
        .map_err(|e| Box::new(error(call, req, &GraphError::from_auth(&e))))
}

macro_rules! caller {
    ($call:expr, $req:expr) => {
        match caller($call, $req) {
            Ok(c) => c,
            Err(r) => return *r,
        }
    };
}

/// `applications(appId='…')` arrives as the single segment after `/v1.0/`; anything else there
/// is a segment Graph does not know.
fn app_segment(
    call: &Call<'_>,
    req: &Request,
    segment: &str,
) -> Result<ApplicationRef, Box<Response>> {
    if segment.starts_with("applications") {
        Ok(ApplicationRef::parse(segment))
    } else {
        Err(Box::new(error(
            call,
            req,
            &GraphError::new(
                400,
                "BadRequest",
                format!("Resource not found for the segment '{segment}'."),
            ),
        )))
    }
}

macro_rules! app {
    ($call:expr, $req:expr, $seg:expr) => {
        match app_segment($call, $req, $seg) {
            Ok(a) => a,
            Err(r) => return *r,
        }
    };
}

// https://learn.microsoft.com/graph/api/application-list
pub(crate) fn list_applications(call: &mut Call<'_>, req: &Request, _: &Params) -> Response {
    let caller = caller!(call, req);
    let q = query_pairs(req);
    let out = graph::list_applications(&call.engine.directory(), &caller, query_get(&q, "$filter"));
    render(call, req, out)
}

// https://learn.microsoft.com/graph/api/application-post-applications
pub(crate) fn create_application(call: &mut Call<'_>, req: &Request, _: &Params) -> Response {
    let caller = caller!(call, req);
    let (oid, app_id, now) = (ObjectId(call.guid()), ClientId(call.guid()), call.now);
    let out = call.mutate(|d| graph::create_application(d, &caller, req.body(), oid, app_id, now));
    render(call, req, out)
}

fn get_app(call: &mut Call<'_>, req: &Request, app: &ApplicationRef) -> Response {
    let caller = caller!(call, req);
    let out = graph::get_application(&call.engine.directory(), &caller, app);
    render(call, req, out)
}

// https://learn.microsoft.com/graph/api/application-get
pub(crate) fn get_application(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let app = app!(call, req, p.get(0));
    get_app(call, req, &app)
}

pub(crate) fn get_application_by_id(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    get_app(call, req, &ApplicationRef::parse(p.get(0)))
}

fn update_app(call: &mut Call<'_>, req: &Request, app: &ApplicationRef) -> Response {
    let caller = caller!(call, req);
    let out = call.mutate(|d| graph::update_application(d, &caller, app, req.body()));
    render(call, req, out)
}

// https://learn.microsoft.com/graph/api/application-update
pub(crate) fn update_application(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let app = app!(call, req, p.get(0));
    update_app(call, req, &app)
}

pub(crate) fn update_application_by_id(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    update_app(call, req, &ApplicationRef::parse(p.get(0)))
}

fn list_fics_of(call: &mut Call<'_>, req: &Request, app: &ApplicationRef) -> Response {
    let caller = caller!(call, req);
    let out = graph::list_federated_identity_credentials(&call.engine.directory(), &caller, app);
    render(call, req, out)
}

// https://learn.microsoft.com/graph/api/application-list-federatedidentitycredentials
pub(crate) fn list_fics(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let app = app!(call, req, p.get(0));
    list_fics_of(call, req, &app)
}

pub(crate) fn list_fics_by_id(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    list_fics_of(call, req, &ApplicationRef::parse(p.get(0)))
}

fn create_fic_of(call: &mut Call<'_>, req: &Request, app: &ApplicationRef) -> Response {
    let caller = caller!(call, req);
    let (id, now) = (ObjectId(call.guid()), call.now);
    let out = call.mutate(|d| {
        graph::create_federated_identity_credential(d, &caller, app, req.body(), id, now)
    });
    render(call, req, out)
}

// https://learn.microsoft.com/graph/api/application-post-federatedidentitycredentials
pub(crate) fn create_fic(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let app = app!(call, req, p.get(0));
    create_fic_of(call, req, &app)
}

pub(crate) fn create_fic_by_id(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    create_fic_of(call, req, &ApplicationRef::parse(p.get(0)))
}

fn get_fic_of(call: &mut Call<'_>, req: &Request, app: &ApplicationRef, fic: &str) -> Response {
    let caller = caller!(call, req);
    let out = graph::get_federated_identity_credential(
        &call.engine.directory(),
        &caller,
        app,
        &graph::parse_fic_segment(fic),
    );
    render(call, req, out)
}

// https://learn.microsoft.com/graph/api/federatedidentitycredential-get
pub(crate) fn get_fic(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let app = app!(call, req, p.get(0));
    get_fic_of(call, req, &app, p.get(1))
}

pub(crate) fn get_fic_by_id(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    get_fic_of(call, req, &ApplicationRef::parse(p.get(0)), p.get(1))
}

fn update_fic_of(call: &mut Call<'_>, req: &Request, app: &ApplicationRef, fic: &str) -> Response {
    let caller = caller!(call, req);
    let create_if_missing = req
        .headers()
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|p| p.trim().eq_ignore_ascii_case("create-if-missing"))
        });
    let name = graph::parse_fic_segment(fic);
    let out = if fic.starts_with("(name=") {
        let id = ObjectId(call.guid());
        call.mutate(|d| {
            graph::upsert_federated_identity_credential(
                d,
                &caller,
                app,
                &name,
                req.body(),
                create_if_missing,
                id,
            )
        })
    } else {
        call.mutate(|d| {
            graph::update_federated_identity_credential(d, &caller, app, &name, req.body())
        })
    };
    render(call, req, out)
}

// https://learn.microsoft.com/graph/api/federatedidentitycredential-update (and upsert)
pub(crate) fn update_fic(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let app = app!(call, req, p.get(0));
    update_fic_of(call, req, &app, p.get(1))
}

pub(crate) fn update_fic_by_id(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    update_fic_of(call, req, &ApplicationRef::parse(p.get(0)), p.get(1))
}

fn delete_fic_of(call: &mut Call<'_>, req: &Request, app: &ApplicationRef, fic: &str) -> Response {
    let caller = caller!(call, req);
    let fic = graph::parse_fic_segment(fic);
    let out = call.mutate(|d| graph::delete_federated_identity_credential(d, &caller, app, &fic));
    render(call, req, out)
}

// https://learn.microsoft.com/graph/api/federatedidentitycredential-delete
pub(crate) fn delete_fic(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let app = app!(call, req, p.get(0));
    delete_fic_of(call, req, &app, p.get(1))
}

pub(crate) fn delete_fic_by_id(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    delete_fic_of(call, req, &ApplicationRef::parse(p.get(0)), p.get(1))
}

// https://learn.microsoft.com/graph/api/serviceprincipal-list
pub(crate) fn list_sps(call: &mut Call<'_>, req: &Request, _: &Params) -> Response {
    let caller = caller!(call, req);
    let q = query_pairs(req);
    let out =
        graph::list_service_principals(&call.engine.directory(), &caller, query_get(&q, "$filter"));
    render(call, req, out)
}

// https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals
pub(crate) fn create_sp(call: &mut Call<'_>, req: &Request, _: &Params) -> Response {
    let caller = caller!(call, req);
    let id = ObjectId(call.guid());
    let out = call.mutate(|d| graph::create_service_principal(d, &caller, req.body(), id));
    render(call, req, out)
}

// https://learn.microsoft.com/graph/api/serviceprincipal-get
pub(crate) fn get_sp(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let caller = caller!(call, req);
    let out = graph::get_service_principal(&call.engine.directory(), &caller, p.get(0));
    render(call, req, out)
}

// https://learn.microsoft.com/graph/api/serviceprincipal-list-approleassignments
pub(crate) fn list_assignments(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let caller = caller!(call, req);
    let out = graph::list_app_role_assignments(&call.engine.directory(), &caller, p.get(0));
    render(call, req, out)
}

// https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignments
pub(crate) fn create_assignment(call: &mut Call<'_>, req: &Request, p: &Params) -> Response {
    let caller = caller!(call, req);
    let (id, now) = (ObjectId(call.guid()), call.now);
    let sp = p.get(0);
    let out =
        call.mutate(|d| graph::create_app_role_assignment(d, &caller, sp, req.body(), id, now));
    render(call, req, out)
}

// https://learn.microsoft.com/graph/api/device-list
pub(crate) fn devices(call: &mut Call<'_>, req: &Request, _: &Params) -> Response {
    let caller = caller!(call, req);
    match graph::list_devices(&call.engine.directory(), &caller) {
        Ok(body) => reply::json(StatusCode::OK, &body),
        Err(e) => error(call, req, &e),
    }
}
