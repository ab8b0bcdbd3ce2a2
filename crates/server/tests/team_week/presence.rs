//! Today's plan sets the presence location, by the half-day `[desks] afternoon_starts`
//! begins; a location set by hand today stays.

use super::*;

fn location_of(client: &mut Client, login: &str) -> Value {
    let r = client.get(&format!("/api/v1/presence?logins={login}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["entries"][0]["presence"]["location"].clone()
}

#[test]
fn the_presence_location_follows_todays_plan_unless_set_by_hand() {
    for s in servers() {
        let mut carl = s.signed_in("c.clerk");
        let today = today();
        let monday = today
            .checked_sub(jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset())))
            .unwrap();
        let i = today.weekday().to_monday_zero_offset() as usize;
        // On a business trip all day today: "on the road" (others see it while Carl is
        // online; offline people show no location, so Carl looks at his own entry).
        let mut days = week(&[]);
        days[i] = json!({"morning": "business_trip", "afternoon": "business_trip"});
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": monday.to_string(), "days": days}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(
            location_of(&mut carl, "c.clerk"),
            "on_the_road",
            "{}",
            s.label
        );
        // In the office after all: the plan moves the location along.
        days[i] = json!({"morning": "office", "afternoon": "office"});
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": monday.to_string(), "days": days.clone()}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(location_of(&mut carl, "c.clerk"), "office", "{}", s.label);
        // Carl says by hand he works from home today: the plan leaves that alone.
        let r = put(
            &mut carl,
            "/api/v1/me/presence",
            json!({"state": "available", "location": "home_office"}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        days[i] = json!({"morning": "business_trip", "afternoon": "business_trip"});
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": monday.to_string(), "days": days}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            location_of(&mut carl, "c.clerk"),
            "home_office",
            "{}",
            s.label
        );
    }
}

#[test]
fn the_plan_s_half_day_changes_when_the_desks_afternoon_starts() {
    // The afternoon is moved to the other side of now from the default 13:00: before one
    // it starts at 00:01 (so it is the afternoon already), after one at 23:59 (so it is
    // still the morning). The half the location follows proves the setting counts.
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let clock = || tz.to_datetime(jiff::Timestamp::now()).time();
    let before_one = clock() < jiff::civil::Time::constant(13, 0, 0, 0);
    let starts = if before_one { "00:01" } else { "23:59" };
    let servers = testkit::server::on_every_database(|| {
        let mut config = durchwahl::config::Config::default();
        config.sip.domain = "test.local".into();
        config.desks.morning_starts = "00:00".into();
        config.desks.afternoon_starts = starts.into();
        config.desks.release_after_minutes = 0;
        testkit::server::Options {
            config,
            ..testkit::server::Options::default()
        }
    });
    for s in servers {
        let mut carl = s.signed_in("c.clerk");
        let today = today();
        let monday = today
            .checked_sub(jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset())))
            .unwrap();
        let i = today.weekday().to_monday_zero_offset() as usize;
        let mut days = week(&[]);
        days[i] = json!({"morning": "office", "afternoon": "business_trip"});
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": monday.to_string(), "days": days}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let afternoon = clock() >= jiff::civil::Time::constant(0, 1, 0, 0)
            && (before_one || clock() >= jiff::civil::Time::constant(23, 59, 0, 0));
        let expected = if afternoon { "on_the_road" } else { "office" };
        assert_eq!(location_of(&mut carl, "c.clerk"), expected, "{}", s.label);
    }
}
