//! Use cases. Each function takes the database, the acting person and its
//! input: typed ids (`AffiliateId`, `SaleId`, …) and domain values where the
//! caller has them, and the text of form and JSON fields where parsing that
//! text is part of the use case (so pages and the API get the same field
//! errors). It runs in one transaction when it writes, and writes its audit
//! entry, outbox event and cache invalidation in that same transaction.
//! Decisions are pure functions in `domain`; a service loads, calls the rule,
//! writes. Pages, the API and the CLI all call these: a rule lives here once.
//! A resource that grew has a folder with one file per verb (`affiliates/`,
//! `sales/`, `tracking/`).

pub mod affiliates;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod check;
pub mod checklist;
pub mod clicks;
pub mod commissions;
pub mod constraint;
pub mod coupons;
pub mod crypto;
pub mod email;
pub mod events;
pub mod idempotency;
pub mod instance;
pub mod invitations;
pub mod ledger;
pub mod link_cache;
pub mod links;
pub mod paging;
pub mod password_reset;
pub mod payouts;
pub mod portal;
pub mod referrals;
pub mod sales;
pub mod seed;
pub mod sessions;
pub mod setup;
pub mod stats;
pub mod stores;
pub mod stripe;
pub mod team;
pub mod throttle;
pub mod tracking;

use sea_orm::DbErr;
use uuid::Uuid;

use crate::domain::ValidationErrors;

/// What a use case can refuse, mapped to a page message, an htmx partial or
/// a JSON error in one place (`web::error`).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("rate limited: {0}")]
    RateLimited(String),
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl From<ValidationErrors> for ServiceError {
    fn from(errors: ValidationErrors) -> Self {
        ServiceError::Validation(errors)
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// What a use case whose callers branch can end with: one of its own
/// refusals `R` (a small enum beside the use case, e.g.
/// `DeleteCampaignError::HasAffiliates`), or a common failure. Callers
/// match on `Refused(..)` variants, never on message text; `web::error`
/// maps a refusal to its page message / JSON error in one place.
#[derive(Debug, thiserror::Error)]
pub enum UseCaseError<R> {
    #[error("{0}")]
    Refused(R),
    #[error(transparent)]
    Failed(#[from] ServiceError),
}

impl<R> From<DbErr> for UseCaseError<R> {
    fn from(err: DbErr) -> Self {
        UseCaseError::Failed(err.into())
    }
}

impl<R> From<ValidationErrors> for UseCaseError<R> {
    fn from(errors: ValidationErrors) -> Self {
        UseCaseError::Failed(errors.into())
    }
}

impl<R> UseCaseError<R> {
    /// The same failure, its refusal wrapped in a wider use case's.
    pub fn map_refusal<S>(self, f: impl FnOnce(R) -> S) -> UseCaseError<S> {
        match self {
            UseCaseError::Refused(r) => UseCaseError::Refused(f(r)),
            UseCaseError::Failed(e) => UseCaseError::Failed(e),
        }
    }
}

pub type UseCaseResult<T, R> = Result<T, UseCaseError<R>>;

/// Who did something, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<Uuid>,
    /// Human-readable: the user's email, the key's name, "system".
    pub label: String,
    pub ip: Option<String>,
    /// The `Idempotency-Key` claim the request runs under, if any: its
    /// audit entries name it, so they are the key's effects (`idempotency`).
    pub idempotency_key: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    User,
    ApiKey,
    Cli,
    System,
    /// An affiliate in the portal (joining, setting a password).
    Affiliate,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::ApiKey => "api_key",
            ActorKind::Cli => "cli",
            ActorKind::System => "system",
            ActorKind::Affiliate => "affiliate",
        }
    }
}

impl Actor {
    pub fn user(id: Uuid, email: &str, ip: Option<String>) -> Self {
        Self {
            kind: ActorKind::User,
            id: Some(id),
            label: email.to_owned(),
            ip,
            idempotency_key: None,
        }
    }

    pub fn affiliate(id: Uuid, email: &str, ip: Option<String>) -> Self {
        Self {
            kind: ActorKind::Affiliate,
            id: Some(id),
            label: email.to_owned(),
            ip,
            idempotency_key: None,
        }
    }

    pub fn cli() -> Self {
        Self {
            kind: ActorKind::Cli,
            id: None,
            label: "command line".into(),
            ip: None,
            idempotency_key: None,
        }
    }
}
