//! The audit log in sentences: "owner@example.com approved affiliate Jane
//! Doe", "Refund of 40.00 EUR on sale pay_1002". Pure: the caller gives the
//! entry, the names of its subjects (loaded a page at a time) and the
//! store's currency; each action has its sentence, and an action this
//! module does not know still reads as one ("Ann did campaign.cloned").

use std::collections::HashMap;

use serde_json::Value;
use uuid::Uuid;

use super::Currency;
use super::money::format_minor;

/// A piece of a sentence: text, or the name of an object with its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Link { text: String, href: String },
}

/// What an entry says, as stored.
pub struct Entry<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<&'a str>,
    pub details: &'a Value,
}

/// Names of the objects a page of entries is about, by id.
#[derive(Debug, Default)]
pub struct Names {
    pub affiliates: HashMap<Uuid, String>,
    pub campaigns: HashMap<Uuid, String>,
    /// A sale's payment id.
    pub sales: HashMap<Uuid, String>,
}

/// The object types the log records, with their names in filters.
pub const OBJECT_TYPES: &[(&str, &str)] = &[
    ("affiliate", "Affiliates"),
    ("api_key", "API keys"),
    ("campaign", "Campaigns"),
    ("commission", "Commissions"),
    ("coupon", "Coupons"),
    ("email", "Emails"),
    ("link", "Links"),
    ("membership", "Team"),
    ("payout", "Payouts"),
    ("referral", "Referrals"),
    ("sale", "Sales"),
    ("store", "Store"),
    ("user", "Accounts"),
];

struct Builder(Vec<Part>);

