//! An agreement's life as a state machine: applied → approved, changes requested or
//! rejected (with a reason category); approved → ended, renewed or revoked (effective
//! after the notice period); the calendar ends agreements that run out. Each transition
//! consumes the old state and yields the new one with an [`AuditRecord`]; a transition
//! that is refused hands the old state back in [`Refused`]. Deciding needs an
//! [`Approver`] (see [`authority`]); reminders before expiry are [`Deadline`]s the shell
//! schedules, never timers.

// A refused transition hands the state back by value, as an accepted one hands the next
// state: boxing it would only move the allocation to the rare refusal.
#![allow(clippy::result_large_err)]

pub mod audit;
pub mod authority;

pub use audit::{Actor, AuditAction, AuditRecord, RejectionCategory};
pub use authority::{authorise, deciders, Approver, Capacity, Leadership};

use crate::agreement_rules::{check_application, AgreementRules, Application, Person, RuleBreach};
use crate::calendar::{add_days, days_between};
use crate::error::PlannerError;
use crate::ids::{AgreementId, PersonId, UnitId};
use crate::terms::Terms;
use jiff::civil::{Date, DateTime};

/// A refused transition: the state, unchanged, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused<S> {
    /// The state as it was.
    pub state: S,
    /// Why the transition was refused.
    pub error: PlannerError,
}

/// Who acts on an approved agreement.
#[derive(Debug, Clone, Copy)]
pub enum Party<'a> {
    /// The person themselves.
    Applicant,
    /// Their manager.
    Manager(&'a Approver),
}

/// Who an agreement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Holder {
    /// Which agreement.
    pub id: AgreementId,
    /// Whose.
    pub person: PersonId,
    /// Their unit when they applied.
    pub unit: UnitId,
}

/// Waiting for a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Whose agreement.
    pub holder: Holder,
    /// What is asked for.
    pub application: Application,
}

/// Sent back to the applicant with a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangesRequested {
    /// Whose agreement.
    pub holder: Holder,
    /// What was asked for.
    pub application: Application,
    /// What to change.
    pub note: String,
}

/// Rejected (final).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Whose agreement.
    pub holder: Holder,
    /// What was asked for.
    pub application: Application,
    /// The category.
    pub category: RejectionCategory,
    /// The reason in words.
    pub note: String,
}

/// Withdrawn by the applicant (final).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawn {
    /// Whose agreement.
    pub holder: Holder,
}

/// In force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approved {
    /// Whose agreement.
    pub holder: Holder,
    /// What was agreed.
    pub terms: Terms,
}

/// In force until the revocation takes effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoking {
    /// The agreement.
    pub approved: Approved,
    /// The first day without mobile work.
    pub effective: Date,
    /// Why.
    pub reason: String,
}

/// Why an agreement is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndCause {
    /// It ran out.
    Expired,
    /// Ended by agreement.
    ByAgreement,
    /// Revoked.
    Revoked,
}

/// Over (final).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    /// Whose agreement.
    pub holder: Holder,
    /// What had been agreed, ending on its actual last day.
    pub terms: Terms,
    /// Why.
    pub cause: EndCause,
}

/// An agreement in any state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agreement {
    /// Waiting for a decision.
    Applied(Applied),
    /// Sent back for changes.
    ChangesRequested(ChangesRequested),
    /// Rejected.
    Rejected(Rejected),
    /// Withdrawn.
    Withdrawn(Withdrawn),
    /// In force.
    Approved(Approved),
    /// In force until a revocation takes effect.
    Revoking(Revoking),
    /// Over.
    Ended(Ended),
}

/// Something due on a day; the shell acts on it when the day comes (sends the reminder,
/// calls [`Agreement::advance`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Deadline {
    /// The day.
    pub on: Date,
    /// What is due.
    pub kind: DeadlineKind,
}

/// What is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeadlineKind {
    /// Remind the person and their manager that the agreement runs out.
    Reminder {
        /// Days until the last day.
        days_left: u16,
    },
    /// The agreement has run out (the day after its last day).
    Expiry,
    /// The revocation takes effect.
    RevocationEffective,
}

