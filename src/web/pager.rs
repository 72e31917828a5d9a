//! The pager under every keyset-paged list (`templates/partials/pager.html`):
//! a link back to the first page once past it, and one to the next page.

pub struct Pager {
    pub first_url: Option<String>,
    pub first_label: &'static str,
    pub next_url: Option<String>,
    pub next_label: &'static str,
}

impl Pager {
    /// A list in no particular time order: "First page", "Next page".
    pub fn pages(first_url: Option<String>, next_url: Option<String>) -> Self {
        Self {
            first_url,
            first_label: "First page",
            next_url,
            next_label: "Next page",
        }
    }

    /// A list newest first: "Newest", "Older".
    pub fn newest_first(first_url: Option<String>, next_url: Option<String>) -> Self {
        Self {
            first_url,
            first_label: "Newest",
            next_url,
            next_label: "Older",
        }
    }
}
