//! The forwarding rules' tests: validation, targets (extensions and the box), paths.

use super::*;

fn own() -> Extension {
    Extension::parse("2501").unwrap()
}

fn known(ext: &Extension) -> bool {
    ["2301", "2401", "2502"].contains(&ext.as_str())
}

fn on(target: &str) -> RuleRequest<'_> {
    RuleRequest {
        on: true,
        target: Some(target),
    }
}

fn check(request: RulesRequest<'_>) -> Result<ForwardingRules, ForwardingError> {
    ForwardingRules::validate(&request, &own(), known)
}

#[test]
fn nothing_asked_forwards_nothing() {
    let rules = check(RulesRequest::default()).unwrap();
    assert_eq!(rules, ForwardingRules::default());
    for situation in [
        Situation::Unconditional,
        Situation::Busy,
        Situation::NoAnswer,
    ] {
        assert_eq!(target_for(&rules, situation), None);
    }
    assert_eq!(rules.no_answer_after(), None);
    assert_eq!(rules.no_answer_secs(), DEFAULT_NO_ANSWER_SECS);
    assert!(!rules.any_on());
}

#[test]
fn each_situation_takes_its_own_rule() {
    let rules = check(RulesRequest {
        always: on("2301"),
        busy: on(" 2401 "),
        no_answer: on("2502"),
        no_answer_secs: 30,
    })
    .unwrap();
    let target = |s| target_for(&rules, s).map(Destination::as_str);
    assert_eq!(target(Situation::Unconditional), Some("2301"));
    assert_eq!(target(Situation::Busy), Some("2401"));
    assert_eq!(target(Situation::NoAnswer), Some("2502"));
    assert_eq!(rules.no_answer_after(), Some(Duration::from_secs(30)));
}

#[test]
fn a_rule_switched_off_keeps_its_target_but_forwards_nothing() {
    let rules = check(RulesRequest {
        busy: RuleRequest {
            on: false,
            target: Some("2502"),
        },
        no_answer: RuleRequest {
            on: false,
            target: Some("2301"),
        },
        no_answer_secs: 45,
        ..RulesRequest::default()
    })
    .unwrap();
    assert_eq!(target_for(&rules, Situation::Busy), None);
    assert_eq!(
        rules.rule(RuleKind::Busy).target().map(Extension::as_str),
        Some("2502")
    );
    assert_eq!(rules.no_answer_after(), None);
    assert_eq!(rules.no_answer_secs(), 45);
    assert_eq!(
        ForwardingRules::validate(&rules.as_request(), &own(), known),
        Ok(rules)
    );
}

#[test]
fn a_rule_switched_on_needs_a_target() {
    for blank in [None, Some(""), Some("   ")] {
        let request = RulesRequest {
            busy: RuleRequest {
                on: true,
                target: blank,
            },
            ..RulesRequest::default()
        };
        assert_eq!(
            check(request),
            Err(ForwardingError::TargetMissing {
                rule: RuleKind::Busy
            })
        );
    }
}

#[test]
fn targets_must_be_extensions_of_someone_else_in_the_directory() {
    let with_always = |target| RulesRequest {
        always: on(target),
        ..RulesRequest::default()
    };
    assert_eq!(
        check(with_always("25o2")),
        Err(ForwardingError::TargetNotAnExtension {
            rule: RuleKind::Always,
            raw: "25o2".into()
        })
    );
    assert_eq!(
        check(with_always("2501")),
        Err(ForwardingError::TargetIsOwn {
            rule: RuleKind::Always,
            extension: own()
        })
    );
    let unknown = check(with_always("9999")).unwrap_err();
    assert_eq!(
        unknown,
        ForwardingError::TargetUnknown {
            rule: RuleKind::Always,
            extension: Extension::parse("9999").unwrap()
        }
    );
    assert_eq!(
        unknown.to_string(),
        "always forwarding: nobody in the directory has extension 9999"
    );
    // Also a rule that is off: what is kept must be valid when switched on later.
    let off_to_self = RulesRequest {
        no_answer: RuleRequest {
            on: false,
            target: Some("2501"),
        },
        ..RulesRequest::default()
    };
    assert_eq!(check(off_to_self).unwrap_err().rule(), RuleKind::NoAnswer);
}

#[test]
fn seconds_are_bounded() {
    for (seconds, ok) in [
        (4, false),
        (5, true),
        (120, true),
        (121, false),
        (-20, false),
        (i64::MAX, false),
    ] {
        let request = RulesRequest {
            no_answer: on("2502"),
            no_answer_secs: seconds,
            ..RulesRequest::default()
        };
        match check(request) {
            Ok(rules) => {
                assert!(ok, "{seconds} accepted");
                assert_eq!(i64::from(rules.no_answer_secs()), seconds);
            }
            Err(e) => {
                assert!(!ok, "{seconds} refused: {e}");
                assert_eq!(e, ForwardingError::SecondsOutOfRange { seconds });
                assert_eq!(e.rule(), RuleKind::NoAnswer);
            }
        }
    }
}

#[test]
fn the_first_problem_is_reported_in_form_order() {
    let request = RulesRequest {
        always: on("x"),
        busy: on("2501"),
        no_answer_secs: 2,
        ..RulesRequest::default()
    };
    assert_eq!(check(request).unwrap_err().rule(), RuleKind::Always);
}

#[test]
fn targets_to_look_up_are_the_well_formed_ones_once_each() {
    let request = RulesRequest {
        always: on("2502"),
        busy: on(" 2502"),
        no_answer: on("abc"),
        ..RulesRequest::default()
    };
    assert_eq!(request.targets(), vec![Extension::parse("2502").unwrap()]);
}

