//! Hotlines, their queues, agents, supervisors and announcements (migration 0010): read
//! whole for the switchboard, looked up by number for call routing, and written by the
//! administration (and the demo).

use crate::{int, opt_int, opt_text, text, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A hotline as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hotline {
    /// Its id.
    pub id: i64,
    /// Its name ("Bürgertelefon Gesundheitsamt").
    pub name: String,
    /// Its internal extension.
    pub extension: String,
    /// Its direct number at the trunk, if any.
    pub did: Option<String>,
    /// Public holidays of this state close it (`BY`, …).
    pub holiday_state: Option<String>,
    /// Opening hours per weekday, Monday first ("08:00-12:00, 13:00-15:30"; empty: closed).
    pub hours: [String; 7],
    /// The closed message.
    pub closed_announcement: Option<i64>,
    /// The welcome.
    pub welcome_announcement: Option<i64>,
    /// Music on hold.
    pub hold_music: Option<i64>,
    /// Closed cases are deleted after this many days.
    pub case_retention_days: i64,
    /// Supervisors may listen in and whisper.
    pub supervisor_listen: bool,
}

/// A hotline's queue as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineQueue {
    /// Its id (also the queue id of the event log).
    pub id: i64,
    /// Its hotline.
    pub hotline_id: i64,
    /// Its name.
    pub name: String,
    /// The menu key that leads here.
    pub menu_digit: Option<String>,
    /// `ring_all`, `longest_idle`, `round_robin`, `fewest_calls`, `skills`.
    pub strategy: String,
    /// Skills: the wait after which the next level may take the call.
    pub widen_after_secs: i64,
    /// How long an offer rings.
    pub ring_secs: i64,
    /// The wrap-up after each call.
    pub wrap_up_secs: i64,
    /// The longest wait before the overflow.
    pub max_wait_secs: Option<i64>,
    /// The longest line before the overflow.
    pub max_length: Option<i64>,
    /// How often a caller hears their position.
    pub position_every_secs: Option<i64>,
    /// How often the periodic announcement plays.
    pub periodic_every_secs: Option<i64>,
    /// The periodic announcement.
    pub periodic_announcement: Option<i64>,
    /// From this wait on, a callback is offered.
    pub callback_after_secs: Option<i64>,
    /// The key for the callback.
    pub callback_key: String,
    /// `closed`, `queue`, `person`, `voicemail`.
    pub overflow_kind: String,
    /// The overflow's queue id or extension.
    pub overflow_target: Option<String>,
    /// Service level: answered within this many seconds.
    pub sl_threshold_secs: i64,
    /// Abandons shorter than this are not counted.
    pub short_abandon_secs: i64,
}

/// An agent of a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueAgent {
    /// The queue.
    pub queue_id: i64,
    /// The person.
    pub staff_id: i64,
    /// Their level (1: offered first).
    pub level: i64,
    /// Logged in now.
    pub logged_in: bool,
}

/// A one-off closure of a hotline (whole days, `YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineClosure {
    /// The hotline.
    pub hotline_id: i64,
    /// The first day closed.
    pub first_day: String,
    /// The last day closed.
    pub last_day: String,
    /// Why.
    pub reason: String,
}

/// Everything about the hotlines, for the switchboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HotlineBook {
    /// The hotlines.
    pub hotlines: Vec<Hotline>,
    /// Their queues.
    pub queues: Vec<HotlineQueue>,
    /// The queues' agents.
    pub agents: Vec<QueueAgent>,
    /// (hotline, person) of every supervisor.
    pub supervisors: Vec<(i64, i64)>,
    /// One-off closures.
    pub closures: Vec<HotlineClosure>,
    /// Where agents take the calls, when not `auto`: (person, `browser`/`phone`/`mobile`).
    pub answer_on: Vec<(i64, String)>,
}

const HOTLINE_COLUMNS: &str = "id, name, extension, did, holiday_state, hours_mon, hours_tue, \
    hours_wed, hours_thu, hours_fri, hours_sat, hours_sun, closed_announcement_id, \
    welcome_announcement_id, hold_music_id, case_retention_days, supervisor_listen";

const QUEUE_COLUMNS: &str = "id, hotline_id, name, menu_digit, strategy, widen_after_secs, \
    ring_secs, wrap_up_secs, max_wait_secs, max_length, position_every_secs, \
    periodic_every_secs, periodic_announcement_id, callback_after_secs, callback_key, \
    overflow_kind, overflow_target, sl_threshold_secs, short_abandon_secs";

