//! A new link: the affiliate's default one, or one more with its own token.

use super::*;

/// The default link made with a new affiliate: the token asked for, or one
/// made from the name ("ann-smith", then "ann-smith-2", …), or random. A
/// token asked for that another link holds is refused by the index, as
/// `link_token`; a made one is picked among the free ones (and if another
/// write takes it meanwhile, the index still refuses it).
pub async fn insert_default(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    a: &affiliate::Model,
    wanted: Option<String>,
) -> ServiceResult<link::Model> {
    let token = match wanted {
        Some(t) => t,
        None => unique_token_from_name(conn, store_id, &a.first_name, &a.last_name).await?,
    };
    link::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id.0),
        affiliate_id: Set(a.id),
        token: Set(token),
        url: Set(None),
        visitors: Set(0),
        leads: Set(0),
        conversions: Set(0),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await
    .on_constraint(&LINK_TOKEN.as_field("link_token"))
}

async fn unique_token_from_name(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    first: &str,
    last: &str,
) -> ServiceResult<String> {
    let base = token_from_name(first, last);
    if base.len() >= 2 {
        for n in 1..=20 {
            let candidate = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            if !token_taken(conn, store_id, &candidate, None).await? {
                return Ok(candidate);
            }
        }
    }
    loop {
        let candidate = crypto::random_token(6)
            .to_ascii_lowercase()
            .replace('-', "_");
        if parse_link_token(&candidate).is_ok()
            && !token_taken(conn, store_id, &candidate, None).await?
        {
            return Ok(candidate);
        }
    }
}

/// Checks a destination against the campaign's site and the store's list.
/// Writes the audit entry and the `link.created` event (`snapshot`, its
/// `share_url` under `public_base`, as the API answers) with the link.
pub async fn create(
    db: &DatabaseConnection,
    store: &store::Model,
    actor: &Actor,
    affiliate_id: AffiliateId,
    input: LinkInput,
    public_base: &str,
) -> ServiceResult<link::Model> {
    let store_id = StoreId(store.id);
    let txn = db::begin_write(db).await?;
    let a = affiliates::get(&txn, store_id, affiliate_id)
        .await
        .map_err(|_| {
            ServiceError::from(ValidationErrors::single(
                "affiliate_id",
                "is not an affiliate of this store",
            ))
        })?;
    let mut errors = ValidationErrors::new();
    let token = match input
        .token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(t) => errors.check("token", parse_link_token(t)),
        None => Some(unique_token_from_name(&txn, store_id, &a.first_name, &a.last_name).await?),
    };
    let url = match destination(&txn, store, &a, input.url.as_deref().unwrap_or("")).await {
        Ok(u) => u,
        Err(ServiceError::Validation(e)) => {
            errors.0.extend(e.0);
            None
        }
        Err(other) => return Err(other),
    };
    // The one pre-check kept: the form shows a taken token beside the other
    // field messages at once. The index still decides (`on_constraint` below).
    if let Some(t) = &token
        && token_taken(&txn, store_id, t, None).await?
    {
        errors.add(LINK_TOKEN.field, LINK_TOKEN.message);
    }
    errors.into_result()?;
    let token = token.expect("checked");
    let created = link::ActiveModel {
        id: Set(Uuid::now_v7()),
        store_id: Set(store.id),
        affiliate_id: Set(a.id),
        token: Set(token),
        url: Set(url),
        visitors: Set(0),
        leads: Set(0),
        conversions: Set(0),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await
    .on_constraint(&LINK_TOKEN)?;
    audit::record(
        &txn,
        store_id,
        actor,
        "link.created",
        "link",
        Some(created.id.to_string()),
        json!({"affiliate_id": a.id, "token": created.token, "url": created.url}),
    )
    .await?;
    let share = share_url_of(&txn, public_base, &store.slug, &created).await?;
    events::emit(&txn, store_id, "link.created", snapshot(&created, share)).await?;
    crate::services::link_cache::commit(db, txn).await?;
    Ok(created)
}
