// The faxes of one box, newest first: received or sent (a symbol and a word), the far
// number and station id, pages, when, who sent it, and the status as words (never colour
// alone): "Wird gesendet", "Gesendet, 2 Seiten", "Fehlgeschlagen: <Grund>", "Empfangen",
// "In der Warteschlange (Versuch n)". Actions: "PDF öffnen" (a new tab, straight from the
// API) and "Löschen" (asked once more in place). The list is keyed by fax id, so a reload
// (a `fax.changed` frame) updates entries in place; a status that changed is announced.
import { api } from '../api.js';
import { h, announce, userText } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { formatNumber } from '../phone/format.js';
import { when } from '../voicemail/format.js';

const SYMBOLS = { receiving: '↻', received: '✓', failed: '✕', queued: '…', sending: '↻', sent: '✓' };

function pages(n) { return n === 1 ? t('faxPagesOne') : t('faxPages', { n }); }

// The status as words: "Gesendet, 2 Seiten", "Fehlgeschlagen: Besetzt", …
export function statusText(f) {
  switch (f.status) {
    case 'sent': return f.pages === 1 ? t('faxSt_sentOne') : t('faxSt_sent', { n: f.pages });
    case 'failed': return f.reason ? t('faxSt_failed', { r: f.reason }) : t('faxSt_failedNoReason');
    case 'queued': return t('faxSt_queued', { n: (f.attempts || 0) + 1 });
    case 'receiving': case 'received': case 'sending': return t(`faxSt_${f.status}`);
    default: return f.status;
  }
}

// "Fax von +49 30 123456" / "Fax an 089 123456".
export function faxLabel(f) {
  const number = f.remote ? formatNumber(f.remote) : t('faxUnknownNumber');
  return t(f.direction === 'out' ? 'faxTo' : 'faxFrom', { f: number });
}

