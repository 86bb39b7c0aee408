//! The axioms of MODEL.md hold in whole runs, whatever the levers.

use agora::engine::Simulation;
use agora::scenario::load_str;

#[test]
fn no_need_no_action_even_with_every_lever_pulled() {
    let s = load_str(
        r#"
name = "needless"
days = 60
seed = 2
[population]
size = 5000
[[population.segments]]
needs = {}
advertiser_share = 0.0
incentive_sensitivity = 1.0
join_threshold = { mean = 0.0, sd = 0.0 }
[community]
seed_members = 10
[rules]
moderators_per_group = 2
[incentives]
red_envelope = { per_post = 5.0, daily_budget = 1000.0 }
badges = { levels = [1, 2, 3], esteem = 1.0 }
[[events]]
kind = "topic"
every_days = 1
boost = 5.0
[[events]]
kind = "guest"
every_days = 2
[[events]]
kind = "offline"
every_days = 3
capacity = 1000
[acquisition]
ad_reach = 0.05
[monetization]
purchase_rate = 0.5
price = 10.0
commitment_floor = 0.0
"#,
        "needless",
        &[],
    )
    .unwrap();
    let mut sim = Simulation::new(&s, 0);
    let mut joined = 0;
    for _ in 0..s.days() {
        let d = sim.step();
        joined += d.joins;
        assert_eq!(
            d.posts + d.ads_posted,
            0,
            "day {}: nobody without needs posts",
            d.day
        );
        assert_eq!(
            d.mean_commitment, 0.0,
            "day {}: commitment stays exactly 0",
            d.day
        );
        let sat = [
            d.sat_safety,
            d.sat_belonging,
            d.sat_esteem,
            d.sat_self_actualization,
        ];
        assert_eq!(sat, [0.0; 4], "day {}: no value received", d.day);
        assert_eq!(d.revenue, 0.0, "day {}: nobody without needs buys", d.day);
    }
    assert!(joined > 100, "the test needs members: {joined}");
}

#[test]
fn counts_conserve_the_population_every_day() {
    let s = load_str(
        r#"
name = "busy"
days = 120
seed = 5
[population]
size = 6000
[[population.segments]]
name = "members"
share = 0.8
[[population.segments]]
name = "sellers"
share = 0.2
needs = { promotion = 0.8, work = 0.4 }
advertiser_share = 0.8
[community]
seed_members = 5
group_cap = 200
[rules]
ads = "banned"
moderators_per_group = 1
reviews_per_moderator = 3
kick_after = 1
[acquisition]
ad_reach = 0.01
"#,
        "busy",
        &[],
    )
    .unwrap();
    let mut sim = Simulation::new(&s, 0);
    let (mut kicks, mut quits) = (0, 0);
    for _ in 0..s.days() {
        let d = sim.step();
        let [outside, members, left, kicked] = sim.status_counts();
        assert_eq!(outside + members + left + kicked, s.size(), "day {}", d.day);
        assert_eq!(members, d.members, "day {}", d.day);
        assert_eq!(
            d.absent + d.lurkers + d.posters + d.advertisers,
            d.members,
            "day {}",
            d.day
        );
        kicks += d.kicks;
        quits += d.quits;
        assert_eq!(kicked, kicks, "day {}: kicked agents add up", d.day);
        assert_eq!(left, quits, "day {}: left agents add up", d.day);
    }
    assert!(
        kicks > 0 && quits > 0,
        "the test exercises kicks ({kicks}) and quits ({quits})"
    );
}
