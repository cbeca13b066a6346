import CSQLite
import Foundation
import SasuraiCore
import Testing

@testable import SasuraiStore

/// A small scenario that uses every corner of the format: an always-open house next to one that
/// never opens and one with unsorted seasons, skills, ranked towns, kinds, a team, a booking
/// with work, Japanese and escaped text, and weights that differ from the defaults.
func cornerCaseScenario() -> Scenario {
    let day = { (text: String) in Day(iso: text)! }
    return Scenario(
        weights: Weights(place: 900, rank: [500, 400, 300, 200, 100], rankAny: 250, laborDay: 12,
                         relocationNone: 1, relocationConsidering: 2, relocationPlanning: 3),
        towns: [
            Town(id: "nanto", name: "南砺市", prefecture: "富山県", nightlyCap: 12, minNights: 3, maxNights: 30,
                 subsidyPerNight: 1000),
            Town(id: "wake", name: "和気町 \"west\" \\ 岡山", prefecture: "岡山県", nightlyCap: 4),
        ],
        accommodations: [
            Accommodation(id: "nanto-gh1", town: "nanto", name: "五箇山ゲストハウス", kind: .guesthouse, beds: 6,
                          pricePerNight: 3500, open: [DayRange(from: day("2026-10-01"), to: day("2026-11-01")),
                                                      DayRange(from: day("2026-07-01"), to: day("2026-09-01"))]),
            Accommodation(id: "nanto-closed", town: "nanto", name: "改装中", kind: .vacantHouse, beds: 2,
                          pricePerNight: 0, open: []),
            Accommodation(id: "wake-share", town: "wake", name: "シェアハウス", kind: .sharedHouse, beds: 4,
                          pricePerNight: 2000, open: nil),
        ],
        slots: [
            Slot(id: "nanto-persimmon", town: "nanto", title: "干し柿づくり", skills: ["driving", "farming"],
                 from: day("2026-10-15"), to: day("2026-11-15"), seats: 4, minDays: 5),
            Slot(id: "wake-festival", town: "wake", title: "秋祭り", from: day("2026-09-20"), to: day("2026-09-25"),
                 seats: 2),
        ],
        freelancers: [
            Freelancer(id: "f-0001", name: "青山", skills: ["driving", "farming", "web-design"],
                       relocation: .considering),
            Freelancer(id: "f-0002", name: "Bob", relocation: .planning),
            Freelancer(id: "f-0003", name: "佐藤"),
        ],
        applications: [
            Application(id: "a-0001", freelancer: "f-0001", earliest: day("2026-10-01"), latest: day("2026-11-01"),
                        nights: 21, towns: ["nanto", "wake"], kinds: [.guesthouse, .homestay], budgetPerNight: 4000,
                        labor: .required),
            Application(id: "a-0002", freelancer: "f-0002", earliest: day("2026-09-01"), latest: day("2026-10-01"),
                        nights: 7, towns: ["wake", "nanto"], budgetPerNight: 3000, labor: .none, team: "team-1"),
            Application(id: "a-0003", freelancer: "f-0003", earliest: day("2026-09-01"), latest: day("2026-10-01"),
                        nights: 7, budgetPerNight: 3000, team: "team-1"),
            Application(id: "a-0004", freelancer: "f-0001", earliest: day("2026-07-01"), latest: day("2026-08-01"),
                        nights: 5, budgetPerNight: 10_000),
        ],
        bookings: [
            Booking(application: "a-0001", town: "nanto", accommodation: "nanto-gh1", arrival: day("2026-10-05"),
                    slot: "nanto-persimmon"),
        ])
}

@Suite("Scenario store")
struct ScenarioStoreTests {
    // MARK: Schema

