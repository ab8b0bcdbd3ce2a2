// A number field that searches the directory as one types a name: an ARIA 1.2 combobox
// with a listbox of people (arrow keys move, Enter takes, Escape closes). Digits typed
// stay digits: an extension or an outside number is dialled as it is.
import { api } from '../api.js';
import { h, userText } from '../dom.js';
import { t } from '../i18n.js';
import { stateBadge } from '../presence_view.js';

let fields = 0;

// `id` names the input; `label` is its label text; `testid` its test hook; `hintText`
// replaces the dialling hint (where the field picks a person, not a number). Returns
// { element, input, target(), peer(), choose(person), clear() }.
export function dialField(id, label, testid, hintText = null) {
  const listId = `${id}-list`;
  const countId = `${id}-count`;
  const input = h('input', { id, name: id, type: 'text', role: 'combobox', autocomplete: 'off', spellcheck: 'false',
    'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId, maxlength: 100,
    'aria-describedby': `${id}-hint`, 'data-testid': testid, enterkeyhint: 'go' });
  const list = h('ul', { id: listId, role: 'listbox', class: 'dial-options', 'aria-label': t('suggestions'), hidden: true });
  const count = h('p', { id: countId, class: 'visually-hidden', 'aria-live': 'polite' });
  const hint = h('p', { id: `${id}-hint`, class: 'hint' }, hintText || t('dialHint'));
  let options = [];
  let active = -1;
  let chosen = null; // the person taken from the list, while the text is still theirs
  let timer = null;
  let asked = 0;
  const serial = ++fields;

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function mark(i) {
    active = i;
    [...list.children].forEach((li, n) => li.setAttribute('aria-selected', n === i ? 'true' : 'false'));
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', list.children[i].id);
      list.children[i].scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  function take(i) {
    const p = options[i];
    if (!p) return;
    chosen = p;
    input.value = p.name;
    close();
  }

  function draw(entries) {
    options = entries.slice(0, 8);
    list.replaceChildren(...options.map((p, i) => h('li', { id: `${id}-opt-${serial}-${i}`, role: 'option', 'aria-selected': 'false',
      onmousedown: (e) => e.preventDefault(), onclick: () => { take(i); input.focus(); } },
    h('span', { class: 'opt-name' }, userText(p.name)), ' ',
    h('span', { class: 'opt-ext' }, p.extension || ''), ' ',
    p.presence ? stateBadge(p.presence) : null)));
    count.textContent = options.length ? t('suggestionsCount', { n: options.length }) : t('noSuggestions');
    if (options.length) {
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      mark(-1);
    } else close();
  }

  async function search() {
    const q = input.value.trim();
    // Digits, "+", "*" and "#" are a number to dial, not a name to look up.
    if (q.length < 2 || /^[+*#\d\s/()-]+$/.test(q)) { options = []; close(); count.textContent = ''; return; }
    const mine = ++asked;
    const res = await api('GET', `/api/v1/presence?q=${encodeURIComponent(q)}`);
    if (mine !== asked || document.activeElement !== input) return;
    draw(res.ok && res.data && Array.isArray(res.data.entries) ? res.data.entries : []);
  }

  input.addEventListener('input', () => {
    chosen = null;
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener('keydown', (e) => {
    const open = !list.hidden && options.length > 0;
    if (e.key === 'ArrowDown' && options.length) {
      e.preventDefault();
      if (!open) { list.hidden = false; input.setAttribute('aria-expanded', 'true'); }
      mark(active + 1 >= options.length ? 0 : active + 1);
    } else if (e.key === 'ArrowUp' && open) {
      e.preventDefault();
      mark(active <= 0 ? options.length - 1 : active - 1);
    } else if (e.key === 'Enter' && open && active >= 0) {
      e.preventDefault();
      take(active);
    } else if (e.key === 'Escape') {
      if (open) { e.preventDefault(); e.stopPropagation(); close(); } else if (input.value) { e.preventDefault(); input.value = ''; chosen = null; }
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));

  const element = h('div', { class: 'dial-field' }, h('label', { for: id }, label), input, list, hint, count);
  return {
    element,
    input,
    // What to dial: the chosen person's extension (or login), else the text as typed.
    target: () => (chosen && input.value === chosen.name ? chosen.extension || chosen.login : input.value.trim()),
    peer: () => (chosen && input.value === chosen.name
      ? { name: chosen.name, number: chosen.extension || '', login: chosen.login, unit: chosen.unit || null } : null),
    // Shows `person` ({ login, name, … }) as taken from the list.
    choose: (person) => { chosen = person; input.value = person ? person.name : ''; close(); },
    clear: () => { input.value = ''; chosen = null; close(); },
  };
}
