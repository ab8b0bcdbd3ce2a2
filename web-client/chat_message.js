// One chat message as a list item: author, time, text with mentions, attachment, and for
// one's own messages the buttons to edit (inline) and delete.
import { h, userText } from './dom.js';
import { t, tParts } from './i18n.js';
import { formatClock } from './presence_view.js';

export function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

// Text with @mentions marked; a mention of `myLogin` stands out.
function textWithMentions(text, myLogin) {
  const parts = [];
  let last = 0;
  for (const m of text.matchAll(/@([A-Za-z0-9._-]+)/g)) {
    parts.push(text.slice(last, m.index));
    const mine = m[1] === myLogin;
    parts.push(h(mine ? 'strong' : 'span', { class: mine ? 'mention mine' : 'mention' }, m[0]));
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

// `actions` = { edit(message, newText) → Promise, remove(message) → Promise }.
export function messageItem(m, myLogin, actions) {
  const li = h('li', { id: `msg-${m.id}`, class: m.author === myLogin ? 'message own' : 'message' });
  const head = h('p', { class: 'meta' },
    h('strong', {}, m.author === myLogin ? t('you') : userText(m.author_name)), ' ',
    h('time', { datetime: m.sent_at }, formatClock(m.sent_at)),
    m.edited_at && !m.deleted ? h('span', { class: 'edited' }, ` ${t('edited')}`) : null);
  if (m.deleted) {
    li.append(head, h('p', { class: 'deleted' }, t('deleted')));
    return li;
  }
  const body = h('p', { class: 'text', dir: 'auto' }, ...textWithMentions(m.text, myLogin));
  const file = m.attachment
    ? h('p', { class: 'attachment' }, h('a', { href: `/api/v1/attachments/${encodeURIComponent(m.attachment.id)}`, download: m.attachment.name },
      tParts('attachment', { n: userText(m.attachment.name), s: sizeText(m.attachment.size) })))
    : null;
  li.append(head, m.text ? body : null, file);
  if (m.author === myLogin) li.append(ownButtons(m, li, body, actions));
  return li;
}

function ownButtons(m, li, body, actions) {
  const edit = h('button', { type: 'button', class: 'link', 'aria-label': `${t('edit')}: ${m.text.slice(0, 40)}` }, t('edit'));
  const remove = h('button', { type: 'button', class: 'link', 'aria-label': `${t('delete')}: ${m.text.slice(0, 40)}` }, t('delete'));
  edit.addEventListener('click', () => body.replaceWith(editForm(m, body, actions)));
  remove.addEventListener('click', () => { if (confirm(t('confirmDelete'))) actions.remove(m); });
  return h('p', { class: 'message-actions' }, edit, ' ', remove);
}

function editForm(m, body, actions) {
  const id = `edit-${m.id}`;
  const area = h('textarea', { id, rows: 2, maxlength: 4000 });
  area.value = m.text;
  const form = h('form', { class: 'edit', onsubmit: async (e) => {
    e.preventDefault();
    await actions.edit(m, area.value);
  } },
  h('label', { for: id }, t('edit')), area,
  h('p', {}, h('button', { type: 'submit' }, t('save')), ' ',
    h('button', { type: 'button', class: 'secondary', onclick: () => form.replaceWith(body) }, t('cancel'))));
  setTimeout(() => area.focus(), 0);
  return form;
}
