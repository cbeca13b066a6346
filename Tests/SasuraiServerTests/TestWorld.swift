import Foundation
import SasuraiCore
import SasuraiServer

/// The scenario the command tests start from, written as one request line.
///
/// Two towns: nanto (3 visitors a night, stays of 2 to 20 nights, a guesthouse of 2 beds open
/// April to November 2030, a shared house of 5 beds, a rice harvest needing farming, 1 seat,
/// min_days 3) and wake (10 visitors, 1 to 30 nights, a vacant house of 4 beds, a peach
/// harvest of 2 seats). Six freelancers; f-1 and f-3 can farm. Dates lie in 2030 so that no
/// stay has begun when the tests run.
enum Fixture {
    static let towns = """
        {"id": "nanto", "name": "南砺市", "prefecture": "富山県", "nightly_cap": 3, "min_nights": 2, \
        "max_nights": 20, "subsidy_per_night": 1000}, \
        {"id": "wake", "name": "和気町", "prefecture": "岡山県", "nightly_cap": 10, "min_nights": 1, \
        "max_nights": 30, "subsidy_per_night": 0}
        """
    static let accommodations = """
        {"id": "nanto-gh", "town": "nanto", "name": "五箇山ゲストハウス", "kind": "guesthouse", "beds": 2, \
        "price_per_night": 3000, "open": [["2030-04-01", "2030-12-01"]]}, \
        {"id": "nanto-sh", "town": "nanto", "name": "城端シェアハウス", "kind": "shared_house", "beds": 5, \
        "price_per_night": 2000}, \
        {"id": "wake-vh", "town": "wake", "name": "和気の古民家", "kind": "vacant_house", "beds": 4, \
        "price_per_night": 1000}
        """
    static let slots = """
        {"id": "nanto-harvest", "town": "nanto", "title": "稲刈り", "skills": ["farming"], "from": "2030-09-01", \
        "to": "2030-10-01", "seats": 1, "min_days": 3}, \
        {"id": "wake-peach", "town": "wake", "title": "桃の収穫", "skills": [], "from": "2030-07-01", \
        "to": "2030-08-01", "seats": 2, "min_days": 1}
        """
    static let freelancerNames = ["f-1": "青山", "f-2": "Berg", "f-3": "Chen", "f-4": "Dias", "f-5": "Endo",
                                  "f-6": "Fujii"]
    static let freelancers = """
        {"id": "f-1", "name": "青山", "skills": ["farming"], "relocation": "considering"}, \
        {"id": "f-2", "name": "Berg", "skills": [], "relocation": "none"}, \
        {"id": "f-3", "name": "Chen", "skills": ["farming"], "relocation": "planning"}, \
        {"id": "f-4", "name": "Dias"}, {"id": "f-5", "name": "Endo"}, {"id": "f-6", "name": "Fujii"}
        """

