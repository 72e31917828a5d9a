//! Row writers of the unit of work: `flush`, multi-row inserts and the referral columns a sale moves.

use super::*;

impl Work {
    /// Sends everything staged, parents before children, in a few
    /// multi-row statements. The caller commits.
    pub async fn flush(self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
        let mut new_referrals = Vec::new();
        let mut changed = Vec::new();
        for t in self.referrals.into_values() {
            match t.row {
                Row::New => new_referrals.push(t.model),
                Row::Changed => changed.push(t.model),
                Row::Clean => {}
            }
        }
        // Time-ordered ids: rows go in in the order they were made.
        new_referrals.sort_by_key(|r| r.id);
        changed.sort_by_key(|r| r.id);
        insert_all::<referral::Entity, _>(conn, new_referrals).await?;
        insert_all::<sale::Entity, _>(conn, self.sales).await?;
        insert_all::<commission::Entity, _>(conn, self.commissions).await?;
        for r in changed {
            update_progress(conn, r).await?;
        }
        let mut per_link: Vec<(Uuid, i32)> = Vec::new();
        for id in self.conversions {
            match per_link.iter_mut().find(|(l, _)| *l == id) {
                Some((_, n)) => *n += 1,
                None => per_link.push((id, 1)),
            }
        }
        // Link order, as the click writer: concurrent writers lock link
        // rows in one order and never deadlock.
        per_link.sort_unstable();
        for (id, n) in per_link {
            link::Entity::update_many()
                .col_expr(
                    link::Column::Conversions,
                    Expr::col(link::Column::Conversions).add(n),
                )
                .filter(link::Column::Id.eq(id))
                .exec(conn)
                .await?;
        }
        insert_all::<event::Entity, _>(conn, self.events).await?;
        insert_all::<audit_entry::Entity, _>(conn, self.audits).await?;
        insert_all::<email::Entity, _>(conn, self.emails).await?;
        Ok(())
    }
}

/// Writes the columns a sale moves on a referral (and only those, so a
/// concurrent change to another column is never overwritten).
pub(super) async fn update_progress(
    conn: &impl ConnectionTrait,
    r: referral::Model,
) -> Result<(), DbErr> {
    let progress = referral::ActiveModel {
        state: Set(r.state),
        email: Set(r.email),
        external_customer_id: Set(r.external_customer_id),
        self_referral: Set(r.self_referral),
        sale_count: Set(r.sale_count),
        first_sale_at: Set(r.first_sale_at),
        converted_at: Set(r.converted_at),
        updated_at: Set(r.updated_at),
        ..Default::default()
    };
    referral::Entity::update_many()
        .set(progress)
        .filter(referral::Column::Id.eq(r.id))
        .exec(conn)
        .await?;
    Ok(())
}

pub(super) async fn insert_all<E, M>(conn: &impl ConnectionTrait, rows: Vec<M>) -> Result<(), DbErr>
where
    E: EntityTrait,
    M: sea_orm::IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: sea_orm::ActiveModelTrait<Entity = E> + Send,
{
    let rows: Vec<E::ActiveModel> = rows.into_iter().map(|m| m.into_active_model()).collect();
    for chunk in rows.chunks(CHUNK) {
        E::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// The `kind = sale` commission of each of these sales.
pub(super) async fn own_commissions(
    conn: &impl ConnectionTrait,
    sale_ids: Vec<Uuid>,
) -> ServiceResult<HashMap<Uuid, commission::Model>> {
    if sale_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(commission::Entity::find()
        .filter(commission::Column::SaleId.is_in(sale_ids))
        .filter(commission::Column::Kind.eq(CommissionKind::Sale))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|c| Some((c.sale_id?, c)))
        .collect())
}

pub(super) fn distinct(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut v: Vec<Uuid> = ids.collect();
    v.sort_unstable();
    v.dedup();
    v
}
