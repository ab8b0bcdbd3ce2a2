// One's greetings: the personal one and the absence one, each own or not (the personal
// one then falls back to the default greeting with one's extension, which can be
// listened to), listened to (<audio> from the API), replaced by a file (WAV, MP3, Ogg)
// or by a recording made here (the hotline announcements' recorder), and removed.
// Changes update the card in place, so the focus and the recorder stay where they are.
// A unit's box (#/voicemail/box/{id}) has the personal greeting only, any member's to
// change, under /api/v1/voicemail/boxes/{id}/greetings.
import { h, announce } from '../dom.js';
import { t } from '../i18n.js';
import { api, upload } from '../api.js';
import { explain } from '../sign_in.js';
import { recorder } from '../hotline/announce/recorder.js';

const MAX_SECONDS = 120;
const OWN = { base: '/api/v1/voicemail/greetings', kinds: ['personal', 'absence'], intro: 'vmGreetingsIntro', prefix: 'vm-greeting' };

function own(kind, mailbox) { return kind === 'personal' ? mailbox.greeting : mailbox.absence_greeting; }

// The message of a refused upload in the reader's language (the server's is German).
function refusal(r) {
  if (r.status === 413) return t('vmTooLarge');
  if (r.status === 400 && r.data && r.data.field === 'file') return t('vmNotAudio', { m: r.data.message });
  return explain(r);
}

// `box()` is the current mailbox, `changed(mailbox)` tells the page of a change; `where`
// is the section's { base, prefix }.
function card(kind, box, changed, where) {
  const path = (k) => `${where.base}/${k}`;
  const id = `${where.prefix}-${kind}`;
  const name = t(`vmGreeting_${kind}`);
  const state = h('p', { class: 'vm-greeting-state', 'data-testid': `${id}-state` });
  const player = h('audio', { controls: true, preload: 'none', id: `${id}-audio` });
  const playerRow = h('p', { class: 'vm-player' }, player);
  const error = h('p', { class: 'error', role: 'alert', id: `${id}-error` });
  const file = h('input', { type: 'file', id: `${id}-file`, accept: '.wav,.mp3,.ogg,.opus,audio/wav,audio/mpeg,audio/ogg', 'aria-describedby': `${id}-file-hint` });
  const remove = h('button', { type: 'button', class: 'secondary', 'data-testid': `${id}-remove`, 'aria-label': t('vmRemoveOf', { n: name }) }, t('vmRemove'));
  const removeRow = h('p', { class: 'button-row' }, remove);

  function draw() {
    const mine = own(kind, box());
    const origin = mine ? 'own' : kind === 'personal' ? 'default' : 'none';
    state.dataset.origin = origin;
    state.replaceChildren(h('span', { class: 'symbol', 'aria-hidden': 'true' }, mine ? '● ' : '○ '),
      t({ own: 'vmOwn', default: 'vmDefault', none: 'vmNotRecorded' }[origin]));
    // A fresh address after every change: the browser must not play what it kept.
    const source = origin === 'none' ? null : `${path(origin === 'own' ? kind : 'default')}?v=${Date.now()}`;
    if (source) {
      player.src = source;
      player.setAttribute('aria-label', origin === 'own' ? t('vmListenGreeting', { n: name }) : t('vmListenDefault'));
    } else {
      player.removeAttribute('src');
    }
    playerRow.hidden = !source;
    removeRow.hidden = !mine;
  }

  function set(recorded) {
    const mailbox = { ...box() };
    if (kind === 'personal') mailbox.greeting = recorded;
    else {
      mailbox.absence_greeting = recorded;
      // The server switches the absence greeting off with it.
      if (!recorded) mailbox.absence_on = false;
    }
    changed(mailbox);
  }

  async function send(body, fileName) {
    const r = await upload(`${path(kind)}?name=${encodeURIComponent(fileName)}`, body, 'PUT').catch(() => ({ ok: false, status: 0 }));
    if (!r.ok) return refusal(r);
    set(true);
    announce(t('vmUploaded', { n: name, s: Math.round(r.data.duration_secs) }));
    return null;
  }

  remove.addEventListener('click', async () => {
    error.textContent = '';
    const r = await api('DELETE', path(kind)).catch(() => ({ ok: false, status: 0 }));
    if (!r.ok) { error.textContent = explain(r); return; }
    set(false);
    announce(t('vmRemoved', { n: name }));
    document.getElementById(`${id}-h`).focus();
  });

  const form = h('form', { class: 'inline vm-upload', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    file.removeAttribute('aria-invalid');
    const chosen = file.files[0];
    if (!chosen) { error.textContent = t('vmChooseFile'); file.focus(); return; }
    const problem = await send(chosen, chosen.name);
    if (problem) { error.textContent = problem; file.setAttribute('aria-invalid', 'true'); file.focus(); return; }
    file.value = '';
  } },
  h('div', {}, h('label', { for: file.id }, t('vmFile')), file, h('p', { class: 'hint', id: `${id}-file-hint` }, t('vmFileHint'))),
  h('button', { type: 'submit', 'data-testid': `${id}-upload`, 'aria-label': t('vmUploadOf', { n: name }) }, t('vmUpload')));

  const recording = recorder({ id: `${id}-rec`, label: name, maxSeconds: MAX_SECONDS,
    upload: (bytes) => send(new Blob([bytes], { type: 'audio/wav' }), `${kind}-aufnahme.wav`) });
  draw();
  return {
    element: h('section', { class: 'vm-greeting', id, 'aria-labelledby': `${id}-h` },
      h('h3', { id: `${id}-h`, tabindex: '-1' }, name), state, playerRow, removeRow, form, error, recording),
    draw,
  };
}

// The section of one's own box's greetings, or with `where` = { base, kinds, intro,
// prefix } another box's; returns { element, update(mailbox) }.
export function greetingsSection(mailbox, changed, where = OWN) {
  let current = mailbox;
  const cards = where.kinds.map((kind) => card(kind, () => current, (next) => { current = next; redraw(); changed(next); }, where));
  let language = mailbox.language;
  function redraw() { for (const c of cards) c.draw(); }
  return {
    element: h('section', { class: 'vm-section', 'aria-labelledby': 'vm-greetings-h' },
      h('h2', { id: 'vm-greetings-h', tabindex: '-1' }, t('vmGreetings')),
      h('p', { class: 'hint' }, t(where.intro)),
      h('div', { class: 'vm-greetings' }, ...cards.map((c) => c.element))),
    // The settings changed: the default greeting follows their language.
    update(next) {
      const spoken = next.language !== language;
      language = next.language;
      current = { ...current, ...next };
      if (spoken) redraw();
    },
  };
}
