// A menu button (WAI-ARIA Authoring Practices, "Menu Button"): the button has
// aria-haspopup and aria-expanded; Enter, Space or Arrow Down open the menu on its first
// item, Arrow Up on its last; in the menu the arrows, Home and End move, Enter or Space
// choose, Escape closes and returns to the button, Tab closes.
import { h } from './dom.js';

let serial = 0;
let openMenu = null; // the one menu open at a time: { close }

// `label` names the button (e.g. "Aktionen für Dora Neu"), `content` is what it shows;
// `items()` is asked each time the menu opens: [{ label, run, checked? }] (`checked`
// true/false makes it a menuitemcheckbox).
export function menuButton(label, content, items) {
  const id = `menu-${++serial}`;
  const button = h('button', { type: 'button', class: 'menu-button secondary', id: `${id}-button`,
    'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': id, 'aria-label': label }, content);
  const menu = h('ul', { id, role: 'menu', class: 'menu', 'aria-labelledby': button.id, hidden: true });
  const wrapper = h('div', { class: 'menu-wrapper' }, button, menu);

  function entries() { return [...menu.querySelectorAll('[role^="menuitem"]')]; }

  function focusItem(i) {
    const list = entries();
    if (!list.length) return;
    const at = (i + list.length) % list.length;
    list.forEach((el, n) => { el.tabIndex = n === at ? 0 : -1; });
    list[at].focus();
  }

  function close(returnFocus) {
    if (menu.hidden) return;
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (openMenu && openMenu.menu === menu) openMenu = null;
    document.removeEventListener('pointerdown', outside, true);
    if (returnFocus) button.focus();
  }

  function outside(e) { if (!wrapper.contains(e.target)) close(false); }

  function choose(item) {
    close(true);
    item.run();
  }

  function open(at) {
    if (openMenu && openMenu.menu !== menu) openMenu.close(false);
    menu.replaceChildren(...items().map((item) => {
      const checkable = item.checked === true || item.checked === false;
      const li = h('li', { role: checkable ? 'menuitemcheckbox' : 'menuitem', tabindex: '-1',
        'aria-checked': checkable ? String(item.checked) : null },
      checkable ? h('span', { class: 'check', 'aria-hidden': 'true' }, item.checked ? '✓' : '') : null, item.label);
      li.addEventListener('click', () => choose(item));
      return li;
    }));
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    openMenu = { menu, close };
    document.addEventListener('pointerdown', outside, true);
    focusItem(at === 'last' ? -1 : 0);
  }

  button.addEventListener('click', () => (menu.hidden ? open('first') : close(true)));
  button.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); open('first'); }
    if (e.key === 'ArrowUp') { e.preventDefault(); open('last'); }
  });
  menu.addEventListener('keydown', (e) => {
    const list = entries();
    const now = list.indexOf(document.activeElement);
    if (e.key === 'ArrowDown') { e.preventDefault(); focusItem(now + 1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); focusItem(now - 1); }
    else if (e.key === 'Home') { e.preventDefault(); focusItem(0); }
    else if (e.key === 'End') { e.preventDefault(); focusItem(-1); }
    else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(true); }
    else if (e.key === 'Tab') close(false);
    else if ((e.key === 'Enter' || e.key === ' ') && now >= 0) { e.preventDefault(); list[now].click(); }
  });
  return wrapper;
}
