// Tiny DOM helpers: build elements without innerHTML (no injection), announce to screen readers.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// A wide table in a box of its own that scrolls sideways on a narrow screen (instead of
// widening the page). The box can take focus and is a named region, so keyboard users
// can scroll it too (WCAG 2.1.1) and screen readers announce what it holds.
export function scrollable(label, table) {
  return h('div', { class: 'table-scroll', role: 'region', 'aria-label': label, tabindex: '0' }, table);
}

// A table that becomes one card per row on a narrow screen (style.css, `table.stacked`):
// each cell shows its column's heading before it (`data-label`, the header row itself is
// hidden there), so nothing is cut off or scrolled sideways at 375 px. Rows, headers and
// cells keep their roles explicitly, as a table laid out as blocks loses them in some
// screen readers. `label` names the table; `heads` are the column headings' texts, in
// order; the rows' cells (th and td) are labelled by position.
export function stackedTable(label, attrs, heads, rows) {
  for (const row of rows) {
    row.setAttribute('role', 'row');
    [...row.children].forEach((cell, i) => {
      cell.setAttribute('role', cell.tagName === 'TH' ? 'rowheader' : 'cell');
      if (heads[i]) cell.dataset.label = heads[i];
    });
  }
  return h('table', { ...attrs, class: `stacked ${attrs.class || ''}`.trim(), role: 'table', 'aria-label': label },
    h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, ...heads.map((text) => h('th', { scope: 'col', role: 'columnheader' }, text)))),
    h('tbody', { role: 'rowgroup' }, ...rows));
}

// A labelled form field; returns [wrapper, input].
export function field(id, label, attrs = {}) {
  const input = h('input', { id, name: id, ...attrs });
  return [h('div', {}, h('label', { for: id }, label), input), input];
}

// Text that people wrote (a name, a unit, a room title, a file name, a message) in its
// own bidi isolate, its direction taken from its first strong letter: a right-to-left
// override or an Arabic name in it cannot reorder the page around it (UAX #9 isolates).
// The server refuses such characters in names and closes overrides in messages; this
// also covers what was stored before that.
export function userText(text) {
  return h('bdi', { dir: 'auto' }, text);
}

export function announce(text) {
  const status = document.getElementById('status');
  status.textContent = '';
  setTimeout(() => { status.textContent = text; }, 50);
}

// Replaces the page content, sets the title (text or parts, see userText) and moves
// focus to the heading.
export function show(title, ...content) {
  const main = document.getElementById('main');
  const heading = h('h1', { tabindex: '-1' }, title);
  main.replaceChildren(heading, ...content);
  document.title = `${heading.textContent} – Durchwahl`;
  heading.focus();
}

// An error area that screen readers read out when it changes.
export function errorBox() {
  return h('p', { class: 'error', role: 'alert' });
}

export function formatTime(unix) {
  return new Date(unix * 1000).toLocaleString(document.documentElement.lang === 'en' ? 'en-GB' : 'de-DE');
}

// Pages that listen to live events register their clean-up here; the router runs it
// when the next page is shown.
let leaving = [];
let pageNumber = 0;

export function onLeave(fn) { leaving.push(fn); }

export function leavePage() {
  pageNumber += 1;
  const fns = leaving;
  leaving = [];
  for (const fn of fns) fn();
}

// A check for async pages: false once the person has moved on to another page.
export function pageStillShown() {
  const mine = pageNumber;
  return () => mine === pageNumber;
}
