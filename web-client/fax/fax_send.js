// The form that sends a fax: the box to send from (a choice when one uses several), the
// far number (a phone keypad on phones: inputmode="tel"), the PDF, a button. Missing
// values are caught here; the server checks the number and the PDF and answers in German,
// shown in an alert next to the form at the field it names (in English, the known
// problems in English). A queued fax goes to the top of its box's list.
import { sendForm } from '../api.js';
import { h, userText } from '../dom.js';
import { t, lang } from '../i18n.js';
import { explain } from '../sign_in.js';
import { formatNumber } from '../phone/format.js';

const MAX_BYTES = 20 * 1024 * 1024;
// The server's problem codes the page says in its own words in English.
const PROBLEMS = { not_a_pdf: 'faxErrNotPdf', not_a_number: 'faxErrNumberBad' };

function boxName(b) { return t('faxBoxTitle', { b: b.name, n: formatNumber(b.number) }); }

// `boxes` as GET /api/v1/fax lists them (at least one); `queued(boxId, fax)` gets a fax
// just queued. Returns the form's section.
export function sendSection(boxes, queued) {
  const error = h('p', { class: 'error', role: 'alert', id: 'fax-send-error', 'data-testid': 'fax-error' });
  const done = h('p', { class: 'ok', role: 'status', id: 'fax-send-done' });
  const choose = boxes.length > 1
    ? h('select', { id: 'fax-send-box', name: 'box' }, ...boxes.map((b) => h('option', { value: String(b.id) }, boxName(b))))
    : null;
  const from = choose
    ? h('div', {}, h('label', { for: 'fax-send-box' }, t('faxSendFrom')), choose)
    : h('p', { class: 'fax-from' }, `${t('faxSendFrom')}: `, userText(boxName(boxes[0])));
  const number = h('input', { id: 'fax-send-number', name: 'number', type: 'text', inputmode: 'tel', autocomplete: 'off',
    'aria-describedby': 'fax-send-number-hint', 'data-testid': 'fax-send-number' });
  const file = h('input', { id: 'fax-send-file', name: 'file', type: 'file', accept: 'application/pdf,.pdf',
    'aria-describedby': 'fax-send-file-hint', 'data-testid': 'fax-send-file' });
  const button = h('button', { type: 'submit', 'data-testid': 'fax-send' }, t('faxSendButton'));
  // Each field with its hint (the box has none).
  const fields = { number: [number, 'fax-send-number-hint'], file: [file, 'fax-send-file-hint'], box: [choose, ''] };
  let busy = false;

  function clearMarks() {
    for (const [input, hint] of Object.values(fields)) {
      if (!input) continue;
      input.removeAttribute('aria-invalid');
      if (hint) input.setAttribute('aria-describedby', hint); else input.removeAttribute('aria-describedby');
    }
  }

  // Shows `message` in the alert and marks the field it is about (the file, if none).
  function refuse(field, message) {
    done.textContent = '';
    error.textContent = message;
    const [input, hint] = Object.hasOwn(fields, field) && fields[field][0] ? fields[field] : fields.file;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', `fax-send-error ${hint}`.trim());
    input.focus();
  }

  const form = h('form', { class: 'fax-send', id: 'fax-send-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (busy) return;
    clearMarks();
    const typed = number.value.trim();
    const pdf = file.files && file.files[0];
    if (!typed) { refuse('number', t('faxErrNumber')); return; }
    if (!pdf) { refuse('file', t('faxErrFile')); return; }
    if (pdf.size > MAX_BYTES) { refuse('file', t('faxErrTooLarge')); return; }
    const box = choose ? Number(choose.value) : boxes[0].id;
    const body = new FormData();
    body.append('box', String(box));
    body.append('number', typed);
    body.append('file', pdf, pdf.name);
    busy = true;
    button.setAttribute('aria-disabled', 'true');
    button.textContent = t('faxSending');
    const res = await sendForm('/api/v1/fax', body).catch(() => ({ ok: false, status: 0 }));
    busy = false;
    button.removeAttribute('aria-disabled');
    button.textContent = t('faxSendButton');
    if (!res.ok) {
      const data = res.data || {};
      const own = lang() === 'en' && PROBLEMS[data.problem];
      if (res.status === 413) refuse('file', t('faxErrTooLarge'));
      else if (data.message && res.status !== 401 && res.status !== 429) refuse(data.field || 'file', own ? t(own) : data.message);
      else refuse('file', explain(res));
      return;
    }
    error.textContent = '';
    done.textContent = t('faxQueued', { f: formatNumber(typed) });
    queued(box, {
      id: res.data.id, direction: 'out', remote: typed, remote_ident: null, pages: 0, status: 'queued', reason: null,
      attempts: 0, created_at: new Date().toISOString(), finished_at: null, sender: null, pdf: null,
    });
    number.value = '';
    file.value = '';
  } },
  from,
  h('div', {}, h('label', { for: 'fax-send-number' }, t('faxSendNumber')), number,
    h('p', { class: 'hint', id: 'fax-send-number-hint' }, t('faxSendNumberHint'))),
  h('div', {}, h('label', { for: 'fax-send-file' }, t('faxSendFile')), file,
    h('p', { class: 'hint', id: 'fax-send-file-hint' }, t('faxSendFileHint'))),
  h('p', { class: 'button-row' }, button));
  return h('section', { class: 'fax-section', 'aria-labelledby': 'fax-send-h' },
    h('h2', { id: 'fax-send-h' }, t('faxSend')), form, error, done);
}