fn record(holder: Holder, at: DateTime, actor: Actor, action: AuditAction) -> AuditRecord {
    AuditRecord {
        agreement: holder.id,
        person: holder.person,
        unit: holder.unit,
        at,
        actor,
        action,
    }
}

fn decider(by: &Approver) -> Actor {
    Actor::Decider {
        person: by.person(),
        capacity: by.capacity(),
    }
}

/// The approver must be for this very person.
fn check_approver(by: &Approver, holder: Holder) -> Result<(), PlannerError> {
    if by.applicant() == holder.person {
        Ok(())
    } else {
        Err(PlannerError::NotPermitted {
            decider: by.person(),
            applicant: holder.person,
        })
    }
}

fn checked(
    rules: &AgreementRules,
    person: &Person,
    application: &Application,
    today: Date,
) -> Result<UnitId, PlannerError> {
    let breaches = check_application(rules, person, application, today);
    match (breaches.is_empty(), person.units.first()) {
        (true, Some(unit)) => Ok(*unit),
        (true, None) => Err(PlannerError::RulesBroken(vec![RuleBreach::UnitNotEligible])),
        (false, _) => Err(PlannerError::RulesBroken(breaches)),
    }
}

impl Applied {
    /// Applies: the application is checked against the rules first (every broken rule
    /// is returned, nothing is applied).
    pub fn submit(
        id: AgreementId,
        person: &Person,
        application: Application,
        rules: &AgreementRules,
        at: DateTime,
    ) -> Result<(Applied, AuditRecord), PlannerError> {
        let unit = checked(rules, person, &application, at.date())?;
        let holder = Holder {
            id,
            person: person.id,
            unit,
        };
        let action = AuditAction::Applied {
            pattern: application.pattern,
            start: application.start,
            end: application.end,
        };
        let applied = Applied {
            holder,
            application,
        };
        Ok((applied, record(holder, at, Actor::Applicant, action)))
    }

    /// Approves as asked.
    pub fn approve(
        self,
        by: &Approver,
        at: DateTime,
    ) -> Result<(Approved, AuditRecord), Refused<Applied>> {
        if let Err(error) = check_approver(by, self.holder) {
            return Err(Refused { state: self, error });
        }
        if let Some(end) = self.application.end.filter(|end| *end < at.date()) {
            let error = PlannerError::PeriodOver { end };
            return Err(Refused { state: self, error });
        }
        let terms = Terms {
            pattern: self.application.pattern,
            start: self.application.start,
            end: self.application.end,
        };
        let audit = record(
            self.holder,
            at,
            decider(by),
            AuditAction::Approved { terms },
        );
        Ok((
            Approved {
                holder: self.holder,
                terms,
            },
            audit,
        ))
    }

    /// Sends the application back with a note on what to change.
    pub fn request_changes(
        self,
        by: &Approver,
        at: DateTime,
        note: String,
    ) -> Result<(ChangesRequested, AuditRecord), Refused<Applied>> {
        if let Err(error) = check_approver(by, self.holder) {
            return Err(Refused { state: self, error });
        }
        let action = AuditAction::ChangesRequested { note: note.clone() };
        let audit = record(self.holder, at, decider(by), action);
        Ok((
            ChangesRequested {
                holder: self.holder,
                application: self.application,
                note,
            },
            audit,
        ))
    }

    /// Rejects with a reason.
    pub fn reject(
        self,
        by: &Approver,
        at: DateTime,
        category: RejectionCategory,
        note: String,
    ) -> Result<(Rejected, AuditRecord), Refused<Applied>> {
        if let Err(error) = check_approver(by, self.holder) {
            return Err(Refused { state: self, error });
        }
        let action = AuditAction::Rejected {
            category,
            note: note.clone(),
        };
        let audit = record(self.holder, at, decider(by), action);
        Ok((
            Rejected {
                holder: self.holder,
                application: self.application,
                category,
                note,
            },
            audit,
        ))
    }

