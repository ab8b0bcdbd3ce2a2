// A capacity figure's values in words people read: bytes in KiB/MiB/GiB/TiB, processor
// cores with their plural, counts as whole numbers, and a value against its limit
// ("3 von 50", "1,2 GiB von 4 GiB", "21 %"), in the page's language.
import { t, lang } from '../i18n.js';

export function locale() { return lang() === 'en' ? 'en-GB' : 'de-DE'; }

const number = (n, digits) => new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n);
const present = (v) => typeof v === 'number' && Number.isFinite(v);

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

// The binary unit that suits `scale` bytes.
function byteStep(scale) {
  let step = 0;
  while (step < BYTE_UNITS.length - 1 && Math.abs(scale) >= 1024 ** (step + 1)) step += 1;
  return step;
}

function bytes(v, step) {
  const n = v / 1024 ** step;
  return `${number(n, step === 0 || Math.abs(n) >= 100 ? 0 : 1)}\u00a0${BYTE_UNITS[step]}`;
}

function cores(v) { return number(v, Math.abs(v) >= 10 ? 1 : 2); }
function count(v) { return number(v, Number.isInteger(v) ? 0 : 1); }

// "1 Kern" but "1,5 Kerne" and "0,98 Kerne" (said as 0,98, not rounded to 1).
const one = (text) => text === number(1, 0);

// One value with its unit: "79 MiB", "1,2 GiB", "0,42 Kerne", "3"; `bare` leaves out
// "Kerne" (a table whose caption names it).
export function valueText(figure, v, bare = false) {
  if (!present(v)) return t('capNoValue');
  if (figure.unit === 'bytes') return bytes(v, byteStep(v));
  if (figure.unit === 'cores') return bare ? cores(v) : t(one(cores(v)) ? 'capCoresOne' : 'capCores', { v: cores(v) });
  const text = count(v);
  return figure.unit && !['count', 'cores', 'bytes'].includes(figure.unit) ? `${text} ${figure.unit}` : text;
}

// The share of the limit in whole per cent, or null without a limit.
export function percent(figure) {
  if (!present(figure.value) || !present(figure.limit) || figure.limit <= 0) return null;
  return Math.round((figure.value / figure.limit) * 100);
}

// "21 %", and "unter 1 %" for a value that is not nothing.
export function percentText(p, figure) {
  return p === 0 && figure.value > 0 ? t('capPercentBelowOne') : t('capPercent', { p: number(p, 0) });
}

// The value against the limit: "3 von 50", "0,42 von 2 Kernen", "79 MiB von 4 GiB";
// the value alone without a limit.
export function againstLimit(figure) {
  const { value: v, limit: l } = figure;
  if (!present(v)) return t('capNoValue');
  if (!present(l)) return valueText(figure, v);
  if (figure.unit === 'cores') return t(one(cores(l)) ? 'capOfCoresOne' : 'capOfCores', { v: cores(v), l: cores(l) });
  return t('capOf', { v: valueText(figure, v), l: valueText(figure, l) });
}

// A time of day, or a date and time when not today.
export function timeText(unix, withDate = false) {
  const at = new Date(unix * 1000);
  return withDate
    ? at.toLocaleString(locale(), { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })
    : at.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' });
}
