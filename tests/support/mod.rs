//! Test support shared by the API and browser suites: `spawn_app()` starts
//! the real server (the same `Application::build` as `main`) on port 0 with
//! its own fresh database — a temp SQLite file, or a new PostgreSQL database
//! when `TEST_DATABASE_URL` points at a server — and a cookie-keeping client.
//!
//! `spawn`: the server, its database and looks into it; `client`: the HTTP
//! side (a cookie-keeping browser, JSON API calls, reading answers);
//! `builders`: test data made through the public surfaces.

#![allow(dead_code)]

mod builders;
mod client;
mod portal;
mod smtp;
mod spawn;

pub use builders::*;
pub use client::*;
pub use portal::*;
#[allow(unused_imports)] // the browser suite has no mail tests yet
pub use smtp::*;
pub use spawn::*;
