//! Reading cases: one case, a hotline's list with search and filters (newest first), the
//! earlier cases of a caller, and a case's history from the audit log.

use super::{case_target, CaseRow, StaffRef};
use crate::{int, like_escaped, opt_text, text, AuditEntry, Store, StoreError};
use cases::{CaseState, CaseValues};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

/// At most this many search words count.
const MAX_WORDS: usize = 8;

/// Which cases of a hotline to list; every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Words that must all occur in the caller's number or a value (any case).
    pub text: Option<String>,
    /// Only cases in this state.
    pub state: Option<CaseState>,
    /// Created at or after (Unix seconds).
    pub created_from: Option<i64>,
    /// Created before (Unix seconds).
    pub created_until: Option<i64>,
    /// Only cases assigned to this person (staff id).
    pub assignee: Option<i64>,
    /// At most this many (newest first); 0 means 100.
    pub limit: i64,
    /// Skip this many.
    pub offset: i64,
}

/// A page of a hotline's cases.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePage {
    /// The cases, newest first.
    pub cases: Vec<CaseRow>,
    /// How many match the filter in all.
    pub total: i64,
}

const CASE: &str = "SELECT c.id, c.hotline_id, c.caller_number, c.state, c.field_values, \
     c.created_at, c.updated_at, c.closed_at, c.revision, \
     a.id, a.login, a.display_name, b.id, b.login, b.display_name \
     FROM cases c LEFT JOIN staff a ON a.id = c.assignee_id \
     LEFT JOIN staff b ON b.id = c.created_by";

fn staff_ref(row: &AnyRow, first: usize) -> Result<Option<StaffRef>, StoreError> {
    let Some(id) = row.try_get::<Option<i64>, _>(first)? else {
        return Ok(None);
    };
    Ok(Some(StaffRef {
        id,
        login: text(row, first + 1)?,
        name: text(row, first + 2)?,
    }))
}

fn case_row(row: &AnyRow) -> Result<CaseRow, StoreError> {
    let id = int(row, 0)?;
    let state = text(row, 3)?;
    let corrupt = |what: String| StoreError::Corrupt(format!("case {id}: {what}"));
    Ok(CaseRow {
        id,
        hotline_id: int(row, 1)?,
        caller_number: opt_text(row, 2)?,
        state: CaseState::parse(&state).ok_or_else(|| corrupt(format!("state {state:?}")))?,
        values: CaseValues::from_json(&text(row, 4)?)
            .map_err(|e| corrupt(format!("values: {e}")))?,
        created_at: int(row, 5)?,
        updated_at: int(row, 6)?,
        closed_at: row.try_get::<Option<i64>, _>(7)?,
        revision: int(row, 8)?,
        assignee: staff_ref(row, 9)?,
        created_by: staff_ref(row, 12)?,
    })
}

/// A case of the hotline through `conn` (inside a transaction).
pub(crate) async fn case_in(
    conn: &mut AnyConnection,
    hotline_id: i64,
    case_id: i64,
) -> Result<Option<CaseRow>, StoreError> {
    let row = sqlx::query(&format!("{CASE} WHERE c.id = $1 AND c.hotline_id = $2"))
        .bind(case_id)
        .bind(hotline_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(case_row).transpose()
}

/// The search words of a filter as `LIKE` patterns, lower-cased like the search column.
fn patterns(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default()
        .split_whitespace()
        .take(MAX_WORDS)
        .map(|w| format!("%{}%", like_escaped(&cases::values::search_word(w))))
        .collect()
}

/// The query `sql` with the parameters of [`Store::cases`]' conditions bound.
fn bind_filter<'q>(
    sql: &'q str,
    hotline_id: i64,
    filter: &CaseFilter,
    words: &'q [String],
) -> Query<'q, Any, AnyArguments<'q>> {
    let q = sqlx::query(sql)
        .bind(hotline_id)
        .bind(filter.state.map_or("", CaseState::as_str))
        .bind(filter.created_from.unwrap_or(i64::MIN))
        .bind(filter.created_until.unwrap_or(i64::MAX))
        .bind(filter.assignee.unwrap_or(0));
    words.iter().fold(q, |q, w| q.bind(w.as_str()))
}

impl Store {
    /// A case of the hotline.
    pub async fn case(&self, hotline_id: i64, case_id: i64) -> Result<Option<CaseRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        case_in(&mut conn, hotline_id, case_id).await
    }

    /// The hotline's cases that match the filter, newest first, and how many match.
    pub async fn cases(
        &self,
        hotline_id: i64,
        filter: &CaseFilter,
    ) -> Result<CasePage, StoreError> {
        let words = patterns(filter.text.as_deref());
        // $1 hotline, $2 state ('' for any), $3/$4 the creation span, $5 assignee (0 for
        // any), then one parameter per word.
        let mut conditions = String::from(
            "c.hotline_id = $1 AND ($2 = '' OR c.state = $2) AND c.created_at >= $3 \
             AND c.created_at < $4 AND ($5 = 0 OR c.assignee_id = $5)",
        );
        for i in 0..words.len() {
            conditions.push_str(&format!(" AND c.search_text LIKE ${} ESCAPE '\\'", i + 6));
        }
        let count_sql = format!("SELECT COUNT(*) FROM cases c WHERE {conditions}");
        let total = int(
            &bind_filter(&count_sql, hotline_id, filter, &words)
                .fetch_one(&self.pool)
                .await?,
            0,
        )?;
        let n = words.len();
        let list_sql = format!(
            "{CASE} WHERE {conditions} ORDER BY c.created_at DESC, c.id DESC LIMIT ${} OFFSET ${}",
            n + 6,
            n + 7
        );
        let limit = if filter.limit > 0 { filter.limit } else { 100 };
        let rows = bind_filter(&list_sql, hotline_id, filter, &words)
            .bind(limit)
            .bind(filter.offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        Ok(CasePage {
            cases: rows.iter().map(case_row).collect::<Result<_, _>>()?,
            total,
        })
    }

    /// The hotline's cases from this caller's number (normalised like stored numbers),
    /// newest first; none for something that is no number.
    pub async fn cases_by_caller(
        &self,
        hotline_id: i64,
        number: &str,
        limit: i64,
    ) -> Result<Vec<CaseRow>, StoreError> {
        let Some(number) = cases::normalise_phone(number) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(&format!(
            "{CASE} WHERE c.hotline_id = $1 AND c.caller_number = $2 \
             ORDER BY c.created_at DESC, c.id DESC LIMIT $3"
        ))
        .bind(hotline_id)
        .bind(number)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(case_row).collect()
    }

    /// A case's history: its audit entries, oldest first.
    pub async fn case_history(&self, case_id: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, action, target, source, detail FROM audit_log \
             WHERE target = $1 ORDER BY at, id",
        )
        .bind(case_target(case_id))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    at: int(r, 0)?,
                    actor: opt_text(r, 1)?,
                    action: text(r, 2)?,
                    target: opt_text(r, 3)?,
                    source: opt_text(r, 4)?,
                    detail: text(r, 5)?,
                })
            })
            .collect()
    }
}