    /// An application as the scenario file writes it.
    static func application(_ id: String, _ freelancer: String, nights: Int = 4, team: String? = nil,
                            earliest: String = "2030-05-01", latest: String = "2030-11-01",
                            towns: [String] = [], budget: Int = 5000) -> String {
        let townList = towns.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            {"id": "\(id)", "freelancer": "\(freelancer)", "earliest": "\(earliest)", "latest": "\(latest)", \
            "nights": \(nights), "towns": [\(townList)], "kinds": [], "budget_per_night": \(budget), \
            "labor": "preferred", "team": \(team.map { "\"\($0)\"" } ?? "null")}
            """
    }

    static func booking(_ application: String, _ town: String, _ accommodation: String, _ arrival: String,
                        slot: String? = nil) -> String {
        """
        {"application": "\(application)", "town": "\(town)", "accommodation": "\(accommodation)", \
        "arrival": "\(arrival)", "slot": \(slot.map { "\"\($0)\"" } ?? "null")}
        """
    }

    /// The applications most tests use: b1 and b2 booked in nanto's guesthouse in September
    /// (b1 working the harvest), w1 booked in wake, p1 to p6 pending (p5 asks for 1 night),
    /// and the team t1 of t1a and t1b, pending.
    static let applications = [
        application("b1", "f-1"), application("b2", "f-2"), application("w1", "f-3"),
        application("p1", "f-3"), application("p2", "f-4"), application("p3", "f-5"), application("p4", "f-6"),
        application("p5", "f-6", nights: 1), application("p6", "f-1"),
        application("t1a", "f-4", team: "t1"), application("t1b", "f-5", team: "t1"),
    ]
    static let bookings = [
        booking("b1", "nanto", "nanto-gh", "2030-09-10", slot: "nanto-harvest"),
        booking("b2", "nanto", "nanto-gh", "2030-09-11"),
        booking("w1", "wake", "wake-vh", "2030-07-01", slot: "wake-peach"),
    ]

    /// The scenario document on one line.
    static func scenario(applications: [String] = applications, bookings: [String] = bookings,
                         freelancers: String = freelancers) -> String {
        """
        {"format": "sasurai-scenario/1", "towns": [\(towns)], "accommodations": [\(accommodations)], \
        "slots": [\(slots)], "freelancers": [\(freelancers)], "applications": [\(applications.joined(separator: ", "))], \
        "bookings": [\(bookings.joined(separator: ", "))]}
        """
    }

    /// The canonical bytes of `scenario`, as EXPORT writes them.
    static func canonical(_ scenario: String) throws -> [UInt8] {
        ScenarioWriter.write(try ScenarioReader.read(Array(scenario.utf8)))
    }
}

/// A running server holding the fixture, with a connection for each kind of caller: the
/// planner, the hosts of nanto and wake, and the freelancers f-1 and f-2.
final class World {
    let running: RunningServer
    let planner: LineClient
    let nanto: LineClient
    let wake: LineClient
    let f1: LineClient
    let f2: LineClient
    /// The tokens behind nanto, wake, f1 and f2, by town or freelancer id.
    let tokens: [String: String]

    init(scenario: String = Fixture.scenario(), configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        running = try RunningServer(configure: configure)
        do {
            planner = try running.connect(token: nil)
            let reply = try planner.send("IMPORT {\"scenario\": \(scenario)}")
            guard reply.hasPrefix("OK ") else { throw TestFailure("IMPORT failed: \(reply)") }
            let tokens = [
                "nanto": try running.issueToken(role: "host", subject: "nanto"),
                "wake": try running.issueToken(role: "host", subject: "wake"),
                "f-1": try running.issueToken(role: "freelancer", subject: "f-1"),
                "f-2": try running.issueToken(role: "freelancer", subject: "f-2"),
            ]
            self.tokens = tokens
            nanto = try running.connect(token: tokens["nanto"])
            wake = try running.connect(token: tokens["wake"])
            f1 = try running.connect(token: tokens["f-1"])
            f2 = try running.connect(token: tokens["f-2"])
        } catch {
            running.stop()
            throw error
        }
    }

    func stop() { running.stop() }

    /// A new connection as the freelancer `id` (who may have no profile yet).
    func freelancer(_ id: String) throws -> LineClient {
        try running.connect(token: running.issueToken(role: "freelancer", subject: id))
    }

    /// Polls PLAN SHOW until the plan is no longer running and returns that reply.
    @discardableResult
    func waitForPlan(_ plan: Int) throws -> String { try planner.waitForPlan(plan) }
}

extension LineClient {
    /// Polls PLAN SHOW (as a planner) until the plan is no longer running and returns that reply.
    @discardableResult
    func waitForPlan(_ plan: Int, timeoutSeconds: Double = 30) throws -> String {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            let reply = try send("PLAN SHOW {\"plan\": \(plan)}")
            if !reply.contains("\"status\": \"running\"") { return reply }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestFailure("plan \(plan) still running after \(timeoutSeconds) s")
    }
}

extension Fixture {
    /// A stay as replies write it, without the closing brace so callers may add members.
    static func stayMembers(_ application: String, _ town: String, _ accommodation: String, _ arrival: String,
                            nights: Int = 4, slot: String? = nil, laborDays: Int = 0, state: String = "confirmed",
                            source: String = "host") -> String {
        """
        {"application": "\(application)", "town": "\(town)", "accommodation": "\(accommodation)", \
        "arrival": "\(arrival)", "nights": \(nights), "slot": \(slot.map { "\"\($0)\"" } ?? "null"), \
        "labor_days": \(laborDays), "state": "\(state)", "source": "\(source)"
        """
    }

    static func stay(_ application: String, _ town: String, _ accommodation: String, _ arrival: String,
                     nights: Int = 4, slot: String? = nil, laborDays: Int = 0, state: String = "confirmed",
                     source: String = "host") -> String {
        stayMembers(application, town, accommodation, arrival, nights: nights, slot: slot, laborDays: laborDays,
                    state: state, source: source) + "}"
    }
}
