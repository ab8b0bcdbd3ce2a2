// When a wallboard figure turns amber or red. Defaults a contact centre would start with:
// service level below 80 % amber, below 60 % red; abandon rate (short abandons excluded)
// above 5 % amber, above 10 % red; the longest wait above the hotline's service-level
// threshold amber, above three times that red. Each level is a colour, a symbol and a
// word (never colour alone), and the legend under the board says so.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { percent } from './format.js';

export const LIMITS = {
  serviceLevel: { amber: 0.8, red: 0.6 },
  abandonRate: { amber: 0.05, red: 0.1 },
  waitFactor: { amber: 1, red: 3 },
};

const MARKS = { amber: '▲', red: '✕' };

// 'ok', 'amber', 'red', or 'none' (no figure yet).
export function serviceLevelLevel(ratio) {
  if (ratio === null || ratio === undefined) return 'none';
  if (ratio < LIMITS.serviceLevel.red) return 'red';
  return ratio < LIMITS.serviceLevel.amber ? 'amber' : 'ok';
}

export function abandonLevel(ratio) {
  if (ratio === null || ratio === undefined) return 'none';
  if (ratio > LIMITS.abandonRate.red) return 'red';
  return ratio > LIMITS.abandonRate.amber ? 'amber' : 'ok';
}

export function waitLevel(seconds, thresholdSecs) {
  if (seconds === null || seconds === undefined || !thresholdSecs) return 'none';
  if (seconds > thresholdSecs * LIMITS.waitFactor.red) return 'red';
  return seconds > thresholdSecs * LIMITS.waitFactor.amber ? 'amber' : 'ok';
}

// The symbol and word of a level beside its figure; nothing for 'ok' and 'none'.
export function levelMark(level) {
  if (level !== 'amber' && level !== 'red') return null;
  return h('span', { class: 'hl-mark' }, h('span', { 'aria-hidden': 'true' }, `${MARKS[level]} `), t(`hlLevel_${level}`));
}

export function legend(thresholdSecs) {
  const red = thresholdSecs * LIMITS.waitFactor.red;
  const rows = [
    [t('hlServiceLevel'), t('hlLegendBelow', { a: percent(LIMITS.serviceLevel.amber), r: percent(LIMITS.serviceLevel.red) })],
    [t('hlAbandonRate'), t('hlLegendAbove', { a: percent(LIMITS.abandonRate.amber), r: percent(LIMITS.abandonRate.red) })],
    [t('hlLongestWait'), t('hlLegendWait', { a: thresholdSecs, r: red })],
  ];
  return h('section', { class: 'hl-legend', 'aria-labelledby': 'hl-legend-h' },
    h('h2', { id: 'hl-legend-h' }, t('hlLegend')),
    h('p', {}, h('span', { class: 'hl-level-sample hl-level-amber' }, h('span', { 'aria-hidden': 'true' }, `${MARKS.amber} `), t('hlLevel_amber')),
      ' ', h('span', { class: 'hl-level-sample hl-level-red' }, h('span', { 'aria-hidden': 'true' }, `${MARKS.red} `), t('hlLevel_red'))),
    h('ul', {}, ...rows.map(([what, rule]) => h('li', {}, h('strong', {}, what), ': ', rule))));
}
