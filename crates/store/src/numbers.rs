//! Numbers of their own that boxes have (a fax box's, a unit's voicemail box): one number
//! leads to one place, so a new box's number must not be anyone's extension, a hotline's
//! extension or direct number, or another box's.

use crate::{text, StoreError};

/// Who already has `number`, in German, if anyone: a person's extension, a hotline's
/// extension or direct number, a fax box, or a unit's voicemail box. Run it in the write
/// transaction that then takes the number, so the check and the insert see one state.
pub(crate) async fn number_holder(
    conn: &mut sqlx::AnyConnection,
    number: &str,
) -> Result<Option<String>, StoreError> {
    let row = sqlx::query(
        "SELECT 'person', display_name FROM staff WHERE extension = $1 \
         UNION ALL SELECT 'hotline', name FROM hotlines WHERE extension = $1 OR did = $1 \
         UNION ALL SELECT 'fax', number FROM fax_boxes WHERE number = $1 \
         UNION ALL SELECT 'voicemail', u.name FROM voicemail_boxes b \
             JOIN units u ON u.id = b.unit_id WHERE b.number = $1",
    )
    .bind(number)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let (kind, name) = (text(&row, 0)?, text(&row, 1)?);
    Ok(Some(match kind.as_str() {
        "person" => format!("Die Nummer {number} ist schon die Durchwahl von {name}."),
        "hotline" => format!("Die Nummer {number} gehört schon der Hotline {name}."),
        "fax" => format!("Die Nummer {number} hat schon ein anderer Faxeingang."),
        _ => format!("Die Nummer {number} hat schon die Mailbox von {name}."),
    }))
}
