// The hotline's pages by address, for app.js: #/hotline (agents' panel and the watched
// hotlines) and the administrators' #/admin/hotlines are plain routes there;
// #/hotline/{id}/board (wallboard; ?tv: the full-screen TV view), #/hotline/{id}/report,
// the case database's #/hotline/{id}/cases, …/cases/new and …/cases/{n} (?call=… for an
// answered call), #/hotline/{id}/form (case form and slots) and the administrators'
// #/admin/hotlines/{id} carry the hotline's id and are matched here. Also what starts and
// stops with a sign-in.
import { showWallboard } from './wallboard.js';
import { showReport } from './report.js';
import { showAdminHotline } from './admin_hotline.js';
import { showCaseList } from './cases/case_list.js';
import { showCasePanel } from './cases/case_panel.js';
import { showFormPage } from './cases/form_page.js';
import { startCallCases, stopCallCases } from './cases/call_cases.js';
import { loadHotlines, forgetHotlines } from './access.js';
import { startAgentState, stopAgentState } from './agent_state.js';
import { mountAgentChip, unmountAgentChip } from './agent_chip.js';

export { showHotline } from './hotline.js';
export { showAdminHotlines } from './admin_hotlines.js';
export { hasHotlines, onHotlinesChanged } from './access.js';

// The page for a hotline's address with an id, or null.
export function hotlinePage(hash) {
  const board = /^#\/hotline\/(\d+)\/board(\?tv)?$/.exec(hash);
  if (board) return () => showWallboard(Number(board[1]), Boolean(board[2]));
  const report = /^#\/hotline\/(\d+)\/report$/.exec(hash);
  if (report) return () => showReport(Number(report[1]));
  const list = /^#\/hotline\/(\d+)\/cases$/.exec(hash);
  if (list) return () => showCaseList(Number(list[1]));
  const one = /^#\/hotline\/(\d+)\/cases\/(new|\d+)(?:\?call=([^&]+))?$/.exec(hash);
  if (one) return () => showCasePanel(Number(one[1]), one[2] === 'new' ? null : Number(one[2]), one[3] ? decodeURIComponent(one[3]) : null);
  const form = /^#\/hotline\/(\d+)\/form$/.exec(hash);
  if (form) return () => showFormPage(Number(form[1]));
  const admin = /^#\/admin\/hotlines\/(\d+)$/.exec(hash);
  if (admin) return () => showAdminHotline(Number(admin[1]));
  return null;
}

// After sign-in: which hotlines, the own agent state live, the chip in the header.
export function startHotline() {
  loadHotlines();
  startAgentState();
  mountAgentChip();
  startCallCases();
}

export function stopHotline() {
  stopCallCases();
  unmountAgentChip();
  stopAgentState();
  forgetHotlines();
}
