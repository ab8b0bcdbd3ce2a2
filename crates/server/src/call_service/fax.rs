//! Faxes in call control's loop: a fax box answered a call, or a fax we send was
//! answered (`calls::FaxEvent::Connected`): SpanDSP's modem goes on the leg; it finished
//! (`MediaEvent::TerminalDone`): the call ends; the call ended: the fax is finished in a
//! task of its own (`fax_service::finish`). Faxes to send arrive from the queue.

use super::Service;
use crate::fax_service::finish::Ended;
use crate::fax_service::modem::{Modem, ModemResult};
use crate::fax_service::queue::Order;
use crate::fax_service::FaxShell;
use calls::numbers::Permission;
use calls::{CallId, EndReason, FaxEvent, LegRef, Party, Target};
use std::collections::HashMap;
use tokio::sync::{oneshot, OwnedSemaphorePermit};

/// A fax on a call.
struct FaxCall {
    fax_id: i64,
    box_id: i64,
    /// Our station id (the box's number).
    ident: String,
    /// Its TIFF below the data folder (written while receiving, read while sending).
    tiff: String,
    sending: bool,
    attempts: i64,
    leg: Option<LegRef>,
    /// The call went over to T.38 (a T.38 modem is on the leg).
    t38: bool,
    result: Option<oneshot::Receiver<ModemResult>>,
    /// A line of the queue's, held until the call ended.
    _permit: Option<OwnedSemaphorePermit>,
}

/// The faxes on calls now.
pub(super) struct FaxCalls {
    pub shell: FaxShell,
    calls: HashMap<CallId, FaxCall>,
    by_leg: HashMap<LegRef, CallId>,
}

impl FaxCalls {
    pub fn new(shell: FaxShell) -> FaxCalls {
        FaxCalls {
            shell,
            calls: HashMap::new(),
            by_leg: HashMap::new(),
        }
    }
}

impl Service {
    /// What call control reported of faxes' calls.
    pub(super) async fn run_fax(&mut self, events: Vec<FaxEvent>) {
        for event in events {
            match event {
                FaxEvent::Connected {
                    call,
                    fax_box,
                    remote,
                    leg,
                    sending,
                    ..
                } => {
                    self.fax_connected(call, fax_box, &remote, leg, sending)
                        .await
                }
                FaxEvent::Ended { call, reason } => self.fax_ended(call, reason),
            }
        }
    }

    async fn fax_connected(
        &mut self,
        call: CallId,
        fax_box: i64,
        remote: &Party,
        leg: LegRef,
        sending: bool,
    ) {
        let now = self.live.now_ms();
        if !sending {
            let ident = match self.store.fax_box(fax_box).await {
                Ok(Some(b)) => b.number,
                _ => String::new(),
            };
            let fax_id = match self.store.fax_receiving(fax_box, &remote.number, now).await {
                Ok(id) => id,
                Err(e) => {
                    tracing::error!(error = %e, "a fax cannot be received: the store failed");
                    let _ = self.calls.end_fax(now, call);
                    return;
                }
            };
            self.faxes.calls.insert(
                call,
                FaxCall {
                    fax_id,
                    box_id: fax_box,
                    ident,
                    tiff: format!("fax/{fax_box}/in-{fax_id}.tif"),
                    sending: false,
                    attempts: 0,
                    leg: None,
                    t38: false,
                    result: None,
                    _permit: None,
                },
            );
            self.faxes.shell.tell(fax_box).await;
        }
        let data_dir = self.faxes.shell.settings.data_dir.clone();
        let Some(f) = self.faxes.calls.get_mut(&call) else {
            let _ = self.calls.end_fax(now, call);
            return;
        };
        let path = data_dir.join(&f.tiff);
        if let Some(folder) = path.parent() {
            let _ = std::fs::create_dir_all(folder);
        }
        let direction = if sending {
            fax::Direction::Send { tiff: path }
        } else {
            fax::Direction::Receive { tiff: path }
        };
        match fax::AudioFax::new(direction, sending, &f.ident) {
            Ok(audio) => {
                let (modem, result) = Modem::audio(audio);
                f.leg = Some(leg);
                f.result = Some(result);
                self.faxes.by_leg.insert(leg, call);
                self.media.attach(leg, Box::new(modem));
            }
            Err(e) => {
                tracing::error!(error = %e, "no fax modem for a fax's call");
                let _ = self.calls.end_fax(now, call);
            }
        }
    }

