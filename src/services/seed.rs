//! `tributary seed`: demo and benchmark data — a store, a default campaign
//! and N affiliates with a link each — written in large batches, since going
//! through the one-at-a-time use cases would take minutes for 100k rows.

use chrono::{Duration, Utc};
use sea_orm::{DatabaseConnection, EntityTrait, Set};
use uuid::Uuid;

use super::{Actor, ServiceResult, campaigns, setup, stores};
use crate::db;
use crate::domain::StoreId;
use crate::domain::affiliate::{AffiliateFields, AffiliateProfile, AffiliateStatus};
use crate::domain::campaign::CampaignFields;
use crate::entities::{affiliate, link};

pub struct SeedReport {
    pub store_id: StoreId,
    pub created: u64,
    /// An affiliate ~90 % down the newest-first list, for deep-page benchmarks.
    pub deep_cursor: Option<Uuid>,
}

const FIRST: [&str; 12] = [
    "Ann", "Bob", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivan", "June", "Kofi", "Lena",
];
const LAST: [&str; 10] = [
    "Smith", "Garcia", "Nguyen", "Okafor", "Muller", "Rossi", "Kim", "Silva", "Novak", "Haddad",
];

pub async fn run(db: &DatabaseConnection, slug: &str, count: u64) -> ServiceResult<SeedReport> {
    let store = match stores::find_by_slug(db, slug).await? {
        Some(s) => s,
        None => {
            let mut errors = crate::domain::ValidationErrors::new();
            let parsed =
                setup::parse_store_fields(&mut errors, &format!("Demo {slug}"), slug, "USD");
            errors.into_result()?;
            let txn = db::begin_write(db).await?;
            let id = stores::insert(&txn, &parsed.expect("valid")).await?;
            txn.commit().await?;
            let created = stores::find_by_slug(db, slug).await?.expect("just created");
            debug_assert_eq!(created.id, id.0);
            created
        }
    };
    let store_id = StoreId(store.id);
    let campaign = match campaigns::default_campaign(db, store_id).await? {
        Some(c) => c,
        None => {
            let fields = CampaignFields {
                name: "Partners".into(),
                website_url: "https://shop.example.com".into(),
                ..CampaignFields::defaults()
            };
            campaigns::create(db, &store, &Actor::cli(), &fields).await?
        }
    };

    let start = Utc::now() - Duration::seconds(count as i64);
    let run_tag = &Uuid::now_v7().simple().to_string()[20..];
    let mut deep_cursor = None;
    let mut done = 0u64;
    while done < count {
        let batch = (count - done).min(1000);
        let mut affiliates = Vec::with_capacity(batch as usize);
        let mut links = Vec::with_capacity(batch as usize);
        for i in done..done + batch {
            let first = FIRST[(i % 12) as usize];
            let last = LAST[((i / 12) % 10) as usize];
            let profile = AffiliateProfile::parse(&AffiliateFields {
                email: format!(
                    "{}.{}.{i}.{run_tag}@example.com",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
                first_name: first.into(),
                last_name: last.into(),
                is_enabled: true,
                ..Default::default()
            })?;
            let status = match i % 20 {
                0..=11 => AffiliateStatus::Approved,
                12..=16 => AffiliateStatus::Pending,
                17..=18 => AffiliateStatus::Rejected,
                _ => AffiliateStatus::Suspended,
            };
            let created_at = start + Duration::seconds(i as i64);
            let id = Uuid::now_v7();
            if i == count / 10 {
                deep_cursor = Some(id);
            }
            affiliates.push(affiliate::ActiveModel {
                id: Set(id),
                store_id: Set(store.id),
                campaign_id: Set(campaign.id),
                email: Set(profile.email.as_str().to_owned()),
                first_name: Set(profile.first_name.clone()),
                last_name: Set(profile.last_name.clone()),
                payout_email: Set(None),
                status: Set(status),
                is_enabled: Set(true),
                external_customer_id: Set(None),
                commission_bp: Set(None),
                discount_bp: Set(None),
                rejection_reason: Set(None),
                balance_minor: Set(0),
                sort_name: Set(profile.sort_name()),
                search_text: Set(profile.search_text()),
                status_changed_at: Set(created_at),
                anonymized_at: Set(None),
                notify_new_commission: Set(true),
                payout_method: Set(crate::domain::payout::PayoutMethod::External),
                notify_payout_paid: Set(true),
                created_at: Set(created_at),
                updated_at: Set(created_at),
                password_hash: Set(None),
                signup_ip_hash: Set(None),
                signup_user_agent: Set(None),
                signup_answers: Set(None),
            });
            links.push(link::ActiveModel {
                id: Set(Uuid::now_v7()),
                store_id: Set(store.id),
                affiliate_id: Set(id),
                token: Set(format!("seed-{run_tag}-{i}")),
                url: Set(None),
                visitors: Set((i * 7 % 500) as i64),
                leads: Set((i * 3 % 50) as i64),
                conversions: Set((i % 9) as i64),
                created_at: Set(created_at),
            });
        }
        let txn = db::begin_write(db).await?;
        // Chunks keep each statement under SQLite's bound-parameter limit.
        for chunk in affiliates.chunks(400) {
            affiliate::Entity::insert_many(chunk.to_vec())
                .exec(&txn)
                .await?;
        }
        for chunk in links.chunks(800) {
            link::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
        }
        super::link_cache::commit(db, txn).await?;
        done += batch;
    }
    Ok(SeedReport {
        store_id,
        created: count,
        deep_cursor,
    })
}
