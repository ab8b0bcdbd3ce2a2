//! What a dialled string means: the echo test, a hotline, a fax box, a unit's voicemail
//! box, a person by extension or login, or an outside number (which needs the trunk).

use calls::{Party, Target};
use live::calls::DeskError;
use store::{PanelPerson, Store};

/// The echo test's number.
pub const ECHO: &str = "*43";

/// A person as the other side of a call sees them.
pub fn party(p: &PanelPerson) -> Party {
    // The unit's own name: the last part of its path.
    let unit = p.unit.rsplit('/').next().unwrap_or(&p.unit);
    Party::person(p.id, &p.name, &p.extension, &p.login, unit)
}

fn not_found(dialled: &str) -> DeskError {
    DeskError {
        code: "not_found",
        message: format!("Unter „{dialled}“ ist niemand zu erreichen."),
    }
}

/// Resolves `dialled` (trimmed; spaces, dashes and slashes inside numbers are ignored).
pub async fn resolve(store: &Store, dialled: &str) -> Result<Target, DeskError> {
    let dialled = dialled.trim();
    if dialled == ECHO {
        return Ok(Target::Echo);
    }
    let compact: String = dialled
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '/' | '(' | ')'))
        .collect();
    let unavailable = |e: store::StoreError| {
        tracing::error!(error = %e, "looking up a call target failed");
        DeskError {
            code: "unavailable",
            message: "Das Verzeichnis ist gerade nicht erreichbar.".into(),
        }
    };
    if let Some(hotline) = hotline(store, &compact).await {
        return Ok(hotline);
    }
    if let Some(fax) = fax(store, &compact).await {
        return Ok(fax);
    }
    if let Some(mailbox) = unit_mailbox(store, &compact).await {
        return Ok(mailbox);
    }
    if !compact.is_empty() && compact.chars().all(|c| c.is_ascii_digit()) {
        if let Some(p) = store
            .panel_person_by_extension(&compact)
            .await
            .map_err(unavailable)?
        {
            return Ok(Target::Browser(party(&p)));
        }
    }
    if compact.starts_with('+')
        || (compact.len() > 6 && compact.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(DeskError {
            code: "forbidden",
            message: "Externe Nummern gehen über die Amtsleitung; für diesen Server ist keine eingerichtet.".into(),
        });
    }
    match store
        .panel_person(&dialled.to_lowercase())
        .await
        .map_err(unavailable)?
    {
        Some(p) => Ok(Target::Browser(party(&p))),
        None => Err(not_found(dialled)),
    }
}

/// The hotline reached under `number` (its extension or direct number), if any.
pub async fn hotline(store: &Store, number: &str) -> Option<Target> {
    if number.is_empty()
        || !number
            .trim_start_matches('+')
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    match store.hotline_by_number(number).await {
        Ok(h) => h.map(|h| Target::Hotline {
            hotline: h.id,
            party: Party::service(&h.extension, &h.name),
        }),
        Err(e) => {
            tracing::error!(error = %e, "looking up a hotline failed");
            None
        }
    }
}

/// A fax box's number: call control answers with a fax modem (only when this server
/// can do fax: SpanDSP is there).
pub async fn fax(store: &Store, number: &str) -> Option<Target> {
    if number.is_empty()
        || !number
            .trim_start_matches('+')
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    match store.fax_box_by_number(number).await {
        Ok(Some(b)) if ::fax::available().is_ok() => Some(Target::Fax {
            fax_box: b.id,
            party: Party::service(&b.number, &format!("Fax {}", b.name)),
        }),
        Ok(_) => None,
        Err(e) => {
            tracing::error!(error = %e, "looking up a fax box failed");
            None
        }
    }
}

/// A unit's voicemail box under its own `number`: callers leave a message there (a box
/// switched off takes none).
pub async fn unit_mailbox(store: &Store, number: &str) -> Option<Target> {
    if number.is_empty()
        || !number
            .trim_start_matches('+')
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    match store.unit_mailbox_by_number(number).await {
        Ok(Some(b)) if b.mailbox.enabled => Some(Target::Voicemail {
            mailbox: b.mailbox.id,
            listen: false,
            party: Party::service(number, &format!("Mailbox {}", b.unit_name)),
        }),
        Ok(_) => None,
        Err(e) => {
            tracing::error!(error = %e, "looking up a unit's voicemail box failed");
            None
        }
    }
}

/// Whether a person has SIP devices or forwarding rules on: then calls to them go
/// through the switch (every device rings, the rules apply).
pub async fn has_phones_or_rules(store: &Store, login: &str) -> bool {
    let phones = store
        .devices_of(login)
        .await
        .map(|d| !d.is_empty())
        .unwrap_or(false);
    let rules = match directory::Login::parse(login) {
        Ok(l) => store
            .forwarding(&l)
            .await
            .ok()
            .flatten()
            .is_some_and(|f| f.rules.any_on()),
        Err(_) => false,
    };
    phones || rules
}

/// The caller of a call from the switch, from its From value: a person of the directory
/// by extension, else the number with the name it sent.
pub async fn caller(store: &Store, from: &str) -> Party {
    let (display, user) = super::sip_side::caller_of(from);
    // A device name (2501-1) belongs to the extension before the dash.
    let extension = user.split('-').next().unwrap_or(&user);
    if let Ok(Some(p)) = store.panel_person_by_extension(extension).await {
        return party(&p);
    }
    Party {
        person: None,
        name: display,
        number: user,
        login: None,
        unit: None,
    }
}
