// The fax page (#/fax), from GET /api/v1/fax: the form that sends a PDF (fax_send.js;
// when the server cannot send faxes, a note says so instead) and, per box one uses (one's
// own, one's unit's and those of the units above it), its faxes (fax_list.js). A
// `fax.changed` frame (a fax came, went out, failed, was deleted; a box was made or
// removed) or a reconnect reloads the page's data; the lists update in place, and a new
// or removed box draws the page anew.
import { api } from '../api.js';
import { h, show, onLeave, pageStillShown, userText } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { on } from '../realtime.js';
import { formatNumber } from '../phone/format.js';
import { faxList } from './fax_list.js';
import { sendSection } from './fax_send.js';

const PATH = '/api/v1/fax';

function boxSection(b) {
  const headingId = `fax-box-${b.id}-h`;
  const list = faxList(b.faxes, headingId);
  const element = h('section', { class: 'fax-section fax-box', 'aria-labelledby': headingId, 'data-box': String(b.id) },
    h('h2', { id: headingId, tabindex: '-1' }, userText(b.name), ' – ', h('span', { class: 'fax-number' }, formatNumber(b.number))),
    h('p', { class: 'hint' }, t(b.kind === 'person' ? 'faxBoxOwn' : 'faxBoxUnit')),
    list.element);
  return { element, list };
}

// The boxes' ids in order, to tell whether the page must be drawn anew.
const shape = (data) => `${data.available}|${data.boxes.map((b) => b.id).join(',')}`;

export async function showFax() {
  const page = pageStillShown();
  const res = await api('GET', PATH).catch(() => ({ ok: false, status: 0 }));
  if (!page()) return;
  if (!res.ok) { show(t('faxTitle'), h('p', { class: 'error' }, explain(res))); return; }
  let lists = new Map(); // box id → list
  let drawn = '';

  function draw(data) {
    drawn = shape(data);
    lists = new Map();
    const sections = data.boxes.map((b) => {
      const s = boxSection(b);
      lists.set(b.id, s.list);
      return s.element;
    });
    let top;
    if (data.boxes.length === 0) top = h('p', { 'data-testid': 'fax-no-boxes' }, t('faxNoBoxes'));
    else if (!data.available) {
      top = h('p', { class: 'fax-off', 'data-testid': 'fax-unavailable' }, h('span', { class: 'symbol', 'aria-hidden': 'true' }, '⚠ '),
        t('faxUnavailable'), data.unavailable_reason ? [' ', h('span', { lang: 'de' }, data.unavailable_reason)] : null);
    } else top = sendSection(data.boxes, (box, fax) => { lists.get(box)?.add(fax); reload(); });
    show(t('faxTitle'), top, ...sections);
  }

  let loading = false;
  let again = false;
  async function reload() {
    if (loading) { again = true; return; }
    loading = true;
    const fresh = await api('GET', PATH).catch(() => null);
    loading = false;
    if (!page()) return;
    if (fresh && fresh.ok) {
      if (shape(fresh.data) !== drawn) draw(fresh.data);
      else for (const b of fresh.data.boxes) lists.get(b.id)?.update(b.faxes);
    }
    if (again) { again = false; reload(); }
  }

  draw(res.data);
  onLeave(on('fax.changed', () => reload()));
  onLeave(on('live', (up) => { if (up) reload(); }));
}
