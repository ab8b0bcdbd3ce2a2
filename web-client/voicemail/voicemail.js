// The voicemail pages. #/voicemail: one's messages (voicemail_list.js), the links to
// the hotlines' boxes one supervises and to one's units' boxes, the box's settings
// (voicemail_settings.js) and the greetings (voicemail_greetings.js), from
// GET /api/v1/voicemail. #/voicemail/box/{id}: a hotline's box, its messages only, or a
// unit's box, its messages and its greeting (any member's to change). A `voicemail.count` frame for the box on screen (a
// message arrived, or was heard or deleted elsewhere) or a reconnect reloads the list,
// which updates in place.
import { api } from '../api.js';
import { h, show, onLeave, pageStillShown, userText } from '../dom.js';
import { t, tParts } from '../i18n.js';
import { formatNumber } from '../phone/format.js';
import { explain } from '../sign_in.js';
import { on } from '../realtime.js';
import { setInbox, setUnheard, unheardIn, onUnheardChanged } from './unheard.js';
import { messageList } from './voicemail_list.js';
import { settingsSection } from './voicemail_settings.js';
import { greetingsSection } from './voicemail_greetings.js';

// The page for a voicemail address with an id (for app.js), or null.
export function voicemailPage(hash) {
  const box = /^#\/voicemail\/box\/(\d+)$/.exec(hash);
  return box ? () => showVoicemailBox(Number(box[1])) : null;
}

function failed(res) { show(t('vmTitle'), h('p', { class: 'error' }, explain(res))); }

// Reloads `path` while the page is shown, when a frame is `wanted(frame)` or the live
// connection is back, and hands the answer to `fresh(data)`. One reload at a time.
function stayCurrent(page, wanted, path, fresh) {
  let loading = false;
  let again = false;
  async function reload() {
    if (loading) { again = true; return; }
    loading = true;
    const res = await api('GET', path).catch(() => null);
    loading = false;
    if (!page()) return;
    if (res && res.ok) fresh(res.data);
    if (again) { again = false; reload(); }
  }
  onLeave(on('voicemail.count', (f) => { if (wanted(f)) reload(); }));
  onLeave(on('live', (up) => { if (up) reload(); }));
}

function messagesSection(list, ...before) {
  return h('section', { class: 'vm-section', 'aria-labelledby': 'vm-messages-h' },
    h('h2', { id: 'vm-messages-h', tabindex: '-1' }, t('vmMessages')), ...before, list.element);
}

// Links to other boxes one hears (`kind` hotline or unit), with their unheard counts;
// returns { element, draw } (draw: the counts again).
function otherBoxes(kind, boxes) {
  const counts = boxes.map((b) => ({ box: b.id, element: h('span') }));
  function draw() {
    for (const { box, element } of counts) {
      const n = unheardIn(box);
      element.replaceChildren(...(n ? [h('span', { class: 'badge', 'aria-hidden': 'true' }, String(n)),
        h('span', { class: 'visually-hidden' }, `, ${t('vmUnheardNav', { n })}`)] : []));
    }
  }
  draw();
  const items = boxes.map((b, i) => h('li', {},
    h('a', { href: `#/voicemail/box/${b.id}`, 'data-testid': 'vm-box-link', 'data-box': String(b.id), 'data-kind': kind },
      userText(b.name), b.number ? h('span', { class: 'vm-box-number' }, ` (${formatNumber(b.number)})`) : null, counts[i].element)));
  const id = `vm-${kind}-boxes-h`;
  const [title, intro] = kind === 'unit' ? ['vmUnitBoxes', 'vmUnitBoxesIntro'] : ['vmHotlineBoxes', 'vmHotlineBoxesIntro'];
  return {
    element: h('section', { class: 'vm-section', 'aria-labelledby': id, 'data-testid': `vm-${kind}-boxes` },
      h('h2', { id }, t(title)), h('p', { class: 'hint' }, t(intro)),
      h('ul', { class: 'vm-boxes' }, ...items)),
    draw,
  };
}

