import Foundation
import SasuraiCore
import SasuraiStore
import Testing

/// PROTOCOL.md 7.4's plan runs: PLAN, PLAN SHOW, PLAN LIST, COMMIT, REPLAN and WHY, and the
/// answers to the offers a commit makes (ACCEPT, DECLINE, expiry).
@Suite struct PlanCommandTests {
    /// Four applications with one best plan: q1 and q2 take wake's house and its two peach
    /// harvest seats (1000 + 300 + 4 labor days), q4 nanto's shared house in June (1000 + 300),
    /// and q3's budget fits no house in nanto.
    static let scenario = Fixture.scenario(applications: [
        Fixture.application("q1", "f-2", earliest: "2030-07-01", latest: "2030-07-05", towns: ["wake"]),
        Fixture.application("q2", "f-4", earliest: "2030-07-01", latest: "2030-07-05", towns: ["wake"]),
        Fixture.application("q3", "f-5", earliest: "2030-06-01", latest: "2030-06-05", towns: ["nanto"], budget: 500),
        Fixture.application("q4", "f-6", earliest: "2030-06-01", latest: "2030-06-05", towns: ["nanto"], budget: 1500),
    ], bookings: [])

    static let q3Reason = "no accommodation within budget 500 in nanto (cheapest after subsidy: 1000)"

    static let plan = Plan(score: 3980, assignments: [
        Assignment(application: ApplicationID("q1"), town: TownID("wake"), accommodation: AccommodationID("wake-vh"),
                   arrival: Day(year: 2030, month: 7, day: 1)!, nights: 4, slot: SlotID("wake-peach"), laborDays: 4),
        Assignment(application: ApplicationID("q2"), town: TownID("wake"), accommodation: AccommodationID("wake-vh"),
                   arrival: Day(year: 2030, month: 7, day: 1)!, nights: 4, slot: SlotID("wake-peach"), laborDays: 4),
        Assignment(application: ApplicationID("q4"), town: TownID("nanto"), accommodation: AccommodationID("nanto-sh"),
                   arrival: Day(year: 2030, month: 6, day: 1)!, nights: 4),
    ], unplaced: [UnplacedApplication(application: ApplicationID("q3"), reason: q3Reason)])

    /// PLAN SHOW's members (without the closing brace) for a plan of this scenario.
    static func shown(_ plan: Int, status: String, version: Int, score: Int = 3980, assigned: Int = 3,
                      unplaced: Int = 1) -> String {
        #"{"plan": \#(plan), "status": "\#(status)", "created_at": "<time>", "based_on_version": \#(version), "seed": 1, "score": \#(score), "upper_bound": \#(score), "assigned": \#(assigned), "unplaced": \#(unplaced), "elapsed_ms": <ms>"#
    }

    static func application(_ id: String, state: String, expires: String = "null", stay: String) -> String {
        let members = Fixture.application(id, "f-2", earliest: "2030-07-01", latest: "2030-07-05", towns: ["wake"])
        return #"{"application": \#(members), "state": "\#(state)", "state_changed_at": "<time>", "offer_expires_at": \#(expires), "stay": \#(stay)}"#
    }