impl Builder {
    fn text(mut self, t: impl Into<String>) -> Self {
        self.0.push(Part::Text(t.into()));
        self
    }
    fn link(mut self, text: impl Into<String>, href: Option<String>) -> Self {
        let text = text.into();
        self.0.push(match href {
            Some(href) => Part::Link { text, href },
            None => Part::Text(text),
        });
        self
    }
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

fn uuid_at(v: &Value, path: &[&str]) -> Option<Uuid> {
    str_at(v, path).and_then(|s| Uuid::parse_str(s).ok())
}

/// The sentence of one entry.
pub fn sentence(e: &Entry<'_>, names: &Names, currency: Currency) -> Vec<Part> {
    let id = e.entity_id.and_then(|s| Uuid::parse_str(s).ok());
    let d = e.details;
    let money = |minor: Option<i64>| {
        minor
            .map(|m| format!("{} {currency}", format_minor(m, currency)))
            .unwrap_or_else(|| "an amount".into())
    };
    let affiliate = |b: Builder, a: Option<Uuid>| {
        let name = a
            .and_then(|a| names.affiliates.get(&a).cloned())
            .or_else(|| str_at(d, &["email"]).map(str::to_owned))
            .or_else(|| str_at(d, &["profile", "email"]).map(str::to_owned))
            .unwrap_or_else(|| "(deleted)".into());
        let href = a
            .filter(|a| names.affiliates.contains_key(a))
            .map(|a| format!("/admin/affiliates/{a}"));
        b.link(name, href)
    };
    let campaign = |b: Builder| {
        let name = id
            .and_then(|c| names.campaigns.get(&c).cloned())
            .or_else(|| str_at(d, &["name"]).map(str::to_owned))
            .or_else(|| str_at(d, &["after", "name"]).map(str::to_owned))
            .unwrap_or_else(|| "(deleted)".into());
        let href = id
            .filter(|c| names.campaigns.contains_key(c))
            .map(|c| format!("/admin/campaigns/{c}"));
        b.link(name, href)
    };
    let sale = |b: Builder| {
        let name = id
            .and_then(|s| names.sales.get(&s).cloned())
            .or_else(|| str_at(d, &["external_id"]).map(str::to_owned))
            .unwrap_or_else(|| "(unknown)".into());
        b.link(name, id.map(|s| format!("/admin/sales/{s}")))
    };
    let actor = Builder(vec![]).text(format!("{} ", e.actor));
    let b = match e.action {
        "affiliate.approved"
        | "affiliate.rejected"
        | "affiliate.suspended"
        | "affiliate.pending" => {
            let verb = e.action.trim_start_matches("affiliate.");
            let b = affiliate(actor.text(format!("{verb} affiliate ")), id);
            match str_at(d, &["reason"]).filter(|r| !r.is_empty()) {
                Some(r) => b.text(format!(" ({r})")),
                None => b,
            }
        }
        "affiliate.created" => affiliate(actor.text("added affiliate "), id),
        "affiliate.updated" => affiliate(actor.text("edited affiliate "), id),
        "affiliate.deleted" => affiliate(actor.text("deleted affiliate "), None),
        "affiliate.anonymized" => actor.text("erased the personal data of an affiliate"),
        "campaign.created" => campaign(actor.text("created campaign ")),
        "campaign.updated" => campaign(actor.text("edited campaign ")),
        "campaign.archived" => campaign(actor.text("archived campaign ")),
        "campaign.restored" => campaign(actor.text("restored campaign ")),
        "campaign.deleted" => campaign(actor.text("deleted campaign ")),
        "sale.created" => {
            let b = sale(actor.text("recorded sale "))
                .text(format!(" of {}", money(d["amount_minor"].as_i64())));
            match uuid_at(d, &["affiliate_id"]) {
                Some(a) => affiliate(b.text(" for "), Some(a)),
                None => b,
            }
        }
        "sale.refunded" => sale(Builder(vec![]).text(format!(
            "Refund of {} on sale ",
            money(d["amount_minor"].as_i64())
        )))
        .text(format!(" by {}", e.actor)),
        "sale.attributed" => {
            let b = sale(actor.text("attributed sale ")).text(" to ");
            affiliate(b, uuid_at(d, &["affiliate_id"]))
        }
        "sale.attribution_undone" => {
            let b = sale(actor.text("undid the attribution of sale ")).text(" to ");
            affiliate(b, uuid_at(d, &["affiliate_id"]))
        }
        "sale.attribution_moved" => {
            let b = sale(actor.text("moved sale ")).text(" from ");
            let b = affiliate(b, uuid_at(d, &["from_affiliate_id"])).text(" to ");
            affiliate(b, uuid_at(d, &["affiliate_id"]))
        }
        "commission.due" => {
            let b = Builder(vec![]).text(format!(
                "A commission of {} became due for ",
                money(d["amount_minor"].as_i64())
            ));
            affiliate(b, uuid_at(d, &["affiliate_id"]))
        }
        "coupon.created" => {
            let b = actor.text(format!(
                "created coupon {} for ",
                str_at(d, &["code"]).unwrap_or("?")
            ));
            affiliate(b, uuid_at(d, &["affiliate_id"]))
        }
        "coupon.updated" => actor.text(format!(
            "edited coupon {}",
            str_at(d, &["after", "code"]).unwrap_or("?")
        )),
        "coupon.deleted" => actor.text(format!(
            "deleted coupon {}",
            str_at(d, &["code"]).unwrap_or("?")
        )),
        "link.created" => {
            let b = actor.text(format!(
                "created link {} for ",
                str_at(d, &["token"]).unwrap_or("?")
            ));
            affiliate(b, uuid_at(d, &["affiliate_id"]))
        }
        "link.updated" => actor.text(format!(
            "edited link {}",
            str_at(d, &["after", "token"]).unwrap_or("?")
        )),
        "link.deleted" => actor.text(format!(
            "deleted link {}",
            str_at(d, &["token"]).unwrap_or("?")
        )),
        "referral.created" | "referral.updated" | "referral.erased" | "referral.lead" => {
            let verb = match e.action {
                "referral.created" => "added",
                "referral.updated" => "corrected",
                "referral.lead" => "reported the sign-up of",
                _ => "erased the personal data of",
            };
            actor
                .text(format!("{verb} "))
                .link("a referral", id.map(|r| format!("/admin/referrals/{r}")))
        }
        "member.added" => actor.text(format!(
            "added {} to the team as {}",
            str_at(d, &["email"]).unwrap_or("someone"),
            str_at(d, &["role"]).unwrap_or("member")
        )),
        "member.role_changed" => actor.text(format!(
            "made {} {}",
            str_at(d, &["email"]).unwrap_or("someone"),
            str_at(d, &["after"]).unwrap_or("?")
        )),
        "member.removed" => actor.text(format!(
            "removed {} from the team",
            str_at(d, &["email"]).unwrap_or("someone")
        )),
        "api_key.created" => actor.text(format!(
            "created API key {}",
            str_at(d, &["name"]).unwrap_or("?")
        )),
        "api_key.revoked" => actor.text(format!(
            "revoked API key {}",
            str_at(d, &["name"]).unwrap_or("?")
        )),
        "store.created" => actor.text(format!(
            "created the store {}",
            str_at(d, &["name"]).unwrap_or("")
        )),
        "store.settings_changed" => actor.text("changed the store's settings"),
        "user.password_changed" => actor.text("changed their password"),
        "user.password_reset" => actor.text("set a new password through a reset link"),
        "email.retried" => actor
            .text("retried ")
            .link("an email", id.map(|m| format!("/admin/emails/{m}")))
            .text(format!(
                " to {}",
                str_at(d, &["recipient"]).unwrap_or("someone")
            )),
        "stripe.secret_set" => actor.text("set the Stripe webhook secret"),
        "stripe.secret_cleared" => actor.text("removed the Stripe webhook secret"),
        other => actor.text(format!("did {other} on {}", e.entity_type)),
    };
    b.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(parts: &[Part]) -> String {
        parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.as_str(),
                Part::Link { text, .. } => text.as_str(),
            })
            .collect()
    }

    #[test]
    fn an_approval_names_the_affiliate_and_links_to_them() {
        let a = Uuid::now_v7();
        let names = Names {
            affiliates: [(a, "Jane Doe".to_owned())].into(),
            ..Default::default()
        };
        let id = a.to_string();
        let details = json!({"from": "pending", "to": "approved", "email": "jane@example.com"});
        let e = Entry {
            actor: "Ann",
            action: "affiliate.approved",
            entity_type: "affiliate",
            entity_id: Some(&id),
            details: &details,
        };

        let parts = sentence(&e, &names, Currency::parse("EUR").unwrap());

        assert_eq!(text(&parts), "Ann approved affiliate Jane Doe");
        assert!(parts.contains(&Part::Link {
            text: "Jane Doe".into(),
            href: format!("/admin/affiliates/{a}")
        }));
    }

    #[test]
    fn a_refund_reads_in_the_stores_currency() {
        let s = Uuid::now_v7();
        let names = Names {
            sales: [(s, "pay_1002".to_owned())].into(),
            ..Default::default()
        };
        let id = s.to_string();
        let details = json!({"amount_minor": 4000, "refunded_minor": 4000});
        let e = Entry {
            actor: "api key",
            action: "sale.refunded",
            entity_type: "sale",
            entity_id: Some(&id),
            details: &details,
        };

        assert_eq!(
            text(&sentence(&e, &names, Currency::parse("EUR").unwrap())),
            "Refund of 40.00 EUR on sale pay_1002 by api key"
        );
    }

    #[test]
    fn an_unknown_action_still_reads_as_a_sentence() {
        let details = json!({});
        let e = Entry {
            actor: "Ann",
            action: "payout.exploded",
            entity_type: "payout",
            entity_id: None,
            details: &details,
        };

        assert_eq!(
            text(&sentence(&e, &Names::default(), Currency::USD)),
            "Ann did payout.exploded on payout"
        );
    }
}