    /// The applicant withdraws.
    pub fn withdraw(self, at: DateTime) -> (Withdrawn, AuditRecord) {
        let audit = record(self.holder, at, Actor::Applicant, AuditAction::Withdrawn);
        (
            Withdrawn {
                holder: self.holder,
            },
            audit,
        )
    }
}

impl ChangesRequested {
    /// Applies again with a changed application, checked like the first.
    pub fn resubmit(
        self,
        person: &Person,
        application: Application,
        rules: &AgreementRules,
        at: DateTime,
    ) -> Result<(Applied, AuditRecord), Refused<ChangesRequested>> {
        if person.id != self.holder.person {
            let error = PlannerError::NotPermitted {
                decider: person.id,
                applicant: self.holder.person,
            };
            return Err(Refused { state: self, error });
        }
        if let Err(error) = checked(rules, person, &application, at.date()) {
            return Err(Refused { state: self, error });
        }
        let action = AuditAction::Resubmitted {
            pattern: application.pattern,
            start: application.start,
            end: application.end,
        };
        let audit = record(self.holder, at, Actor::Applicant, action);
        Ok((
            Applied {
                holder: self.holder,
                application,
            },
            audit,
        ))
    }

    /// The applicant withdraws.
    pub fn withdraw(self, at: DateTime) -> (Withdrawn, AuditRecord) {
        let audit = record(self.holder, at, Actor::Applicant, AuditAction::Withdrawn);
        (
            Withdrawn {
                holder: self.holder,
            },
            audit,
        )
    }
}

impl Approved {
    /// Extends the agreement to `new_end`, at most the rules' longest term beyond the
    /// current end.
    pub fn renew(
        self,
        by: &Approver,
        at: DateTime,
        new_end: Date,
        rules: &AgreementRules,
    ) -> Result<(Approved, AuditRecord), Refused<Approved>> {
        let refuse = |state, error| Err(Refused { state, error });
        if let Err(error) = check_approver(by, self.holder) {
            return refuse(self, error);
        }
        let Some(current_end) = self.terms.end else {
            return refuse(self, PlannerError::OpenEnded);
        };
        if new_end <= current_end {
            return refuse(self, PlannerError::RenewalTooShort { current_end });
        }
        let days = days_between(current_end, new_end);
        if let Some(max) = rules.max_term_days.filter(|max| days > i64::from(*max)) {
            let days = days as u32;
            return refuse(self, PlannerError::RenewalTooLong { days, max });
        }
        let action = AuditAction::Renewed {
            from: current_end,
            to: new_end,
        };
        let audit = record(self.holder, at, decider(by), action);
        let terms = Terms {
            end: Some(new_end),
            ..self.terms
        };
        Ok((
            Approved {
                holder: self.holder,
                terms,
            },
            audit,
        ))
    }

    /// The holder gives mobile work up: today is its last day. Only the holder may (the
    /// shell checks who asks); a manager who wants it to end revokes it, with the notice
    /// period the agreement promises ([`Approved::revoke`]).
    pub fn end(self, at: DateTime) -> (Ended, AuditRecord) {
        let last_day = at.date();
        let audit = record(
            self.holder,
            at,
            Actor::Applicant,
            AuditAction::Ended { last_day },
        );
        (
            Ended {
                holder: self.holder,
                terms: self.terms.until(last_day),
                cause: EndCause::ByAgreement,
            },
            audit,
        )
    }

    /// Gives notice of revocation: mobile work ends after the rules' notice period (or
    /// at the agreement's own end, if earlier).
    pub fn revoke(
        self,
        by: Party<'_>,
        at: DateTime,
        reason: String,
        rules: &AgreementRules,
    ) -> Result<(Revoking, AuditRecord), Refused<Approved>> {
        let actor = match self.actor(by) {
            Ok(actor) => actor,
            Err(error) => return Err(Refused { state: self, error }),
        };
        let effective = add_days(at.date(), i64::from(rules.notice_days));
        let action = AuditAction::RevocationGiven {
            effective,
            reason: reason.clone(),
        };
        let audit = record(self.holder, at, actor, action);
        Ok((
            Revoking {
                approved: self,
                effective,
                reason,
            },
            audit,
        ))
    }

