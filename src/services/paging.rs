//! Cursor paging shared by the API's list endpoints (DESIGN §7): `limit`
//! 1–100 (default 25) and `starting_after=<id>`, newest first. Ids are UUID
//! v7, so id order is creation order and a page never shifts when rows are
//! inserted.

use uuid::Uuid;

use crate::domain::ValidationErrors;

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: u64,
    pub starting_after: Option<Uuid>,
}

impl PageRequest {
    pub fn parse(
        limit: Option<i64>,
        starting_after: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let limit = match limit {
            None => 25,
            Some(n) if (1..=100).contains(&n) => n as u64,
            Some(_) => {
                errors.add("limit", "must be between 1 and 100");
                25
            }
        };
        let starting_after = match starting_after.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match Uuid::parse_str(s) {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add("starting_after", "must be an id from a previous page");
                    None
                }
            },
        };
        errors.into_result()?;
        Ok(Self {
            limit,
            starting_after,
        })
    }

    pub fn first(limit: u64) -> Self {
        Self {
            limit,
            starting_after: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_more: bool,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched.
    pub fn from_overfetch(mut rows: Vec<T>, limit: u64) -> Self {
        let has_more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        Self {
            items: rows,
            has_more,
        }
    }
}
