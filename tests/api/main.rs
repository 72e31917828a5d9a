//! Integration tests: the real server over HTTP, on SQLite by default and on
//! PostgreSQL when `TEST_DATABASE_URL` is set. One binary, one module per area.

#[path = "../support/mod.rs"]
mod support;

mod affiliate_pages;
mod affiliates;
mod api_base;
mod api_keys;
mod audit;
mod auth;
mod campaigns;
mod cli;
mod concurrent_patch;
mod csrf;
mod group_commit;
mod idempotency_crash;
mod link_cache;
mod links_coupons;
mod money;
mod openapi;
mod pages;
mod settings;
mod setup;
mod stripe;
mod team;
mod tracking;
mod unique_fields;
