//! Routing inside dialogs the proxy record-routed (RFC 3261 §16.4, §16.6 step 6–7,
//! §16.7): where an in-dialog request goes, the ACK of a 2xx (end to end, forwarded
//! statelessly), and responses no transaction of ours waits for.

use crate::context::Context;
use crate::dialog_contacts::DialogContacts;
use crate::flow::Flow;
use crate::headers::{self, pop_first};
use crate::route::Bindings;
use sip::via::Via;
use sip::{HeaderName, Message, StartLine};

/// Where an in-dialog request or ACK goes: the next Route, else the Request-URI
/// (through the flow its device registered over, when it is a registered contact, or
/// the connection its dialog was made over, see `dialog_contacts.rs`).
pub(crate) fn next_flow(
    request: &Message,
    bindings: &Bindings,
    contacts: &DialogContacts,
) -> Option<Flow> {
    if request.header(&HeaderName::Route).is_none() {
        if let StartLine::Request { uri, .. } = &request.start {
            if let Some(binding) = bindings.find_contact(uri) {
                return Some(binding.flow);
            }
            if let Some(flow) = contacts.get(uri) {
                return Some(flow);
            }
        }
    }
    headers::next_hop(request)
}

/// ACK of a 2xx (end to end): forwarded statelessly along the route set.
pub(crate) fn forward_ack(
    cx: &mut Context<'_>,
    bindings: &Bindings,
    contacts: &DialogContacts,
    mut ack: Message,
) {
    if !cx.local.pop_own_route(&mut ack) || !headers::decrement_max_forwards(&mut ack) {
        return;
    }
    let Some(flow) = next_flow(&ack, bindings, contacts) else {
        return;
    };
    ack.push_front(HeaderName::Via, cx.wire.via(cx.local, flow.transport));
    cx.wire.send(flow, &ack);
}

/// A response no transaction of ours is waiting for (RFC 3261 §16.7, §18.2.2): when
/// its top Via is ours, it goes on to the next Via.
pub(crate) fn forward_stray(cx: &mut Context<'_>, mut response: Message) {
    let top = response.first_value(&HeaderName::Via);
    let mine = top
        .and_then(|v| Via::parse(&v).ok())
        .is_some_and(|v| cx.local.is_my_via(&v));
    if !mine {
        return;
    }
    pop_first(&mut response, &HeaderName::Via);
    let next = response
        .first_value(&HeaderName::Via)
        .and_then(|v| Via::parse(&v).ok())
        .and_then(|v| Flow::of_via(&v));
    if let Some(flow) = next {
        cx.wire.send(flow, &response);
    }
}
