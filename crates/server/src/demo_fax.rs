//! The demo's fax: the demo clerk's unit (`sachbearbeitung`'s) gets a fax number, with a
//! received two-page fax (an engineering office sending documents for a building
//! application, as the fax page shows it: a real fax's PDF, made by Ghostscript and
//! tiff2pdf from `assets/demo_fax.ps`) and one the clerk sent, so the page shows both
//! directions at once. Added once: a unit that has a fax box is left alone.

use std::path::Path;
use store::{FaxOwner, Store};

const CLERK: &str = "sachbearbeitung";
/// The fax the demo box received (two pages, as a fax machine's pages).
const RECEIVED: &[u8] = include_bytes!("../assets/demo_fax.pdf");
/// Numbers tried for the demo's fax box, the first free one taken.
const NUMBERS: [&str; 4] = ["2990", "2991", "2992", "2993"];

/// Gives the clerk's unit a fax box with a received and a sent fax (once).
pub async fn seed(store: &Store, data_dir: &Path, now_ms: i64) -> anyhow::Result<()> {
    let Some(clerk) = store.panel_person(CLERK).await? else {
        return Ok(());
    };
    if store
        .fax_boxes_of(clerk.id)
        .await?
        .iter()
        .any(|b| b.unit_id.is_some())
    {
        return Ok(());
    }
    let mut made = None;
    for number in NUMBERS {
        if let Ok(b) = store
            .create_fax_box(number, FaxOwner::Unit(clerk.unit_id), None, now_ms)
            .await
        {
            made = Some(b);
            break;
        }
    }
    let Some(fax_box) = made else {
        return Ok(());
    };
    const HOUR: i64 = 3_600_000;
    let received = store
        .fax_receiving(fax_box.id, "+499321555410", now_ms - 3 * HOUR)
        .await?;
    let file = format!("fax/{}/in-{received}.pdf", fax_box.id);
    crate::fax_service::write_durably(data_dir, &file, RECEIVED)?;
    store
        .fax_received(
            received,
            2,
            &file,
            Some("+49 9321 555 410"),
            now_ms - 3 * HOUR,
        )
        .await?;
    // The clerk's answer: the same letter back as the sent fax, for the demo.
    let sent_file = format!("fax/{}/out-demo.pdf", fax_box.id);
    crate::fax_service::write_durably(data_dir, &sent_file, RECEIVED)?;
    let sent = store
        .queue_fax(
            fax_box.id,
            clerk.id,
            "+499321555410",
            &format!("fax/{}/out-demo.tif", fax_box.id),
            2,
            now_ms - HOUR,
        )
        .await?;
    if store.fax_sending(sent, now_ms - HOUR).await? {
        store
            .fax_sent(sent, 2, &sent_file, now_ms - HOUR + 60_000)
            .await?;
    }
    Ok(())
}
