//! How pages name affiliates: one name, and the names of a page's worth of
//! them in one query.

use super::*;

/// "First Last", as lists and pages name an affiliate.
pub fn display_name(a: &Affiliate) -> String {
    name_of(&a.first_name, &a.last_name)
}

fn name_of(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_owned()
}

/// The names of exactly these affiliates of the store, in one query; an id
/// that is not the store's (or no longer exists) is absent.
pub async fn names(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    ids: &[AffiliateId],
) -> ServiceResult<HashMap<Uuid, String>> {
    let mut ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String, String)> = affiliate::Entity::find()
        .select_only()
        .column(affiliate::Column::Id)
        .column(affiliate::Column::FirstName)
        .column(affiliate::Column::LastName)
        .filter(affiliate::Column::StoreId.eq(store_id.0))
        .filter(affiliate::Column::Id.is_in(ids))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, first, last)| (id, name_of(&first, &last)))
        .collect())
}