fn hotline_of(r: &AnyRow) -> Result<Hotline, StoreError> {
    Ok(Hotline {
        id: int(r, 0)?,
        name: text(r, 1)?,
        extension: text(r, 2)?,
        did: opt_text(r, 3)?,
        holiday_state: opt_text(r, 4)?,
        hours: [
            text(r, 5)?,
            text(r, 6)?,
            text(r, 7)?,
            text(r, 8)?,
            text(r, 9)?,
            text(r, 10)?,
            text(r, 11)?,
        ],
        closed_announcement: opt_int(r, 12)?,
        welcome_announcement: opt_int(r, 13)?,
        hold_music: opt_int(r, 14)?,
        case_retention_days: int(r, 15)?,
        supervisor_listen: int(r, 16)? != 0,
    })
}

fn queue_of(r: &AnyRow) -> Result<HotlineQueue, StoreError> {
    Ok(HotlineQueue {
        id: int(r, 0)?,
        hotline_id: int(r, 1)?,
        name: text(r, 2)?,
        menu_digit: opt_text(r, 3)?,
        strategy: text(r, 4)?,
        widen_after_secs: int(r, 5)?,
        ring_secs: int(r, 6)?,
        wrap_up_secs: int(r, 7)?,
        max_wait_secs: opt_int(r, 8)?,
        max_length: opt_int(r, 9)?,
        position_every_secs: opt_int(r, 10)?,
        periodic_every_secs: opt_int(r, 11)?,
        periodic_announcement: opt_int(r, 12)?,
        callback_after_secs: opt_int(r, 13)?,
        callback_key: text(r, 14)?,
        overflow_kind: text(r, 15)?,
        overflow_target: opt_text(r, 16)?,
        sl_threshold_secs: int(r, 17)?,
        short_abandon_secs: int(r, 18)?,
    })
}

