//! The unit of work's in-memory staging and rollback.

use super::*;
use crate::domain::states::{ReferralSource, ReferralState};
use crate::services::ActorKind;
use chrono::{Duration, Utc};

fn person(id: Uuid) -> referral::Model {
    let now = Utc::now();
    referral::Model {
        id,
        store_id: Uuid::nil(),
        affiliate_id: Uuid::nil(),
        campaign_id: Uuid::nil(),
        link_id: Some(Uuid::now_v7()),
        coupon_id: None,
        visitor_id: None,
        state: ReferralState::Visitor,
        email: None,
        external_customer_id: None,
        self_referral: false,
        ip_hash: None,
        user_agent: None,
        source: ReferralSource::Link,
        sale_count: 0,
        first_sale_at: None,
        expires_at: now + Duration::days(30),
        lead_at: None,
        converted_at: None,
        erased_at: None,
        created_at: now,
        updated_at: now,
    }
}

fn a_sale() -> sale::Model {
    sale::Model {
        id: Uuid::now_v7(),
        store_id: Uuid::nil(),
        external_id: "pi_1".into(),
        referral_id: None,
        affiliate_id: None,
        amount_minor: 100,
        tax_minor: 0,
        currency: "USD".into(),
        refunded_minor: 0,
        attribution: "none".into(),
        coupon_code: None,
        customer_email: None,
        external_customer_id: None,
        occurred_at: Utc::now(),
        created_at: Utc::now(),
    }
}

fn state(w: &Work) -> Vec<(Uuid, &'static str, i32, &'static str)> {
    let mut v: Vec<_> = w
        .referrals
        .values()
        .map(|t| {
            let row = match t.row {
                Row::Clean => "clean",
                Row::Changed => "changed",
                Row::New => "new",
            };
            (t.model.id, t.model.state.as_str(), t.model.sale_count, row)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn rolling_back_to_a_mark_undoes_exactly_what_came_after_it() {
    let actor = Actor {
        kind: ActorKind::System,
        id: None,
        label: "system".into(),
        ip: None,
        idempotency_key: None,
    };
    let mut w = Work::default();
    let known = person(Uuid::now_v7());
    w.referrals.insert(
        known.id,
        Tracked {
            model: known.clone(),
            row: Row::Clean,
        },
    );
    let kept = person(Uuid::now_v7());
    w.add_referral(kept.clone());
    w.add_sale(a_sale(), &actor);
    let before = state(&w);
    let (events, audits) = (w.events.len(), w.audits.len());

    let mark = w.mark();
    let mut converted = known.clone();
    converted.state = ReferralState::Converted;
    converted.sale_count = 1;
    w.put_referral(converted.clone());
    converted.sale_count = 2;
    w.put_referral(converted);
    let mut kept_too = kept.clone();
    kept_too.sale_count = 5;
    w.put_referral(kept_too);
    w.add_referral(person(Uuid::now_v7()));
    w.add_sale(a_sale(), &actor);
    w.count_conversion(known.link_id.unwrap());
    assert_ne!(state(&w), before);
    w.rollback(mark);

    assert_eq!(state(&w), before);
    assert_eq!((w.events.len(), w.audits.len()), (events, audits));
    assert_eq!(w.sales.len(), 1);
    assert!(w.conversions.is_empty());
}

#[test]
fn a_referral_made_in_the_unit_stays_an_insert_when_it_changes() {
    let mut w = Work::default();
    let made = person(Uuid::now_v7());
    w.add_referral(made.clone());
    let mut changed = made;
    changed.state = ReferralState::Converted;
    w.put_referral(changed);
    assert_eq!(state(&w)[0].3, "new");
    assert_eq!(state(&w)[0].1, ReferralState::Converted.as_str());
}
