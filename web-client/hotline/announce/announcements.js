// A hotline's announcements on its admin page: the welcome, the closed message and the
// music on hold, each own or built-in, to listen to (<audio> from the server, which
// sends the built-in one while there is no own; an own one in its uploaded quality, or as
// callers hear it), to replace by a file (WAV, MP3, Ogg) or
// by a recording made here (recorder.js), and to set back to the built-in one.
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { api, upload } from '../../api.js';
import { explain } from '../../sign_in.js';
import { recorder } from './recorder.js';

export const KINDS = [['welcome', 120], ['closed', 120], ['hold_music', 600]];

function path(hotline, kind) { return `/api/v1/admin/hotlines/${hotline}/announcements/${kind}`; }

// The message of a refused upload in the reader's language (the server's is German).
function refusal(r) {
  if (r.status === 413) return t('hleFileTooLarge');
  if (r.status === 400 && r.data && r.data.field === 'file') return t('hleNotAudio', { m: r.data.message });
  return explain(r);
}

// `origin`: 'own' or 'builtin' (from the hotline's detail); `changed()` reloads the page's data.
function kindSection(hotline, kind, maxSeconds, origin, changed) {
  const id = `ann-${kind}`;
  const name = t(`hleAnn_${kind}`);
  const version = Date.now();
  const player = h('audio', { controls: true, preload: 'none', id: `${id}-audio`, 'aria-label': t('hleListenTo', { n: name }),
    src: `${path(hotline, kind)}?v=${version}` });
  // An own announcement plays in its uploaded quality; this switch plays what callers hear.
  const phoneSound = origin === 'own' ? h('input', { type: 'checkbox', id: `${id}-phone-sound`, 'data-testid': `${id}-phone-sound`,
    onchange: (e) => { player.src = `${path(hotline, kind)}?v=${version}${e.target.checked ? '&sound=phone' : ''}`; } }) : null;
  const state = h('p', { class: 'ann-state', 'data-testid': `${id}-state`, 'data-origin': origin },
    h('span', { 'aria-hidden': 'true', class: 'symbol' }, origin === 'own' ? '● ' : '○ '), t(origin === 'own' ? 'hleOwn' : 'hleBuiltin'));
  const file = h('input', { type: 'file', id: `${id}-file`, accept: '.wav,.mp3,.ogg,audio/wav,audio/mpeg,audio/ogg', 'aria-describedby': `${id}-file-hint` });
  const error = h('p', { class: 'error', role: 'alert', id: `${id}-error` });

  async function send(body, fileName) {
    const r = await upload(`${path(hotline, kind)}?name=${encodeURIComponent(fileName)}`, body, 'PUT').catch(() => ({ ok: false, status: 0 }));
    if (!r.ok) return refusal(r);
    await changed(t('hleUploaded', { n: name, s: Math.round(r.data.duration_secs) }), `${id}-h`);
    return null;
  }

  const form = h('form', { class: 'inline ann-upload', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const chosen = file.files[0];
    if (!chosen) { error.textContent = t('hleChooseFile'); file.focus(); return; }
    const problem = await send(chosen, chosen.name);
    if (problem) { error.textContent = problem; file.setAttribute('aria-invalid', 'true'); file.focus(); }
  } },
  h('div', {}, h('label', { for: file.id }, t('hleFile')), file, h('p', { class: 'hint', id: `${id}-file-hint` }, t('hleFileHint', { m: Math.round(maxSeconds / 60) }))),
  h('button', { type: 'submit', id: `${id}-send`, 'data-testid': `${id}-send`, 'aria-label': t('hleUploadOf', { n: name }) }, t('hleUpload')));

  const restore = origin === 'own' ? h('button', { type: 'button', class: 'secondary', id: `${id}-restore`, 'data-testid': `${id}-restore`,
    'aria-label': t('hleRestoreOf', { n: name }), onclick: async () => {
      error.textContent = '';
      const r = await api('DELETE', path(hotline, kind)).catch(() => ({ ok: false, status: 0 }));
      if (!r.ok) { error.textContent = explain(r); return; }
      await changed(t('hleRestored', { n: name }), `${id}-h`);
    } }, t('hleRestore')) : null;

  const recording = recorder({ id: `${id}-rec`, label: name, maxSeconds, upload: (bytes) => send(new Blob([bytes], { type: 'audio/wav' }), `${kind}-aufnahme.wav`) });
  return h('section', { class: 'ann', id, 'aria-labelledby': `${id}-h` },
    h('h3', { id: `${id}-h`, tabindex: '-1' }, name), state, h('p', { class: 'ann-player' }, player),
    phoneSound ? h('div', { class: 'hle-check' }, phoneSound, ' ', h('label', { for: phoneSound.id }, t('hlePhoneSound'))) : null, restore ? h('p', {}, restore) : null,
    form, recording, error);
}

// The section; `detail` is the hotline's GET answer, `changed(message, focusId)` reloads.
export function announcementsSection(hotline, detail, changed) {
  const origins = detail.announcements || {};
  return h('div', { class: 'ann-list' }, ...KINDS.map(([kind, max]) => kindSection(hotline, kind, max, origins[kind] || 'builtin', changed)));
}
