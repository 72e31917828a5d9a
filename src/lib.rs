//! Tributary: a self-hosted affiliate and referral program manager.
//!
//! Layers (DESIGN §6), dependencies pointing one way:
//! `web` → `services` → `domain`; `services` → `entities` and `migration`.

pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod entities;
pub mod services;
pub mod startup;
pub mod telemetry;
pub mod web;

pub use config::Config;
pub use startup::Application;
