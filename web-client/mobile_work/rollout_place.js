// One's place in the rollout of mobile work on #/mobile-work (GET /api/v1/rollout): while
// mobile work has a cap, whether one is admitted or where one waits. A `rollout.changed`
// frame (one was admitted from the list) redraws it and says so.
import { api } from '../api.js';
import { h, announce, onLeave } from '../dom.js';
import { t } from '../i18n.js';
import { on } from '../realtime.js';

function sentence(f) {
  const name = t(`roF_${f.feature}`);
  if (f.state === 'granted') return t('roGranted', { f: name });
  if (f.state === 'waiting') return t('roWaitingAt', { f: name, n: f.position, m: f.waiting });
  return t('roNone', { f: name });
}

// The section (empty while mobile work has no cap); it keeps itself up to date.
export function rolloutPlaceSection() {
  const section = h('section', { class: 'mw-section', 'aria-labelledby': 'mw-ro-h', 'data-testid': 'mw-rollout', hidden: true });
  async function load() {
    const r = await api('GET', '/api/v1/rollout').catch(() => null);
    const mine = r && r.ok ? r.data.features.filter((f) => f.feature === 'mobile_work' && f.state !== 'none') : [];
    section.hidden = mine.length === 0;
    section.replaceChildren(h('h2', { id: 'mw-ro-h' }, t('roMineHeading')),
      ...mine.map((f) => h('p', { 'data-testid': 'mw-rollout-state', 'data-state': f.state }, sentence(f))));
  }
  onLeave(on('rollout.changed', async (frame) => {
    await load();
    announce(t('roAdmitted', { f: t(`roF_${frame.feature}`) }));
  }));
  load();
  return section;
}
