//! Path normalisation before routing: MSAL Node lowercases the IMDS URL and appends `/`, so
//! managed-identity paths are matched case-insensitively and a trailing slash is ignored
//! everywhere (sdk-compat 0.3.1). The listener's scheme rides along as an extension.

use std::task::{Context, Poll};

use axum::http::{Request, Uri};
use tower::{Layer, Service};

use crate::state::Scheme;

/// Rewrites the URI and tags the request with the listener's scheme.
#[derive(Debug, Clone, Copy)]
pub struct NormalizeLayer(pub Scheme);

impl<S> Layer<S> for NormalizeLayer {
    type Service = Normalize<S>;
    fn layer(&self, inner: S) -> Self::Service {
        Normalize {
            inner,
            scheme: self.0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Normalize<S> {
    inner: S,
    scheme: Scheme,
}

impl<S, B> Service<Request<B>> for Normalize<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        if let Some(uri) = normalize_uri(req.uri()) {
            *req.uri_mut() = uri;
        }
        req.extensions_mut().insert(self.scheme);
        self.inner.call(req)
    }
}

fn is_managed_identity_path(lower: &str) -> bool {
    let rest = match lower.strip_prefix("/hosts/") {
        Some(r) => match r.find('/') {
            Some(i) => &r[i..],
            None => return false,
        },
        None => lower,
    };
    rest == "/metadata"
        || rest.starts_with("/metadata/")
        || rest == "/msi"
        || rest.starts_with("/msi/")
}

/// The normalised URI, or `None` when nothing changes.
pub fn normalize_uri(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    let mut new_path = path.to_owned();
    let lower = path.to_ascii_lowercase();
    if is_managed_identity_path(&lower) {
        new_path = lower;
    }
    while new_path.len() > 1 && new_path.ends_with('/') {
        new_path.pop();
    }
    if new_path == path {
        return None;
    }
    let pq = match uri.query() {
        Some(q) => format!("{new_path}?{q}"),
        None => new_path,
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = pq.parse().ok();
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imds_paths_are_lowercased_and_trailing_slash_dropped() {
        let u: Uri = "/Metadata/Identity/OAuth2/Token/?api-version=2018-02-01&resource=X"
            .parse()
            .unwrap();
        assert_eq!(
            normalize_uri(&u).unwrap().to_string(),
            "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=X"
        );
        let u: Uri = "/hosts/VM-Contoso/metadata/identity/oauth2/token/"
            .parse()
            .unwrap();
        assert_eq!(
            normalize_uri(&u).unwrap().path(),
            "/hosts/vm-contoso/metadata/identity/oauth2/token"
        );
    }

    #[test]
    fn other_paths_keep_their_case() {
        let u: Uri = "/v1.0/applications(appId='ABC')/".parse().unwrap();
        assert_eq!(
            normalize_uri(&u).unwrap().path(),
            "/v1.0/applications(appId='ABC')"
        );
        let u: Uri = "/".parse().unwrap();
        assert!(normalize_uri(&u).is_none());
    }
}
