// Calls to the Durchwahl API. Writes carry the session's CSRF token.
let csrf = null;

export function setCsrf(token) { csrf = token; }

export async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('application/json')) data = await res.json();
  return { status: res.status, ok: res.ok, data, retryAfter: res.headers.get('Retry-After') };
}

// Uploads a file as the raw request body (chat attachments with POST, a hotline's
// announcements with PUT); answers like api().
export async function upload(path, file, method = 'POST') {
  const headers = { 'Accept': 'application/json', 'Content-Type': file.type || 'application/octet-stream' };
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: file });
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('application/json') ? await res.json() : null;
  return { status: res.status, ok: res.ok, data, retryAfter: res.headers.get('Retry-After') };
}

// Sends a form with a file (FormData, as multipart/form-data: a fax's box, number and
// PDF); answers like api().
export async function sendForm(path, form) {
  const headers = { 'Accept': 'application/json' };
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: form });
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('application/json') ? await res.json() : null;
  return { status: res.status, ok: res.ok, data, retryAfter: res.headers.get('Retry-After') };
}
