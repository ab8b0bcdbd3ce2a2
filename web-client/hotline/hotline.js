// The hotline page (#/hotline): for agents their own panel (agent_panel.js); for
// supervisors and administrators the hotlines they watch, each with its wallboard, TV
// view and report.
import { h, show, pageStillShown, userText } from '../dom.js';
import { t } from '../i18n.js';
import { formatNumber } from '../phone/format.js';
import { loadHotlines } from './access.js';
import { reloadAgent } from './agent_state.js';
import { agentSection } from './agent_panel.js';

function watchedSection(list) {
  return h('section', { 'aria-labelledby': 'hl-watch-h', class: 'hl-watch' },
    h('h2', { id: 'hl-watch-h' }, t('hlWatchTitle')),
    h('ul', { class: 'hl-watch-list' }, ...list.map((hl) => h('li', { 'data-hotline': String(hl.id) },
      h('strong', {}, userText(hl.name)), ' ',
      h('span', { class: 'hl-sub' }, t('hlNumbers', { e: hl.extension, d: hl.did ? formatNumber(hl.did) : '–' })),
      h('span', { class: 'hl-links' },
        h('a', { href: `#/hotline/${hl.id}/board`, 'aria-label': t('hlBoardOf', { n: hl.name }) }, t('hlBoardLink')),
        h('a', { href: `#/hotline/${hl.id}/board?tv`, 'aria-label': t('hlTvOf', { n: hl.name }) }, t('hlTvLink')),
        h('a', { href: `#/hotline/${hl.id}/report`, 'aria-label': t('hlReportOf', { n: hl.name }) }, t('hlReportLink')))))));
}

export async function showHotline() {
  const stillShown = pageStillShown();
  const [list, agent] = await Promise.all([loadHotlines(), reloadAgent()]);
  if (!stillShown()) return;
  const watched = list.filter((hl) => hl.role === 'supervisor' || hl.role === 'admin');
  const isAgent = agent.ok && agent.data && (agent.data.queues || []).length > 0;
  const parts = [];
  if (isAgent) parts.push(agentSection());
  if (watched.length) parts.push(watchedSection(watched));
  if (!parts.length) parts.push(h('p', { id: 'hl-none' }, t('hlNoRole')));
  show(t('hlTitle'), ...parts);
}
