//! Unit and property tests of `domain::attribution`.
use super::*;
use proptest::prelude::*;

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36";

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
}

fn id(n: u128) -> ReferralId {
    ReferralId(uuid::Uuid::from_u128(n))
}

fn link(attribution: Attribution) -> LinkRules {
    LinkRules {
        earning: true,
        attribution,
        cookie_days: 60,
    }
}

fn referral(n: u128, created: i64, expires: i64) -> Referral {
    Referral {
        id: id(n),
        created_at: at(created),
        expires_at: at(expires),
    }
}

fn click_of(r: &Referral, secs: i64, ip: Option<&'static str>) -> Click<'static> {
    Click {
        id: VisitId(uuid::Uuid::from_u128(1000)),
        referral_id: r.id,
        at: at(secs),
        ip_hash: ip,
    }
}

#[test]
fn crawlers_and_links_that_do_not_earn_are_not_counted() {
    let suspended = LinkRules {
        earning: false,
        ..link(Attribution::LastClick)
    };
    assert_eq!(
        decide(suspended, BROWSER, || None, at(0)),
        Decision::Untracked
    );
    assert_eq!(
        decide(
            link(Attribution::LastClick),
            "Googlebot/2.1",
            || None,
            at(0)
        ),
        Decision::Untracked
    );
}

#[test]
fn a_new_referral_lasts_the_campaigns_cookie_days() {
    assert_eq!(
        decide(link(Attribution::FirstClick), BROWSER, || None, at(0)),
        Decision::Mint {
            expires_at: at(60 * 86_400)
        }
    );
}

#[test]
fn last_click_does_not_even_read_what_the_visitor_holds() {
    let decision = decide(
        link(Attribution::LastClick),
        BROWSER,
        || panic!("the held referral was read"),
        at(0),
    );
    assert!(matches!(decision, Decision::Mint { .. }));
}

#[test]
fn a_page_takes_its_fresh_click_only_by_claiming_it() {
    let r = referral(1, 0, 86_400);
    let click = click_of(&r, 0, Some("a"));

    let step = arrival(
        None,
        Some((r, click)),
        Some(Attribution::FirstClick),
        at(60),
    );

    assert_eq!(
        step,
        Arrival::Claim {
            referral: r.held(),
            click
        }
    );
    let from = |ip: &'static str| move || ip.to_owned();
    assert!(takes_click(true, &click, from("b")), "the first claim");
    assert!(
        takes_click(false, &click, from("a")),
        "the clicking address"
    );
    assert!(!takes_click(false, &click, from("b")), "anyone else");
}

#[test]
fn under_first_click_an_older_held_referral_stays_and_under_last_click_the_click_wins() {
    let old = referral(1, 0, 86_400);
    let r = referral(2, 100, 86_400);
    let click = click_of(&r, 100, None);

    assert_eq!(
        arrival(Some(old), Some((r, click)), None, at(200)),
        Arrival::Take(old.held()),
        "no via link: first click"
    );
    assert_eq!(
        arrival(
            Some(old),
            Some((r, click)),
            Some(Attribution::LastClick),
            at(200)
        ),
        Arrival::Claim {
            referral: r.held(),
            click
        }
    );
    assert_eq!(
        arrival(Some(r), Some((r, click)), None, at(200)),
        Arrival::Take(r.held()),
        "its own referral: no claim needed"
    );
}

#[test]
fn a_stale_or_mismatched_click_is_not_taken() {
    let r = referral(1, 0, 86_400);
    let stale = click_of(&r, 0, None);
    let window = CLICK_WINDOW.num_seconds();
    assert_eq!(
        arrival(None, Some((r, stale)), None, at(window)),
        Arrival::ByVia
    );
    let other = Click {
        referral_id: id(9),
        ..click_of(&r, 0, None)
    };
    assert_eq!(arrival(None, Some((r, other)), None, at(1)), Arrival::ByVia);
}

#[test]
fn via_confirms_the_page_referral_when_nothing_is_counted() {
    let held = referral(1, 0, 86_400).held();
    let suspended = LinkRules {
        earning: false,
        ..link(Attribution::FirstClick)
    };
    assert_eq!(
        by_via::<()>(Some(held), None, BROWSER, at(1)),
        ViaVisit::Confirm(Some(held))
    );
    assert_eq!(
        by_via(Some(held), Some(((), suspended)), BROWSER, at(1)),
        ViaVisit::Confirm(Some(held))
    );
    assert_eq!(
        by_via(
            Some(held),
            Some(((), link(Attribution::FirstClick))),
            BROWSER,
            at(1)
        ),
        ViaVisit::Keep(held, ())
    );
}

#[test]
fn the_scripts_cookie_keeps_what_is_left_rounded_up() {
    assert_eq!(cookie_days_left(at(86_400 + 1), at(0)), 2);
    assert_eq!(cookie_days_left(at(86_400), at(0)), 1);
    assert_eq!(cookie_days_left(at(10), at(0)), 1);
    assert_eq!(cookie_days_left(at(0), at(10)), 1, "at least one");
}

fn any_attribution() -> impl Strategy<Value = Attribution> {
    prop_oneof![Just(Attribution::FirstClick), Just(Attribution::LastClick)]
}

fn any_user_agent() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just(BROWSER),
        Just("Googlebot/2.1"),
        Just("facebookexternalhit/1.1"),
        Just("")
    ]
}