    fn actor(&self, by: Party<'_>) -> Result<Actor, PlannerError> {
        match by {
            Party::Applicant => Ok(Actor::Applicant),
            Party::Manager(approver) => {
                check_approver(approver, self.holder).map(|()| decider(approver))
            }
        }
    }
}

impl Agreement {
    /// Whose agreement.
    pub fn holder(&self) -> Holder {
        match self {
            Agreement::Applied(s) => s.holder,
            Agreement::ChangesRequested(s) => s.holder,
            Agreement::Rejected(s) => s.holder,
            Agreement::Withdrawn(s) => s.holder,
            Agreement::Approved(s) => s.holder,
            Agreement::Revoking(s) => s.approved.holder,
            Agreement::Ended(s) => s.holder,
        }
    }

    /// The terms mobile work may follow, while in force (a revocation cuts them at its
    /// effective day). Whether a given day is covered is [`Terms::covers`].
    pub fn active_terms(&self) -> Option<Terms> {
        match self {
            Agreement::Approved(a) => Some(a.terms),
            Agreement::Revoking(r) => Some(r.approved.terms.until(add_days(r.effective, -1))),
            _ => None,
        }
    }

    /// What the calendar does on `today`: an agreement past its last day runs out, a
    /// revocation whose day has come takes effect. Anything else is returned unchanged.
    pub fn advance(self, today: Date, at: DateTime) -> (Agreement, Option<AuditRecord>) {
        match self {
            Agreement::Approved(a) if a.terms.end.is_some_and(|end| end < today) => {
                let audit = record(a.holder, at, Actor::Calendar, AuditAction::Expired);
                let ended = Ended {
                    holder: a.holder,
                    terms: a.terms,
                    cause: EndCause::Expired,
                };
                (Agreement::Ended(ended), Some(audit))
            }
            Agreement::Revoking(r)
                if r.effective <= today || r.approved.terms.end.is_some_and(|e| e < today) =>
            {
                let revoked = r.effective <= today;
                let (cause, action) = if revoked {
                    (EndCause::Revoked, AuditAction::Revoked)
                } else {
                    (EndCause::Expired, AuditAction::Expired)
                };
                let holder = r.approved.holder;
                let terms = r.approved.terms.until(add_days(r.effective, -1));
                let audit = record(holder, at, Actor::Calendar, action);
                let ended = Ended {
                    holder,
                    terms,
                    cause,
                };
                (Agreement::Ended(ended), Some(audit))
            }
            other => (other, None),
        }
    }

    /// Every deadline of the agreement in its current state, earliest first.
    pub fn deadlines(&self, rules: &AgreementRules) -> Vec<Deadline> {
        let mut deadlines = Vec::new();
        let terms = match self {
            Agreement::Approved(a) => a.terms,
            Agreement::Revoking(r) => {
                deadlines.push(Deadline {
                    on: r.effective,
                    kind: DeadlineKind::RevocationEffective,
                });
                r.approved.terms.until(add_days(r.effective, -1))
            }
            _ => return deadlines,
        };
        if let Some(end) = terms.end {
            let revoking = matches!(self, Agreement::Revoking(_));
            if !revoking {
                for days_left in &rules.reminder_days {
                    deadlines.push(Deadline {
                        on: add_days(end, -i64::from(*days_left)),
                        kind: DeadlineKind::Reminder {
                            days_left: *days_left,
                        },
                    });
                }
            }
            let expiry = add_days(end, 1);
            if !deadlines
                .iter()
                .any(|d| d.on <= expiry && d.kind == DeadlineKind::RevocationEffective)
            {
                deadlines.push(Deadline {
                    on: expiry,
                    kind: DeadlineKind::Expiry,
                });
            }
        }
        deadlines.sort();
        deadlines
    }

    /// The first deadline on or after `today` (the shell's next wake-up for this
    /// agreement), like `poll_timeout`.
    pub fn next_deadline(&self, rules: &AgreementRules, today: Date) -> Option<Deadline> {
        self.deadlines(rules).into_iter().find(|d| d.on >= today)
    }
}

#[cfg(test)]
mod tests;