    /// The far side of a call offers to change it (a re-INVITE): a fax machine switching
    /// its fax's call to T.38 gets our image port and a T.38 modem in place of the audio
    /// one; anything else is refused (488) and the call goes on as it was.
    pub(super) async fn fax_offered(&mut self, ua: usize, sip: calls::SipRef, sdp: String) {
        let now = self.live.now_ms();
        let leg = self
            .calls
            .fax_of_sip(sip)
            .and_then(|call| Some((call, self.faxes.calls.get(&call)?.leg?)));
        let Some((call, leg)) = leg else {
            self.uas[ua].refuse_offer(now, sip, 488);
            return;
        };
        let answer = match self.media.t38(leg, sdp).await {
            Ok(answer) => answer,
            Err(e) => {
                tracing::info!(error = %e, "a fax call's new offer was refused");
                self.uas[ua].refuse_offer(now, sip, 488);
                return;
            }
        };
        let data_dir = self.faxes.shell.settings.data_dir.clone();
        let Some(f) = self.faxes.calls.get_mut(&call) else {
            return;
        };
        if f.t38 {
            // Already T.38 (a refresh, a new port): the modem and its pages go on.
            self.uas[ua].answer_offer(now, sip, &answer);
            return;
        }
        // A received fax starts a TIFF of its own: the audio modem still holds the first
        // until the media thread drops it.
        let audio_tiff = (!f.sending).then(|| f.tiff.clone());
        if let Some(first) = &audio_tiff {
            f.tiff = first.replace(".tif", "-t38.tif");
        }
        let path = data_dir.join(&f.tiff);
        let direction = if f.sending {
            fax::Direction::Send { tiff: path }
        } else {
            fax::Direction::Receive { tiff: path }
        };
        match fax::T38Fax::new(direction, f.sending, &f.ident) {
            Ok(t38) => {
                let (modem, result) = Modem::t38(t38);
                f.result = Some(result);
                f.t38 = true;
                self.uas[ua].answer_offer(now, sip, &answer);
                // In the media thread's order: the leg is T.38 now, then the new modem
                // takes the old one's place.
                self.media.attach(leg, Box::new(modem));
                if let Some(first) = audio_tiff {
                    crate::fax_service::remove_file(&data_dir, &first);
                }
                tracing::info!(call = %call, "a fax call went over to T.38");
            }
            Err(e) => {
                tracing::error!(error = %e, "no T.38 modem for a fax's call");
                let _ = self.calls.end_fax(now, call);
            }
        }
    }

    /// The modem on `leg` finished: the call ends (and with it the leg, the modem).
    pub(super) fn fax_modem_done(&mut self, leg: LegRef) {
        if let Some(&call) = self.faxes.by_leg.get(&leg) {
            let _ = self.calls.end_fax(self.live.now_ms(), call);
        }
    }

    fn fax_ended(&mut self, call: CallId, reason: EndReason) {
        let Some(f) = self.faxes.calls.remove(&call) else {
            return;
        };
        if let Some(leg) = f.leg {
            self.faxes.by_leg.remove(&leg);
        }
        let shell = self.faxes.shell.clone();
        let ended = Ended {
            fax_id: f.fax_id,
            box_id: f.box_id,
            sending: f.sending,
            tiff: f.tiff,
            attempts: f.attempts,
            reason,
            result: f.result,
        };
        // The line is free once the fax is finished.
        let permit = f._permit;
        tokio::spawn(async move {
            shell.finish(ended).await;
            drop(permit);
        });
    }

    /// A fax to send from the queue: its call is placed (or it fails at once).
    pub(super) fn fax_order(&mut self, order: Order) {
        let now = self.live.now_ms();
        let Order {
            fax,
            fax_box,
            login,
            permit,
        } = order;
        let tiff = fax.tiff.clone().unwrap_or_default();
        let allowed = login.map_or(Permission::Internal, |l| self.config.permission(&l));
        let from = Party {
            person: None,
            name: Some(fax_box.name.clone()),
            number: fax_box.number.clone(),
            login: None,
            unit: None,
        };
        let placed = self.fax_target(&fax.remote, allowed).and_then(|target| {
            self.calls
                .send_fax(now, fax_box.id, from, target)
                .map_err(|_| EndReason::Unavailable)
        });
        let f = FaxCall {
            fax_id: fax.id,
            box_id: fax_box.id,
            ident: fax_box.number.clone(),
            tiff,
            sending: true,
            attempts: fax.attempts,
            leg: None,
            t38: false,
            result: None,
            _permit: Some(permit),
        };
        match placed {
            Ok(call) => {
                self.faxes.calls.insert(call, f);
            }
            Err(reason) => {
                // Not placed: finished as a call that ended at once.
                let shell = self.faxes.shell.clone();
                let ended = Ended {
                    fax_id: f.fax_id,
                    box_id: f.box_id,
                    sending: true,
                    tiff: f.tiff,
                    attempts: f.attempts,
                    reason,
                    result: None,
                };
                let permit = f._permit;
                tokio::spawn(async move {
                    shell.finish(ended).await;
                    drop(permit);
                });
            }
        }
    }

    /// Where a fax to `number` goes: an outside number through the first trunk (as the
    /// sender may dial), anything else through the switch (a fax machine's extension, a
    /// fax box of ours).
    fn fax_target(&self, number: &str, allowed: Permission) -> Result<Target, EndReason> {
        let party = |number: String| Party {
            person: None,
            name: None,
            number,
            login: None,
            unit: None,
        };
        if let Some(outside) = self.plan.check(number, allowed) {
            let outside = outside.map_err(|_| EndReason::Forbidden)?;
            if outside.emergency {
                return Err(EndReason::Forbidden);
            }
            let trunk = self.trunk_index(0).ok_or(EndReason::Unavailable)?;
            return Ok(Target::Outside {
                party: party(outside.e164),
                trunk,
            });
        }
        if !self.has_switch() {
            return Err(EndReason::Unavailable);
        }
        Ok(Target::Sip(party(number.to_string())))
    }
}
