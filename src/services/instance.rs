//! What the installation records about itself in the database, for code
//! that runs without a request: the public URL it serves under, so mail
//! written by any use case (the sales writer, a status change, a payout)
//! links affiliates back to their portal without every caller passing the
//! URL down. Each instance writes it as it starts (`Application::build`);
//! instances behind one load balancer share one public URL.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QuerySelect, Set};

use super::ServiceResult;
use crate::entities::instance_setting;

const PUBLIC_BASE: &str = "public_base";

/// Records `base` (the public URL without a trailing slash).
pub async fn record_public_base(db: &DatabaseConnection, base: &str) -> ServiceResult<()> {
    instance_setting::Entity::insert(instance_setting::ActiveModel {
        name: Set(PUBLIC_BASE.to_owned()),
        value: Set(base.trim_end_matches('/').to_owned()),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(instance_setting::Column::Name)
            .update_columns([
                instance_setting::Column::Value,
                instance_setting::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The public URL last recorded; `None` before the app first served (a
/// CLI run on a fresh database).
pub async fn public_base(conn: &impl ConnectionTrait) -> ServiceResult<Option<String>> {
    Ok(instance_setting::Entity::find_by_id(PUBLIC_BASE.to_owned())
        .select_only()
        .column(instance_setting::Column::Value)
        .into_tuple()
        .one(conn)
        .await?)
}

/// The portal's sign-in page of the store `slug` under `base`.
pub fn portal_login_url(base: &str, slug: &str) -> String {
    format!("{base}/a/{slug}/login")
}
