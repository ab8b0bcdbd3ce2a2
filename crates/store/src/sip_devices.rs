//! SIP devices (each with its own credentials, as HA1 digests only) and the registrations
//! that must survive a restart.

use crate::{int, opt_text, text, Store, StoreError};
use sqlx::any::AnyRow;

/// A device to create; the HA1 values are computed by the caller for `realm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    /// Login of the person it rings for.
    pub login: String,
    /// The person's name for it ("Softphone Homeoffice").
    pub label: String,
    /// Its SIP user name (unique).
    pub sip_username: String,
    /// The realm the digests were made for.
    pub realm: String,
    /// MD5(username:realm:password), lower-case hex.
    pub ha1_md5: String,
    /// SHA-256(username:realm:password), lower-case hex.
    pub ha1_sha256: String,
}

/// A stored device with its person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// Id.
    pub id: i64,
    /// The person's id.
    pub staff_id: i64,
    /// The person's login.
    pub login: String,
    /// The person's extension.
    pub extension: String,
    /// Label.
    pub label: String,
    /// SIP user name.
    pub sip_username: String,
    /// Realm of the digests.
    pub realm: String,
    /// HA1 with MD5.
    pub ha1_md5: String,
    /// HA1 with SHA-256.
    pub ha1_sha256: String,
    /// Unix seconds.
    pub created_at: i64,
    /// The person's features (telephony needs `softphone`).
    pub features: directory::FeatureSet,
}

/// A stored registration of a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBinding {
    /// The device.
    pub device_id: i64,
    /// Contact URI as registered.
    pub contact: String,
    /// RFC 5626 instance id.
    pub instance: Option<String>,
    /// Call-ID of the REGISTER.
    pub call_id: String,
    /// Its CSeq.
    pub cseq: i64,
    /// Unix milliseconds when it ends.
    pub expires_ms: i64,
    /// The flow it came over ("udp 192.0.2.7:5060").
    pub source: String,
}

const DEVICE: &str = "d.id, d.staff_id, s.login, s.extension, d.label, d.sip_username, d.realm, \
                      d.ha1_md5, d.ha1_sha256, d.created_at, s.features";

fn device(row: &AnyRow) -> Result<DeviceRow, StoreError> {
    Ok(DeviceRow {
        id: int(row, 0)?,
        staff_id: int(row, 1)?,
        login: text(row, 2)?,
        extension: text(row, 3)?,
        label: text(row, 4)?,
        sip_username: text(row, 5)?,
        realm: text(row, 6)?,
        ha1_md5: text(row, 7)?,
        ha1_sha256: text(row, 8)?,
        created_at: int(row, 9)?,
        features: directory::FeatureSet::from_bits(int(row, 10)?),
    })
}

fn binding(row: &AnyRow) -> Result<StoredBinding, StoreError> {
    Ok(StoredBinding {
        device_id: int(row, 0)?,
        contact: text(row, 1)?,
        instance: opt_text(row, 2)?,
        call_id: text(row, 3)?,
        cseq: int(row, 4)?,
        expires_ms: int(row, 5)?,
        source: text(row, 6)?,
    })
}

