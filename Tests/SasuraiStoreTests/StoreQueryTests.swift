import Foundation
import SasuraiCore
import Testing

@testable import SasuraiStore

@Suite("Reading the store and the planning snapshot")
struct StoreQueryTests {
    // MARK: Entities

    @Test func entitiesReadBackAsImported() throws {
        let scenario = ruleScenario()
        try withRuleStore { (store) throws in
            #expect(try store.town("nanto") == scenario.towns[0])
            #expect(try store.town("atlantis") == nil)
            #expect(try store.accommodation("nanto-gh") == scenario.accommodations[0])
            #expect(try store.accommodation("wake-share")?.open == nil)
            #expect(try store.accommodation("nowhere") == nil)
            #expect(try store.accommodations(in: "wake") == [scenario.accommodations[2]])
            #expect(try store.accommodations(in: "atlantis") == [])
            #expect(try store.slot("nanto-harvest") == scenario.slots[0])
            #expect(try store.slot("nothing") == nil)
            #expect(try store.slots(in: "nanto") == [scenario.slots[0]])
            #expect(try store.freelancer("f-1") == scenario.freelancers[0])
            #expect(try store.freelancer("f-404") == nil)
            #expect(try store.application("a-10") == scenario.applications[1])
            #expect(try store.application("a-404") == nil)
        }
    }

    @Test func aFreelancersPlacementsComeByArrival() throws {
        try withRuleStore { store in
            try store.hostBooks("a-6", in: "wake", at: "wake-share", arriving: "2026-09-01")
            try store.hostBooks("a-1", at: "nanto-house", arriving: "2026-08-20")
            #expect(try store.placements(of: "f-1").map(\.assignment.application) == ["a-1", "a-6"])
            #expect(try store.placements(of: "f-2") == [])
        }
    }

