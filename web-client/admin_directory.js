// Admin: staff from the administration's directory (Active Directory or another LDAP
// server, [directory.ldap] in durchwahl.toml). The settings, a preview and a sync on a
// button with the result in a live region, the guard's stop with "apply anyway" after a
// confirmation, and the latest syncs with their reports. An outcome is a symbol and words
// (never colour alone).
import { api } from './api.js';
import { h, show, errorBox, announce, scrollable, userText, pageStillShown } from './dom.js';
import { t, lang } from './i18n.js';
import { explain } from './sign_in.js';

const OUTCOMES = { applied: '✓', dry_run: '◇', guard: '⚠', failed: '✕' };
const TRIGGERS = ['start', 'schedule', 'cli', 'admin'];
const KINDS = ['full', 'incremental'];
// A report's counts: its field, the word after a number, the column's header.
const COUNTS = [
  ['added', 'dirAdded', 'dirColAdded'],
  ['changed', 'dirChanged', 'dirColChanged'],
  ['disabled', 'dirDisabled', 'dirColDisabled'],
  ['enabled', 'dirEnabled', 'dirColEnabled'],
  ['problems', 'dirProblems', 'dirColProblems'],
];

function locale() { return lang() === 'en' ? 'en-GB' : 'de-DE'; }

function timeText(iso) {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? '–' : at.toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'medium' });
}

// An ISO 8601 UTC time in local date and time (the browser's time zone).
function localTime(iso) {
  const text = timeText(iso);
  return text === '–' ? h('span', {}, text) : h('time', { datetime: iso }, text);
}

function percent(p) { return new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(p); }

// The word for a value the server names (an outcome, a trigger, a kind); an unknown one as it is.
function word(prefix, value, known) { return known.includes(value) ? t(`${prefix}_${value}`) : String(value); }

function outcomeWords(outcome) { return word('dirOutcome', outcome, Object.keys(OUTCOMES)); }

// The symbol stays on the line of the first word.
function outcomeBadge(outcome) {
  const known = Object.hasOwn(OUTCOMES, outcome);
  const [first, ...rest] = outcomeWords(outcome).split(' ');
  return h('span', { class: `dir-outcome dir-outcome-${known ? outcome : 'unknown'}` },
    h('span', { class: 'keep' }, h('span', { class: 'symbol', 'aria-hidden': 'true' }, known ? OUTCOMES[outcome] : '?'), ' ', first),
    rest.length ? ` ${rest.join(' ')}` : null);
}