function entry(fax, ctx) {
  let f = fax;
  const heading = h('h3', { id: `fax-${f.id}-h`, tabindex: '-1' });
  const way = h('span', { class: 'fax-way' });
  const meta = h('p', { class: 'fax-meta' });
  const status = h('p', { class: 'fax-status', 'data-testid': 'fax-status' });
  const open = h('a', { class: 'button secondary', target: '_blank', rel: 'noopener', 'data-testid': 'fax-open-pdf' },
    h('span', { 'aria-hidden': 'true' }, '↗ '), t('faxOpenPdf'));
  const remove = h('button', { type: 'button', class: 'danger', 'data-testid': 'fax-delete' }, t('faxDelete'));
  const actions = h('p', { class: 'button-row fax-actions' }, open, remove);
  const confirmBox = h('div', { class: 'fax-confirm', hidden: true });
  const li = h('li', { class: 'fax-item', 'data-testid': 'fax-item', 'data-id': String(f.id) },
    h('div', { class: 'fax-head' }, way, heading), meta, status, actions, confirmBox);

  const whenText = () => when(Date.parse(f.created_at));

  function draw() {
    li.dataset.status = f.status;
    li.dataset.direction = f.direction;
    way.replaceChildren(h('span', { 'aria-hidden': 'true' }, f.direction === 'out' ? '↑ ' : '↓ '), t(f.direction === 'out' ? 'faxOut' : 'faxIn'));
    heading.replaceChildren(userText(faxLabel(f)));
    const bits = [h('time', { datetime: f.created_at }, whenText())];
    if (f.pages > 0 && f.status !== 'sent') bits.push(pages(f.pages));
    if (f.remote_ident) bits.push(h('span', {}, t('faxIdent', { n: '' }), userText(f.remote_ident)));
    if (f.sender) bits.push(h('span', {}, t('faxSentBy', { n: '' }), userText(f.sender)));
    meta.replaceChildren(...bits.flatMap((b, i) => (i ? [' · ', b] : [b])));
    const known = Object.hasOwn(SYMBOLS, f.status);
    status.dataset.status = f.status;
    status.className = `fax-status fax-st-${known ? f.status : 'unknown'}`;
    status.replaceChildren(h('span', { class: 'symbol', 'aria-hidden': 'true' }, `${known ? SYMBOLS[f.status] : '?'} `), statusText(f),
      ...(f.status === 'queued' && f.reason ? [h('span', { class: 'fax-why' }, ` – ${t('faxLastTry', { r: f.reason })}`)] : []));
    const vars = { n: faxLabel(f), w: whenText() };
    open.hidden = !f.pdf;
    if (f.pdf) open.href = f.pdf; else open.removeAttribute('href');
    open.setAttribute('aria-label', t('faxOpenPdfOf', vars));
    // A fax on the line now cannot be deleted (the server says so too).
    remove.hidden = f.status === 'receiving' || f.status === 'sending';
    remove.setAttribute('aria-label', t('faxDeleteOf', vars));
    actions.hidden = open.hidden && remove.hidden;
  }

  function closeConfirm(focus) {
    confirmBox.hidden = true;
    confirmBox.replaceChildren();
    draw();
    if (focus && !remove.hidden) remove.focus();
  }

  function askDelete() {
    const error = h('p', { class: 'error', role: 'alert' });
    const yes = h('button', { type: 'button', class: 'danger', 'data-testid': 'fax-delete-yes', onclick: async () => {
      yes.disabled = true;
      const res = await api('DELETE', `/api/v1/fax/${f.id}`).catch(() => ({ ok: false, status: 0 }));
      yes.disabled = false;
      if (!res.ok) { error.textContent = res.data && res.data.message ? res.data.message : explain(res); return; }
      ctx.removed(f.id);
      announce(t('faxDeleted'));
    } }, t('faxDeleteYes'));
    const no = h('button', { type: 'button', class: 'secondary', 'data-testid': 'fax-delete-no', onclick: () => closeConfirm(true) }, t('faxDeleteNo'));
    confirmBox.replaceChildren(h('p', { role: 'alert', class: 'fax-ask' }, t('faxDeleteAsk', { n: faxLabel(f), w: whenText() })),
      h('p', { class: 'button-row' }, yes, no), error);
    confirmBox.hidden = false;
    actions.hidden = true;
    yes.focus();
  }

  remove.addEventListener('click', askDelete);
  confirmBox.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); closeConfirm(true); } });
  draw();
  return {
    li,
    heading,
    set(next) {
      const before = f.status;
      f = next;
      if (confirmBox.hidden) draw();
      if (before !== f.status) announce(t('faxChanged', { n: faxLabel(f), s: statusText(f) }));
    },
  };
}

// The list of one box; `faxes` as GET /api/v1/fax has them. Returns { element,
// update(faxes) (fresh from the server), add(fax) (one just queued, at the top) }.
export function faxList(faxes, headingId) {
  const items = new Map(); // id → entry
  const list = h('ul', { class: 'fax-list', 'data-testid': 'fax-list', 'aria-labelledby': headingId });
  const summary = h('p', { class: 'fax-summary' });
  let shown = [];

  function drawSummary() {
    summary.textContent = shown.length === 0 ? t('faxNone') : shown.length === 1 ? t('faxCountOne') : t('faxCount', { n: shown.length });
    list.hidden = shown.length === 0;
  }

  const ctx = {
    removed(id) {
      const at = shown.findIndex((x) => x.id === id);
      shown = shown.filter((x) => x.id !== id);
      const item = items.get(id);
      items.delete(id);
      if (item) item.li.remove();
      drawSummary();
      const next = shown[at] || shown[at - 1];
      (next ? items.get(next.id).heading : document.getElementById(headingId))?.focus();
    },
  };

  function update(fresh) {
    shown = fresh;
    const keep = new Set(fresh.map((f) => f.id));
    for (const [id, item] of items) if (!keep.has(id)) { item.li.remove(); items.delete(id); }
    fresh.forEach((f, i) => {
      let item = items.get(f.id);
      if (item) item.set(f);
      else { item = entry(f, ctx); items.set(f.id, item); }
      const at = list.children[i];
      if (at !== item.li) list.insertBefore(item.li, at || null);
    });
    drawSummary();
  }

  function add(fax) {
    if (shown.some((f) => f.id === fax.id)) return;
    update([fax, ...shown]);
  }

  update(faxes);
  return { element: h('div', { class: 'fax-box-list' }, summary, list), update, add };
}
