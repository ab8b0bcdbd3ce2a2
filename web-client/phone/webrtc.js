// The browser's side of a call's media (docs/realtime-protocol.md, "Calls"): the server is
// always the far end and always answers. The browser makes the offer with every ICE
// candidate gathered (no trickle), so one `call.dial` / `call.answer` frame carries all.
import { api } from '../api.js';
import { audioConstraints, applySink } from './devices.js';

// How long to wait for ICE gathering before sending what there is (host candidates come
// at once; a slow STUN/TURN server must not hold up the call).
const GATHER_MS = 2000;

// The ICE servers the server hands out (STUN/TURN); none when it has none to give.
export async function iceServers() {
  try {
    const res = await api('GET', '/api/v1/me/calls/ice');
    if (res.status === 200 && res.data && Array.isArray(res.data.ice_servers)) return res.data.ice_servers;
  } catch { /* no ICE servers: host candidates only */ }
  return [];
}

// Diagnostics switch: with localStorage "dw-ice-relay-only" set to "1" this browser's calls
// use TURN-relayed candidates only (iceTransportPolicy "relay"), to check that the TURN
// server of [media] turn_urls carries calls (support staff, and the browser test
// softphone_turn.test.mjs). Without it, or without TURN servers, every candidate is used.
function transportPolicy() {
  try { return localStorage.getItem('dw-ice-relay-only') === '1' ? 'relay' : 'all'; } catch { return 'all'; }
}

// The microphone chosen in the audio settings (any when none is chosen or it is gone).
export function openMicrophone() {
  return navigator.mediaDevices.getUserMedia({ audio: audioConstraints(), video: false });
}

function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, GATHER_MS);
    function done() {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    }
    function check() { if (pc.iceGatheringState === 'complete') done(); }
    pc.addEventListener('icegatheringstatechange', check);
  });
}

// A peer connection sending `microphone`, its remote audio played by `audio` on the
// chosen speaker; resolves once the offer is set and its candidates gathered. The offer
// to send is `pc.localDescription.sdp`. Without a microphone (`null`: listening in, where
// nobody hears this side) the offer only receives (RFC 3264 §5.1: `recvonly`).
export async function offerFrom(microphone, audio) {
  const pc = new RTCPeerConnection({ iceServers: await iceServers(), iceTransportPolicy: transportPolicy() });
  pc.addEventListener('track', (e) => {
    audio.srcObject = e.streams[0] || new MediaStream([e.track]);
    applySink(audio);
    audio.play().catch(() => { /* autoplay refused: played after the next click */ });
  });
  if (microphone) for (const track of microphone.getAudioTracks()) pc.addTrack(track, microphone);
  else pc.addTransceiver('audio', { direction: 'recvonly' });
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  await gathered(pc);
  return pc;
}

// The server's answer (`call.media`).
export function takeAnswer(pc, sdp) {
  return pc.setRemoteDescription({ type: 'answer', sdp });
}

export function closeMedia(pc, microphone, audio) {
  if (pc) { try { pc.close(); } catch { /* closed already */ } }
  if (microphone) for (const track of microphone.getTracks()) track.stop();
  if (audio) { audio.srcObject = null; audio.remove(); }
}