fn any_link() -> impl Strategy<Value = LinkRules> {
    (any::<bool>(), any_attribution(), 1i32..=365).prop_map(
        |(earning, attribution, cookie_days)| LinkRules {
            earning,
            attribution,
            cookie_days,
        },
    )
}

/// Times within a year either side of `at(0)`, in seconds.
fn any_time() -> impl Strategy<Value = i64> {
    -31_536_000i64..31_536_000
}

fn any_referral() -> impl Strategy<Value = Referral> {
    (1u128..5, any_time(), any_time()).prop_map(|(n, c, e)| referral(n, c, e))
}

fn any_click() -> impl Strategy<Value = (Referral, Click<'static>)> {
    (
        any_referral(),
        any_time(),
        prop_oneof![Just(None), Just(Some("a")), Just(Some("b"))],
        any::<bool>(),
    )
        .prop_map(|(r, t, ip, matching)| {
            let mut c = click_of(&r, t, ip);
            if !matching {
                c.referral_id = id(99);
            }
            (r, c)
        })
}

proptest! {
    #[test]
    fn first_click_keeps_any_live_held_referral_whoever_sent_it(
        days in 1i32..=365, held_id in any::<u128>(), left in 1i64..31_536_000, now in any_time(),
    ) {
        let link = LinkRules { cookie_days: days, ..link(Attribution::FirstClick) };
        let held = Held { id: id(held_id), expires_at: at(now + left) };
        prop_assert_eq!(decide(link, BROWSER, || Some(held), at(now)), Decision::Keep(held));
    }

    #[test]
    fn last_click_always_takes_the_clicked_link(
        days in 1i32..=365, held in proptest::option::of((any::<u128>(), any_time())), now in any_time(),
    ) {
        let link = LinkRules { cookie_days: days, ..link(Attribution::LastClick) };
        let held = held.map(|(n, e)| Held { id: id(n), expires_at: at(e) });
        prop_assert_eq!(
            decide(link, BROWSER, || held, at(now)),
            Decision::Mint { expires_at: at(now) + Duration::days(days.into()) }
        );
    }

    #[test]
    fn an_expired_referral_is_never_kept(
        link in any_link(), ua in any_user_agent(), held_id in any::<u128>(),
        ago in 0i64..31_536_000, now in any_time(), clicked in proptest::option::of(any_click()),
        via in proptest::option::of(any_attribution()), created in any_time(),
    ) {
        let expired = Referral { id: id(held_id), created_at: at(created), expires_at: at(now - ago) };
        let decision = decide(link, ua, || Some(expired.held()), at(now));
        prop_assert!(!matches!(decision, Decision::Keep(_)), "{:?}", decision);
        let visit = by_via(Some(expired.held()), Some(((), link)), ua, at(now));
        prop_assert!(matches!(visit, ViaVisit::Mint { .. } | ViaVisit::Confirm(None)), "{:?}", visit);
        match arrival(Some(expired), clicked, via, at(now)) {
            Arrival::Take(h) | Arrival::Claim { referral: h, .. } => {
                prop_assert!(h.is_live(at(now)), "{:?}", h);
                prop_assert_ne!(h, expired.held());
            }
            Arrival::ByVia => {}
        }
    }

    #[test]
    fn a_click_is_taken_only_fresh_and_only_its_own_referral(
        held in proptest::option::of(any_referral()), clicked in any_click(),
        via in proptest::option::of(any_attribution()), now in any_time(),
    ) {
        let (r, click) = clicked;
        let step = arrival(held, Some((r, click)), via, at(now));
        let fresh = click.at > at(now) - CLICK_WINDOW && click.referral_id == r.id;
        let takes_the_click = match step {
            Arrival::Claim { referral, .. } => referral == r.held(),
            Arrival::Take(h) => h == r.held() && held.is_none_or(|h| h.id != r.id),
            Arrival::ByVia => false,
        };
        if takes_the_click {
            prop_assert!(fresh, "{:?} for {:?}", step, click);
        }
        if !fresh {
            prop_assert_eq!(step, Arrival::ByVia);
        }
    }

    #[test]
    fn an_unclaimed_click_is_taken_only_from_the_clicking_address(
        clicked in any_click(), visitor in prop_oneof![Just("a"), Just("b")],
    ) {
        let (_, click) = clicked;
        prop_assert_eq!(
            takes_click(false, &click, || visitor.to_owned()),
            click.ip_hash == Some(visitor)
        );
        prop_assert!(takes_click(true, &click, || unreachable!("a claimed click asks no address")));
    }

    #[test]
    fn crawlers_and_links_that_do_not_earn_never_count(
        link in any_link(), ua in any_user_agent(), now in any_time(),
    ) {
        let counted = link.earning && ua == BROWSER;
        let decision = decide(link, ua, || None, at(now));
        prop_assert_eq!(decision != Decision::Untracked, counted);
    }
}