    @Test func aPlanIsShownListedCommittedAndAnswered() throws {
        let world = try World(scenario: Self.scenario)
        defer { world.stop() }
        let dias = try world.freelancer("f-4")
        let q1 = Fixture.stay("q1", "wake", "wake-vh", "2030-07-01", slot: "wake-peach", laborDays: 4, state: "offered",
                              source: "plan")
        try converse([
            (world.planner, #"WHY {"application": "q3"}"#, #"OK {"application": "q3", "state": "pending", "plan": null, "reason": null}"#),
            (world.planner, "PLAN LIST", #"OK {"plans": []}"#),
            (world.planner, #"PLAN {"seconds": 1}"#, #"OK {"plan": 1, "status": "running"}"#),
        ])
        #expect(masked(try world.waitForPlan(1)) == "OK " + Self.shown(1, status: "finished", version: 1) + "}")
        let result = PlannerCommandTests.oneLine(PlanFile.write(Self.plan))
        try converse([
            (world.planner, #"PLAN SHOW {"plan": 1, "assignments": true}"#,
             "OK " + Self.shown(1, status: "finished", version: 1) + ", \"result\": \(result)}"),
            (world.planner, "PLAN LIST", "OK {\"plans\": [" + Self.shown(1, status: "finished", version: 1) + "}]}"),
            (world.planner, #"PLAN SHOW {"plan": 99}"#, "ERR NOT_FOUND plan 99"),
            (world.planner, #"PLAN SHOW {"plan": 0}"#, "ERR INVALID plan: 0 is out of range 1 to 9007199254740991"),
            (world.planner, #"WHY {"application": "q3"}"#,
             #"OK {"application": "q3", "state": "pending", "plan": 1, "reason": "\#(Self.q3Reason)"}"#),
            (world.planner, #"WHY {"application": "q1"}"#, #"OK {"application": "q1", "state": "pending", "plan": 1, "reason": null}"#),
            (world.planner, #"WHY {"application": "ghost"}"#, #"ERR NOT_FOUND application "ghost""#),
            (world.planner, #"COMMIT {"plan": 99}"#, "ERR NOT_FOUND plan 99"),
            (world.planner, #"COMMIT {"plan": 1, "offer_hours": 721}"#, "ERR INVALID offer_hours: 721 is out of range 1 to 720"),
            (world.planner, #"COMMIT {"plan": 1, "offer_hours": 2}"#, #"OK {"plan": 1, "offers": 3, "expires_at": "<time>"}"#),
            (world.planner, #"COMMIT {"plan": 1}"#, "ERR CONFLICT plan 1 is committed"),
            (world.planner, #"PLAN SHOW {"plan": 1}"#, "OK " + Self.shown(1, status: "committed", version: 1) + "}"),
            (world.f2, #"APPLICATIONS {"state": "offered"}"#,
             "OK {\"applications\": [\(Self.application("q1", state: "offered", expires: "\"<time>\"", stay: q1))]}"),
            (world.f2, #"ACCEPT {"application": "q1"}"#,
             "OK {\"application\": \"q1\", \"state\": \"confirmed\", \"stay\": \(q1.replacingOccurrences(of: "offered", with: "confirmed"))}"),
            (world.f2, #"ACCEPT {"application": "q1"}"#, #"ERR CONFLICT application "q1" is confirmed, not offered"#),
            (dias, #"DECLINE {"application": "q1"}"#, #"ERR FORBIDDEN application "q1" is not yours"#),
            (dias, #"DECLINE {"application": "q2"}"#, #"OK {"application": "q2", "state": "declined"}"#),
            (dias, #"ACCEPT {"application": "q2"}"#, #"ERR CONFLICT application "q2" is declined, not offered"#),
            (dias, #"WITHDRAW {"application": "q2"}"#, #"ERR CONFLICT application "q2" is declined; it cannot be withdrawn"#),
            (world.wake, #"ROSTER {"from": "2030-07-01", "to": "2030-08-01"}"#,
             "OK {\"town\": \"wake\", \"from\": \"2030-07-01\", \"to\": \"2030-08-01\", \"stays\": ["
                + Fixture.stayMembers("q1", "wake", "wake-vh", "2030-07-01", slot: "wake-peach", laborDays: 4, source: "plan")
                + #", "freelancer": "f-2", "name": "Berg"}]}"#),
            (world.planner, "STATS", #"OK {"towns": 2, "accommodations": 3, "slots": 2, "freelancers": 6, "applications": {"pending": 1, "offered": 1, "confirmed": 1, "declined": 1, "withdrawn": 0, "expired": 0, "cancelled": 0}, "state_version": 4, "plans_running": 0, "connections": 6}"#),
            // Stays from committed plans are the engine's output, not its input: not exported.
            (world.planner, "EXPORT", "OK {\"scenario\": \(PlannerCommandTests.oneLine(try Fixture.canonical(Self.scenario)))}"),
        ])
    }

    /// An offer whose deadline passed cannot be accepted, and the server expires it.
    ///
    /// The server's clock cannot be set from outside, so the deadline is moved into the past
    /// in the database itself; the expiry runs once a second, so the first ACCEPT may meet
    /// either the passed deadline or the already expired offer.
    @Test func anOfferExpiresAndFreesItsPlace() throws {
        let world = try World(scenario: Self.scenario)
        defer { world.stop() }
        let fujii = try world.freelancer("f-6")
        #expect(try world.planner.send(#"PLAN {"seconds": 1}"#) == #"OK {"plan": 1, "status": "running"}"#)
        try world.waitForPlan(1)
        #expect(masked(try world.planner.send(#"COMMIT {"plan": 1, "offer_hours": 1}"#))
                    == #"OK {"plan": 1, "offers": 3, "expires_at": "<time>"}"#)
        let database = try Database.open(path: world.running.databasePath)
        try database.execute("UPDATE applications SET offer_expires_at = '2020-01-01T09:00:00.000Z' WHERE id = 'q4'")
        let refused = try fujii.send(#"ACCEPT {"application": "q4"}"#)
        #expect([#"ERR CONFLICT the offer for "q4" expired at 2020-01-01T09:00:00.000Z"#,
                 #"ERR CONFLICT application "q4" is expired, not offered"#].contains(refused), "\(refused)")
        let deadline = Date().addingTimeInterval(5)
        while try fujii.send(#"APPLICATIONS {"state": "expired"}"#).contains(#""applications": []"#), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        let q4 = Fixture.application("q4", "f-6", earliest: "2030-06-01", latest: "2030-06-05", towns: ["nanto"], budget: 1500)
        try converse([
            (fujii, #"APPLICATIONS {"state": "expired"}"#,
             "OK {\"applications\": [{\"application\": \(q4), \"state\": \"expired\", \"state_changed_at\": \"<time>\", \"offer_expires_at\": null, \"stay\": null}]}"),
            (fujii, #"ACCEPT {"application": "q4"}"#, #"ERR CONFLICT application "q4" is expired, not offered"#),
            (fujii, #"DECLINE {"application": "q4"}"#, #"ERR CONFLICT application "q4" is expired, not offered"#),
            (fujii, #"WITHDRAW {"application": "q4"}"#, #"ERR CONFLICT application "q4" is expired; it cannot be withdrawn"#),
            (world.nanto, #"ROSTER {"from": "2030-06-01", "to": "2030-07-01"}"#,
             #"OK {"town": "nanto", "from": "2030-06-01", "to": "2030-07-01", "stays": []}"#),
        ])
    }

    @Test func aPlanComputedBeforeAWriteIsStale() throws {
        let world = try World(scenario: Self.scenario)
        defer { world.stop() }
        try world.planner.expect([
            (#"PLAN {"seconds": 1, "seed": 7}"#, #"OK {"plan": 1, "status": "running"}"#),
        ])
        try world.waitForPlan(1)
        try converse([
            (world.f2, #"PROFILE PUT {"name": "Berg"}"#,
             #"OK {"freelancer": {"id": "f-2", "name": "Berg", "skills": [], "relocation": "none"}, "created": false}"#),
            (world.planner, #"COMMIT {"plan": 1}"#, "ERR STALE plan 1 was computed on state version 1; the state is now 2"),
            (world.planner, #"COMMIT {"plan": 1}"#, "ERR STALE plan 1 was computed on state version 1; the state is now 2"),
            (world.planner, #"PLAN SHOW {"plan": 1}"#,
             "OK " + Self.shown(1, status: "stale", version: 1).replacingOccurrences(of: "\"seed\": 1", with: "\"seed\": 7") + "}"),
            (world.planner, #"WHY {"application": "q3"}"#,
             #"OK {"application": "q3", "state": "pending", "plan": 1, "reason": "\#(Self.q3Reason)"}"#),
        ])
    }

    @Test func planParametersAreChecked() throws {
        let world = try World(scenario: Self.scenario)
        defer { world.stop() }
        try world.planner.expect([
            (#"PLAN {"seconds": 0}"#, "ERR INVALID seconds: 0 is out of range 1 to 600"),
            (#"PLAN {"seconds": 601}"#, "ERR INVALID seconds: 601 is out of range 1 to 600"),
            (#"PLAN {"seed": -1}"#, "ERR INVALID seed: -1 is out of range 0 to 9007199254740991"),
            (#"PLAN {"weights": {"place": -1}}"#, "ERR INVALID weights.place: -1 is out of range 0 to 1000000"),
            (#"PLAN {"weights": {"colour": 1}}"#,
             "ERR INVALID weights.colour: unknown field; expected one of place, rank, rank_any, labor_day, relocation"),
            (#"REPLAN {"weights": {}}"#, "ERR INVALID weights: unknown field; expected one of seed, seconds, request"),
            (#"REPLAN {"seconds": 0}"#, "ERR INVALID seconds: 0 is out of range 1 to 600"),
            (#"PLAN LIST {"limit": 0}"#, "ERR INVALID limit: 0 is out of range 1 to 1000"),
            ("COMMIT", "ERR INVALID plan: missing required field"),
            ("WHY", "ERR INVALID application: missing required field"),
            ("PLAN LIST", #"OK {"plans": []}"#),
        ])
    }

    /// Weights given to PLAN replace the stored ones for that run only.
    @Test func planWeightsChangeTheScore() throws {
        let world = try World(scenario: Self.scenario)
        defer { world.stop() }
        #expect(try world.planner.send(#"PLAN {"seconds": 1, "weights": {"place": 2000}}"#) == #"OK {"plan": 1, "status": "running"}"#)
        #expect(masked(try world.waitForPlan(1)) == "OK " + Self.shown(1, status: "finished", version: 1, score: 6980) + "}")
    }

    /// A host's cancellation puts the application first in line: with one bed for two equal
    /// applications, the next run places the re-queued one. REPLAN then fills the bed its
    /// declined offer frees.
    @Test func aCancelledApplicationIsFirstInLineAndReplanFillsFreedPlaces() throws {
        let scenario = Fixture.scenario(applications: [
            Fixture.application("r1", "f-2", earliest: "2030-08-01", latest: "2030-08-05", towns: ["wake"]),
            Fixture.application("r2", "f-4", earliest: "2030-08-01", latest: "2030-08-05", towns: ["wake"]),
        ], bookings: [Fixture.booking("r2", "wake", "wake-vh", "2030-08-01")])
        let world = try World(scenario: scenario)
        defer { world.stop() }
        let dias = try world.freelancer("f-4")
        func assignment(_ application: String) -> Assignment {
            Assignment(application: ApplicationID(application), town: TownID("wake"), accommodation: AccommodationID("wake-vh"),
                       arrival: Day(year: 2030, month: 8, day: 1)!, nights: 4)
        }
        func result(_ placed: String, _ unplaced: String?) -> String {
            PlannerCommandTests.oneLine(PlanFile.write(Plan(
                score: 1300, assignments: [assignment(placed)],
                unplaced: unplaced.map { [UnplacedApplication(application: ApplicationID($0),
                                                              reason: "no room between 2030-08-01 and 2030-08-05: wake: beds full: wake-vh 2030-08-01 to 2030-08-04")] } ?? [])))
        }
        try converse([
            (world.wake, #"ACCOMMODATION PUT {"id": "wake-vh", "name": "和気の古民家", "kind": "vacant_house", "beds": 1, "price_per_night": 1000}"#,
             #"OK {"accommodation": {"id": "wake-vh", "town": "wake", "name": "和気の古民家", "kind": "vacant_house", "beds": 1, "price_per_night": 1000, "open": null}, "created": false}"#),
            (world.wake, #"CANCEL {"application": "r2", "reason": "moved"}"#, #"OK {"application": "r2", "state": "pending"}"#),
            (world.planner, #"PLAN {"seconds": 1}"#, #"OK {"plan": 1, "status": "running"}"#),
        ])
        try world.waitForPlan(1)
        let shown = masked(try world.planner.send(#"PLAN SHOW {"plan": 1, "assignments": true}"#))
        #expect(shown.hasSuffix("\"result\": " + result("r2", "r1") + "}"), "\(shown)")
        let placed = shown.contains(#""application": "r2", "town""#) ? "r2" : "r1"
        let waiting = placed == "r2" ? "r1" : "r2"
        let client = placed == "r2" ? dias : world.f2
        try converse([
            (world.planner, #"COMMIT {"plan": 1}"#, #"OK {"plan": 1, "offers": 1, "expires_at": "<time>"}"#),
            (client, #"DECLINE {"application": "\#(placed)"}"#, #"OK {"application": "\#(placed)", "state": "declined"}"#),
            (world.planner, #"REPLAN {"seconds": 1}"#, #"OK {"plan": 2, "status": "running"}"#),
        ])
        #expect(masked(try world.waitForPlan(2)).contains(#""status": "finished""#))
        let replanned = masked(try world.planner.send(#"PLAN SHOW {"plan": 2, "assignments": true}"#))
        #expect(replanned.hasSuffix("\"result\": " + result(waiting, nil) + "}"), "\(replanned)")
        try world.planner.expect([
            (#"COMMIT {"plan": 2}"#, #"OK {"plan": 2, "offers": 1, "expires_at": "<time>"}"#),
            (#"WHY {"application": "\#(waiting)"}"#, #"OK {"application": "\#(waiting)", "state": "offered", "plan": 2, "reason": null}"#),
        ])
    }
}
