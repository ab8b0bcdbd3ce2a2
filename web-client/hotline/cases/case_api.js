// The case database's API (crates/web/src/hotline/cases/) as the pages call it: each
// function resolves to api()'s answer, a failed network to `{ ok: false, status: 0 }`.
import { api } from '../../api.js';

const base = (hotline) => `/api/v1/hotlines/${hotline}`;

function call(method, path, body) {
  return api(method, path, body).catch(() => ({ ok: false, status: 0, data: null }));
}

// Only the filters that are set, as a query string.
function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}

export const caseForm = (hotline) => call('GET', `${base(hotline)}/case-form`);
export const saveCaseForm = (hotline, fields, version) => call('PUT', `${base(hotline)}/case-form`, { fields, version });
export const slots = (hotline, from, until) => call('GET', `${base(hotline)}/slots${query({ from, until })}`);
export const addSeries = (hotline, series) => call('POST', `${base(hotline)}/slots`, { series });
export const cases = (hotline, filter) => call('GET', `${base(hotline)}/cases${query(filter)}`);
export const csvHref = (hotline, filter) => `${base(hotline)}/cases${query({ ...filter, limit: undefined, offset: undefined, format: 'csv' })}`;
export const createCase = (hotline, body) => call('POST', `${base(hotline)}/cases`, body);
export const getCase = (hotline, id) => call('GET', `${base(hotline)}/cases/${id}`);
export const patchCase = (hotline, id, body) => call('PATCH', `${base(hotline)}/cases/${id}`, body);
export const members = (hotline) => call('GET', `${base(hotline)}/members`);
export const removeSlot = (hotline, slot) => call('DELETE', `${base(hotline)}/slots/${slot}`);
export const earlierCases = (hotline, number) => call('GET', `${base(hotline)}/callers/${encodeURIComponent(number)}/cases`);
