// Where an agent's hotline calls ring ("any device"): automatically (the browser when one
// is open, else the desk phones), only in the browser, at the desk phone, or at the
// directory's mobile through the trunk. The choice is applied with its own button, not on
// change, so that arrowing through the list sends nothing (WCAG 3.2.2). A refusal (no
// mobile in the directory, no trunk) is said at the control and the stored choice stays
// selected; a change is said politely.
import { h } from '../dom.js';
import { t, tParts, lang } from '../i18n.js';
import { explain } from '../sign_in.js';
import { act } from './agent_state.js';

export const ANSWER_ON = ['auto', 'browser', 'phone', 'mobile'];

// The server's German sentence, marked as German on an English page.
function serverWords(res) {
  const message = res.data && res.data.message;
  if (!message) return explain(res);
  return lang() === 'de' ? message : h('span', { lang: 'de' }, message);
}

// Returns { element, show(answerOn) }; show() follows the stored choice (after a load or a
// frame) unless the agent picked another one and has not applied it yet.
export function answerOnControl() {
  const select = h('select', { id: 'hl-answer-on', 'data-testid': 'hotline-answer-on', 'data-key': 'answer-on',
    'aria-describedby': 'hl-answer-on-hint' }, ...ANSWER_ON.map((w) => h('option', { value: w }, t(`hlAnswerOn_${w}`))));
  const error = h('p', { class: 'error', role: 'alert', id: 'hl-answer-on-error' });
  const done = h('p', { class: 'ok', role: 'status', id: 'hl-answer-on-done' });
  const apply = h('button', { type: 'submit', class: 'secondary', 'data-key': 'answer-on-apply', 'data-testid': 'hotline-answer-on-apply' },
    t('hlAnswerOnApply'));
  let stored = 'auto';
  let edited = false;
  let busy = false;

  function describe(withError) {
    select.setAttribute('aria-describedby', withError ? 'hl-answer-on-hint hl-answer-on-error' : 'hl-answer-on-hint');
  }

  select.addEventListener('change', () => {
    edited = select.value !== stored;
    error.replaceChildren();
    done.textContent = '';
    describe(false);
  });

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    const wanted = select.value;
    error.replaceChildren();
    done.textContent = '';
    describe(false);
    busy = true;
    apply.setAttribute('aria-disabled', 'true');
    const res = await act('answer_on', { answer_on: wanted });
    busy = false;
    apply.removeAttribute('aria-disabled');
    edited = false;
    if (res.ok) {
      stored = res.data.answer_on || wanted;
      select.value = stored;
      done.textContent = t('hlAnswerOnSaved', { w: t(`hlAnswerOn_${stored}`) });
      return;
    }
    // Nothing changed: the stored choice is shown again, with why beside it.
    select.value = stored;
    error.replaceChildren(...tParts('hlAnswerOnRefused', { m: serverWords(res) }));
    describe(true);
    select.focus();
  }

  const element = h('form', { class: 'inline hl-answer-on', id: 'hl-answer-on-form', novalidate: true, onsubmit: submit },
    h('div', { class: 'hl-answer-on-choice' }, h('label', { for: select.id }, t('hlAnswerOn')),
      h('p', { class: 'hint', id: 'hl-answer-on-hint' }, t('hlAnswerOnHint')), select),
    apply, error, done);

  return {
    element,
    show(answerOn) {
      stored = ANSWER_ON.includes(answerOn) ? answerOn : 'auto';
      if (!edited) select.value = stored;
    },
  };
}
