//! `/api/v1` resources, one module each. Every handler carries its
//! `#[utoipa::path]`, and routes are registered through utoipa-actix-web, so
//! the OpenAPI document lists exactly the routes that exist.

pub mod affiliate_money;
pub mod affiliate_sso;
pub mod affiliates;
pub mod campaigns;
pub mod commissions;
pub mod coupons;
pub mod links;
pub mod me;
pub mod payouts;
pub mod referrals;
pub mod sales;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(me::show)
        .service(campaigns::list)
        .service(campaigns::create)
        .service(campaigns::show)
        .service(campaigns::update)
        .service(campaigns::replace)
        .service(campaigns::remove)
        .service(affiliates::list)
        .service(affiliates::create)
        .service(affiliates::show)
        .service(affiliates::update)
        .service(affiliates::replace)
        .service(affiliates::remove)
        .route(
            &affiliates::status_route(),
            actix_web::web::post().to(affiliates::change_status),
        )
        .service(affiliates::anonymize)
        .service(affiliate_sso::create)
        .service(links::list)
        .service(links::create)
        .service(links::show)
        .service(links::update)
        .service(links::replace)
        .service(links::remove)
        .service(coupons::list)
        .service(coupons::create)
        .service(coupons::show)
        .service(coupons::update)
        .service(coupons::replace)
        .service(coupons::remove)
        .service(referrals::list)
        .service(referrals::create)
        .service(referrals::show)
        .service(referrals::update)
        .service(referrals::erase)
        .service(referrals::lead)
        .service(sales::list)
        .service(sales::create)
        .service(sales::show)
        .service(sales::refund)
        .service(commissions::list)
        .service(commissions::totals)
        .service(commissions::show)
        .service(commissions::create)
        .service(commissions::update)
        .service(commissions::replace)
        .service(commissions::remove)
        .service(payouts::list)
        .service(payouts::create)
        .service(payouts::show)
        .service(payouts::mark_paid)
        .service(payouts::void)
        .service(payouts::store_credits)
        .service(affiliate_money::record)
        .service(affiliate_money::balance)
        .service(affiliate_money::adjust);
}
