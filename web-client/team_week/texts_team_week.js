// Texts of the team's week (#/week, "Wochenplanung"): one's week, the team calendar, the
// rotation for heads and deputies, calendar links; German first, merged into i18n.js.
// {d} a day, {w} a person, {n} a number, {h} a half-day.
export const teamWeekTexts = {
  de: {
    twNav: 'Wochenplanung', twTitle: 'Wochenplanung',
    twMine: 'Meine Woche', twWeekOf: 'Woche mit dem Tag', twShow: 'Anzeigen', twPrev: 'Vorige Woche', twNext: 'Nächste Woche',
    twAgreement: 'Ihre Vereinbarung: {a}.', twNoAgreement: 'Sie haben keine Vereinbarung über mobile Arbeit; mobile Tage sind nicht möglich.',
    twDay: 'Tag', twMorning: 'Vormittag', twAfternoon: 'Nachmittag', twCellLabel: '{d}, {h}',
    twLoc_office: 'Büro', twLoc_mobile: 'Mobil', twLoc_off: 'frei', twLoc_leave: 'Urlaub', twLoc_business_trip: 'Dienstreise', twLoc_sick: 'krank', twLoc_away: 'abwesend (sonstiges)',
    twSave: 'Woche speichern', twSaved: 'Ihre Woche ist gespeichert.', twNotSaved: 'Nicht gespeichert: {m}',
    twWishes: 'Wunschtage für mobile Arbeit', twWishesHint: 'Der Rotationsplan berücksichtigt Ihre Wünsche möglichst gerecht.', twSaveWishes: 'Wünsche speichern', twWishesSaved: 'Ihre Wunschtage sind gespeichert.',
    twTeam: 'Team-Kalender', twTeamOf: 'Team-Kalender {u}', twInOffice: 'Im Büro', twInOfficeOf: '{n} (mindestens {m})', twHalf: 'V: {m} / N: {a}',
    twRotation: 'Rotation planen', twUnit: 'Einheit', twRules: 'Regeln der Einheit', twMin: 'Mindestens im Büro',
    twOffices: 'Büros (eine Zeile je Büro: Name; Plätze; Benutzernamen durch Komma)', twSaveRules: 'Regeln speichern', twRulesSaved: 'Die Regeln sind gespeichert.',
    twWeeks: 'Wochen', twPropose: 'Plan vorschlagen', twConflict: 'Kein Plan: {m}', twProposed: 'Vorschlag ab {d} für {n} Wochen.',
    twPlanCaption: 'Plan ab {d}', twPerson: 'Person', twShares: 'Wünsche erfüllt: {g} von {w}', twCheck: 'Plan prüfen', twAccept: 'Plan annehmen',
    twNoBreaches: 'Der Plan hält alle Regeln ein.', twBreaches: 'Der Plan verletzt Regeln:', twAccepted: 'Der Plan ist angenommen; die Wochen aller sind eingetragen.',
    twSpot_office: 'Büro', twSpot_mobile: 'Mobil', twSpot_away: 'abwesend', twSpot_off: 'frei',
    twCsv: 'Plan als CSV herunterladen',
    twFeeds: 'Kalender-Links (iCal)', twFeedsHint: 'Mit einem Link zeigt Ihr Kalenderprogramm die Woche an. Wer den Link kennt, sieht sie; widerrufen Sie ihn, wenn er nicht mehr gebraucht wird.',
    twFeedPerson: 'Link für meine Woche erstellen', twFeedUnit: 'Link für mein Team erstellen', twFeedUrl: 'Neuer Kalender-Link (wird nur jetzt angezeigt)',
    twFeedScope_person: 'Meine Woche', twFeedScope_unit: 'Mein Team', twFeedLine: '{s}, erstellt {d}', twRevoke: 'Widerrufen', twRevokeOf: 'Widerrufen: {s}, erstellt {d}', twRevoked: 'Der Link ist widerrufen.', twNoFeeds: 'Sie haben keine Kalender-Links.',
  },
  en: {
    twNav: 'Week planning', twTitle: 'Week planning',
    twMine: 'My week', twWeekOf: 'Week with the day', twShow: 'Show', twPrev: 'Previous week', twNext: 'Next week',
    twAgreement: 'Your agreement: {a}.', twNoAgreement: 'You have no mobile-work agreement; mobile days are not possible.',
    twDay: 'Day', twMorning: 'Morning', twAfternoon: 'Afternoon', twCellLabel: '{d}, {h}',
    twLoc_office: 'Office', twLoc_mobile: 'Mobile', twLoc_off: 'off', twLoc_leave: 'Leave', twLoc_business_trip: 'Business trip', twLoc_sick: 'sick', twLoc_away: 'away (other)',
    twSave: 'Save week', twSaved: 'Your week is saved.', twNotSaved: 'Not saved: {m}',
    twWishes: 'Wished mobile days', twWishesHint: 'The rotation plan takes your wishes into account as fairly as it can.', twSaveWishes: 'Save wishes', twWishesSaved: 'Your wished days are saved.',
    twTeam: 'Team calendar', twTeamOf: 'Team calendar {u}', twInOffice: 'In the office', twInOfficeOf: '{n} (at least {m})', twHalf: 'M: {m} / A: {a}',
    twRotation: 'Plan the rotation', twUnit: 'Unit', twRules: 'Rules of the unit', twMin: 'At least in the office',
    twOffices: 'Offices (one line each: name; seats; logins separated by commas)', twSaveRules: 'Save rules', twRulesSaved: 'The rules are saved.',
    twWeeks: 'Weeks', twPropose: 'Propose a plan', twConflict: 'No plan: {m}', twProposed: 'Proposal from {d} for {n} weeks.',
    twPlanCaption: 'Plan from {d}', twPerson: 'Person', twShares: 'Wishes granted: {g} of {w}', twCheck: 'Check plan', twAccept: 'Accept plan',
    twNoBreaches: 'The plan keeps every rule.', twBreaches: 'The plan breaks rules:', twAccepted: 'The plan is accepted; everyone\'s weeks are filled in.',
    twSpot_office: 'Office', twSpot_mobile: 'Mobile', twSpot_away: 'away', twSpot_off: 'off',
    twCsv: 'Download the plan as CSV',
    twFeeds: 'Calendar links (iCal)', twFeedsHint: 'With a link your calendar program shows the week. Anyone who knows the link sees it; revoke it when it is no longer needed.',
    twFeedPerson: 'Create a link for my week', twFeedUnit: 'Create a link for my team', twFeedUrl: 'New calendar link (shown only now)',
    twFeedScope_person: 'My week', twFeedScope_unit: 'My team', twFeedLine: '{s}, created {d}', twRevoke: 'Revoke', twRevokeOf: 'Revoke: {s}, created {d}', twRevoked: 'The link is revoked.', twNoFeeds: 'You have no calendar links.',
  },
};

// Problem codes of the server's 422 answers, said in English (German: the server's words).
export const teamWeekProblems = {
  no_agreement: 'No mobile-work agreement is in force on this day.',
  not_agreed_day: 'This is not an agreed day for mobile work.',
  too_much_in_week: 'More mobile work in this week than agreed.',
  too_much_in_month: 'More mobile work in this month than allowed.',
};