    @Test func migratingAnEmptyFileCreatesEveryTable() throws {
        try withStore { store, _ in
            let database = store.database
            #expect(try database.userVersion() == Schema.migrations.count)
            let tables = Set(try String.fetchAll(database, sql: "SELECT name FROM sqlite_schema WHERE type = 'table'"))
            for table in Schema.tableNames {
                #expect(tables.contains(table), "missing table \(table)")
            }
            let indexes = Set(try String.fetchAll(database, sql: "SELECT name FROM sqlite_schema WHERE type = 'index'"))
            for index in ["placements_by_town_arrival", "applications_by_freelancer_and_state", "applications_by_state"] {
                #expect(indexes.contains(index), "missing index \(index)")
            }
            #expect(try store.stateVersion() == 0)
            #expect(try store.isEmpty())
            #expect(try store.exportScenario() == Scenario())
            #expect(try database.integrityCheck() == [])
            #expect(try database.fetchAll("PRAGMA foreign_key_check").isEmpty)
        }
    }

    @Test func reopeningIsANoOp() throws {
        try withStoreDirectory { directory in
            let path = directory.appendingPathComponent("store.sqlite").path
            let before: [String: [String]]
            do {
                let store = try ScenarioStore.open(path: path)
                try store.importScenario(cornerCaseScenario(), actor: "planner:alice")
                before = try storeSnapshot(store.database)
            }
            let reopened = try ScenarioStore.open(path: path)
            #expect(try ScenarioStore.migrator.migrate(reopened.database) == [])
            #expect(try reopened.database.userVersion() == Schema.migrations.count)
            #expect(try storeSnapshot(reopened.database) == before)
        }
    }

    @Test func timestampsAreFixedWidthUTC() {
        #expect(Timestamp.iso(fixedNow) == "2026-06-01T09:00:00.000Z")
        #expect(Timestamp.iso(Date(timeIntervalSince1970: 0.0015)) == "1970-01-01T00:00:00.001Z")
        #expect(Timestamp.iso(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        #expect(Timestamp.iso(Date(timeIntervalSince1970: 253_402_300_799.999)) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.iso(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00.000Z")
    }

