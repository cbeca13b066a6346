import Foundation
import SasuraiCore
import Testing

/// Many connections at once: atomic booking, group commit, and reads beside a plan run.
@Suite struct ConcurrencyTests {
    /// Two hosts of wake book its one bed for the same week from two connections, released
    /// together, fifty times with fresh applications: one wins each time, the other is told
    /// there is no bed, and no night ends up with more guests than beds.
    @Test func twoHostsBookingTheLastBedNeverBothWin() throws {
        let rounds = 50
        let first = Day(year: 2030, month: 1, day: 7)!
        let arrivals = (0..<rounds).map { first.adding(7 * $0).iso }
        let applications = arrivals.enumerated().flatMap { round, arrival in
            ["f-2", "f-4"].map { freelancer in
                Fixture.application("x\(round)-\(freelancer)", freelancer, nights: 3, earliest: arrival,
                                    latest: first.adding(7 * round + 3).iso, towns: ["wake"])
            }
        }
        let world = try World(scenario: Fixture.scenario(applications: applications, bookings: []))
        defer { world.stop() }
        #expect(try world.wake.send(#"ACCOMMODATION PUT {"id": "wake-vh", "name": "和気の古民家", "kind": "vacant_house", "beds": 1, "price_per_night": 1000}"#).hasPrefix("OK "))
        let hosts = Shared([world.wake, try world.running.connect(token: world.running.issueToken(role: "host", subject: "wake"))])
        for (round, arrival) in arrivals.enumerated() {
            let replies = concurrently(2) { index in
                try hosts.value[index].send(#"BOOK {"application": "x\#(round)-\#(["f-2", "f-4"][index])", "accommodation": "wake-vh", "arrival": "\#(arrival)"}"#)
            }.map { (try? $0.get()) ?? "no reply" }
            let won = replies.filter { $0.hasPrefix(#"OK {"stay": "#) }
            #expect(won.count == 1, "round \(round): \(replies)")
            #expect(replies.filter { $0 == #"ERR CONFLICT no bed in "wake-vh" on \#(arrival) (1 of 1 taken)"# }.count == 1,
                    "round \(round): \(replies)")
        }
        // Occupancy night by night, from the roster.
        let roster = replyObject(try world.wake.send(#"ROSTER {"from": "2030-01-01", "to": "2031-01-01"}"#))
        let stays = roster["stays"] as? [[String: Any]] ?? []
        #expect(stays.count == rounds)
        var guests: [String: Int] = [:]
        for stay in stays {
            guard let arrival = Day(iso: stay["arrival"] as? String ?? ""), let nights = stay["nights"] as? Int else { continue }
            for night in 0..<nights { guests[arrival.adding(night).iso, default: 0] += 1 }
        }
        #expect(guests.values.allSatisfy { $0 <= 1 })
        #expect(guests.count == rounds * 3)
    }

    /// Twenty connections each send fifty APPLY at once; the writer commits them in groups and
    /// every one is acknowledged and kept, each with its own server-assigned id.
    @Test func twentyConnectionsApplyingAtOnceAreAllKept() throws {
        let connections = 20
        let perConnection = 50
        let names = (1...connections).map { "g-\($0)" }
        let freelancers = names.map { #"{"id": "\#($0)", "name": "\#($0)"}"# }.joined(separator: ", ")
        let world = try World(scenario: Fixture.scenario(applications: [], bookings: [], freelancers: freelancers))
        defer { world.stop() }
        let running = world.running
        let tokens = try names.map { try running.issueToken(role: "freelancer", subject: $0) }
        let results = concurrently(connections) { index in
            let client = try running.connect(token: tokens[index])
            return try (0..<perConnection).map { _ in
                try client.send(#"APPLY {"earliest": "2030-06-01", "latest": "2030-07-01", "nights": 3, "budget_per_night": 1000}"#)
            }
        }
        var ids: Set<String> = []
        for (index, result) in results.enumerated() {
            let replies = try result.get()
            #expect(replies.count == perConnection)
            for reply in replies {
                let application = replyObject(reply)["application"] as? [String: Any]
                #expect(application?["freelancer"] as? String == names[index], "\(reply)")
                #expect(reply.hasSuffix(#""team": null}, "state": "pending"}"#), "\(reply)")
                ids.insert(application?["id"] as? String ?? "")
            }
        }
        #expect(ids == Set((1...connections * perConnection).map { "a-\($0)" }))
        let stats = try world.planner.send("STATS")
        #expect(stats.contains(#""applications": {"pending": 1000, "offered": 0"#), "\(stats)")
        for name in names.prefix(3) {
            let listed = replyObject(try world.planner.send(#"APPLICATIONS {"freelancer": "\#(name)"}"#))
            #expect((listed["applications"] as? [Any])?.count == perConnection)
        }
    }

    /// While a three-second run plans a generated scenario, reads answer at once, writes go on
    /// (and make the plan stale), and the commands that need the run slot are refused.
    @Test func readsAnswerWhileAPlanRuns() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let planner = try running.connect(token: nil)
        let scenario = ScenarioGenerator.generate(GeneratorOptions(towns: 20, applications: 3000, nights: 180, seed: 7))
        let path = running.directory.appendingPathComponent("generated.json").path
        try Data(ScenarioWriter.write(scenario)).write(to: URL(fileURLWithPath: path))
        let town = scenario.towns[0].id.rawValue
        try planner.expect([
            (#"IMPORT {"path": "\#(path)"}"#,
             #"OK {"imported": {"towns": \#(scenario.towns.count), "accommodations": \#(scenario.accommodations.count), "slots": \#(scenario.slots.count), "freelancers": \#(scenario.freelancers.count), "applications": \#(scenario.applications.count), "bookings": \#(scenario.bookings.count)}, "state_version": 1}"#),
        ])
        let host = try running.connect(token: running.issueToken(role: "host", subject: town))
        let townReply = try host.send("TOWN")
        #expect(townReply.hasPrefix(#"OK {"town": {"id": "\#(town)""#))
        #expect(try planner.send(#"PLAN {"seconds": 3}"#) == #"OK {"plan": 1, "status": "running"}"#)
        let started = Date()
        for _ in 0..<10 {
            let asked = Date()
            #expect(try host.send("TOWN") == townReply)
            #expect(Date().timeIntervalSince(asked) < 1)
            Thread.sleep(forTimeInterval: 0.1)
        }
        let progress = masked(try planner.send(#"PLAN SHOW {"plan": 1}"#))
            .replacing(#/"score": \d+, "upper_bound": (\d+|null)/#, with: #""score": <n>, "upper_bound": <n>"#)
        try planner.expect([
            (#"PLAN {"seconds": 1}"#, "ERR BUSY plan 1 is still running"),
            ("REPLAN", "ERR BUSY plan 1 is still running"),
            (#"COMMIT {"plan": 1}"#, "ERR CONFLICT plan 1 is running"),
            (#"IMPORT {"path": "\#(path)", "replace": true}"#, "ERR BUSY a plan run is in progress"),
        ])
        #expect(progress == #"OK {"plan": 1, "status": "running", "created_at": "<time>", "based_on_version": 1, "seed": 1, "score": <n>, "upper_bound": <n>, "assigned": 0, "unplaced": 0, "elapsed_ms": <ms>}"#)
        #expect(try planner.send("STATS").contains(#""plans_running": 1"#))
        let asked = Date()
        #expect(try host.send(#"SLOT PUT {"id": "new-slot", "title": "x", "from": "2026-06-01", "to": "2026-07-01", "seats": 1}"#)
                    .hasPrefix(#"OK {"slot": "#))
        #expect(Date().timeIntervalSince(asked) < 1)
        #expect(Date().timeIntervalSince(started) < 2.5, "the checks ran while the plan was running")
        let finished = masked(try planner.waitForPlan(1))
        #expect(finished.contains(#""status": "stale""#), "\(finished)")
        #expect(try planner.send(#"COMMIT {"plan": 1}"#) == "ERR STALE plan 1 was computed on state version 1; the state is now 2")
    }
}
