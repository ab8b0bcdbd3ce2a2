// The own agent state in the header, on every page (for agents only): a link to the
// hotline page that reads e.g. "Hotline: In Pause: Schulung". It sits beside the own
// presence and leaves the phone dock where it is.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { agentView, onAgentChange } from './agent_state.js';
import { stateBadge } from './format.js';

let chip = null;
let unsubscribe = null;

function draw() {
  if (!chip) return;
  const v = agentView();
  chip.hidden = !v;
  if (!v) { chip.replaceChildren(); return; }
  chip.replaceChildren(h('a', { href: '#/hotline', class: 'hl-chip', 'data-testid': 'hotline-chip', 'data-state': v.state },
    h('span', { class: 'hl-chip-label' }, t('hlChip')), ' ', stateBadge(v.state, v.reason)));
}

// Puts the chip into the header (again after a change of language).
export function mountAgentChip() {
  const header = document.querySelector('header');
  if (!header) return;
  if (!chip || !header.contains(chip)) {
    chip = h('p', { id: 'hotline-chip', class: 'hl-chip-box', hidden: true });
    header.insertBefore(chip, header.querySelector('.lang'));
  }
  if (!unsubscribe) unsubscribe = onAgentChange(draw);
  draw();
}

export function unmountAgentChip() {
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  if (chip) chip.remove();
  chip = null;
}
