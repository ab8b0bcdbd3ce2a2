// Phone numbers and parties as people read them.
import { t } from '../i18n.js';

// Areas with two digits after the 0 (Berlin, Hamburg, Frankfurt, München); most areas
// with three digits end in 1 (221 Köln, 911 Nürnberg); the rest have four or more. A
// simple grouping (DIN 5008 style, the last four digits after a hyphen), not a full plan.
function germanGroups(national) {
  let area;
  if (/^(30|40|69|89)/.test(national)) area = 2;
  else if (/^1[5-7]/.test(national)) area = 3;
  else if (national[2] === '1') area = 3;
  else area = 4;
  const head = national.slice(0, area);
  const rest = national.slice(area);
  if (/^1[5-7]/.test(national) || rest.length < 7) return [head, rest].filter(Boolean).join(' ');
  return `${head} ${rest.slice(0, -4)}-${rest.slice(-4)}`;
}

// "+4993219281234" → "+49 9321 928-1234", "093219281234" → "09321 928-1234"; an
// extension ("2502") or anything else stays as it is.
export function formatNumber(number) {
  if (!number) return '';
  const digits = String(number).replace(/[\s/()-]/g, '');
  if (/^\+49\d{6,}$/.test(digits)) return `+49 ${germanGroups(digits.slice(3))}`;
  if (/^0[1-9]\d{5,}$/.test(digits)) return `0${germanGroups(digits.slice(1))}`;
  if (/^\+\d{7,}$/.test(digits)) {
    const cc = digits.length > 11 ? 2 : 1;
    return `${digits.slice(0, cc + 1)} ${digits.slice(cc + 1)}`;
  }
  return String(number);
}

// A party's name, or its number when the directory does not know it.
export function partyName(party) {
  if (!party) return t('unknownCaller');
  return party.name || formatNumber(party.number) || t('unknownCaller');
}

// "Bürgeramt, 2001": what else is known about a party besides its name.
export function partyDetails(party) {
  if (!party) return '';
  const parts = [];
  if (party.unit) parts.push(party.unit);
  if (party.name && party.number) parts.push(formatNumber(party.number));
  return parts.join(', ');
}

// 75 → "1:15", 3725 → "1:02:05".
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}
