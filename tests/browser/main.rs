//! Browser tests: real Chromium through WebDriver (chromedriver) against the
//! real server. One binary, one module per journey.

#[path = "../support/mod.rs"]
mod support;

mod driver;

mod api_key_journey;
mod attribution_journey;
mod commissions_journey;
mod emails_journey;
mod in_page_errors;
mod invitation_journey;
mod login_failure;
mod payouts_journey;
mod phone_layout;
mod portal_journey;
mod programs_journey;
mod tracking_journey;
mod tracking_setup;
