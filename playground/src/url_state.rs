//! The view in the URL: `#view=guide&scenario=cross-tenant&step=2&lab=subject-case,…`, so that a
//! link reproduces what the learner sees.

/// The playground's views, in the order of the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Guide,
    Lab,
    Directory,
    Doctor,
    Traffic,
}

impl View {
    pub const ALL: [View; 5] = [
        View::Guide,
        View::Lab,
        View::Directory,
        View::Doctor,
        View::Traffic,
    ];

    /// The view's name in the URL (`#view=…`) and in its test id (`nav-…`).
    pub fn id(self) -> &'static str {
        match self {
            View::Guide => "guide",
            View::Lab => "lab",
            View::Directory => "directory",
            View::Doctor => "doctor",
            View::Traffic => "traffic",
        }
    }

    /// The label of its navigation button.
    pub fn label(self) -> &'static str {
        match self {
            View::Guide => "Guided scenarios",
            View::Lab => "Misconfiguration lab",
            View::Directory => "Directory",
            View::Doctor => "FIC doctor",
            View::Traffic => "Traffic",
        }
    }

    /// The view a URL names; None for a name no view has.
    pub fn parse(id: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.id() == id)
    }
}

/// What the URL hash carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlState {
    pub view: View,
    pub scenario: String,
    pub step: usize,
    pub lab: Vec<String>,
}

impl Default for UrlState {
    fn default() -> Self {
        UrlState {
            view: View::Guide,
            scenario: "cross-tenant".into(),
            step: 0,
            lab: Vec::new(),
        }
    }
}

impl UrlState {
    /// Parses a hash (with or without the leading `#`); unknown keys are ignored.
    pub fn parse(hash: &str) -> UrlState {
        let mut s = UrlState::default();
        for pair in hash.trim_start_matches('#').split('&') {
            let Some((k, v)) = pair.split_once('=') else {
                continue;
            };
            match k {
                // An unknown view (an old or mistyped link) shows the guide.
                "view" => s.view = View::parse(v).unwrap_or_default(),
                "scenario" if !v.is_empty() => s.scenario = v.to_owned(),
                "step" => s.step = v.parse().unwrap_or(0),
                "lab" => {
                    s.lab = v
                        .split(',')
                        .filter(|x| !x.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
                _ => {}
            }
        }
        s
    }

    pub fn to_hash(&self) -> String {
        let mut h = format!(
            "#view={}&scenario={}&step={}",
            self.view.id(),
            self.scenario,
            self.step
        );
        if !self.lab.is_empty() {
            h.push_str("&lab=");
            h.push_str(&self.lab.join(","));
        }
        h
    }
}

/// The current hash of the page.
pub fn read() -> UrlState {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    UrlState::parse(&hash)
}

/// Replaces the hash without adding a history entry.
pub fn write(state: &UrlState) {
    if let Some(w) = web_sys::window() {
        let hash = state.to_hash();
        if w.location().hash().ok().as_deref() != Some(hash.as_str())
            && let Ok(h) = w.history()
        {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash));
        }
    }
}

#[cfg(test)]
mod tests;
