// Headset buttons through WebHID (Chromium), best effort: the Telephony usage page
// (0x0B, HID Usage Tables §14) has the hook switch (0x20: off hook = answer, on hook =
// hang up) and phone mute (0x2F). Without navigator.hid nothing here does anything.
import { ringingIn, currentCall, answer, hangup, setMute } from './phone.js';

const HOOK_SWITCH = 0x000b0020;
const PHONE_MUTE = 0x000b002f;

let device = null;
let fields = new Map(); // report id → [{ usage, bit, size }]
const last = new Map(); // usage → last value

export function hidAvailable() { return typeof navigator !== 'undefined' && 'hid' in navigator; }
export function headsetName() { return device ? device.productName : ''; }

// Where each input usage sits in its report (bit offset and size), from the descriptor
// the browser parsed into `collections`.
function layout(collections) {
  const out = new Map();
  const walk = (list) => {
    for (const c of list || []) {
      for (const report of c.inputReports || []) {
        let bit = 0;
        const found = out.get(report.reportId) || [];
        for (const item of report.items || []) {
          for (let i = 0; i < item.reportCount; i += 1) {
            const usage = item.isRange ? item.usageMinimum + i : (item.usages || [])[Math.min(i, (item.usages || []).length - 1)];
            if (usage === HOOK_SWITCH || usage === PHONE_MUTE) found.push({ usage, bit, size: item.reportSize });
            bit += item.reportSize;
          }
        }
        if (found.length) out.set(report.reportId, found);
      }
      walk(c.children);
    }
  };
  walk(collections);
  return out;
}

function bits(view, bit, size) {
  let value = 0;
  for (let i = 0; i < size; i += 1) {
    const at = bit + i;
    if ((at >> 3) >= view.byteLength) break;
    if (view.getUint8(at >> 3) & (1 << (at & 7))) value |= 1 << i;
  }
  return value;
}

function onReport(event) {
  for (const f of fields.get(event.reportId) || []) {
    const value = bits(event.data, f.bit, f.size);
    const before = last.get(f.usage) || 0;
    last.set(f.usage, value);
    if (value === before) continue;
    if (f.usage === HOOK_SWITCH) {
      const ringing = ringingIn()[0];
      const call = currentCall();
      if (value && ringing) answer(ringing.id);
      else if (!value && call && call.state !== 'ended') hangup(call.id);
    } else if (f.usage === PHONE_MUTE && value) {
      const call = currentCall();
      if (call && call.state !== 'ended') setMute(call.id, !call.muted);
    }
  }
}

async function use(chosen) {
  if (!chosen) return '';
  if (!chosen.opened) await chosen.open();
  if (device && device !== chosen) device.removeEventListener('inputreport', onReport);
  device = chosen;
  fields = layout(chosen.collections);
  last.clear();
  device.addEventListener('inputreport', onReport);
  return device.productName || 'Headset';
}

// Asks the person to pick a headset (needs a click); its name, or '' when none.
export async function connectHeadset() {
  if (!hidAvailable()) return '';
  try {
    const [chosen] = await navigator.hid.requestDevice({ filters: [{ usagePage: 0x0b }] });
    return await use(chosen);
  } catch { return ''; }
}

// Takes up a headset allowed before (no prompt), e.g. after a reload.
export async function reconnectHeadset() {
  if (!hidAvailable()) return;
  try {
    const known = await navigator.hid.getDevices();
    const phone = known.find((d) => (d.collections || []).some((c) => c.usagePage === 0x0b));
    if (phone) await use(phone);
  } catch { /* not allowed here */ }
}