    @Test func constraintsRefuseWhatNoReaderAccepts() throws {
        try withStore { store, _ in
            try store.importScenario(cornerCaseScenario(), actor: "planner:alice")
            let database = store.database
            let refused: [String] = [
                "UPDATE applications SET state = 'lost' WHERE id = 'a-0002'",
                "UPDATE applications SET nights = 0 WHERE id = 'a-0002'",
                "UPDATE applications SET earliest = '2026-02-30' WHERE id = 'a-0002'",
                "UPDATE applications SET nights = 60 WHERE id = 'a-0002'",
                "UPDATE accommodations SET beds = 10001 WHERE id = 'wake-share'",
                "UPDATE towns SET min_nights = 40 WHERE id = 'nanto'",
                "INSERT INTO towns (id, name, prefecture, nightly_cap, min_nights, max_nights, subsidy_per_night) "
                    + "VALUES ('bad id', 'x', 'y', 1, 1, 1, 0)",
                "INSERT INTO accommodation_open_ranges VALUES ('wake-share', 0, '2026-01-01', '2026-02-01')",
                "UPDATE accommodations SET always_open = 1 WHERE id = 'nanto-gh1'",
                "DELETE FROM towns WHERE id = 'nanto'",
                "DELETE FROM applications WHERE id = 'a-0001'",
                "UPDATE placements SET town_id = 'wake' WHERE application_id = 'a-0001'",
                "INSERT INTO tokens (role, subject, hash, created_at) VALUES ('planner', 'nanto', zeroblob(32), 'x')",
                "INSERT INTO tokens (role, subject, hash, created_at) VALUES ('host', 'nanto', zeroblob(16), 'x')",
            ]
            for sql in refused {
                let error = #expect(throws: SQLiteError.self, "\(sql)") {
                    try database.execute(sql)
                }
                #expect(error?.code == SQLITE_CONSTRAINT, "\(sql)")
            }
            #expect(try database.integrityCheck() == [])
        }
    }

    // MARK: Round trips

    @Test func demoScenarioRoundTripsByteForByte() throws {
        let demo = try demoScenario()
        try withStore { store, _ in
            let summary = try store.importScenario(demo, actor: "planner:alice")
            #expect(summary.applications == demo.applications.count)
            #expect(summary.bookings == demo.bookings.count)
            #expect(summary.stateVersion == 1)
            let exported = try store.exportScenario()
            #expect(ScenarioWriter.write(exported) == ScenarioWriter.write(demo))
            #expect(exported == demo.sortedCanonically())
            #expect(try store.database.fetchAll("PRAGMA foreign_key_check").isEmpty)
        }
    }

    @Test func cornerCasesRoundTrip() throws {
        let scenario = cornerCaseScenario()
        try withStore { store, _ in
            try store.importScenario(scenario, actor: "planner:alice")
            let exported = try store.exportScenario()
            #expect(ScenarioWriter.write(exported) == ScenarioWriter.write(scenario))
            let accommodations = Dictionary(uniqueKeysWithValues: exported.accommodations.map { ($0.id, $0) })
            #expect(accommodations["wake-share"]?.open == nil)
            #expect(accommodations["nanto-closed"]?.open == [])
            #expect(accommodations["nanto-gh1"]?.open?.count == 2)
            #expect(exported.applications.first { $0.id == "a-0002" }?.towns == ["wake", "nanto"])
            #expect(exported.weights == scenario.weights)
            // The export passes the reader's checks, so it is a valid input again.
            let reread = try ScenarioReader.read(ScenarioWriter.write(exported))
            #expect(ScenarioWriter.write(reread) == ScenarioWriter.write(exported))
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func generatedScenariosRoundTrip(seed: UInt64) throws {
        let scenario = ScenarioGenerator.generate(GeneratorOptions(towns: 10, applications: 500, nights: 120, seed: seed))
        try withStore { store, _ in
            try store.importScenario(scenario, actor: "planner:alice")
            #expect(ScenarioWriter.write(try store.exportScenario()) == ScenarioWriter.write(scenario))
            #expect(try store.applicationIDs(in: .confirmed).count == scenario.bookings.count)
            #expect(try store.applicationIDs(in: .pending).count == scenario.applications.count - scenario.bookings.count)
        }
    }

    @Test func importReplacesContentAndKeepsAuditLog() throws {
        let generated = ScenarioGenerator.generate(GeneratorOptions(towns: 10, applications: 500, nights: 120, seed: 9))
        try withStore { store, _ in
            try store.importScenario(generated, actor: "planner:alice")
            let summary = try store.importScenario(cornerCaseScenario(), actor: "planner:bob")
            #expect(summary.stateVersion == 2)
            #expect(ScenarioWriter.write(try store.exportScenario()) == ScenarioWriter.write(cornerCaseScenario()))
            let audit = try store.auditEntries()
            #expect(audit.map(\.action) == ["scenario.import", "scenario.import"])
            #expect(audit.map(\.actor) == ["planner:alice", "planner:bob"])
            #expect(audit[0].detail.contains("\"replaced\": false"))
            #expect(audit[1].detail.contains("\"replaced\": true"))
            #expect(audit[1].at == "2026-06-01T09:00:00.000Z")
        }
    }

    // MARK: Rollback

    @Test func importFailingMidwayLeavesTheStoreAsItWas() throws {
        try withStore { store, _ in
            try store.importScenario(try demoScenario(), actor: "planner:alice")
            let before = try storeSnapshot(store.database)

            // The duplicate comes last, after every town, house, slot and freelancer was written.
            var duplicated = ScenarioGenerator.generate(GeneratorOptions(towns: 10, applications: 500, nights: 120, seed: 4))
            duplicated.applications.append(duplicated.applications[0])
            let error = #expect(throws: SQLiteError.self) {
                try store.importScenario(duplicated, actor: "planner:alice")
            }
            #expect(error?.isUniqueConstraintViolation == true)
            #expect(try storeSnapshot(store.database) == before)

            var unknownTown = cornerCaseScenario()
            unknownTown.applications[3].towns = ["atlantis"]
            #expect(throws: SQLiteError.self) {
                try store.importScenario(unknownTown, actor: "planner:alice")
            }
            #expect(try storeSnapshot(store.database) == before)
            #expect(!store.database.isInTransaction)
        }
    }

    @Test func errorThrownInsideTheCallersTransactionUndoesTheImport() throws {
        try withStore { store, _ in
            try store.importScenario(try demoScenario(), actor: "planner:alice")
            let before = try storeSnapshot(store.database)
            let error = #expect(throws: ExpectedStoreFailure.self) {
                try store.database.transaction {
                    try store.importScenario(cornerCaseScenario(), actor: "planner:alice")
                    #expect(try store.exportScenario().towns.count == 2)
                    throw ExpectedStoreFailure(reason: "request aborted")
                }
            }
            #expect(error == ExpectedStoreFailure(reason: "request aborted"))
            #expect(try storeSnapshot(store.database) == before)
        }
    }

    @Test func badActorIsRefusedBeforeAnyWrite() throws {
        try withStore { store, _ in
            let before = try storeSnapshot(store.database)
            for actor in ["alice", "planner:", "admin:alice", "planner:Bearer abc", "host:nanto:extra", ""] {
                #expect(throws: StoreError.self, "\(actor)") {
                    try store.importScenario(cornerCaseScenario(), actor: actor)
                }
            }
            #expect(try storeSnapshot(store.database) == before)
        }
    }

    // MARK: Audit log

    @Test func auditRowsCannotBeChangedOrDeleted() throws {
        try withStore { store, _ in
            let first = try store.append(actor: "planner:alice", action: "token.issued", subject: "7",
                                         detail: #"{"role": "host"}"#)
            let second = try store.append(actor: "system:expiry", action: "offers.checked")
            #expect(second > first)
            for sql in ["UPDATE audit_log SET actor = 'planner:mallory'", "DELETE FROM audit_log",
                        "DELETE FROM audit_log WHERE id = \(first)", "UPDATE audit_log SET detail = '{}' WHERE id = \(first)"] {
                let error = #expect(throws: SQLiteError.self, "\(sql)") {
                    try store.database.execute(sql)
                }
                #expect(error?.message.contains("append-only") == true)
            }
            let entries = try store.auditEntries()
            #expect(entries.count == 2)
            #expect(entries[0] == AuditEntry(id: first, at: "2026-06-01T09:00:00.000Z", actor: "planner:alice",
                                             action: "token.issued", subject: "7", detail: #"{"role": "host"}"#))
            #expect(entries[1].subject == nil)
            #expect(try store.auditEntries(after: first).map(\.id) == [second])
            #expect(try store.auditEntries(after: 0, limit: 1).map(\.id) == [first])
            #expect(throws: StoreError.self) {
                try store.append(actor: "planner:alice", action: "x", detail: "[1]")
            }
            #expect(throws: StoreError.self) {
                try store.append(actor: "planner:alice", action: "", detail: "{}")
            }
        }
    }

    // MARK: Application states

    @Test func importedStatesAndPlacements() throws {
        try withStore { store, _ in
            try store.importScenario(cornerCaseScenario(), actor: "planner:alice")
            #expect(try store.applicationStatus("a-0001").state == .confirmed)
            #expect(try store.applicationStatus("a-0002").state == .pending)
            let placement = try #require(try store.placement(of: "a-0001"))
            #expect(placement.source == .booking)
            #expect(placement.planID == nil)
            // A 21-night stay from 2026-10-05 shares 2026-10-15 ... 2026-10-25 with the slot.
            #expect(placement.assignment.laborDays == 11)
            #expect(placement.assignment.nights == 21)
            #expect(try store.placement(of: "a-0002") == nil)
            let roster = try store.placements(in: "nanto", during: DayRange(from: Day(iso: "2026-10-25")!,
                                                                             to: Day(iso: "2026-10-26")!))
            #expect(roster.map(\.assignment.application) == ["a-0001"])
            #expect(try store.placements(in: "nanto", during: DayRange(from: Day(iso: "2026-10-26")!,
                                                                        to: Day(iso: "2026-11-01")!)).isEmpty)
            #expect(try store.applications(of: "f-0001").map(\.application) == ["a-0001", "a-0004"])
            #expect(throws: StoreError.notFound(entity: "application", id: "a-9999")) {
                try store.applicationStatus("a-9999")
            }
        }
    }

    @Test func transitionsFollowTheLifecycle() throws {
        try withStore { store, _ in
            try store.importScenario(cornerCaseScenario(), actor: "planner:alice")
            var version = try store.stateVersion()

            // confirmed -> cancelled frees the booking's place; cancelled -> pending requeues.
            let cancelled = try store.moveApplication("a-0001", to: .cancelled, actor: "host:nanto", reason: "flood")
            #expect(cancelled.state == .cancelled)
            #expect(try store.placement(of: "a-0001") == nil)
            #expect(try store.stateVersion() == version + 1)
            version += 1
            store.clock = { fixedNow.addingTimeInterval(60) }
            let requeued = try store.moveApplication("a-0001", to: .pending, actor: "planner:alice")
            #expect(requeued.requeuedAt == "2026-06-01T09:01:00.000Z")
            #expect(requeued.stateChangedAt == "2026-06-01T09:01:00.000Z")
            #expect(try store.pendingQueue() == ["a-0001", "a-0002", "a-0003", "a-0004"])
            #expect(try store.stateVersion() == version + 1)
            version += 1

            // Forbidden moves throw and change nothing.
            let before = try storeSnapshot(store.database)
            #expect(throws: StoreError.invalidTransition(application: "a-0002", from: .pending, to: .declined)) {
                try store.moveApplication("a-0002", to: .declined, actor: "freelancer:f-0002")
            }
            let needsPlace = #expect(throws: StoreError.self) {
                try store.moveApplication("a-0002", to: .confirmed, actor: "host:wake")
            }
            #expect(needsPlace?.description.contains("no place") == true)
            #expect(throws: StoreError.notFound(entity: "application", id: "a-0404")) {
                try store.moveApplication("a-0404", to: .withdrawn, actor: "freelancer:f-0002")
            }
            #expect(try storeSnapshot(store.database) == before)

            // Withdrawn is final.
            try store.moveApplication("a-0004", to: .withdrawn, actor: "freelancer:f-0001")
            #expect(throws: StoreError.invalidTransition(application: "a-0004", from: .withdrawn, to: .pending)) {
                try store.moveApplication("a-0004", to: .pending, actor: "planner:alice")
            }
            #expect(try store.pendingQueue() == ["a-0001", "a-0002", "a-0003"])

            let actions = try store.auditEntries().map(\.action)
            #expect(actions == ["scenario.import", "application.cancelled", "application.pending",
                                "application.withdrawn"])
            #expect(try store.auditEntries()[1].detail == #"{"from": "confirmed", "to": "cancelled", "reason": "flood"}"#)
        }
    }

    @Test func everyTransitionMatchesCanMove() throws {
        try withStore { store, _ in
            try store.importScenario(cornerCaseScenario(), actor: "planner:alice")
            for from in ApplicationState.allCases {
                for to in ApplicationState.allCases {
                    // Put a-0002 into `from` directly, with a place when the state holds one.
                    try store.database.execute("DELETE FROM placements WHERE application_id = 'a-0002'")
                    try store.database.execute("UPDATE applications SET state = ? WHERE id = 'a-0002'",
                                               arguments: [from.rawValue])
                    if from.holdsCapacity {
                        try store.database.execute("""
                            INSERT INTO placements (application_id, town_id, accommodation_id, arrival, nights,
                                                    slot_id, labor_days, source, plan_id, placed_at)
                            VALUES ('a-0002', 'wake', 'wake-share', '2026-09-01', 7, NULL, 0, 'host', NULL, 'x')
                            """)
                    }
                    let moved = Result { try store.moveApplication("a-0002", to: to, actor: "planner:alice") }
                    let needsNewPlace = to.holdsCapacity && !from.holdsCapacity
                    if from.canMove(to: to) && !needsNewPlace {
                        #expect((try? moved.get())?.state == to, "\(from) -> \(to)")
                        #expect((try store.placement(of: "a-0002") != nil) == to.holdsCapacity, "\(from) -> \(to)")
                    } else {
                        #expect(throws: StoreError.self, "\(from) -> \(to)") { try moved.get() }
                        #expect(try store.applicationStatus("a-0002").state == from)
                    }
                }
            }
        }
    }

    @Test func hostBookingConfirmsAndExportsAsBooking() throws {
        try withStore { store, _ in
            try store.importScenario(cornerCaseScenario(), actor: "planner:alice")
            let booking = Booking(application: "a-0004", town: "nanto", accommodation: "nanto-gh1",
                                  arrival: Day(iso: "2026-07-10")!)
            let placement = try store.book(booking, actor: "host:nanto")
            #expect(placement.source == .host)
            #expect(placement.assignment.nights == 5)
            #expect(try store.applicationStatus("a-0004").state == .confirmed)
            #expect(try store.exportScenario().bookings.map(\.application) == ["a-0001", "a-0004"])
            #expect(throws: StoreError.self) {
                try store.book(booking, actor: "host:nanto")
            }
            let wrongTown = Booking(application: "a-0002", town: "wake", accommodation: "nanto-gh1",
                                    arrival: Day(iso: "2026-09-10")!)
            #expect(throws: StoreError.self) {
                try store.book(wrongTown, actor: "host:wake")
            }
            #expect(try store.applicationStatus("a-0002").state == .pending)
        }
    }

    // MARK: Plans

    private func samplePlan() -> Plan {
        Plan(score: 4321, assignments: [
            Assignment(application: "a-0004", town: "nanto", accommodation: "nanto-gh1",
                       arrival: Day(iso: "2026-07-02")!, nights: 5),
            Assignment(application: "a-0001", town: "nanto", accommodation: "nanto-gh1",
                       arrival: Day(iso: "2026-10-05")!, nights: 21, slot: "nanto-persimmon", laborDays: 11),
        ], unplaced: [
            UnplacedApplication(application: "a-0003", reason: "no accommodation within budget 3000 in any town"),
            UnplacedApplication(application: "a-0002", reason: "team \"team-1\" does not fit"),
        ])
    }

    @Test func plansSaveAndLoad() throws {
        try withStore { store, _ in
            try store.importScenario(cornerCaseScenario(), actor: "planner:alice")
            let version = try store.stateVersion()
            let id = try store.savePlan(samplePlan(), seed: UInt64.max - 1, upperBound: 5000, basedOnVersion: version,
                                        summary: #"{"iterations": 12}"#)
            let stored = try store.plan(id: id)
            #expect(stored.plan == samplePlan().sortedCanonically())
            #expect(stored.record.seed == UInt64.max - 1)
            #expect(stored.record.status == .finished)
            #expect(stored.record.upperBound == 5000)
            #expect(stored.record.summary == #"{"iterations": 12}"#)
            #expect(stored.record.basedOnVersion == version)
            #expect(stored.record.assignmentCount == 2)
            #expect(stored.record.unplacedCount == 2)
            #expect(try store.stateVersion() == version)

            let running = try store.savePlan(Plan(), seed: 7, upperBound: nil, basedOnVersion: version, status: .running)
            #expect(try store.plans().map(\.id) == [running, id])
            #expect(try store.plans().first?.upperBound == nil)
            #expect(try store.finishPlan(id: running, samplePlan(), upperBound: nil) == .finished)
            #expect(try store.plan(id: running).plan == samplePlan().sortedCanonically())
            #expect(throws: StoreError.notFound(entity: "plan", id: "999")) { try store.plan(id: 999) }
            #expect(throws: SQLiteError.self) {
                try store.savePlan(Plan(), seed: 1, upperBound: nil, basedOnVersion: version, summary: "not json")
            }
        }
    }

    @Test func committingAPlanMakesOffersAndStalesTheOthers() throws {
        try withStore { store, _ in
            try store.importScenario(cornerCaseScenario(), actor: "planner:alice")
            let version = try store.stateVersion()
            let chosen = try store.savePlan(samplePlan(), seed: 1, upperBound: nil, basedOnVersion: version)
            let other = try store.savePlan(samplePlan(), seed: 2, upperBound: nil, basedOnVersion: version)
            let deadline = fixedNow.addingTimeInterval(3 * 86_400)

            let offered = try store.commitPlan(id: chosen, actor: "planner:alice", offerExpiresAt: deadline)
            #expect(offered == ["a-0004"])
            let status = try store.applicationStatus("a-0004")
            #expect(status.state == .offered)
            #expect(status.offerExpiresAt == "2026-06-04T09:00:00.000Z")
            let placement = try #require(try store.placement(of: "a-0004"))
            #expect(placement.source == .plan)
            #expect(placement.planID == chosen)
            #expect(try store.placement(of: "a-0001")?.source == .booking)
            #expect(try store.stateVersion() == version + 1)
            #expect(try store.plan(id: chosen).record.status == .committed)
            #expect(try store.plan(id: other).record.status == .stale)
            #expect(try store.auditEntries().last?.action == "plan.commit")
            // Plan placements are the engine's output, not an input booking.
            #expect(try store.exportScenario().bookings.map(\.application) == ["a-0001"])

            #expect(throws: StoreError.self) {
                try store.commitPlan(id: chosen, actor: "planner:alice", offerExpiresAt: deadline)
            }

            // Accepting keeps the place; the deadline no longer applies.
            let confirmed = try store.moveApplication("a-0004", to: .confirmed, actor: "freelancer:f-0001")
            #expect(confirmed.offerExpiresAt == nil)
            #expect(try store.placement(of: "a-0004")?.planID == chosen)
        }
    }

    @Test func aPlanFromAnOlderVersionIsRefusedAndMarkedStale() throws {
        try withStore { store, _ in
            try store.importScenario(cornerCaseScenario(), actor: "planner:alice")
            let version = try store.stateVersion()
            let id = try store.savePlan(samplePlan(), seed: 1, upperBound: nil, basedOnVersion: version - 1)
            let before = try store.auditEntries().count
            #expect(throws: StoreError.stalePlan(planID: id, basedOnVersion: version - 1, currentVersion: version)) {
                try store.commitPlan(id: id, actor: "planner:alice", offerExpiresAt: fixedNow.addingTimeInterval(60))
            }
            #expect(try store.plan(id: id).record.status == .stale)
            #expect(try store.applicationStatus("a-0004").state == .pending)
            #expect(try store.auditEntries().count == before)
            #expect(try store.stateVersion() == version)
        }
    }

    @Test func expiredOffersLoseTheirPlace() throws {
        try withStore { store, _ in
            try store.importScenario(cornerCaseScenario(), actor: "planner:alice")
            let id = try store.savePlan(samplePlan(), seed: 1, upperBound: nil, basedOnVersion: try store.stateVersion())
            try store.commitPlan(id: id, actor: "planner:alice", offerExpiresAt: fixedNow.addingTimeInterval(3600))
            let version = try store.stateVersion()
            #expect(try store.expireOffers().isEmpty)
            #expect(try store.stateVersion() == version)
            store.clock = { fixedNow.addingTimeInterval(3600) }
            #expect(try store.expireOffers() == ["a-0004"])
            #expect(try store.applicationStatus("a-0004").state == .expired)
            #expect(try store.placement(of: "a-0004") == nil)
            #expect(try store.stateVersion() == version + 1)
            #expect(try store.auditEntries().last?.actor == "system:expiry")
        }
    }

    @Test func importFileReadsCheckedScenarios() throws {
        try withStoreDirectory { directory in
            let scenarioPath = directory.appendingPathComponent("scenario.json").path
            let databasePath = directory.appendingPathComponent("store.sqlite").path
            let scenario = cornerCaseScenario()
            #expect(FileManager.default.createFile(atPath: scenarioPath, contents: Data(ScenarioWriter.write(scenario))))
            let summary = try ScenarioStore.importFile(scenarioPath: scenarioPath, databasePath: databasePath)
            #expect(summary.applications == 4)
            #expect(summary.description.contains("4 applications"))
            let store = try ScenarioStore.open(path: databasePath)
            #expect(ScenarioWriter.write(try store.exportScenario()) == ScenarioWriter.write(scenario))
            #expect(try store.auditEntries().map(\.actor) == ["system:import"])

            #expect(FileManager.default.createFile(atPath: scenarioPath, contents: Data("{}".utf8)))
            #expect(throws: InputError.self) {
                try ScenarioStore.importFile(scenarioPath: scenarioPath, databasePath: databasePath)
            }
            #expect(throws: StoreError.self) {
                try ScenarioStore.importFile(scenarioPath: directory.appendingPathComponent("missing.json").path,
                                             databasePath: databasePath)
            }
        }
    }
}