#[test]
fn kinds_have_stable_names_and_the_summary_reads_well() {
    for kind in RuleKind::ALL {
        assert_eq!(RuleKind::parse(kind.name()), Some(kind));
    }
    assert_eq!(RuleKind::parse("sometimes"), None);
    let rules = check(RulesRequest {
        busy: on("2502"),
        no_answer: RuleRequest {
            on: false,
            target: Some("2301"),
        },
        ..RulesRequest::default()
    })
    .unwrap();
    assert_eq!(
        rules.to_string(),
        "always off; busy on → 2502; no_answer off → 2301 after 20 s"
    );
}

#[test]
fn a_path_follows_deputies_but_never_in_a_circle_and_not_forever() {
    let ext = |e: &str| Extension::parse(e).unwrap();
    let always_to = |from: &str, to: &str| {
        let request = RulesRequest {
            always: on(to),
            ..RulesRequest::default()
        };
        ForwardingRules::validate(&request, &ext(from), |_| true).unwrap()
    };
    let mut path = ForwardingPath::new(ext("2001"));
    assert_eq!(
        path.forward(&ForwardingRules::default(), Situation::Busy),
        None
    );
    for (from, to) in [("2001", "2002"), ("2002", "2003"), ("2003", "2004")] {
        assert_eq!(
            path.forward(&always_to(from, to), Situation::Unconditional),
            Some(Destination::Extension(ext(to)))
        );
        assert_eq!(path.current(), &ext(to));
    }
    assert_eq!(path.hops(), MAX_FORWARDING_HOPS);
    assert_eq!(
        path.forward(&always_to("2004", "2005"), Situation::Unconditional),
        None,
        "hop limit"
    );
    let mut circle = ForwardingPath::new(ext("2001"));
    circle.forward(&always_to("2001", "2002"), Situation::Unconditional);
    assert_eq!(
        circle.forward(&always_to("2002", "2001"), Situation::Unconditional),
        None
    );
    assert_eq!(circle.current(), &ext("2002"));
}

#[test]
fn voicemail_is_a_target_of_every_rule_and_reads_back() {
    let rules = check(RulesRequest {
        always: RuleRequest {
            on: false,
            target: Some(" Voicemail "),
        },
        busy: on("voicemail"),
        no_answer: on("VOICEMAIL"),
        no_answer_secs: 25,
    })
    .unwrap();
    for kind in RuleKind::ALL {
        let rule = rules.rule(kind);
        assert_eq!(rule.destination(), Some(&Destination::Voicemail), "{kind}");
        assert_eq!(rule.target(), None, "no extension to look up: {kind}");
    }
    assert_eq!(target_for(&rules, Situation::Unconditional), None);
    assert_eq!(
        target_for(&rules, Situation::Busy),
        Some(&Destination::Voicemail)
    );
    assert_eq!(rules.no_answer_after(), Some(Duration::from_secs(25)));
    assert!(rules.as_request().targets().is_empty());
    assert_eq!(rules.as_request().busy.target, Some(VOICEMAIL));
    assert_eq!(
        ForwardingRules::validate(&rules.as_request(), &own(), known),
        Ok(rules.clone())
    );
    assert_eq!(
        rules.to_string(),
        "always off → voicemail; busy on → voicemail; no_answer on → voicemail after 25 s"
    );
    // Anything else that is no extension is still refused, naming both choices.
    let refused = check(RulesRequest {
        busy: on("mailbox"),
        ..RulesRequest::default()
    })
    .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "busy forwarding: \"mailbox\" is not an extension (2–15 digits) nor \"voicemail\""
    );
}

#[test]
fn the_voicemail_box_ends_a_path_and_is_no_hop() {
    let ext = |e: &str| Extension::parse(e).unwrap();
    let rules_of = |own: &str, request: RulesRequest<'_>| {
        ForwardingRules::validate(&request, &ext(own), |_| true).unwrap()
    };
    let always = |target| RulesRequest {
        always: on(target),
        ..RulesRequest::default()
    };
    let mut path = ForwardingPath::new(ext("2001"));
    for (from, to) in [("2001", "2002"), ("2002", "2003"), ("2003", "2004")] {
        path.forward(&rules_of(from, always(to)), Situation::Unconditional);
    }
    assert_eq!(path.hops(), MAX_FORWARDING_HOPS);
    // Forwarded as often as allowed, the last deputy's box still takes the call.
    let busy_to_box = rules_of(
        "2004",
        RulesRequest {
            busy: on(VOICEMAIL),
            ..RulesRequest::default()
        },
    );
    assert_eq!(path.forward(&busy_to_box, Situation::NoAnswer), None);
    assert!(!path.at_voicemail());
    assert_eq!(
        path.forward(&busy_to_box, Situation::Busy),
        Some(Destination::Voicemail)
    );
    assert!(path.at_voicemail());
    assert_eq!(path.current(), &ext("2004"), "the box is 2004's");
    assert_eq!(path.hops(), MAX_FORWARDING_HOPS);
    // Nothing moves the call on from the box.
    assert_eq!(path.forward(&busy_to_box, Situation::Busy), None);
    let mut fresh = ForwardingPath::new(ext("2001"));
    fresh.forward(
        &rules_of("2001", always(VOICEMAIL)),
        Situation::Unconditional,
    );
    assert_eq!(
        fresh.forward(&rules_of("2001", always("2002")), Situation::Unconditional),
        None
    );
    assert_eq!(fresh.current(), &ext("2001"));
}
