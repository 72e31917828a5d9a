//! First run: the owner account and the first store, once. After that the
//! setup page is gone for good.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::{Actor, ServiceError, ServiceResult, audit, crypto, stores};
use crate::db;
use crate::domain::{
    Currency, Email, Password, Role, Slug, StoreId, UserId, ValidationErrors, text,
};
use crate::entities::{membership, user};

pub struct SetupInput {
    pub email: String,
    pub password: String,
    pub store_name: String,
    pub currency: String,
    pub slug: String,
}

pub struct NewOwner {
    pub user_id: UserId,
    pub store_id: StoreId,
}

pub async fn is_done(conn: &impl ConnectionTrait) -> ServiceResult<bool> {
    Ok(user::Entity::find().count(conn).await? > 0)
}

pub struct ParsedStore {
    pub name: String,
    pub slug: Slug,
    pub currency: Currency,
}

/// The store fields of a form, every problem reported at once.
pub fn parse_store_fields(
    errors: &mut ValidationErrors,
    name: &str,
    slug: &str,
    currency: &str,
) -> Option<ParsedStore> {
    let name = errors.check("store_name", text::required_text(name, 100));
    let slug = if slug.trim().is_empty() {
        // Left blank, the slug is made from the name: say so rather than
        // "is required", and only once there is a name to make it from.
        match name.as_deref() {
            None => {
                errors.add("slug", "is made from the store name once it is given");
                None
            }
            Some(name) => errors.check(
                "slug",
                Slug::parse(&Slug::suggest(name)).map_err(|_| {
                    "could not be made from this name: type one (lower-case letters, digits and hyphens)"
                        .to_owned()
                }),
            ),
        }
    } else {
        errors.check("slug", Slug::parse(slug))
    };
    let currency = errors.check("currency", Currency::parse(currency));
    Some(ParsedStore {
        name: name?,
        slug: slug?,
        currency: currency?,
    })
}

pub async fn run(
    db: &DatabaseConnection,
    input: SetupInput,
    ip: Option<String>,
) -> ServiceResult<NewOwner> {
    let mut errors = ValidationErrors::new();
    let email = errors.check("email", Email::parse(&input.email));
    let password = errors.check("password", Password::parse(&input.password));
    let parsed_store =
        parse_store_fields(&mut errors, &input.store_name, &input.slug, &input.currency);
    errors.into_result()?;
    let (email, password, parsed_store) =
        (email.unwrap(), password.unwrap(), parsed_store.unwrap());

    let password_hash = crypto::hash_password_async(password.expose().to_owned()).await?;

    let txn = db::begin_write(db).await?;
    // Checked inside the write transaction: two browsers submitting setup at
    // once cannot both create an owner. SQLite's BEGIN IMMEDIATE already
    // serialises writers; PostgreSQL needs the table lock.
    if !db::is_sqlite(&txn) {
        txn.execute_unprepared("LOCK TABLE users IN EXCLUSIVE MODE")
            .await?;
    }
    if is_done(&txn).await? {
        return Err(ServiceError::NotFound);
    }
    let now = Utc::now();
    let user_id = UserId::new_v7();
    user::ActiveModel {
        id: Set(user_id.0),
        email: Set(email.as_str().to_owned()),
        password_hash: Set(password_hash),
        password_changed_at: Set(now),
        created_at: Set(now),
        last_store_id: Set(None),
    }
    .insert(&txn)
    .await?;
    let store_id = stores::insert(&txn, &parsed_store).await?;
    add_membership(&txn, store_id, user_id, Role::Owner).await?;
    let actor = Actor::user(user_id.0, email.as_str(), ip);
    audit::record(
        &txn,
        store_id,
        &actor,
        "store.created",
        "store",
        Some(store_id.to_string()),
        json!({"name": parsed_store.name, "slug": parsed_store.slug.as_str(), "currency": parsed_store.currency.code(), "owner": email.as_str()}),
    )
    .await?;
    txn.commit().await?;
    Ok(NewOwner { user_id, store_id })
}

pub async fn add_membership(
    conn: &impl ConnectionTrait,
    store_id: StoreId,
    user_id: UserId,
    role: Role,
) -> ServiceResult<Uuid> {
    let id = Uuid::now_v7();
    membership::ActiveModel {
        id: Set(id),
        store_id: Set(store_id.0),
        user_id: Set(user_id.0),
        role: Set(role.as_str().to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(id)
}

/// `tributary create-admin`: creates the store when the slug is new (or
/// adds the user to it), and the user when the email is new.
pub async fn create_admin_from_cli(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    store_name: &str,
    slug: Option<&str>,
    currency: &str,
) -> ServiceResult<(StoreId, bool, bool)> {
    let mut errors = ValidationErrors::new();
    let email = errors.check("email", Email::parse(email));
    let password = errors.check("password", Password::parse(password));
    let parsed_store = parse_store_fields(&mut errors, store_name, slug.unwrap_or(""), currency);
    errors.into_result()?;
    let (email, password, parsed_store) =
        (email.unwrap(), password.unwrap(), parsed_store.unwrap());
    let password_hash = crypto::hash_password_async(password.expose().to_owned()).await?;

    let txn = db::begin_write(db).await?;
    let actor = Actor::cli();
    let (store_id, store_created) = match stores::find_by_slug(&txn, parsed_store.slug.as_str())
        .await?
    {
        Some(existing) => (StoreId(existing.id), false),
        None => {
            let id = stores::insert(&txn, &parsed_store).await?;
            audit::record(&txn, id, &actor, "store.created", "store", Some(id.to_string()),
                json!({"name": parsed_store.name, "slug": parsed_store.slug.as_str(), "currency": parsed_store.currency.code()})).await?;
            (id, true)
        }
    };
    let (user_id, user_created) = match user::Entity::find()
        .filter_by_email(email.as_str())
        .one(&txn)
        .await?
    {
        Some(existing) => (UserId(existing.id), false),
        None => {
            let now = Utc::now();
            let id = UserId::new_v7();
            user::ActiveModel {
                id: Set(id.0),
                email: Set(email.as_str().to_owned()),
                password_hash: Set(password_hash),
                password_changed_at: Set(now),
                created_at: Set(now),
                last_store_id: Set(None),
            }
            .insert(&txn)
            .await?;
            (id, true)
        }
    };
    if stores::membership(&txn, store_id, user_id).await?.is_some() {
        return Err(ServiceError::Conflict(format!(
            "{} is already a member of {}",
            email, parsed_store.slug
        )));
    }
    add_membership(&txn, store_id, user_id, Role::Owner).await?;
    audit::record(
        &txn,
        store_id,
        &actor,
        "member.added",
        "user",
        Some(user_id.to_string()),
        json!({"email": email.as_str(), "role": "owner"}),
    )
    .await?;
    txn.commit().await?;
    Ok((store_id, store_created, user_created))
}

/// Finding users by their (normalised) email.
pub trait FilterByEmail {
    fn filter_by_email(self, email: &str) -> Self;
}

impl FilterByEmail for sea_orm::Select<user::Entity> {
    fn filter_by_email(self, email: &str) -> Self {
        use sea_orm::{ColumnTrait, QueryFilter};
        self.filter(user::Column::Email.eq(email))
    }
}
