//! Unique-constraint violations as field errors, in one place (realworld's
//! `ResultExt::on_constraint`). The database is what guarantees uniqueness;
//! a use case writes and, when a named unique index refuses the row, tells
//! the person which field and why. No racy "is it taken?" read beforehand.
//!
//! The violation ends the use case: `?` returns at once and the dropped
//! transaction rolls back (on PostgreSQL the failed statement has aborted
//! it anyway), so nothing after it runs and nothing is half saved.
//!
//! SQLite names the columns (`UNIQUE constraint failed: links.store_id,
//! links.token`), PostgreSQL the constraint or index (`ux_links_store_token`).

use std::ops::Deref;

use sea_orm::{DbErr, RuntimeErr};

use super::ServiceError;
use crate::domain::ValidationErrors;

/// A unique index of the migrations and the field message it stands for.
#[derive(Debug, Clone, Copy)]
pub struct Unique {
    /// The index name on PostgreSQL (a column's own `UNIQUE` is `{table}_{column}_key`).
    pub index: &'static str,
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub field: &'static str,
    pub message: &'static str,
}

impl Unique {
    /// The same constraint reported under another field name (the default
    /// link's token is `link_token` in the affiliate form).
    pub const fn as_field(self, field: &'static str) -> Self {
        Unique { field, ..self }
    }

    /// Whether `err` is this constraint refusing a row.
    pub fn matches(&self, err: &DbErr) -> bool {
        let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err
        else {
            return false;
        };
        let sea_orm::sqlx::Error::Database(e) = e.deref() else {
            return false;
        };
        if !matches!(e.kind(), sea_orm::sqlx::error::ErrorKind::UniqueViolation) {
            return false;
        }
        if let Some(name) = e.constraint() {
            return name == self.index;
        }
        sqlite_reports(e.message(), self)
    }

    pub fn error(&self) -> ServiceError {
        ValidationErrors::single(self.field, self.message).into()
    }
}

fn sqlite_reports(message: &str, u: &Unique) -> bool {
    let Some(rest) = message.strip_prefix("UNIQUE constraint failed: ") else {
        return false;
    };
    if rest == format!("index '{}'", u.index) {
        return true;
    }
    let columns: Vec<String> = u
        .columns
        .iter()
        .map(|c| format!("{}.{c}", u.table))
        .collect();
    rest == columns.join(", ")
}

pub const STORE_SLUG: Unique = Unique {
    index: "stores_slug_key",
    table: "stores",
    columns: &["slug"],
    field: "slug",
    message: "is already taken by another store",
};

pub const AFFILIATE_EMAIL: Unique = Unique {
    index: "ux_affiliates_store_email",
    table: "affiliates",
    columns: &["store_id", "email"],
    field: "email",
    message: "is already used by another affiliate of this store",
};

pub const LINK_TOKEN: Unique = Unique {
    index: "ux_links_store_token",
    table: "links",
    columns: &["store_id", "token"],
    field: "token",
    message: "is already used by another link of this store",
};

pub const COUPON_CODE: Unique = Unique {
    index: "ux_coupons_store_code",
    table: "coupons",
    columns: &["store_id", "code_key"],
    field: "code",
    message: "is already used by another coupon of this store",
};

pub const MEMBERSHIP: Unique = Unique {
    index: "ux_memberships_store_user",
    table: "memberships",
    columns: &["store_id", "user_id"],
    field: "email",
    message: "is already a member of this store",
};

/// `.on_constraint(&LINK_TOKEN)` on a write's result.
pub trait ResultExt<T> {
    fn on_constraint(self, unique: &Unique) -> Result<T, ServiceError>;
}

impl<T, E: Into<ServiceError>> ResultExt<T> for Result<T, E> {
    fn on_constraint(self, unique: &Unique) -> Result<T, ServiceError> {
        self.map_err(|e| match e.into() {
            ServiceError::Db(db) if unique.matches(&db) => unique.error(),
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_messages_name_the_columns_of_one_index_only() {
        assert!(sqlite_reports(
            "UNIQUE constraint failed: links.store_id, links.token",
            &LINK_TOKEN
        ));
        assert!(!sqlite_reports(
            "UNIQUE constraint failed: links.store_id, links.token",
            &COUPON_CODE
        ));
        assert!(!sqlite_reports(
            "UNIQUE constraint failed: links.token",
            &LINK_TOKEN
        ));
        assert!(sqlite_reports(
            "UNIQUE constraint failed: stores.slug",
            &STORE_SLUG
        ));
    }
}
