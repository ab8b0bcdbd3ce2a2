//! Who may work with a hotline's cases: its agents and supervisors, and administrators.
//! Handlers get a [`CaseWorker`] only from [`CaseWorker::check`], so none can forget the
//! check; what only some may do (change the form: administrators; add slots: supervisors
//! and administrators) is asked of it.

use crate::auth::session::SignedIn;
use crate::error::ApiError;
use crate::AppState;
use directory::Role;
use store::{CaseActor, HotlineRole};

/// What the person is to the hotline, as far as cases go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// An agent in one of its queues.
    Agent,
    /// Its supervisor.
    Supervisor,
    /// An administrator (neither agent nor supervisor).
    Admin,
}

/// Someone allowed to read and write the cases of one hotline.
#[derive(Debug, Clone)]
pub struct CaseWorker {
    /// The person.
    pub who: SignedIn,
    /// The hotline.
    pub hotline: i64,
    /// Why they may.
    pub standing: Standing,
    /// Where the request came from (for the audit log).
    pub source: String,
}

impl CaseWorker {
    /// The check: 403 for people who are neither agent nor supervisor of the hotline nor
    /// administrator (whether the hotline exists or not), 404 for an administrator asking
    /// for a hotline that does not exist.
    pub async fn check(
        state: &AppState,
        who: SignedIn,
        hotline: i64,
        source: String,
    ) -> Result<CaseWorker, ApiError> {
        let admin = who.account.roles.contains(Role::Admin);
        let standing = match state.store.hotline_role(hotline, who.account.id).await? {
            HotlineRole::Supervisor => Standing::Supervisor,
            HotlineRole::Agent => Standing::Agent,
            HotlineRole::None if admin => {
                if !state.store.hotline_exists(hotline).await? {
                    return Err(ApiError::NotFound("Diese Hotline gibt es nicht.".into()));
                }
                Standing::Admin
            }
            HotlineRole::None => {
                return Err(ApiError::Refused(
                    "Die Fälle einer Hotline sehen nur ihre Agenten und Supervisoren.".into(),
                ))
            }
        };
        Ok(CaseWorker {
            who,
            hotline,
            standing,
            source,
        })
    }

    /// Only administrators and the hotline's supervisors may add appointment slots.
    pub fn may_add_slots(&self) -> Result<(), ApiError> {
        match self.standing {
            Standing::Agent => Err(ApiError::Refused(
                "Termine legen nur die Supervisoren der Hotline und Administratoren an.".into(),
            )),
            Standing::Supervisor | Standing::Admin => Ok(()),
        }
    }

    /// The person as the store's audit lines name them.
    pub fn actor(&self) -> CaseActor<'_> {
        CaseActor {
            staff_id: self.who.account.id,
            login: self.who.account.login.as_str(),
            source: &self.source,
        }
    }
}
