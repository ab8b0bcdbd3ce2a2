// The hotline's pages by address, for app.js: #/hotline (agents' panel and the watched
// hotlines) and the administrators' #/admin/hotlines are plain routes there;
// #/hotline/{id}/board (wallboard; ?tv: the full-screen TV view) and #/hotline/{id}/report
// carry the hotline's id and are matched here. Also what starts and stops with a sign-in.
import { showWallboard } from './wallboard.js';
import { showReport } from './report.js';
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
  return null;
}

// After sign-in: which hotlines, the own agent state live, the chip in the header.
export function startHotline() {
  loadHotlines();
  startAgentState();
  mountAgentChip();
}

export function stopHotline() {
  unmountAgentChip();
  stopAgentState();
  forgetHotlines();
}
