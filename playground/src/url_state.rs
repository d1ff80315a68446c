//! The view in the URL: `#view=guide&scenario=cross-tenant&step=2&lab=subject-case,…`, so that a
//! link reproduces what the learner sees.

/// What the URL hash carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlState {
    pub view: String,
    pub scenario: String,
    pub step: usize,
    pub lab: Vec<String>,
}

impl Default for UrlState {
    fn default() -> Self {
        UrlState {
            view: "guide".into(),
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
                "view" if !v.is_empty() => s.view = v.to_owned(),
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
            self.view, self.scenario, self.step
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
