//! Which referral a sale belongs to, and how it was found: the referral
//! named, else the coupon's affiliate, else a known customer id, else a
//! known email. Reads go through the unit of work, so a batch sees its own
//! earlier sales (a referral converted or made a moment ago).

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::Parsed;
use super::work::Work;
use crate::domain::CouponId;
use crate::domain::states::ReferralSource;
use crate::domain::{StoreId, ValidationErrors};
use crate::entities::{coupon, referral, store};
use crate::services::{ServiceResult, referrals};

pub(super) async fn attribute(
    work: &mut Work,
    conn: &impl ConnectionTrait,
    store: &store::Model,
    p: &Parsed,
) -> ServiceResult<(Option<referral::Model>, &'static str)> {
    let store_id = StoreId(store.id);
    if let Some(id) = p.referral_id {
        return match work.referral(conn, store_id, id).await? {
            Some(r) => Ok((Some(r), "referral")),
            None => Err(
                ValidationErrors::single("referral_id", "names no referral of this store").into(),
            ),
        };
    }
    if let Some(key) = &p.coupon_key
        && let Some(c) = coupon::Entity::find()
            .filter(coupon::Column::StoreId.eq(store.id))
            .filter(coupon::Column::CodeKey.eq(key.clone()))
            .one(conn)
            .await?
    {
        return by_coupon(work, conn, store_id, &c, p)
            .await
            .map(|r| (Some(r), "coupon"));
    }
    if let Some(x) = &p.external_customer_id
        && let Some(r) = work
            .newest_referral(
                conn,
                store_id,
                referral::Entity::find().filter(referral::Column::ExternalCustomerId.eq(x)),
                |r| r.external_customer_id.as_ref() == Some(x),
            )
            .await?
    {
        return Ok((Some(r), "customer"));
    }
    if let Some(e) = &p.customer_email
        && let Some(r) = work
            .newest_referral(
                conn,
                store_id,
                referral::Entity::find().filter(referral::Column::Email.eq(e.as_str())),
                |r| r.email.as_deref() == Some(e.as_str()),
            )
            .await?
    {
        return Ok((Some(r), "email"));
    }
    Ok((None, "none"))
}

/// The customer's earlier referral through this coupon, so recurring rules
/// count their payments; else a new one for the coupon's affiliate.
async fn by_coupon(
    work: &mut Work,
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    c: &coupon::Model,
    p: &Parsed,
) -> ServiceResult<referral::Model> {
    let of_coupon = referral::Entity::find()
        .filter(referral::Column::AffiliateId.eq(c.affiliate_id))
        .filter(referral::Column::CouponId.eq(c.id));
    let same_coupon =
        |r: &referral::Model| r.affiliate_id == c.affiliate_id && r.coupon_id == Some(c.id);
    let earlier = match (&p.external_customer_id, &p.customer_email) {
        (Some(x), _) => {
            work.newest_referral(
                conn,
                store_id,
                of_coupon.filter(referral::Column::ExternalCustomerId.eq(x)),
                |r| same_coupon(r) && r.external_customer_id.as_ref() == Some(x),
            )
            .await?
        }
        (None, Some(e)) => {
            work.newest_referral(
                conn,
                store_id,
                of_coupon.filter(referral::Column::Email.eq(e.as_str())),
                |r| same_coupon(r) && r.email.as_deref() == Some(e.as_str()),
            )
            .await?
        }
        // An anonymous buyer: nobody to recognise next time.
        (None, None) => None,
    };
    if let Some(r) = earlier {
        return Ok(r);
    }
    let affiliate = work.affiliate(conn, store_id, c.affiliate_id).await?;
    let campaign = work.campaign(conn, store_id, affiliate.campaign_id).await?;
    let created = referrals::known_row(
        store_id,
        &campaign,
        referrals::KnownPerson {
            affiliate: &affiliate,
            source: ReferralSource::Coupon,
            email: p.customer_email.as_ref().map(|e| e.as_str().to_owned()),
            external_customer_id: p.external_customer_id.clone(),
            coupon_id: Some(CouponId(c.id)),
        },
    );
    work.add_referral(created.clone());
    work.emit(store_id, "referral.created", referrals::snapshot(&created));
    Ok(created)
}
