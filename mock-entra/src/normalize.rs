//! Path normalisation before routing (core's `normalize_path`: managed-identity paths
//! lowercased, trailing slashes dropped), applied as a layer so the shell's own routes see the
//! same path the engine routes on. The listener's scheme rides along as an extension.

use std::task::{Context, Poll};

use axum::http::{Request, Uri};
use entra_core::engine::{Scheme, normalize_path};
use tower::{Layer, Service};

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

/// The normalised URI, or `None` when nothing changes.
pub fn normalize_uri(uri: &Uri) -> Option<Uri> {
    let new_path = normalize_path(uri.path())?;
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
