// German first, English on request (?lang=en or the language menu; remembered).
import { liveTexts } from './texts_live.js';
import { forwardingTexts } from './texts_forwarding.js';
import { phoneTexts } from './texts_phone.js';
import { trunkTexts } from './texts_trunks.js';
import { ssoTexts } from './texts_sso.js';
import { directoryTexts } from './texts_directory.js';
import { mailTexts } from './texts_mail.js';
import { hotlineTexts } from './hotline/texts_hotline.js';
import { hotlineEditTexts } from './hotline/texts_hotline_edit.js';
import { caseTexts } from './hotline/cases/texts_cases.js';
import { voicemailTexts } from './voicemail/texts_voicemail.js';
import { faxTexts } from './fax/texts_fax.js';
import { mobileWorkTexts } from './mobile_work/texts_mobile_work.js';
import { rolloutTexts } from './rollout/texts_rollout.js';
import { deskTexts } from './desks/texts_desks.js';
import { teamWeekTexts } from './team_week/texts_team_week.js';
import { equipmentTexts } from './equipment/texts_equipment.js';
import { gatewayTexts } from './gateway/texts_gateway.js';
import { capacityTexts } from './capacity/texts_capacity.js';

const texts = {
  de: {
    skip: 'Zum Inhalt springen', language: 'Sprache', nav: 'Hauptnavigation',
    signIn: 'Anmelden', login: 'Benutzername', password: 'Passwort', submit: 'Anmelden',
    wrong: 'Benutzername, Passwort oder Code ist falsch.', tooMany: 'Zu viele Versuche. Bitte in {s} Sekunden erneut versuchen.',
    busy: 'Der Server ist gerade ausgelastet. Bitte gleich noch einmal versuchen.', failed: 'Das hat nicht geklappt: {m}',
    secondFactor: 'Zweiter Faktor', method: 'Verfahren', code: 'Code', confirm: 'Bestätigen',
    m_totp: 'Code aus der Authenticator-App', m_sms: 'Code per SMS', m_recovery: 'Wiederherstellungscode', m_letter: 'Code aus dem Brief der IT',
    sendSms: 'SMS-Code senden', smsSent: 'Der Code wurde per SMS gesendet. Er ist 5 Minuten gültig.',
    enrol: 'Authenticator-App einrichten', enrolIntro: 'Für die Anmeldung ist ein zweiter Faktor nötig. Scannen Sie den QR-Code mit einer Authenticator-App (z. B. FreeOTP, Google oder Microsoft Authenticator) und geben Sie den angezeigten Code ein.',
    secretText: 'Falls Sie den QR-Code nicht scannen können, geben Sie diesen Schlüssel ein:', qrTitle: 'QR-Code für die Authenticator-App',
    recoveryTitle: 'Ihre Wiederherstellungscodes', recoveryIntro: 'Bewahren Sie diese Codes sicher auf. Jeder Code gilt einmal, falls Sie keinen Zugriff auf die App haben. Sie werden nur jetzt angezeigt.',
    continue: 'Weiter', account: 'Mein Konto', staff: 'Mitarbeitende', locked: 'Gesperrte Konten', audit: 'Protokoll', logout: 'Abmelden',
    signedInAs: 'Angemeldet als {n} ({l}), {u}', appActive: 'Authenticator-App ist eingerichtet.', appMissing: 'Keine Authenticator-App eingerichtet.',
    codesLeft: 'Verbleibende Wiederherstellungscodes: {n}', newCodes: 'Neue Wiederherstellungscodes erzeugen',
    confirmWithPassword: 'Bitte bestätigen Sie mit Ihrem Passwort.',
    changePassword: 'Passwort ändern', currentPassword: 'Aktuelles Passwort', newPassword: 'Neues Passwort (mindestens 10 Zeichen)', save: 'Speichern',
    passwordChanged: 'Das Passwort wurde geändert.', sessions: 'Meine Sitzungen', started: 'Beginn', lastSeen: 'Zuletzt aktiv', from: 'Von', client: 'Programm',
    thisSession: 'diese Sitzung', end: 'Beenden', endAll: 'Überall abmelden', sessionEnded: 'Sitzung beendet.',
    search: 'Suche (Name, Benutzername, Durchwahl)', unit: 'Organisationseinheit', allUnits: 'Alle Einheiten', filter: 'Anzeigen',
    name: 'Name', extension: 'Durchwahl', roles: 'Rollen', features: 'Funktionen', select: 'Auswählen', selectAll: 'Alle auf dieser Seite auswählen',
    feature: 'Funktion', switchOn: 'Für Auswahl einschalten', switchOff: 'Für Auswahl ausschalten', unitOn: 'Für ganze Einheit einschalten', unitOff: 'Für ganze Einheit ausschalten',
    switched: '{f}: bei {c} von {s} Personen geändert.', nothingSelected: 'Bitte zuerst Personen auswählen.', found: '{n} Personen gefunden', foundOne: '1 Person gefunden',
    person: 'Person', email: 'E-Mail', mobile: 'Mobilnummer', homePhone: 'Telefon Homeoffice', saved: 'Gespeichert.',
    resetFactors: 'Zweiten Faktor zurücksetzen', resetDone: 'Der zweite Faktor wurde zurückgesetzt; alle Sitzungen der Person sind beendet.',
    letterCode: 'Einrichtungsbrief erzeugen', letterTitle: 'Einrichtungscode für Durchwahl', letterText: 'Melden Sie sich mit Benutzername und Passwort an und geben Sie als zweiten Faktor diesen einmaligen Code ein. Danach richten Sie Ihre Authenticator-App ein.',
    validUntil: 'Gültig bis', print: 'Drucken', unlock: 'Entsperren', unlocked: 'Entsperrt.', lockedUntil: 'Gesperrt bis', failures: 'Fehlversuche', noneLocked: 'Zurzeit ist kein Konto gesperrt.',
    time: 'Zeit', actor: 'Wer', action: 'Aktion', target: 'Betrifft', source: 'Adresse', detail: 'Details', since: 'Von (Datum)', until: 'Bis (Datum)', personFilter: 'Person', actionFilter: 'Aktion beginnt mit',
    exportCsv: 'Als CSV herunterladen', entries: '{n} Einträge', yes: 'ja', no: 'nein', hasPassword: 'Passwort gesetzt', back: 'Zurück zur Liste',
    confirmReset: 'Zweiten Faktor wirklich zurücksetzen?',
    rule: 'Zweiter Faktor', ruleIntro: 'Wer sich mit einem zweiten Faktor anmelden muss. Wer noch keinen hat, richtet direkt nach dem Passwort eine Authenticator-App ein.',
    ruleEveryone: 'Für alle Mitarbeitenden', ruleOutside: 'Bei Anmeldung von außerhalb der Büronetze', ruleUnits: 'Für diese Organisationseinheiten (mit ihren Untereinheiten)',
  },
  en: {
    skip: 'Skip to content', language: 'Language', nav: 'Main navigation',
    signIn: 'Sign in', login: 'Login', password: 'Password', submit: 'Sign in',
    wrong: 'Login, password or code is wrong.', tooMany: 'Too many attempts. Please try again in {s} seconds.',
    busy: 'The server is busy. Please try again in a moment.', failed: 'That did not work: {m}',
    secondFactor: 'Second factor', method: 'Method', code: 'Code', confirm: 'Confirm',
    m_totp: 'Code from the authenticator app', m_sms: 'Code by SMS', m_recovery: 'Recovery code', m_letter: 'Code from the IT letter',
    sendSms: 'Send SMS code', smsSent: 'The code was sent by SMS. It is valid for 5 minutes.',
    enrol: 'Set up an authenticator app', enrolIntro: 'Signing in needs a second factor. Scan the QR code with an authenticator app (e.g. FreeOTP, Google or Microsoft Authenticator) and enter the code it shows.',
    secretText: 'If you cannot scan the QR code, enter this key:', qrTitle: 'QR code for the authenticator app',
    recoveryTitle: 'Your recovery codes', recoveryIntro: 'Keep these codes safe. Each works once if you cannot use the app. They are shown only now.',
    continue: 'Continue', account: 'My account', staff: 'Staff', locked: 'Locked accounts', audit: 'Audit log', logout: 'Sign out',
    signedInAs: 'Signed in as {n} ({l}), {u}', appActive: 'An authenticator app is set up.', appMissing: 'No authenticator app is set up.',
    codesLeft: 'Recovery codes left: {n}', newCodes: 'Create new recovery codes',
    confirmWithPassword: 'Please confirm with your password.',
    changePassword: 'Change password', currentPassword: 'Current password', newPassword: 'New password (at least 10 characters)', save: 'Save',
    passwordChanged: 'The password was changed.', sessions: 'My sessions', started: 'Started', lastSeen: 'Last active', from: 'From', client: 'Client',
    thisSession: 'this session', end: 'End', endAll: 'Sign out everywhere', sessionEnded: 'Session ended.',
    search: 'Search (name, login, extension)', unit: 'Unit', allUnits: 'All units', filter: 'Show',
    name: 'Name', extension: 'Extension', roles: 'Roles', features: 'Features', select: 'Select', selectAll: 'Select all on this page',
    feature: 'Feature', switchOn: 'Switch on for selection', switchOff: 'Switch off for selection', unitOn: 'Switch on for the whole unit', unitOff: 'Switch off for the whole unit',
    switched: '{f}: changed for {c} of {s} people.', nothingSelected: 'Please select people first.', found: '{n} people found', foundOne: '1 person found',
    person: 'Person', email: 'E-mail', mobile: 'Mobile', homePhone: 'Home office phone', saved: 'Saved.',
    resetFactors: 'Reset second factor', resetDone: 'The second factor was reset; all of the person\'s sessions have ended.',
    letterCode: 'Create enrolment letter', letterTitle: 'Durchwahl enrolment code', letterText: 'Sign in with your login and password and enter this one-time code as the second factor. Then set up your authenticator app.',
    validUntil: 'Valid until', print: 'Print', unlock: 'Unlock', unlocked: 'Unlocked.', lockedUntil: 'Locked until', failures: 'Failures', noneLocked: 'No account is locked right now.',
    time: 'Time', actor: 'Who', action: 'Action', target: 'Concerns', source: 'Address', detail: 'Details', since: 'From (date)', until: 'To (date)', personFilter: 'Person', actionFilter: 'Action starts with',
    exportCsv: 'Download as CSV', entries: '{n} entries', yes: 'yes', no: 'no', hasPassword: 'Password set', back: 'Back to the list',
    confirmReset: 'Really reset the second factor?',
    rule: 'Second factor', ruleIntro: 'Who must sign in with a second factor. People without one set up an authenticator app right after their password.',
    ruleEveryone: 'For all staff', ruleOutside: 'When signing in from outside the office networks', ruleUnits: 'For these units (with their sub-units)',
  },
};

