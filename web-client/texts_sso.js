// Texts of single sign-on on the sign-in page, German first; merged into i18n.js.
// {label} is the button's text from [auth.oidc] label.
export const ssoTexts = {
  de: {
    ssoOr: 'oder',
    ssoButton: 'Mit {label} anmelden',
    sso_state: 'Die Anmeldung über Single Sign-On ist abgelaufen oder wurde in einem anderen Fenster begonnen. Bitte noch einmal versuchen.',
    sso_denied: 'Der Anmeldedienst hat die Anmeldung abgebrochen oder abgelehnt.',
    sso_provider: 'Der Anmeldedienst hat die Anmeldung nicht bestätigt. Bitte noch einmal versuchen.',
    sso_unreachable: 'Der Anmeldedienst ist gerade nicht erreichbar. Bitte später noch einmal versuchen oder mit Benutzername und Passwort anmelden.',
    sso_token: 'Die Antwort des Anmeldedienstes war ungültig. Bitte wenden Sie sich an die IT.',
    sso_unknown: 'Zu diesem Konto gibt es keinen Zugang zu Durchwahl. Bitte wenden Sie sich an die IT.',
    sso_throttled: 'Zu viele Anmeldeversuche von dieser Adresse. Bitte etwas später noch einmal versuchen.',
    sso_busy: 'Gerade melden sich sehr viele Personen an. Bitte gleich noch einmal versuchen.',
    sso_other: 'Die Anmeldung über Single Sign-On hat nicht geklappt.',
  },
  en: {
    ssoOr: 'or',
    ssoButton: 'Sign in with {label}',
    sso_state: 'The single sign-on has expired or was started in another window. Please try again.',
    sso_denied: 'The sign-in service cancelled or refused the sign-in.',
    sso_provider: 'The sign-in service did not confirm the sign-in. Please try again.',
    sso_unreachable: 'The sign-in service cannot be reached right now. Please try again later or sign in with your login and password.',
    sso_token: 'The sign-in service\'s answer was not valid. Please contact your IT.',
    sso_unknown: 'This account has no access to Durchwahl. Please contact your IT.',
    sso_throttled: 'Too many sign-in attempts from this address. Please try again a little later.',
    sso_busy: 'Very many people are signing in right now. Please try again in a moment.',
    sso_other: 'The single sign-on did not work.',
  },
};