impl Store {
    /// Every hotline with its queues, agents, supervisors and closures.
    pub async fn hotline_book(&self) -> Result<HotlineBook, StoreError> {
        let hotlines = sqlx::query(&format!(
            "SELECT {HOTLINE_COLUMNS} FROM hotlines ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(hotline_of)
        .collect::<Result<_, _>>()?;
        let queues = sqlx::query(&format!(
            "SELECT {QUEUE_COLUMNS} FROM hotline_queues ORDER BY hotline_id, id"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(queue_of)
        .collect::<Result<_, _>>()?;
        // Disabled people (left the directory) are nobody's agents any more.
        let agents = sqlx::query(
            "SELECT a.queue_id, a.staff_id, a.level, a.logged_in FROM hotline_agents a \
             JOIN staff s ON s.id = a.staff_id WHERE s.disabled_at IS NULL \
             ORDER BY a.queue_id, a.staff_id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(QueueAgent {
                queue_id: int(r, 0)?,
                staff_id: int(r, 1)?,
                level: int(r, 2)?,
                logged_in: int(r, 3)? != 0,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        let supervisors = sqlx::query(
            "SELECT h.hotline_id, h.staff_id FROM hotline_supervisors h \
             JOIN staff s ON s.id = h.staff_id WHERE s.disabled_at IS NULL \
             ORDER BY h.hotline_id, h.staff_id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((int(r, 0)?, int(r, 1)?)))
        .collect::<Result<_, StoreError>>()?;
        let closures = sqlx::query(
            "SELECT hotline_id, first_day, last_day, reason FROM hotline_closures \
             ORDER BY hotline_id, first_day",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(HotlineClosure {
                hotline_id: int(r, 0)?,
                first_day: text(r, 1)?,
                last_day: text(r, 2)?,
                reason: text(r, 3)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        let answer_on = sqlx::query(
            "SELECT staff_id, answer_on FROM hotline_answer_on WHERE answer_on <> 'auto' \
             ORDER BY staff_id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((int(r, 0)?, text(r, 1)?)))
        .collect::<Result<_, StoreError>>()?;
        Ok(HotlineBook {
            hotlines,
            queues,
            agents,
            supervisors,
            closures,
            answer_on,
        })
    }

    /// The hotline reached under `number`: its extension or its direct number.
    pub async fn hotline_by_number(&self, number: &str) -> Result<Option<Hotline>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {HOTLINE_COLUMNS} FROM hotlines WHERE extension = $1 OR did = $1"
        ))
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(hotline_of).transpose()
    }

    /// Records whether `staff_id` is logged in to each of `queues` (kept over a restart).
    pub async fn set_agent_logins(
        &self,
        staff_id: i64,
        queues: &[i64],
        logged_in: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for queue in queues {
            sqlx::query(
                "UPDATE hotline_agents SET logged_in = $1 WHERE queue_id = $2 AND staff_id = $3",
            )
            .bind(i64::from(logged_in))
            .bind(queue)
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// An announcement's audio: 8 kHz A-law, whole 20 ms frames.
    pub async fn announcement_audio(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT alaw FROM hotline_announcements WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get::<Vec<u8>, _>(0)).transpose()?)
    }

    /// An announcement's full-quality copy (Ogg Opus), if it has one.
    pub async fn announcement_opus(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT opus FROM hotline_announcements WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| r.try_get::<Option<Vec<u8>>, _>(0))
            .transpose()?
            .flatten())
    }

    /// Stores an announcement (8 kHz A-law, and the Ogg Opus copy if there is one) and
    /// returns its id.
    pub async fn add_announcement(
        &self,
        name: &str,
        alaw: &[u8],
        opus: Option<&[u8]>,
        duration_ms: i64,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO hotline_announcements (name, alaw, opus, duration_ms, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(alaw.to_vec())
        .bind(opus.map(<[u8]>::to_vec))
        .bind(duration_ms)
        .bind(now_ms)
        .fetch_one(&self.pool)
        .await?;
        int(&row, 0)
    }

    /// Sets (or with `None` clears: the built-in prompt plays) one of a hotline's
    /// announcements: `welcome`, `closed` or `hold_music`. Whether the hotline exists.
    pub async fn set_hotline_announcement(
        &self,
        hotline_id: i64,
        kind: &str,
        announcement: Option<i64>,
    ) -> Result<bool, StoreError> {
        let column = match kind {
            "welcome" => "welcome_announcement_id",
            "closed" => "closed_announcement_id",
            "hold_music" => "hold_music_id",
            other => return Err(StoreError::Conflict(format!("no announcement {other:?}"))),
        };
        let done = sqlx::query(&format!("UPDATE hotlines SET {column} = $1 WHERE id = $2"))
            .bind(announcement)
            .bind(hotline_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Creates a hotline (opening hours and announcements as given) and returns its id.
    pub async fn add_hotline(&self, h: &Hotline, now_ms: i64) -> Result<i64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        insert_hotline(&mut conn, h, now_ms).await
    }

    /// Creates a hotline with its first queue, agents (person, level) and supervisors,
    /// all or nothing; returns the hotline's and the queue's ids.
    pub async fn add_hotline_setup(
        &self,
        h: &Hotline,
        queue: &HotlineQueue,
        agents: &[(i64, i64)],
        supervisors: &[i64],
        now_ms: i64,
    ) -> Result<(i64, i64), StoreError> {
        let mut tx = self.pool.begin().await?;
        let id = insert_hotline(&mut tx, h, now_ms).await?;
        let q = insert_queue(
            &mut tx,
            &HotlineQueue {
                hotline_id: id,
                ..queue.clone()
            },
        )
        .await?;
        for (staff, level) in agents {
            sqlx::query(
                "INSERT INTO hotline_agents (queue_id, staff_id, level) VALUES ($1, $2, $3)",
            )
            .bind(q)
            .bind(staff)
            .bind(level)
            .execute(&mut *tx)
            .await?;
        }
        for staff in supervisors {
            sqlx::query("INSERT INTO hotline_supervisors (hotline_id, staff_id) VALUES ($1, $2)")
                .bind(id)
                .bind(staff)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok((id, q))
    }

    /// Creates a queue and returns its id.
    pub async fn add_hotline_queue(&self, q: &HotlineQueue) -> Result<i64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        insert_queue(&mut conn, q).await
    }
    /// Makes `staff_id` an agent of `queue_id` at `level` (or changes the level).
    pub async fn set_queue_agent(
        &self,
        queue_id: i64,
        staff_id: i64,
        level: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO hotline_agents (queue_id, staff_id, level) VALUES ($1, $2, $3) \
             ON CONFLICT (queue_id, staff_id) DO UPDATE SET level = excluded.level",
        )
        .bind(queue_id)
        .bind(staff_id)
        .bind(level)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Makes `staff_id` a supervisor of `hotline_id`.
    pub async fn add_hotline_supervisor(
        &self,
        hotline_id: i64,
        staff_id: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO hotline_supervisors (hotline_id, staff_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(hotline_id)
        .bind(staff_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

impl HotlineQueue {
    /// A queue of `hotline_id` with the usual settings: longest-idle, 20 s ringing, 30 s
    /// wrap-up, the position every minute, service level 20 s, short abandons < 5 s.
    pub fn new(hotline_id: i64, name: &str) -> HotlineQueue {
        HotlineQueue {
            id: 0,
            hotline_id,
            name: name.to_string(),
            menu_digit: None,
            strategy: "longest_idle".into(),
            widen_after_secs: 30,
            ring_secs: 20,
            wrap_up_secs: 30,
            max_wait_secs: None,
            max_length: None,
            position_every_secs: Some(60),
            periodic_every_secs: None,
            periodic_announcement: None,
            callback_after_secs: None,
            callback_key: "1".into(),
            overflow_kind: "closed".into(),
            overflow_target: None,
            sl_threshold_secs: 20,
            short_abandon_secs: 5,
        }
    }
}

/// Inserts a hotline on `conn` (a pool connection or a transaction).
async fn insert_hotline(
    conn: &mut sqlx::AnyConnection,
    h: &Hotline,
    now_ms: i64,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO hotlines (name, extension, did, holiday_state, hours_mon, hours_tue, \
             hours_wed, hours_thu, hours_fri, hours_sat, hours_sun, closed_announcement_id, \
             welcome_announcement_id, hold_music_id, case_retention_days, supervisor_listen, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             $15, $16, $17) RETURNING id",
    )
    .bind(&h.name)
    .bind(&h.extension)
    .bind(&h.did)
    .bind(&h.holiday_state)
    .bind(&h.hours[0])
    .bind(&h.hours[1])
    .bind(&h.hours[2])
    .bind(&h.hours[3])
    .bind(&h.hours[4])
    .bind(&h.hours[5])
    .bind(&h.hours[6])
    .bind(h.closed_announcement)
    .bind(h.welcome_announcement)
    .bind(h.hold_music)
    .bind(h.case_retention_days)
    .bind(i64::from(h.supervisor_listen))
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?;
    int(&row, 0)
}

/// The settings columns of a queue, in the order [`bind_queue`] binds them.
pub(crate) const QUEUE_SETTINGS: [&str; 15] = [
    "name",
    "menu_digit",
    "strategy",
    "widen_after_secs",
    "ring_secs",
    "wrap_up_secs",
    "max_wait_secs",
    "max_length",
    "position_every_secs",
    "periodic_every_secs",
    "callback_after_secs",
    "callback_key",
    "overflow_kind",
    "overflow_target",
    "sl_threshold_secs",
];

/// Binds a queue's settings ([`QUEUE_SETTINGS`], then `short_abandon_secs`) to `query`.
pub(crate) fn bind_queue<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    q: &'q HotlineQueue,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(&q.name)
        .bind(&q.menu_digit)
        .bind(&q.strategy)
        .bind(q.widen_after_secs)
        .bind(q.ring_secs)
        .bind(q.wrap_up_secs)
        .bind(q.max_wait_secs)
        .bind(q.max_length)
        .bind(q.position_every_secs)
        .bind(q.periodic_every_secs)
        .bind(q.callback_after_secs)
        .bind(&q.callback_key)
        .bind(&q.overflow_kind)
        .bind(&q.overflow_target)
        .bind(q.sl_threshold_secs)
        .bind(q.short_abandon_secs)
}

/// Inserts a queue on `conn`.
async fn insert_queue(conn: &mut sqlx::AnyConnection, q: &HotlineQueue) -> Result<i64, StoreError> {
    let sql = format!(
        "INSERT INTO hotline_queues ({}, short_abandon_secs, hotline_id, periodic_announcement_id) \
         VALUES ({}) RETURNING id",
        QUEUE_SETTINGS.join(", "),
        crate::directory::placeholders(1, QUEUE_SETTINGS.len() + 3),
    );
    let row = bind_queue(sqlx::query(&sql), q)
        .bind(q.hotline_id)
        .bind(q.periodic_announcement)
        .fetch_one(&mut *conn)
        .await?;
    int(&row, 0)
}
