//! The triggers that keep the rollups: one set per counted table, made
//! from a description of what a row of it adds to which figure.

use super::{Db, Target, halves};

/// A table whose rows the rollups count.
pub(super) struct Source {
    pub(super) table: &'static str,
    /// The UTC day a row counts on.
    pub(super) day: &'static str,
    /// Whether row `r` counts at all.
    pub(super) counts: fn(Db, &str) -> String,
    /// What row `r` adds to each column it moves.
    pub(super) figures: fn(&str) -> Vec<(String, String)>,
    /// The columns whose change moves a row's contribution.
    pub(super) watched: &'static [&'static str],
    /// The affiliate is the row's link's (visits), not a column of its own.
    pub(super) via_link: bool,
    /// Inserts are counted by a trigger (visits: by the click writers).
    pub(super) insert_trigger: bool,
    /// PostgreSQL: inserts and deletes counted per statement.
    pub(super) per_statement: bool,
}

fn live(r: &str, status: &str) -> String {
    format!("CASE WHEN {r}.status = '{status}' THEN {r}.amount_minor ELSE 0 END")
}

pub(super) const SOURCES: &[Source] = &[
    Source {
        table: "visits",
        day: "created_at",
        counts: |_, _| "1 = 1".into(),
        figures: |_| vec![("visitors".into(), "1".into())],
        watched: &["store_id", "link_id", "created_at"],
        via_link: true,
        insert_trigger: false,
        per_statement: false,
    },
    Source {
        table: "referrals",
        day: "lead_at",
        // Self-referrals are recorded, never credited.
        counts: |db, r| match db {
            Db::Sqlite => format!("{r}.lead_at IS NOT NULL AND {r}.self_referral = 0"),
            Db::Postgres => format!("{r}.lead_at IS NOT NULL AND NOT {r}.self_referral"),
        },
        figures: |_| vec![("leads".into(), "1".into())],
        watched: &["store_id", "affiliate_id", "lead_at", "self_referral"],
        via_link: false,
        insert_trigger: true,
        per_statement: false,
    },
    Source {
        table: "sales",
        day: "occurred_at",
        counts: |_, r| format!("{r}.affiliate_id IS NOT NULL"),
        figures: |r| {
            let mut f = vec![("conversions".into(), "1".into())];
            f.extend(halves(
                "revenue",
                &format!("{r}.amount_minor - {r}.tax_minor"),
            ));
            f
        },
        watched: &[
            "store_id",
            "affiliate_id",
            "amount_minor",
            "tax_minor",
            "occurred_at",
        ],
        via_link: false,
        insert_trigger: true,
        per_statement: true,
    },
    Source {
        table: "commissions",
        day: "created_at",
        // Voided and refunded commissions earn nothing.
        counts: |_, r| format!("{r}.status IN ('pending', 'due', 'paid')"),
        figures: |r| {
            let mut f = vec![("commission_count".into(), "1".into())];
            for status in ["pending", "due", "paid"] {
                f.extend(halves(&format!("commission_{status}"), &live(r, status)));
            }
            f
        },
        watched: &[
            "store_id",
            "affiliate_id",
            "status",
            "amount_minor",
            "created_at",
        ],
        via_link: false,
        insert_trigger: true,
        per_statement: true,
    },
];

/// One row's (or one transition table's) contribution to `target`, as a
/// SELECT of the target's keys and `figures` (negated for `neg`). `from`
/// names a transition table aliased `r`; without it `r` is `NEW` or `OLD`.
fn part(db: Db, s: &Source, r: &str, from: Option<&str>, neg: bool, target: Target) -> String {
    let sign = if neg { "-" } else { "" };
    let day = db.day(&format!("{r}.{}", s.day));
    let cond = (s.counts)(db, r);
    let values: Vec<String> = (s.figures)(r)
        .into_iter()
        .map(|(f, e)| format!("{sign}({e}) AS {f}"))
        .collect();
    let values = values.join(", ");
    let from = from.map(|t| format!(" FROM {t} {r}")).unwrap_or_default();
    match (target, s.via_link) {
        (Target::Store, _) => {
            format!("SELECT {r}.store_id AS store_id, {day} AS day, {values}{from} WHERE {cond}")
        }
        (Target::Affiliate, false) => format!(
            "SELECT {r}.store_id AS store_id, {r}.affiliate_id AS affiliate_id, {day} AS day, {values}{from} WHERE {cond}"
        ),
        (Target::Affiliate, true) => {
            assert!(from.is_empty(), "a link's rows are read per row");
            format!(
                "SELECT l.store_id AS store_id, l.affiliate_id AS affiliate_id, {day} AS day, {values} FROM links l WHERE l.id = {r}.link_id AND {cond}"
            )
        }
    }
}

