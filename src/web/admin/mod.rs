//! The admin app: server-rendered pages for store staff, with htmx for
//! in-place changes. One file per area; each handler calls one service.

mod account;
pub mod affiliates;
mod api_keys;
mod audit;
mod auth;
mod campaigns;
pub(crate) mod commission_export;
mod commission_pages;
mod commissions;
mod dashboard;
mod emails;
mod invitations;
mod password_reset;
mod payouts;
mod referrals;
mod sales;
mod settings;
mod team;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(dashboard::root))
        .service(
            web::resource("/setup")
                .route(web::get().to(auth::setup_form))
                .route(web::post().to(auth::setup_submit)),
        )
        .service(
            web::resource("/login")
                .route(web::get().to(auth::login_form))
                .route(web::post().to(auth::login_submit)),
        )
        .route("/logout", web::post().to(auth::logout))
        .service(
            web::resource("/password-reset")
                .route(web::get().to(password_reset::form))
                .route(web::post().to(password_reset::submit)),
        )
        .service(
            web::resource("/password-reset/{token}")
                .route(web::get().to(password_reset::reset_form))
                .route(web::post().to(password_reset::reset_submit)),
        )
        .route("/admin/emails", web::get().to(emails::index))
        .route("/admin/emails/{id}", web::get().to(emails::show))
        .route("/admin/emails/{id}/retry", web::post().to(emails::retry))
        .route("/admin", web::get().to(dashboard::show))
        .route(
            "/admin/stores/switch",
            web::post().to(dashboard::switch_store),
        )
        .route("/admin/team", web::get().to(team::index))
        .route("/admin/team/invitations", web::post().to(team::invite))
        .route(
            "/admin/team/invitations/{id}/revoke",
            web::post().to(team::revoke_invitation),
        )
        .route("/admin/team/leave", web::post().to(team::leave))
        .route("/invitations/{token}", web::get().to(invitations::show))
        .route(
            "/invitations/{token}/accept",
            web::post().to(invitations::accept),
        )
        .route(
            "/invitations/{token}/account",
            web::post().to(invitations::create_account),
        )
        .route(
            "/admin/team/members/{id}/role",
            web::post().to(team::change_role),
        )
        .route(
            "/admin/team/members/{id}/remove",
            web::post().to(team::remove),
        )
        .service(
            web::resource("/admin/settings")
                .route(web::get().to(settings::form))
                .route(web::post().to(settings::submit)),
        )
        .route("/admin/account", web::get().to(account::show))
        .route(
            "/admin/account/password",
            web::post().to(account::change_password),
        )
        .service(
            web::resource("/admin/api-keys")
                .route(web::get().to(api_keys::index))
                .route(web::post().to(api_keys::create)),
        )
        .route(
            "/admin/api-keys/{id}/revoke",
            web::post().to(api_keys::revoke),
        )
        .route("/admin/audit", web::get().to(audit::index))
        .service(
            web::resource("/admin/campaigns")
                .route(web::get().to(campaigns::index))
                .route(web::post().to(campaigns::create)),
        )
        .route("/admin/campaigns/new", web::get().to(campaigns::new))
        .route("/admin/campaigns/{id}", web::post().to(campaigns::update))
        .route("/admin/campaigns/{id}/edit", web::get().to(campaigns::edit))
        .route(
            "/admin/campaigns/{id}/archive",
            web::post().to(campaigns::archive),
        )
        .route(
            "/admin/campaigns/{id}/restore",
            web::post().to(campaigns::restore),
        )
        .route(
            "/admin/campaigns/{id}/delete",
            web::post().to(campaigns::delete),
        )
        .service(
            web::resource("/admin/affiliates")
                .route(web::get().to(affiliates::list::index))
                .route(web::post().to(affiliates::form::create)),
        )
        .route(
            "/admin/affiliates/new",
            web::get().to(affiliates::form::new),
        )
        .route(
            "/admin/affiliates/options",
            web::get().to(affiliates::picker::options),
        )
        .route(
            "/admin/affiliates/bulk",
            web::post().to(affiliates::status::bulk),
        )
        .service(
            web::resource("/admin/affiliates/{id}")
                .route(web::get().to(affiliates::show::show))
                .route(web::post().to(affiliates::form::update)),
        )
        .route(
            "/admin/affiliates/{id}/edit",
            web::get().to(affiliates::form::edit),
        )
        .route(
            "/admin/affiliates/{id}/delete",
            web::post().to(affiliates::show::delete),
        )
        .service(
            web::resource("/admin/affiliates/{id}/erase")
                .route(web::get().to(affiliates::show::erase_confirm))
                .route(web::post().to(affiliates::show::erase)),
        )
        .route(
            "/admin/affiliates/{id}/links",
            web::post().to(affiliates::links::create),
        )
        .route(
            "/admin/affiliates/{id}/invite_link",
            web::post().to(affiliates::portal::invite_link),
        )
        .route(
            "/admin/affiliates/{id}/view_as",
            web::post().to(affiliates::portal::view_as),
        )
        .route(
            "/admin/affiliates/{id}/coupons",
            web::post().to(affiliates::coupons::create),
        )
        .route(
            &affiliates::status::route(),
            web::post().to(affiliates::status::change_status),
        )
        .service(
            web::resource("/admin/referrals")
                .route(web::get().to(referrals::index))
                .route(web::post().to(referrals::create)),
        )
        .service(
            web::resource("/admin/referrals/{id}")
                .route(web::get().to(referrals::show))
                .route(web::post().to(referrals::update)),
        )
        .route(
            "/admin/referrals/{id}/erase",
            web::post().to(referrals::erase),
        )
        .route("/admin/sales", web::get().to(sales::index))
        .route("/admin/sales.csv", web::get().to(sales::export))
        .route("/admin/sales/{id}", web::get().to(sales::show))
        .service(
            web::resource("/admin/sales/{id}/attribution")
                .route(web::get().to(sales::confirm))
                .route(web::post().to(sales::attribute)),
        )
        .route(
            "/admin/sales/{id}/attribution/move",
            web::post().to(sales::move_to),
        )
        .route(
            "/admin/sales/{id}/attribution/undo",
            web::post().to(sales::undo),
        )
        .service(
            web::resource("/admin/payouts")
                .route(web::get().to(payouts::index))
                .route(web::post().to(payouts::create)),
        )
        .route("/admin/payouts/due", web::get().to(payouts::due))
        .route(
            "/admin/payouts/paypal.csv",
            web::get().to(payouts::paypal_csv),
        )
        .route("/admin/payouts/wise.csv", web::get().to(payouts::wise_csv))
        .route(
            "/admin/payouts/export.csv",
            web::get().to(payouts::export_csv),
        )
        .route("/admin/payouts/{id}", web::get().to(payouts::show))
        .route(
            "/admin/payouts/{id}/mark_paid",
            web::post().to(payouts::mark_paid),
        )
        .route("/admin/payouts/{id}/void", web::post().to(payouts::void))
        .route(
            "/admin/affiliates/{id}/money",
            web::get().to(payouts::money),
        )
        .route(
            "/admin/affiliates/{id}/payouts",
            web::post().to(payouts::record),
        )
        .route(
            "/admin/affiliates/{id}/adjustments",
            web::post().to(payouts::adjust),
        )
        .service(
            web::resource("/admin/commissions")
                .route(web::get().to(commissions::index))
                .route(web::post().to(commission_pages::create)),
        )
        .route(
            "/admin/commissions/new",
            web::get().to(commission_pages::new),
        )
        .route(
            "/admin/commissions/export.csv",
            web::get().to(commission_export::export),
        )
        .service(
            web::resource("/admin/commissions/{id}")
                .route(web::get().to(commission_pages::show))
                .route(web::post().to(commissions::update)),
        )
        .route(
            "/admin/commissions/{id}/edit",
            web::get().to(commissions::edit_row),
        )
        .route(
            "/admin/commissions/{id}/row",
            web::get().to(commissions::row),
        )
        .route(
            "/admin/commissions/{id}/void",
            web::post().to(commission_pages::void),
        )
        .route("/admin/settings/stripe", web::post().to(settings::stripe))
        .route("/admin/settings/portal", web::post().to(settings::portal))
        .route(
            "/admin/links/{id}/delete",
            web::post().to(affiliates::links::delete),
        )
        .route(
            "/admin/coupons/{id}/delete",
            web::post().to(affiliates::coupons::delete),
        );
}