function settingsList(s) {
  const interval = s.interval_minutes === 0 ? t('dirIntervalOff')
    : s.interval_minutes === 1 ? t('dirIntervalOne') : t('dirIntervalEvery', { n: s.interval_minutes });
  const rows = [
    [t('dirUrl'), h('code', {}, s.url)],
    [t('dirBaseDn'), h('code', {}, s.base_dn)],
    [t('dirFilter'), h('code', {}, s.user_filter)],
    [t('dirInterval'), interval],
    [t('dirGuard'), t('dirGuardValue', { p: percent(s.max_disable_percent) })],
    [t('dirPasswordSignIn'), s.password_sign_in ? t('yes') : t('no')],
  ];
  return h('dl', { class: 'dir-settings', id: 'dir-settings' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// A report's lines (English, as on the command line) in a box that scrolls; the box takes
// focus so that keyboard users can scroll it too.
function linesBox(lines, label) {
  if (!lines.length) return h('p', { class: 'hint dir-no-lines' }, t('dirNoLines'));
  return h('div', { class: 'dir-lines', role: 'region', 'aria-label': label, tabindex: '0' },
    h('ul', { lang: 'en' }, ...lines.map((line) => h('li', {}, userText(line)))));
}

function counts(report) {
  return h('ul', { class: 'dir-counts' }, ...COUNTS.map(([field, after]) =>
    h('li', { 'data-count': field }, h('strong', {}, String(report[field] ?? 0)), ' ', t(after))));
}

// One sync of the log: its row, and a row under it whose details hold the report.
function runRows(run) {
  const lines = run.lines || [];
  const row = h('tr', { 'data-outcome': run.outcome, class: lines.length ? 'has-lines' : null },
    h('th', { scope: 'row' }, localTime(run.started_at), h('span', { class: 'dir-took' }, t('dirSeconds', { n: run.seconds }))),
    h('td', {}, word('dirTrigger', run.trigger, TRIGGERS)),
    h('td', {}, word('dirKind', run.kind, KINDS)),
    h('td', {}, outcomeBadge(run.outcome)),
    ...COUNTS.map(([field]) => h('td', { class: 'num' }, String(run[field] ?? 0))));
  if (!lines.length) return [row];
  const of = t('dirLinesOf', { t: timeText(run.started_at) });
  const summary = h('summary', {}, lines.length === 1 ? t('dirShowLinesOne') : t('dirShowLines', { n: lines.length }),
    h('span', { class: 'visually-hidden' }, ` ${of}`));
  return [row, h('tr', { class: 'dir-run-lines' },
    h('td', { colspan: String(4 + COUNTS.length) }, h('details', {}, summary, linesBox(lines, `${t('dirLines')} ${of}`))))];
}

function runsTable(runs) {
  if (!runs.length) return h('p', { id: 'dir-runs-none' }, t('dirRunsNone'));
  const heads = [t('dirStarted'), t('dirTrigger'), t('dirKind'), t('dirOutcome')].map((c) => h('th', { scope: 'col' }, c));
  const countHeads = COUNTS.map(([, , head]) => h('th', { scope: 'col', class: 'num' }, t(head)));
  return scrollable(t('dirRuns'), h('table', { id: 'dir-runs' },
    h('caption', {}, t('dirRunsCaption')),
    h('thead', {}, h('tr', {}, ...heads, ...countHeads)),
    h('tbody', {}, ...runs.flatMap(runRows))));
}

export async function showDirectory() {
  const stillShown = pageStillShown();
  const error = errorBox();
  const intro = h('p', {}, t('dirIntro'));
  const first = await api('GET', '/api/v1/admin/directory').catch(() => ({ ok: false, status: 0 }));
  if (!stillShown()) return;
  if (!first.ok) {
    error.textContent = explain(first);
    show(t('directory'), intro, error);
    return;
  }
  const { settings } = first.data;
  const runsBox = h('div', { id: 'dir-runs-box' }, runsTable(first.data.runs || []));
  const refresh = h('button', { type: 'button', class: 'secondary', id: 'dir-runs-refresh', onclick: () => loadRuns(true) }, t('dirRunsRefresh'));
  const runsSection = [h('h2', {}, t('dirRuns')), h('div', { class: 'dir-bar' }, refresh), runsBox];

  async function loadRuns(asked) {
    const r = await api('GET', '/api/v1/admin/directory').catch(() => ({ ok: false, status: 0 }));
    if (!stillShown()) return;
    if (!r.ok) { error.textContent = explain(r); return; }
    runsBox.replaceChildren(runsTable(r.data.runs || []));
    if (asked) announce(t('dirRunsUpdated'));
  }

  if (!first.data.configured || !settings) {
    const none = [h('p', { id: 'dir-none' }, t('dirNone')), h('p', {}, t('dirNoneCsv'))];
    show(t('directory'), intro, error, ...none, ...((first.data.runs || []).length ? runsSection : []));
    return;
  }

  // The result of the last button: a heading, the guard's stop, the counts and the lines.
  // A live region of its own says "running …" (shown beside the buttons) and then the
  // result in a sentence (for screen readers only: the page shows it below; the lines
  // would be too long to hear).
  const status = h('p', { id: 'dir-status', role: 'status', class: 'hint' });
  const result = h('div', { id: 'dir-result' });
  let busy = false;
  const dryRun = h('button', { type: 'button', class: 'secondary', id: 'dir-dry-run', onclick: () => sync(true, false) }, t('dirDryRun'));
  const syncNow = h('button', { type: 'button', id: 'dir-sync', onclick: () => sync(false, false) }, t('dirSyncNow'));

  function setBusy(on) {
    busy = on;
    for (const b of [dryRun, syncNow, ...result.querySelectorAll('button')]) b.setAttribute('aria-disabled', String(on));
  }

  function guardBox(report) {
    const apply = h('button', { type: 'button', class: 'danger', id: 'dir-apply-anyway', onclick: () => {
      if (busy) return;
      if (!confirm(t('dirConfirmApply', { n: report.disabled }))) return;
      sync(false, true);
    } }, t('dirApplyAnyway'));
    return h('div', { class: 'dir-guard' },
      h('div', { role: 'alert', id: 'dir-guard' },
        h('p', {}, h('strong', {}, t('dirGuardStop', { n: report.disabled, p: percent(settings.max_disable_percent) }))),
        h('p', {}, t('dirGuardCheck'))),
      apply);
  }

  function showReport(report) {
    const focused = document.activeElement;
    const heading = h('h3', { tabindex: '-1', id: 'dir-result-heading' }, t('dirResult', { o: outcomeWords(report.outcome) }));
    result.replaceChildren(heading, ...(report.outcome === 'guard' ? [guardBox(report)] : []),
      counts(report), linesBox(report.lines || [], t('dirLines')));
    // "Apply anyway" is gone with the old result: the focus goes on to the new one.
    if (focused && !document.body.contains(focused)) heading.focus();
    status.classList.add('visually-hidden');
    status.textContent = report.outcome === 'guard' ? '' : t('dirResultSummary', {
      o: outcomeWords(report.outcome), a: report.added, c: report.changed, d: report.disabled, e: report.enabled, p: report.problems,
    });
  }

  async function sync(dry, confirmed) {
    if (busy) return;
    setBusy(true);
    status.classList.remove('visually-hidden');
    status.textContent = t(dry ? 'dirRunningDry' : 'dirRunning');
    const r = await api('POST', '/api/v1/admin/directory/sync', { dry_run: dry, confirm: confirmed })
      .catch(() => ({ ok: false, status: 0 }));
    setBusy(false);
    if (!stillShown()) return;
    if (r.ok) {
      error.textContent = '';
      showReport(r.data);
    } else {
      // An earlier result would read as this one's: it goes (and the focus, if in it, to
      // the sync button).
      const focusWasInResult = result.contains(document.activeElement);
      result.replaceChildren();
      if (focusWasInResult) syncNow.focus();
      status.textContent = '';
      const message = r.data && r.data.message;
      error.textContent = r.status === 503 && message ? t('dirUnreachable', { m: message }) : explain(r);
    }
    // A failed sync is logged as well.
    await loadRuns(false);
  }

  const syncHint = lang() === 'de' ? `${t('dirSyncHint')} ${t('dirLinesLanguage')}` : t('dirSyncHint');
  show(t('directory'), intro,
    h('h2', {}, t('dirSettings')), settingsList(settings), h('p', { class: 'hint' }, t('dirSettingsHint')),
    h('h2', {}, t('dirSync')), h('p', { class: 'hint' }, syncHint), h('div', { class: 'dir-bar' }, dryRun, syncNow, status),
    error, result,
    ...runsSection);
}