/// `SET` of an upsert: each column plus what arrived.
fn merge(db: Db, target: Target, columns: &[String]) -> String {
    let t = target.table();
    columns
        .iter()
        .map(|c| match db {
            Db::Sqlite => format!("{c} = {c} + excluded.{c}"),
            Db::Postgres => format!("{c} = {t}.{c} + EXCLUDED.{c}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds `parts` (SELECTs of `part`) to `target`'s rows.
fn upsert(db: Db, target: Target, columns: &[String], parts: &[String]) -> String {
    let (table, keys) = (target.table(), target.keys());
    let cols = columns.join(", ");
    let set = merge(db, target, columns);
    match db {
        // One row at a time, so no grouping; SQLite needs the WHERE every
        // part has before ON CONFLICT.
        Db::Sqlite => parts
            .iter()
            .map(|p| {
                format!(
                    "INSERT INTO {table} ({keys}, {cols}) {p} ON CONFLICT ({keys}) DO UPDATE SET {set};"
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        // Grouped, so one key is written once, and sorted: the lock order.
        Db::Postgres => {
            let sums: Vec<String> = columns.iter().map(|c| format!("SUM({c})")).collect();
            format!(
                "INSERT INTO {table} ({keys}, {cols}) SELECT {keys}, {} FROM ({}) d GROUP BY {keys} ORDER BY {keys} ON CONFLICT ({keys}) DO UPDATE SET {set};",
                sums.join(", "),
                parts.join(" UNION ALL ")
            )
        }
    }
}

/// The statements one trigger runs: the store's rows, then the affiliates'.
/// `rows`: (alias, transition table, negated).
fn body(db: Db, s: &Source, rows: &[(&str, Option<&str>, bool)]) -> String {
    let columns: Vec<String> = (s.figures)("r").into_iter().map(|(c, _)| c).collect();
    [Target::Store, Target::Affiliate]
        .iter()
        .map(|&target| {
            let parts: Vec<String> = rows
                .iter()
                .map(|&(r, from, neg)| part(db, s, r, from, neg, target))
                .collect();
            upsert(db, target, &columns, &parts)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn changed(db: Db, watched: &[&str]) -> String {
    let op = match db {
        Db::Sqlite => "IS NOT",
        Db::Postgres => "IS DISTINCT FROM",
    };
    watched
        .iter()
        .map(|c| format!("OLD.{c} {op} NEW.{c}"))
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn pg_function(name: &str, body: &str) -> String {
    format!(
        "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}\nRETURN NULL;\nEND\n$$"
    )
}

/// The statements creating one source's triggers (and their functions).
pub(super) fn triggers(db: Db, s: &Source) -> Vec<String> {
    let t = s.table;
    let name = format!("stats_{t}");
    let new = (s.counts)(db, "NEW");
    let old = (s.counts)(db, "OLD");
    let watched = s.watched.join(", ");
    let changed = changed(db, s.watched);
    let when_update = format!("({old} OR {new}) AND ({changed})");
    let mut out = Vec::new();
    match db {
        Db::Sqlite => {
            if s.insert_trigger {
                out.push(format!(
                    "CREATE TRIGGER {name}_insert AFTER INSERT ON {t} WHEN {new} BEGIN\n{}\nEND",
                    body(db, s, &[("NEW", None, false)])
                ));
            }
            out.push(format!(
                "CREATE TRIGGER {name}_delete AFTER DELETE ON {t} WHEN {old} BEGIN\n{}\nEND",
                body(db, s, &[("OLD", None, true)])
            ));
            out.push(format!(
                "CREATE TRIGGER {name}_update AFTER UPDATE OF {watched} ON {t} WHEN {when_update} BEGIN\n{}\nEND",
                body(db, s, &[("OLD", None, true), ("NEW", None, false)])
            ));
        }
        Db::Postgres => {
            if s.insert_trigger && s.per_statement {
                out.push(pg_function(
                    &format!("{name}_inserted"),
                    &body(db, s, &[("r", Some("new_rows"), false)]),
                ));
                out.push(format!(
                    "CREATE TRIGGER {name}_insert AFTER INSERT ON {t} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}_inserted()"
                ));
            } else if s.insert_trigger {
                out.push(pg_function(
                    &format!("{name}_inserted"),
                    &body(db, s, &[("NEW", None, false)]),
                ));
                out.push(format!(
                    "CREATE TRIGGER {name}_insert AFTER INSERT ON {t} FOR EACH ROW WHEN ({new}) EXECUTE FUNCTION {name}_inserted()"
                ));
            }
            if s.per_statement {
                out.push(pg_function(
                    &format!("{name}_deleted"),
                    &body(db, s, &[("r", Some("old_rows"), true)]),
                ));
                out.push(format!(
                    "CREATE TRIGGER {name}_delete AFTER DELETE ON {t} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}_deleted()"
                ));
            } else {
                out.push(pg_function(
                    &format!("{name}_deleted"),
                    &body(db, s, &[("OLD", None, true)]),
                ));
                out.push(format!(
                    "CREATE TRIGGER {name}_delete AFTER DELETE ON {t} FOR EACH ROW WHEN ({old}) EXECUTE FUNCTION {name}_deleted()"
                ));
            }
            out.push(pg_function(
                &format!("{name}_updated"),
                &body(db, s, &[("OLD", None, true), ("NEW", None, false)]),
            ));
            out.push(format!(
                "CREATE TRIGGER {name}_update AFTER UPDATE OF {watched} ON {t} FOR EACH ROW WHEN ({when_update}) EXECUTE FUNCTION {name}_updated()"
            ));
        }
    }
    out
}

/// A link's visits count for its affiliate: a link deleted takes them off
/// the affiliate (the store keeps them); a link moved moves them.
pub(super) fn link_triggers(db: Db) -> Vec<String> {
    let day = db.day("v.created_at");
    let moved = |r: &str, sign: &str| match db {
        Db::Sqlite => format!(
            "INSERT INTO stats_days (store_id, affiliate_id, day, visitors) \
             SELECT {r}.store_id, {r}.affiliate_id, {day}, {sign}COUNT(*) FROM visits v \
             WHERE v.link_id = {r}.id GROUP BY {day} \
             ON CONFLICT (store_id, affiliate_id, day) DO UPDATE SET visitors = visitors + excluded.visitors;"
        ),
        Db::Postgres => format!(
            "INSERT INTO stats_days (store_id, affiliate_id, day, visitors) \
             SELECT {r}.store_id, {r}.affiliate_id, {day}, {sign}COUNT(*) FROM visits v \
             WHERE v.link_id = {r}.id GROUP BY {day} ORDER BY {day} \
             ON CONFLICT (store_id, affiliate_id, day) DO UPDATE SET visitors = stats_days.visitors + EXCLUDED.visitors;"
        ),
    };
    let changed = changed(db, &["store_id", "affiliate_id"]);
    let delete = moved("OLD", "-");
    let update = format!("{}\n{}", moved("OLD", "-"), moved("NEW", ""));
    match db {
        Db::Sqlite => vec![
            format!("CREATE TRIGGER stats_links_delete AFTER DELETE ON links BEGIN\n{delete}\nEND"),
            format!(
                "CREATE TRIGGER stats_links_update AFTER UPDATE OF store_id, affiliate_id ON links WHEN {changed} BEGIN\n{update}\nEND"
            ),
        ],
        Db::Postgres => vec![
            pg_function("stats_links_deleted", &delete),
            "CREATE TRIGGER stats_links_delete AFTER DELETE ON links FOR EACH ROW EXECUTE FUNCTION stats_links_deleted()".into(),
            pg_function("stats_links_updated", &update),
            format!(
                "CREATE TRIGGER stats_links_update AFTER UPDATE OF store_id, affiliate_id ON links FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION stats_links_updated()"
            ),
        ],
    }
}