export async function showVoicemail() {
  const page = pageStillShown();
  const res = await api('GET', '/api/v1/voicemail').catch(() => ({ ok: false, status: 0 }));
  if (!page()) return;
  if (!res.ok) { failed(res); return; }
  const inbox = res.data;
  setInbox(inbox);

  const boxOff = h('p', { class: 'vm-off', 'data-testid': 'vm-box-off' },
    h('span', { class: 'symbol', 'aria-hidden': 'true' }, '⚠ '), t('vmBoxOff'));
  const drawBoxOff = (mailbox) => { boxOff.hidden = mailbox.enabled; };
  drawBoxOff(inbox.mailbox);
  const list = messageList(inbox.messages, inbox.mailbox.id);
  let greetings = null;
  const settings = settingsSection(inbox.mailbox, (mailbox) => { drawBoxOff(mailbox); greetings.update(mailbox); });
  greetings = greetingsSection(inbox.mailbox, (mailbox) => settings.update(mailbox));

  // The hotlines' and the units' boxes: drawn again when one is new (a hotline box's
  // first message came, an administrator made a unit's box) or gone.
  const holder = h('div', { class: 'vm-boxes-holder' });
  let sections = [];
  let known = new Set();
  function drawBoxes(list) {
    known = new Set(list.map((b) => b.id));
    sections = ['unit', 'hotline'].map((kind) => [kind, list.filter((b) => (b.kind || 'hotline') === kind)])
      .filter(([, boxes]) => boxes.length).map(([kind, boxes]) => otherBoxes(kind, boxes));
    holder.replaceChildren(...sections.map((x) => x.element));
  }
  drawBoxes(inbox.boxes || []);
  onLeave(onUnheardChanged(() => { for (const x of sections) x.draw(); }));

  show(t('vmTitle'), messagesSection(list, boxOff), holder, settings.element, greetings.element);
  // Any box's frame: the own box's messages, or another box that came or went.
  stayCurrent(page, () => true, '/api/v1/voicemail', (data) => {
    setInbox(data);
    list.update(data.messages, true);
    const fresh = data.boxes || [];
    if (fresh.length !== known.size || fresh.some((b) => !known.has(b.id))) drawBoxes(fresh);
  });
}

// A hotline's box (its supervisors hear it) or a unit's (its members do): the messages,
// a unit box's greeting, and the way back.
export async function showVoicemailBox(id) {
  const page = pageStillShown();
  const [res, mine] = await Promise.all([api('GET', `/api/v1/voicemail/boxes/${id}`), api('GET', '/api/v1/voicemail')]
    .map((p) => p.catch(() => ({ ok: false, status: 0 }))));
  if (!page()) return;
  if (!res.ok) { failed(res); return; }
  if (mine.ok) setInbox(mine.data);
  const named = mine.ok ? (mine.data.boxes || []).find((b) => b.id === id) : null;
  const list = messageList(res.data.messages, id);
  const mailbox = res.data.mailbox;
  const unit = mailbox.kind === 'unit';
  const about = unit && named ? [h('p', { class: 'hint', 'data-testid': 'vm-unit-about' },
    tParts('vmUnitAbout', { n: formatNumber(mailbox.number || ''), u: userText(named.name) }))] : [];
  const greetings = unit ? [greetingsSection(mailbox, () => {}, { base: `/api/v1/voicemail/boxes/${id}/greetings`,
    kinds: ['personal'], intro: 'vmUnitGreetingsIntro', prefix: 'vm-greeting' }).element] : [];
  show(named ? tParts('vmBoxTitle', { n: userText(named.name) }) : t('vmTitle'),
    h('p', {}, h('a', { href: '#/voicemail' }, t('vmBackToOwn'))), ...about,
    messagesSection(list), ...greetings);
  stayCurrent(page, (f) => f.box === id, `/api/v1/voicemail/boxes/${id}`, (data) => {
    setUnheard(id, data.unheard);
    list.update(data.messages, true);
  });
}
