// The hotline page (#/hotline): for agents their own panel (agent_panel.js) and their
// hotlines' cases (the case list, a new case without a call); for supervisors and
// administrators the hotlines they watch, each with its wallboard, TV view, report,
// cases, and case form with appointments.
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
        h('a', { href: `#/hotline/${hl.id}/report`, 'aria-label': t('hlReportOf', { n: hl.name }) }, t('hlReportLink')),
        h('a', { href: `#/hotline/${hl.id}/cases`, 'aria-label': t('caseListOf', { n: hl.name }) }, t('caseListLink')),
        h('a', { href: `#/hotline/${hl.id}/form`, 'aria-label': t('caseFormOf', { n: hl.name }) }, t('caseFormLink')))))));
}

// An agent's hotlines with their cases: the list, and a new case without a call.
function casesSection(list) {
  return h('section', { 'aria-labelledby': 'hl-cases-h', class: 'hl-watch' },
    h('h2', { id: 'hl-cases-h' }, t('caseCasesTitle')),
    h('ul', { class: 'hl-watch-list' }, ...list.map((hl) => h('li', { 'data-hotline': String(hl.id) },
      h('strong', {}, userText(hl.name)),
      h('span', { class: 'hl-links' },
        h('a', { href: `#/hotline/${hl.id}/cases`, 'aria-label': t('caseListOf', { n: hl.name }) }, t('caseListLink')),
        h('a', { href: `#/hotline/${hl.id}/cases/new`, 'aria-label': t('caseNewOf', { n: hl.name }) }, t('caseNew')))))));
}

export async function showHotline() {
  const stillShown = pageStillShown();
  const [list, agent] = await Promise.all([loadHotlines(), reloadAgent()]);
  if (!stillShown()) return;
  const watched = list.filter((hl) => hl.role === 'supervisor' || hl.role === 'admin');
  const isAgent = agent.ok && agent.data && (agent.data.queues || []).length > 0;
  const parts = [];
  const agentOf = list.filter((hl) => hl.role === 'agent');
  if (isAgent) parts.push(agentSection());
  if (agentOf.length) parts.push(casesSection(agentOf));
  if (watched.length) parts.push(watchedSection(watched));
  if (!parts.length) parts.push(h('p', { id: 'hl-none' }, t('hlNoRole')));
  show(t('hlTitle'), ...parts);
}
