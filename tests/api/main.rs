//! Integration tests: the real server over HTTP, on SQLite by default and on
//! PostgreSQL when `TEST_DATABASE_URL` is set. One binary, one module per area.

#[path = "../support/mod.rs"]
mod support;

mod affiliate_pages;
mod affiliates;
mod affiliates_money;
mod api_base;
mod api_keys;
mod audit;
mod audit_page;
mod auth;
mod campaign_figures;
mod campaigns;
mod cli;
mod commissions;
mod concurrent_patch;
mod csrf;
mod dashboard;
mod emails;
mod group_commit;
mod idempotency_crash;
mod in_page_errors;
mod invitations;
mod link_cache;
mod links_coupons;
mod login_throttle;
mod money;
mod money_model;
mod openapi;
mod opening_balance;
mod pages;
mod paid_and_due;
mod payout_pages;
mod payouts;
mod payouts_split;
mod portal_dashboard;
mod portal_isolation;
mod portal_join;
mod portal_links;
mod portal_login;
mod portal_settings;
mod sales_attribution;
mod sales_page;
mod settings;
mod setup;
mod setup_checklist;
mod stats;
mod strict_parsing;
mod stripe;
mod team;
mod tracking;
mod unique_fields;