    @Test func countsListEveryState() throws {
        try withRuleStore { store in
            try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-01")
            try store.withdraw("a-2", actor: "freelancer:f-2")
            let counts = try store.counts()
            #expect(counts.towns == 2)
            #expect(counts.accommodations == 3)
            #expect(counts.slots == 2)
            #expect(counts.freelancers == 7)
            #expect(counts.applications == [.pending: 7, .offered: 0, .confirmed: 1, .declined: 0, .withdrawn: 1,
                                            .expired: 0, .cancelled: 0])
        }
        try withStore { store, _ in
            let counts = try store.counts()
            #expect(counts == StoreCounts(
                towns: 0, accommodations: 0, slots: 0, freelancers: 0,
                applications: Dictionary(uniqueKeysWithValues: ApplicationState.allCases.map { ($0, 0) })))
        }
    }

    /// The counts STATS reads are kept by triggers; they must always equal a count of the rows.
    @Test func stateCountsFollowEveryChangeOfState() throws {
        func scanned(_ store: ScenarioStore) throws -> [ApplicationState: Int] {
            var counts = Dictionary(uniqueKeysWithValues: ApplicationState.allCases.map { ($0, 0) })
            try store.forEachRow("SELECT state, count(*) FROM applications GROUP BY state") { row in
                counts[try row.choice(at: 0)] = row.int(at: 1)
            }
            return counts
        }
        try withRuleStore { store in
            #expect(try store.counts().applications == scanned(store))
            try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-01")
            try store.withdraw("a-2", actor: "freelancer:f-2")
            #expect(try store.counts().applications == scanned(store))
            // A second import replaces every application: the deletes and inserts are counted too.
            try store.importScenario(ruleScenario(), actor: "planner:alice")
            #expect(try store.counts().applications == scanned(store))
            #expect(try store.counts().applications[.confirmed] == 0)
            // A failed write rolls its count back with it.
            #expect(throws: (any Error).self) {
                try store.database.transaction(.immediate) {
                    try store.database.execute("UPDATE applications SET state = 'withdrawn'")
                    throw StoreError.invalidArgument("rolled back")
                }
            }
            #expect(try store.counts().applications == scanned(store))
        }
    }

    @Test func theCountsMigrationCountsTheApplicationsAlreadyThere() throws {
        try withRuleStore { store in
            try store.withdraw("a-2", actor: "freelancer:f-2")
            // As a database made before the migration: no counts table, the rows already there.
            try store.database.execute("""
                DROP TRIGGER applications_counted_on_insert; DROP TRIGGER applications_counted_on_delete;
                DROP TRIGGER applications_counted_on_state_change; DROP TABLE application_state_counts
                """)
            let migration = try #require(Schema.migrations.first { $0.name == "count_applications_by_state" })
            try migration.migrate(store.database)
            #expect(try store.counts().applications[.withdrawn] == 1)
            #expect(try store.counts().applications[.pending] == 8)
        }
    }

    // MARK: Verdicts

    @Test func latestVerdictComesFromTheNewestPlanThatNamesTheApplication() throws {
        try withRuleStore { store in
            #expect(try store.latestVerdict(for: "a-1") == nil)
            let version = try store.stateVersion()
            let left = Plan(unplaced: [UnplacedApplication(application: "a-1", reason: "no bed in nanto")])
            let first = try store.savePlan(left, seed: 1, upperBound: nil, basedOnVersion: version)
            #expect(try store.latestVerdict(for: "a-1")?.plan == first)
            #expect(try store.latestVerdict(for: "a-1")?.reason == "no bed in nanto")

            let placed = Plan(score: 1000, assignments: [
                Assignment(application: "a-1", town: "nanto", accommodation: "nanto-house", arrival: day("2026-09-01"),
                           nights: 7),
            ])
            let second = try store.savePlan(placed, seed: 2, upperBound: nil, basedOnVersion: version)
            #expect(try store.latestVerdict(for: "a-1")?.plan == second)
            #expect(try store.latestVerdict(for: "a-1")?.reason == nil)

            // Running and failed plans say nothing yet.
            try store.savePlan(left, seed: 3, upperBound: nil, basedOnVersion: version, status: .failed)
            try store.savePlan(Plan(), seed: 4, upperBound: nil, basedOnVersion: version, status: .running)
            #expect(try store.latestVerdict(for: "a-1")?.plan == second)

            // A plan that went stale still explains what it did.
            try store.putFreelancer(Freelancer(id: "f-1", name: "青山"), actor: "freelancer:f-1")
            #expect(try store.plan(id: second).record.status == .stale)
            #expect(try store.latestVerdict(for: "a-1")?.plan == second)
            #expect(try store.latestVerdict(for: "a-2") == nil)
        }
    }

    // MARK: Planning snapshot

    /// Reads `scenario` back as a file would be, with every check of `ScenarioReader`.
    private func expectReadable(_ scenario: Scenario, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: Never.self, sourceLocation: sourceLocation) {
            _ = try ScenarioReader.read(ScenarioWriter.write(scenario))
        }
    }

    @Test func snapshotAfterBookingsAndCancellationsPassesTheReader() throws {
        let generated = ScenarioGenerator.generate(GeneratorOptions(towns: 8, applications: 400, nights: 120, seed: 5))
        try withStore { store, _ in
            // New Year 2026, before every stay of the generated season, so that any stay may be withdrawn.
            store.clock = { Date(timeIntervalSince1970: 1_767_225_600) }
            try store.importScenario(generated, actor: "planner:alice")
            let pending = try store.pendingQueue()
            let applications = Dictionary(uniqueKeysWithValues: generated.applications.map { ($0.id, $0) })
            // Hosts try to book pending applications in their first choice; the checks refuse
            // what breaks a rule and the rest is booked.
            var booked: [ApplicationID] = []
            for id in pending.prefix(150) {
                guard let application = applications[id], let town = application.towns.first,
                      let house = generated.accommodations.first(where: { $0.town == town }) else { continue }
                let booking = Booking(application: id, town: town, accommodation: house.id,
                                      arrival: application.earliest)
                if (try? store.bookChecked(booking, actor: "host:\(town)")) != nil { booked.append(id) }
            }
            #expect(booked.count >= 10)
            for id in booked.prefix(4) {
                try store.cancelPlacement(id, reason: "host called off", actor: "planner:alice")
            }
            try store.withdraw(booked[5], actor: "planner:alice")
            try store.withdraw(pending.last!, actor: "planner:alice")

            let (snapshot, version) = try store.planningSnapshot()
            #expect(version == (try store.stateVersion()))
            let placements = try store.database.fetchAll("SELECT application_id FROM placements").count
            #expect(snapshot.bookings.count == placements)
            #expect(snapshot.applications.count == generated.applications.count - 1 - 1)
            #expect(!snapshot.applications.contains { $0.id == pending.last! })
            expectReadable(snapshot)
            #expect(PlanValidator(scenario: snapshot).validateBookings().isEmpty)
        }
    }

    @Test func snapshotOfTheDemoKeepsEveryEntity() throws {
        let demo = try demoScenario()
        try withStore { store, _ in
            try store.importScenario(demo, actor: "planner:alice")
            let snapshot = try store.planningSnapshot().scenario
            #expect(snapshot.towns == demo.towns.sorted { $0.id < $1.id })
            #expect(snapshot.freelancers.count == demo.freelancers.count)
            #expect(snapshot.applications.count == demo.applications.count)
            #expect(snapshot.bookings.count == demo.bookings.count)
            #expect(snapshot.weights == demo.weights)
            expectReadable(snapshot)
        }
    }

    @Test func aTeamPlacedInPartIsPlannedMemberByMember() throws {
        try withRuleStore(ruleScenarioWithTeamInWake()) { store in
            let whole = try store.planningSnapshot().scenario
            #expect(whole.applications.filter { $0.team == "t1" }.map(\.id) == ["a-7", "a-8"])

            // a-7 waits again while a-8 keeps its bed: no run could place t1 whole, so a-7 is
            // planned on its own.
            try store.cancelPlacement("a-7", reason: nil, actor: "host:wake")
            let broken = try store.planningSnapshot().scenario
            #expect(broken.applications.filter { $0.team == "t1" }.isEmpty)
            #expect(broken.applications.first { $0.id == "a-10" }?.team == "t2")
            expectReadable(broken)

            // Once a-8 withdraws, a-7 is the team's only open member and the team is whole again.
            try store.withdraw("a-8", actor: "freelancer:f-6")
            let alone = try store.planningSnapshot().scenario
            #expect(alone.applications.filter { $0.team == "t1" }.map(\.id) == ["a-7"])
            expectReadable(alone)
        }
    }

    @Test func slotsAreCutToTheNightsThatMatter() throws {
        try withRuleStore { store in
            try store.putSlot(Slot(id: "nanto-next-year", town: "nanto", title: "来年", from: day("2028-06-01"),
                                   to: day("2028-07-01"), seats: 1), actor: "host:nanto")
            try store.putSlot(Slot(id: "nanto-long", town: "nanto", title: "通年", from: day("2026-01-01"),
                                   to: day("2027-12-31"), seats: 1), actor: "host:nanto")
            try store.putSlot(Slot(id: "nanto-edge", town: "nanto", title: "端", from: day("2026-10-30"),
                                   to: day("2026-12-01"), seats: 1, minDays: 5), actor: "host:nanto")
            let snapshot = try store.planningSnapshot().scenario
            let slots = Dictionary(uniqueKeysWithValues: snapshot.slots.map { ($0.id, $0) })
            #expect(slots["nanto-next-year"] == nil)
            // Two nights of it lie before the last latest day: fewer than its min_days.
            #expect(slots["nanto-edge"] == nil)
            #expect(slots["nanto-long"]?.window == DayRange(from: day("2026-08-01"), to: day("2026-11-01")))
            #expect(slots["nanto-harvest"] == (try store.slot("nanto-harvest")))
            expectReadable(snapshot)
        }
    }

    @Test func aSeasonLongerThanTwoYearsIsRefused() throws {
        try withRuleStore { store in
            try store.addApplication(Application(id: "a-late", freelancer: "f-2", earliest: day("2028-08-01"),
                                                 latest: day("2028-09-01"), nights: 7, budgetPerNight: 1000),
                                     actor: "freelancer:f-2")
            let refusal = "the open applications and stays span 762 nights from 2026-08-01 to 2028-09-01, more than 731"
            #expect(throws: StoreError.conflict(refusal)) { try store.planningSnapshot() }
            try store.withdraw("a-late", actor: "freelancer:f-2")
            #expect(throws: Never.self) { try store.planningSnapshot() }
        }
    }
}
