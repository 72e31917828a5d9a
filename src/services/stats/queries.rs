//! The per-day grouped queries, one per table. A UTC day is an expression
//! of the backend: on SQLite the first 10 characters of the RFC 3339 text
//! (the expression the indexes of migration `m20261202_000013` are built
//! on, so the period is a range of the index and the groups come in index
//! order), on PostgreSQL the `timestamptz` shown in UTC; the period is a
//! range of that expression on SQLite and of the column on PostgreSQL.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect,
    QueryTrait, Select,
};

use super::{Day, Figures, Scope};
use crate::domain::period::Period;
use crate::domain::states::CommissionStatus;
use crate::entities::{commission, link, referral, sale, visit};
use crate::services::ServiceResult;

/// `column`'s UTC day as `YYYY-MM-DD` text.
pub(super) fn day_of(backend: DatabaseBackend, column: &str) -> String {
    match backend {
        DatabaseBackend::Sqlite => format!("substr({column}, 1, 10)"),
        _ => format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
    }
}

/// Keeps the rows whose `column` falls in `period`.
pub(super) fn within<E: EntityTrait>(
    query: Select<E>,
    backend: DatabaseBackend,
    column: &str,
    period: &Period,
) -> Select<E> {
    match backend {
        DatabaseBackend::Sqlite => query.filter(Expr::cust_with_values(
            format!("{} BETWEEN ? AND ?", day_of(backend, column)),
            [period.first().to_string(), period.last().to_string()],
        )),
        _ => query
            .filter(Expr::cust_with_values(
                format!("{column} >= $1"),
                [period.start()],
            ))
            .filter(Expr::cust_with_values(
                format!("{column} < $1"),
                [period.end()],
            )),
    }
}

fn count_expr() -> SimpleExpr {
    Expr::cust("CAST(COUNT(*) AS BIGINT)")
}

fn sum_expr(sql: &str) -> SimpleExpr {
    Expr::cust(format!("CAST(COALESCE(SUM({sql}), 0) AS BIGINT)"))
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn slot<'a>(days: &'a mut BTreeMap<NaiveDate, Figures>, text: &str) -> Option<&'a mut Figures> {
    parse_day(text).and_then(|d| days.get_mut(&d))
}

/// Every day of `period` with its figures (zeros where nothing happened).
pub(super) async fn series(
    conn: &impl ConnectionTrait,
    scope: Scope,
    period: &Period,
) -> ServiceResult<Vec<Day>> {
    let mut days: BTreeMap<NaiveDate, Figures> = period
        .days()
        .into_iter()
        .map(|d| (d, Figures::default()))
        .collect();
    for (day, n) in visits(conn, scope, period).await? {
        if let Some(f) = slot(&mut days, &day) {
            f.visitors = n;
        }
    }
    for (day, n) in leads(conn, scope, period).await? {
        if let Some(f) = slot(&mut days, &day) {
            f.leads = n;
        }
    }
    for (day, n, net) in sales(conn, scope, period).await? {
        if let Some(f) = slot(&mut days, &day) {
            f.conversions = n;
            f.revenue_minor = net;
        }
    }
    for (day, status, amount) in commissions(conn, scope, period).await? {
        if let Some(f) = slot(&mut days, &day) {
            let e = &mut f.commissions;
            match status {
                CommissionStatus::Pending => e.pending = amount,
                CommissionStatus::Due => e.due = amount,
                CommissionStatus::Paid => e.paid = amount,
                CommissionStatus::Voided | CommissionStatus::Refunded => {}
            }
        }
    }
    Ok(days
        .into_iter()
        .map(|(day, figures)| Day { day, figures })
        .collect())
}