for (const l of ['de', 'en']) Object.assign(texts[l], liveTexts[l], forwardingTexts[l], phoneTexts[l], trunkTexts[l], directoryTexts[l], mailTexts[l], ssoTexts[l], hotlineTexts[l],
  hotlineEditTexts[l], caseTexts[l], voicemailTexts[l], faxTexts[l], mobileWorkTexts[l], rolloutTexts[l], deskTexts[l]);
for (const l of ['de', 'en']) Object.assign(texts[l], equipmentTexts[l]);
for (const l of ['de', 'en']) Object.assign(texts[l], teamWeekTexts[l]);
for (const l of ['de', 'en']) Object.assign(texts[l], gatewayTexts[l]);
for (const l of ['de', 'en']) Object.assign(texts[l], capacityTexts[l]);

function initial() {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (fromUrl === 'en' || fromUrl === 'de') { localStorage.setItem('lang', fromUrl); return fromUrl; }
  return localStorage.getItem('lang') === 'en' ? 'en' : 'de';
}

let current = initial();

export function lang() { return current; }

export function setLang(l) {
  current = l === 'en' ? 'en' : 'de';
  localStorage.setItem('lang', current);
  document.documentElement.lang = current;
}

export function t(key, vars = {}) {
  const text = texts[current][key] ?? texts.de[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? '');
}

// The same sentence as parts to append: a value that is an element (userText) stays an
// element of its own instead of being flattened into the sentence's text.
export function tParts(key, vars = {}) {
  const text = texts[current][key] ?? texts.de[key] ?? key;
  return text.split(/\{(\w+)\}/).map((part, i) => (i % 2 ? vars[part] ?? '' : part)).filter((p) => p !== '');
}
