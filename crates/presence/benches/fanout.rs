//! Fan-out cost: one presence change in an organisation of 20,000 people, each with one
//! open client following their unit (30 people) and 20 favourites.
use presence::{ConnId, Hub, Manual, PersonId, Privacy, State};

fn main() {
    divan::main();
}

const PEOPLE: i64 = 20_000;

fn organisation() -> Hub {
    let mut hub = Hub::new(Privacy::default(), 3_600_000);
    for p in 0..PEOPLE {
        hub.upsert_person(PersonId(p), p / 30);
    }
    for p in 0..PEOPLE {
        let unit = p / 30;
        let mut follows: Vec<PersonId> = (unit * 30..(unit * 30 + 30).min(PEOPLE))
            .map(PersonId)
            .collect();
        follows.extend((1..=20).map(|k| PersonId((p + k * 997) % PEOPLE)));
        hub.handle_connect(0, ConnId(p as u64), PersonId(p), follows);
    }
    while hub.poll_event().is_some() {}
    hub
}

#[divan::bench(sample_count = 20, sample_size = 1000)]
fn one_change(bencher: divan::Bencher) {
    let mut hub = organisation();
    let mut i = 0i64;
    bencher.bench_local(|| {
        i += 1;
        let state = if i % 2 == 0 {
            State::Busy
        } else {
            State::Available
        };
        let manual = Manual::new(state, None, None, None, i).unwrap();
        hub.handle_set(i, PersonId(i * 7 % PEOPLE), manual);
        let mut delivered = 0;
        while let Some(e) = hub.poll_event() {
            if let presence::Event::Changed { recipients, .. } = e {
                delivered += recipients.len();
            }
        }
        delivered
    });
}
