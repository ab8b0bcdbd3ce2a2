// Which hotlines the signed-in person works for or watches (GET /api/v1/hotlines): the
// navigation shows "Hotline" to anyone with a role in one. Loaded at sign-in and again
// after an administrator sets up a hotline; listeners hear when the answer to "any at
// all?" changes, so the navigation is drawn again only then.
import { api } from '../api.js';

let hotlines = [];
let loaded = false;
const listeners = new Set();

export function myHotlines() { return hotlines; }

export function hasHotlines() { return hotlines.length > 0; }

export function onHotlinesChanged(fn) { listeners.add(fn); return () => listeners.delete(fn); }

// Loads the list again; resolves to it (empty on a failure: no entry rather than a broken one).
export async function loadHotlines() {
  const before = loaded && hasHotlines();
  const res = await api('GET', '/api/v1/hotlines').catch(() => ({ ok: false }));
  hotlines = res.ok && Array.isArray(res.data) ? res.data : [];
  const changed = !loaded || before !== hasHotlines();
  loaded = true;
  if (changed) for (const fn of [...listeners]) fn();
  return hotlines;
}

export function forgetHotlines() {
  hotlines = [];
  loaded = false;
}