/// Visits per day. An affiliate's visits are those of its links (a visit
/// has no affiliate of its own); the links are the store's, so the store
/// scope holds through them.
async fn visits(
    conn: &impl ConnectionTrait,
    scope: Scope,
    period: &Period,
) -> ServiceResult<Vec<(String, i64)>> {
    let backend = conn.get_database_backend();
    let day = day_of(backend, "created_at");
    let mut q = visit::Entity::find()
        .select_only()
        .column_as(Expr::cust(day.clone()), "day")
        .column_as(count_expr(), "n");
    q = match scope.affiliate_id {
        None => q.filter(visit::Column::StoreId.eq(scope.store_id.0)),
        Some(a) => q.filter(
            visit::Column::LinkId.in_subquery(
                link::Entity::find()
                    .select_only()
                    .column(link::Column::Id)
                    .filter(link::Column::StoreId.eq(scope.store_id.0))
                    .filter(link::Column::AffiliateId.eq(a.0))
                    .into_query(),
            ),
        ),
    };
    Ok(within(q, backend, "created_at", period)
        .group_by(Expr::cust(day))
        .into_tuple()
        .all(conn)
        .await?)
}

/// Referrals that became leads per day (self-referrals are never credited,
/// so they are not counted).
async fn leads(
    conn: &impl ConnectionTrait,
    scope: Scope,
    period: &Period,
) -> ServiceResult<Vec<(String, i64)>> {
    let backend = conn.get_database_backend();
    let day = day_of(backend, "lead_at");
    let mut q = referral::Entity::find()
        .select_only()
        .column_as(Expr::cust(day.clone()), "day")
        .column_as(count_expr(), "n")
        .filter(referral::Column::StoreId.eq(scope.store_id.0))
        .filter(referral::Column::LeadAt.is_not_null())
        .filter(referral::Column::SelfReferral.eq(false));
    if let Some(a) = scope.affiliate_id {
        q = q.filter(referral::Column::AffiliateId.eq(a.0));
    }
    Ok(within(q, backend, "lead_at", period)
        .group_by(Expr::cust(day))
        .into_tuple()
        .all(conn)
        .await?)
}

/// Attributed sales per day: their count and Σ (amount − tax).
async fn sales(
    conn: &impl ConnectionTrait,
    scope: Scope,
    period: &Period,
) -> ServiceResult<Vec<(String, i64, i64)>> {
    let backend = conn.get_database_backend();
    let day = day_of(backend, "occurred_at");
    let mut q = sale::Entity::find()
        .select_only()
        .column_as(Expr::cust(day.clone()), "day")
        .column_as(count_expr(), "n")
        .column_as(sum_expr("amount_minor - tax_minor"), "net")
        .filter(sale::Column::StoreId.eq(scope.store_id.0));
    q = match scope.affiliate_id {
        None => q.filter(sale::Column::AffiliateId.is_not_null()),
        Some(a) => q.filter(sale::Column::AffiliateId.eq(a.0)),
    };
    Ok(within(q, backend, "occurred_at", period)
        .group_by(Expr::cust(day))
        .into_tuple()
        .all(conn)
        .await?)
}

/// Σ amount of the commissions created per day, by status; only the live
/// statuses are read (a voided or refunded commission earns nothing).
async fn commissions(
    conn: &impl ConnectionTrait,
    scope: Scope,
    period: &Period,
) -> ServiceResult<Vec<(String, CommissionStatus, i64)>> {
    let backend = conn.get_database_backend();
    let day = day_of(backend, "created_at");
    let mut q = commission::Entity::find()
        .select_only()
        .column_as(Expr::cust(day.clone()), "day")
        .column(commission::Column::Status)
        .column_as(sum_expr("amount_minor"), "amount")
        .filter(commission::Column::StoreId.eq(scope.store_id.0))
        .filter(commission::Column::Status.is_in([
            CommissionStatus::Pending,
            CommissionStatus::Due,
            CommissionStatus::Paid,
        ]));
    if let Some(a) = scope.affiliate_id {
        q = q.filter(commission::Column::AffiliateId.eq(a.0));
    }
    Ok(within(q, backend, "created_at", period)
        .group_by(Expr::cust(day))
        .group_by(commission::Column::Status)
        .into_tuple()
        .all(conn)
        .await?)
}