impl Store {
    /// Creates devices, all or none (one transaction). Unknown logins, a label the person
    /// already uses or a taken user name: an error, and nothing is written.
    pub async fn add_devices(
        &self,
        devices: &[NewDevice],
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(devices.len());
        for d in devices {
            let result = sqlx::query(
                "INSERT INTO sip_devices (staff_id, label, sip_username, realm, ha1_md5, ha1_sha256, created_at) \
                 SELECT id, $2, $3, $4, $5, $6, $7 FROM staff WHERE login = $1 RETURNING id",
            )
            .bind(&d.login)
            .bind(&d.label)
            .bind(&d.sip_username)
            .bind(&d.realm)
            .bind(&d.ha1_md5)
            .bind(&d.ha1_sha256)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await;
            match result {
                Ok(Some(row)) => ids.push(int(&row, 0)?),
                Ok(None) => return Err(StoreError::UnknownLogins(vec![d.login.clone()])),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Err(StoreError::Conflict(format!(
                        "{} already has a device labelled {:?}, or the SIP user name {} is taken",
                        d.login, d.label, d.sip_username
                    )))
                }
                Err(e) => return Err(e.into()),
            }
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Every device (for the SIP server's credential table), by user name.
    pub async fn all_devices(&self) -> Result<Vec<DeviceRow>, StoreError> {
        let mut all = Vec::new();
        self.each_device(|d| all.push(d)).await?;
        Ok(all)
    }

    /// Hands every device to `f`, by user name, without holding them all: the SIP
    /// server keeps a small part of each, and 100,000 whole rows were 40 MB at once.
    pub async fn each_device(&self, mut f: impl FnMut(DeviceRow)) -> Result<(), StoreError> {
        // In pages: the driver's rows for 100,000 devices at once took over 100 MB,
        // which the process kept long after.
        const PAGE: i64 = 2_000;
        let mut after = String::new();
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {DEVICE} FROM sip_devices d JOIN staff s ON s.id = d.staff_id \
                 WHERE d.sip_username > $1 AND s.disabled_at IS NULL ORDER BY d.sip_username LIMIT $2"
            ))
            .bind(&after)
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await?;
            let page = rows.iter().map(device).collect::<Result<Vec<_>, _>>()?;
            let full = page.len() as i64 == PAGE;
            if let Some(last) = page.last() {
                after.clone_from(&last.sip_username);
            }
            page.into_iter().for_each(&mut f);
            if !full {
                return Ok(());
            }
        }
    }

    /// A cheap summary of what [`Store::all_devices`] would return (how many devices,
    /// their ids, the people's changes and features): when it is unchanged, so are the accounts,
    /// and the SIP service need not read them all again.
    pub async fn devices_fingerprint(&self) -> Result<[i64; 4], StoreError> {
        use sqlx::Row;
        let row = sqlx::query(
            "SELECT COUNT(*), CAST(COALESCE(SUM(d.id), 0) AS BIGINT), \
             CAST(COALESCE(SUM(s.updated_at), 0) AS BIGINT), \
             CAST(COALESCE(SUM(s.features), 0) AS BIGINT) \
             FROM sip_devices d JOIN staff s ON s.id = d.staff_id",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok([
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
        ])
    }

    /// A person's devices, by label.
    pub async fn devices_of(&self, login: &str) -> Result<Vec<DeviceRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {DEVICE} FROM sip_devices d JOIN staff s ON s.id = d.staff_id \
             WHERE s.login = $1 ORDER BY d.label"
        ))
        .bind(login)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(device).collect()
    }

    /// One device by SIP user name.
    pub async fn device(&self, sip_username: &str) -> Result<Option<DeviceRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {DEVICE} FROM sip_devices d JOIN staff s ON s.id = d.staff_id WHERE d.sip_username = $1 \
             AND s.disabled_at IS NULL"
        ))
        .bind(sip_username)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(device).transpose()
    }

    /// The SIP user names starting with `prefix` (to number a person's next device).
    pub async fn sip_usernames_like(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT sip_username FROM sip_devices WHERE sip_username LIKE $1 ESCAPE '\\'",
        )
        .bind(format!("{}%", crate::like_escaped(prefix)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| text(r, 0)).collect()
    }

    /// Removes a device and its registrations; `false` when there is none.
    pub async fn remove_device(&self, sip_username: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "DELETE FROM sip_bindings WHERE device_id IN \
             (SELECT id FROM sip_devices WHERE sip_username = $1)",
        )
        .bind(sip_username)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query("DELETE FROM sip_devices WHERE sip_username = $1")
            .bind(sip_username)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// Stores (or refreshes) registrations and removes others, in one transaction.
    pub async fn save_bindings(
        &self,
        upsert: &[StoredBinding],
        remove: &[(i64, String)],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for (device_id, contact) in remove {
            sqlx::query("DELETE FROM sip_bindings WHERE device_id = $1 AND contact = $2")
                .bind(device_id)
                .bind(contact)
                .execute(&mut *tx)
                .await?;
        }
        // Last one wins per (device, contact): one statement must not touch a row twice.
        let mut latest: std::collections::HashMap<(i64, &str), &StoredBinding> =
            std::collections::HashMap::new();
        for b in upsert {
            latest.insert((b.device_id, b.contact.as_str()), b);
        }
        let rows: Vec<&StoredBinding> = latest.into_values().collect();
        // Multi-row statements: a registration storm is thousands of rows per second.
        // SQLite gets anonymous `?` parameters: looking up a numbered one's name scans
        // the statement's list of names, quadratic in a 700-parameter statement (it was
        // 6 % of the server's CPU in a registration storm).
        let sqlite = self.backend() == crate::Backend::Sqlite;
        for chunk in rows.chunks(100) {
            let values = (0..chunk.len())
                .map(|i| {
                    let row: Vec<String> = (1..=7)
                        .map(|c| match sqlite {
                            true => "?".to_owned(),
                            false => format!("${}", i * 7 + c),
                        })
                        .collect();
                    format!("({})", row.join(", "))
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO sip_bindings (device_id, contact, instance, call_id, cseq, expires_ms, source) \
                 VALUES {values} ON CONFLICT (device_id, contact) DO UPDATE SET \
                 instance = excluded.instance, call_id = excluded.call_id, cseq = excluded.cseq, \
                 expires_ms = excluded.expires_ms, source = excluded.source"
            );
            let mut q = sqlx::query(&sql);
            for b in chunk {
                q = q
                    .bind(b.device_id)
                    .bind(&b.contact)
                    .bind(&b.instance)
                    .bind(&b.call_id)
                    .bind(b.cseq)
                    .bind(b.expires_ms)
                    .bind(&b.source);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Registrations still valid at `now_ms` (expired ones are deleted first).
    pub async fn load_bindings(&self, now_ms: i64) -> Result<Vec<StoredBinding>, StoreError> {
        sqlx::query("DELETE FROM sip_bindings WHERE expires_ms <= $1")
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        // In pages, like the devices (after a restart with 100,000 phones registered).
        const PAGE: i64 = 2_000;
        let mut all = Vec::new();
        let mut after = (i64::MIN, String::new());
        loop {
            let rows = sqlx::query(
                "SELECT device_id, contact, instance, call_id, cseq, expires_ms, source \
                 FROM sip_bindings WHERE device_id > $1 OR (device_id = $1 AND contact > $2) \
                 ORDER BY device_id, contact LIMIT $3",
            )
            .bind(after.0)
            .bind(&after.1)
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await?;
            let page = rows.iter().map(binding).collect::<Result<Vec<_>, _>>()?;
            let full = page.len() as i64 == PAGE;
            if let Some(last) = page.last() {
                after = (last.device_id, last.contact.clone());
            }
            all.extend(page);
            if !full {
                return Ok(all);
            }
        }
    }
}
