//! `GET /admin/campaigns`: every campaign with its terms and figures.

use actix_web::{HttpResponse, web};
use askama::Template;
use uuid::Uuid;

use super::{describe_commission, describe_recurring};
use crate::domain::Currency;
use crate::domain::campaign::Recurring;
use crate::domain::money::format_minor;
use crate::services::campaigns::{self, Campaign, commission_of, currency_of};
use crate::web::extractors::Staff;
use crate::web::shell::Shell;
use crate::web::{AppState, WebError, page};

/// A campaign as its list row shows it.
pub struct CampaignRow {
    pub id: Uuid,
    pub name: String,
    pub website_url: String,
    pub is_default: bool,
    pub archived: bool,
    pub commission: String,
    pub first_payment: Option<String>,
    pub recurring: String,
    pub cookie_days: i32,
    pub hold_days: i32,
    pub signup: String,
    /// Filled by the list page (`with_figures`); empty elsewhere.
    pub affiliates: i64,
    pub revenue: String,
    pub commissions: String,
}

impl CampaignRow {
    pub fn new(c: &Campaign, currency: Currency) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            website_url: c.website_url.clone(),
            is_default: c.is_default,
            archived: c.archived_at.is_some(),
            commission: describe_commission(
                commission_of(&c.commission_type, c.commission_value),
                currency,
            ),
            first_payment: match (&c.first_payment_type, c.first_payment_value) {
                (Some(k), Some(v)) => Some(describe_commission(commission_of(k, v), currency)),
                _ => None,
            },
            recurring: describe_recurring(
                Recurring::parse(&c.recurring).unwrap_or(Recurring::Lifetime),
                c.recurring_limit,
            ),
            cookie_days: c.cookie_days,
            hold_days: c.hold_days,
            signup: format!(
                "{}{}",
                if c.visibility == "public" {
                    "public"
                } else {
                    "invite only"
                },
                if c.approval_required {
                    ", approval"
                } else {
                    ", automatic"
                }
            ),
            affiliates: 0,
            revenue: String::new(),
            commissions: String::new(),
        }
    }

    fn with_figures(mut self, f: campaigns::CampaignFigures, currency: Currency) -> Self {
        self.affiliates = f.affiliates;
        self.revenue = format!("{} {currency}", format_minor(f.revenue_minor, currency));
        self.commissions = format!("{} {currency}", format_minor(f.commission_minor, currency));
        self
    }
}

#[derive(Template)]
#[template(path = "admin/campaigns/index.html")]
struct IndexPage {
    shell: Shell,
    campaigns: Vec<CampaignRow>,
}

pub async fn index(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, WebError> {
    let currency = currency_of(&staff.access.store);
    let campaigns = campaigns::list_all(&state.db, staff.access.id()).await?;
    let figures = campaigns::figures(&state.db, staff.access.id()).await?;
    page(&IndexPage {
        shell: Shell::for_staff(&staff, "campaigns"),
        campaigns: campaigns
            .iter()
            .map(|c| {
                CampaignRow::new(c, currency)
                    .with_figures(figures.get(&c.id).copied().unwrap_or_default(), currency)
            })
            .collect(),
    })
}
