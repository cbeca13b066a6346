import Foundation
import SasuraiCore

/// Sasurai's persistent state: the scenario, application lifecycles, placements, plans and the
/// audit log, in one SQLite file.
///
/// One `ScenarioStore` owns one connection and, like `Database`, stays inside one thread or
/// isolation domain. Every public write runs in one immediate transaction (or a savepoint when
/// the caller already opened a transaction, so writes compose), appends its audit row in that
/// same transaction, and bumps `stateVersion()` when it changes what a plan relies on.
///
/// Import replaces: `importScenario` deletes all scenario content (towns through placements)
/// and stores the new scenario, because a planner's bulk import is how a season is set up or
/// reset. Plans and the audit log survive it; plans made before it become stale through the
/// version bump. Callers that must not overwrite check `isEmpty()` first.
///
/// Export gives back the scenario as stored: every application whatever its state (a withdrawn
/// application is still part of the season's record, and an import followed by an export must
/// reproduce the file), and the placements hosts made (`source` booking or host) as bookings.
/// Placements from committed plans are not exported as bookings: they are the engine's output,
/// not its input.
public final class ScenarioStore {
    /// The connection; available for maintenance such as `backup(to:)` and `checkpoint()`.
    public let database: Database

    /// The source of the current time for every stored timestamp; tests replace it.
    public var clock: () -> Date = { Date() }

    /// The digits of the largest `a-<n>` application id, once `nextApplicationID` has looked.
    ///
    /// Finding it takes a scan of every application; remembering it makes a server-assigned id
    /// cost nothing, which matters when thousands of APPLY requests arrive. Kept up by
    /// `addApplication`, dropped by imports. It may run ahead of the table when a write rolls
    /// back; that only skips a number.
    var largestApplicationNumber: String?

    /// When true, the state version bumps of the writes inside one transaction are gathered
    /// into one, applied before the version is read or the transaction commits (see
    /// `applyGatheredStateVersionBump`). The server's writer, which commits the writes of many
    /// clients at once, sets it: two statements fewer per write. The version still grows with
    /// every commit that changed what a plan relies on, which is all a plan's staleness needs.
    public var gathersStateVersionBumps = false
    var stateVersionBumpGathered = false

    /// Applies `Schema.migrations`.
    public static let migrator = Migrator(Schema.migrations)

    /// Takes over an open connection and brings its schema up to date.
    public init(database: Database) throws {
        self.database = database
        try Self.migrator.migrate(database)
    }

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    ///
    /// - Parameter synchronous: `.full` unless losing the last commits on power loss is acceptable.
    public static func open(path: String, synchronous: Database.SynchronousMode = .full) throws -> ScenarioStore {
        try ScenarioStore(database: Database.open(path: path, synchronous: synchronous))
    }

    /// Reads a scenario file and imports it into the store at `databasePath`, replacing its content.
    ///
    /// For command-line use: the file is checked by `ScenarioReader` (its `InputError` is thrown
    /// as is), and the import is one transaction, so a killed process leaves the store as it was.
    @discardableResult
    public static func importFile(scenarioPath: String, databasePath: String,
                                  actor: String = "system:import") throws -> ImportSummary {
        guard let data = FileManager.default.contents(atPath: scenarioPath) else {
            throw StoreError.notFound(entity: "scenario file", id: scenarioPath)
        }
        let scenario = try ScenarioReader.read([UInt8](data))
        let store = try ScenarioStore.open(path: databasePath)
        return try store.importScenario(scenario, actor: actor)
    }

    // MARK: State version

    /// A counter that grows with every write that changes what a plan relies on.
    ///
    /// A run records the version it read; a plan whose version is older than the current one was
    /// computed from outdated input and cannot be committed.
    public func stateVersion() throws -> Int64 {
        try applyGatheredStateVersionBump()
        guard let version = try Int64.fetchOne(database, sql: "SELECT version FROM state_version WHERE id = 1") else {
            throw StoreError.corruptData("state_version has no row")
        }
        return version
    }

    /// Increments the state version and marks finished plans made from older versions stale;
    /// with `gathersStateVersionBumps` inside a transaction, only notes that it must happen.
    ///
    /// Returns the new version, or nil when the bump was gathered.
    @discardableResult
    func bumpStateVersion() throws -> Int64? {
        if gathersStateVersionBumps && database.isInTransaction {
            stateVersionBumpGathered = true
            return nil
        }
        return try incrementStateVersion()
    }

    /// Applies a gathered bump now. The server's writer calls it before each commit; reading
    /// `stateVersion()` calls it first, so no one ever reads a version older than the writes
    /// before it. A gathered bump whose write rolled back still happens: a plan then looks
    /// stale without need, which is safe.
    public func applyGatheredStateVersionBump() throws {
        guard stateVersionBumpGathered else { return }
        stateVersionBumpGathered = false
        try incrementStateVersion()
    }

    @discardableResult
    private func incrementStateVersion() throws -> Int64 {
        // RETURNING saves a second statement on every write.
        guard let version = try Int64.fetchOne(
            database, sql: "UPDATE state_version SET version = version + 1 WHERE id = 1 RETURNING version") else {
            throw StoreError.corruptData("state_version has no row")
        }
        try database.execute("UPDATE plans SET status = 'stale' WHERE status = 'finished' AND based_on_version < ?",
                             arguments: [version])
        return version
    }

    // MARK: Import

    /// True when the store holds no scenario content (no towns, freelancers or applications).
    public func isEmpty() throws -> Bool {
        try Int.fetchOne(database, sql: """
            SELECT EXISTS (SELECT 1 FROM towns) OR EXISTS (SELECT 1 FROM freelancers)
                OR EXISTS (SELECT 1 FROM applications) OR EXISTS (SELECT 1 FROM accommodations)
                OR EXISTS (SELECT 1 FROM slots)
            """) == 0
    }

    /// Replaces all scenario content with `scenario` in one transaction.
    ///
    /// Bookings become placements with source `booking` and their applications are `confirmed`;
    /// every other application is `pending`. Appends one audit row and bumps the state version.
    /// On any error nothing changes.
    ///
    /// The scenario should be one `ScenarioReader` accepted or the generator made: the schema
    /// refuses duplicate ids, unknown references and out-of-range numbers, but the rules that
    /// span entities (teams, bookings' capacity) are the reader's to check.
    /// - Parameter actor: who imports, as `role:name`, such as `planner:alice`.
    @discardableResult
    public func importScenario(_ scenario: Scenario, actor: String) throws -> ImportSummary {
        try Self.validateActor(actor)
        let now = Timestamp.iso(clock())
        var nightsByApplication: [ApplicationID: Int] = [:]
        nightsByApplication.reserveCapacity(scenario.applications.count)
        for application in scenario.applications {
            nightsByApplication[application.id] = application.nights
        }
        var slotWindows: [SlotID: DayRange] = [:]
        for slot in scenario.slots {
            slotWindows[slot.id] = slot.window
        }
        let booked = Set(scenario.bookings.map(\.application))

        return try write {
            let replaced = try !isEmpty()
            try deleteScenarioContent()
            try storeWeights(scenario.weights)
            try insertTowns(scenario.towns)
            try insertAccommodations(scenario.accommodations)
            try insertSlots(scenario.slots)
            try insertFreelancers(scenario.freelancers)
            try insertApplications(scenario.applications, booked: booked, now: now)

            let insertPlacement = try database.cachedStatement(Self.insertPlacementSQL)
            for booking in scenario.bookings {
                guard let nights = nightsByApplication[booking.application] else {
                    throw StoreError.notFound(entity: "application", id: booking.application.rawValue)
                }
                let laborDays = booking.slot.map { slot in
                    slotWindows[slot]?.intersection(DayRange(arrival: booking.arrival, nights: nights)).count ?? 0
                } ?? 0
                try insertPlacement.run(booking.application.rawValue, booking.town.rawValue,
                                        booking.accommodation.rawValue, booking.arrival.iso, nights,
                                        booking.slot?.rawValue, laborDays, PlacementSource.booking.rawValue,
                                        nil as Int64?, now)
            }

            var detail = JSONWriter()
            detail.raw("{")
            detail.key("replaced"); detail.bool(replaced)
            let counts: [(String, Int)] = [
                ("towns", scenario.towns.count), ("accommodations", scenario.accommodations.count),
                ("slots", scenario.slots.count), ("freelancers", scenario.freelancers.count),
                ("applications", scenario.applications.count), ("bookings", scenario.bookings.count),
            ]
            for (name, count) in counts {
                detail.raw(", ")
                detail.key(name)
                detail.integer(count)
            }
            detail.raw("}")
            try insertAuditRow(at: now, actor: actor, action: "scenario.import", subject: nil, detail: detail.text)
            let version = try incrementStateVersion()
            return ImportSummary(towns: scenario.towns.count, accommodations: scenario.accommodations.count,
                                 slots: scenario.slots.count, freelancers: scenario.freelancers.count,
                                 applications: scenario.applications.count, bookings: scenario.bookings.count,
                                 stateVersion: version)
        }
    }

    /// Deletes children before parents, so no row is removed by a cascade one lookup at a time.
    private func deleteScenarioContent() throws {
        largestApplicationNumber = nil
        for table in ["placements", "application_kinds", "application_towns", "applications", "freelancer_skills",
                      "freelancers", "slot_skills", "slots", "accommodation_open_ranges", "accommodations", "towns"] {
            try database.execute("DELETE FROM \(table)")
        }
    }

    private func storeWeights(_ weights: Weights) throws {
        try database.execute("""
            UPDATE scenario_weights SET place = ?, rank = ?, rank_any = ?, labor_day = ?,
                relocation_none = ?, relocation_considering = ?, relocation_planning = ?
            WHERE id = 1
            """, arguments: [weights.place, "[" + weights.rank.map(String.init).joined(separator: ",") + "]",
                             weights.rankAny, weights.laborDay, weights.relocationNone,
                             weights.relocationConsidering, weights.relocationPlanning])
        guard database.changes == 1 else { throw StoreError.corruptData("scenario_weights has no row") }
    }

    private func insertTowns(_ towns: [Town]) throws {
        let insert = try database.cachedStatement("""
            INSERT INTO towns (id, name, prefecture, nightly_cap, min_nights, max_nights, subsidy_per_night)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for town in towns {
            try insert.run(town.id.rawValue, town.name, town.prefecture, town.nightlyCap, town.minNights,
                           town.maxNights, town.subsidyPerNight)
        }
    }

    func insertAccommodations(_ accommodations: [Accommodation]) throws {
        let insert = try database.cachedStatement("""
            INSERT INTO accommodations (id, town_id, name, kind, beds, price_per_night, always_open)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for accommodation in accommodations {
            try insert.run(accommodation.id.rawValue, accommodation.town.rawValue, accommodation.name,
                           accommodation.kind.rawValue, accommodation.beds, accommodation.pricePerNight,
                           accommodation.open == nil)
            try insertOpenRanges(of: accommodation)
        }
    }

    /// Stores the open ranges of an accommodation whose row exists and has none yet.
    func insertOpenRanges(of accommodation: Accommodation) throws {
        let insertRange = try database.cachedStatement("""
            INSERT INTO accommodation_open_ranges (accommodation_id, position, from_day, to_day) VALUES (?, ?, ?, ?)
            """)
        for (position, range) in (accommodation.open ?? []).enumerated() {
            try insertRange.run(accommodation.id.rawValue, position, range.from.iso, range.to.iso)
        }
    }

    func insertSlots(_ slots: [Slot]) throws {
        let insert = try database.cachedStatement("""
            INSERT INTO slots (id, town_id, title, from_day, to_day, seats, min_days) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for slot in slots {
            try insert.run(slot.id.rawValue, slot.town.rawValue, slot.title, slot.from.iso, slot.to.iso, slot.seats,
                           slot.minDays)
            try insertSkills(slot.skills, into: "slot_skills", owner: "slot_id", id: slot.id.rawValue)
        }
    }

    func insertFreelancers(_ freelancers: [Freelancer]) throws {
        let insert = try database.cachedStatement("INSERT INTO freelancers (id, name, relocation) VALUES (?, ?, ?)")
        for freelancer in freelancers {
            try insert.run(freelancer.id.rawValue, freelancer.name, freelancer.relocation.rawValue)
            try insertSkills(freelancer.skills, into: "freelancer_skills", owner: "freelancer_id",
                             id: freelancer.id.rawValue)
        }
    }

    /// Stores the skills of one slot or freelancer (`table` and its `owner` column name which).
    func insertSkills(_ skills: [String], into table: String, owner: String, id: String) throws {
        let insertSkill = try database.cachedStatement("INSERT INTO \(table) (\(owner), skill) VALUES (?, ?)")
        for skill in skills {
            try insertSkill.run(id, skill)
        }
    }

    func insertApplications(_ applications: [Application], booked: Set<ApplicationID>, now: String) throws {
        let insert = try database.cachedStatement("""
            INSERT INTO applications (id, freelancer_id, earliest, latest, nights, budget_per_night, labor, team,
                                      state, state_changed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertTown = try database.cachedStatement(
            "INSERT INTO application_towns (application_id, rank, town_id) VALUES (?, ?, ?)")
        let insertKind = try database.cachedStatement(
            "INSERT INTO application_kinds (application_id, kind) VALUES (?, ?)")
        for application in applications {
            let id = application.id.rawValue
            let state: ApplicationState = booked.contains(application.id) ? .confirmed : .pending
            try insert.run(id, application.freelancer.rawValue, application.earliest.iso, application.latest.iso,
                           application.nights, application.budgetPerNight, application.labor.rawValue,
                           application.team?.rawValue, state.rawValue, now)
            for (index, town) in application.towns.enumerated() {
                try insertTown.run(id, index + 1, town.rawValue)
            }
            for kind in application.kinds {
                try insertKind.run(id, kind.rawValue)
            }
        }
    }

    static let insertPlacementSQL = """
        INSERT INTO placements (application_id, town_id, accommodation_id, arrival, nights, slot_id, labor_days,
                                source, plan_id, placed_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    // MARK: Export

    /// The stored scenario, in canonical order; see the type's notes for what it contains.
    ///
    /// Reads in one transaction, so a concurrent writer on another connection cannot make the
    /// result mix two states.
    public func exportScenario() throws -> Scenario {
        try read {
            var scenario = Scenario(weights: try loadWeights(), towns: try fetchTowns(),
                                    accommodations: try fetchAccommodations(), slots: try fetchSlots(),
                                    freelancers: try fetchFreelancers(), applications: try fetchApplications())
            try forEachRow("""
                SELECT application_id, town_id, accommodation_id, arrival, slot_id FROM placements
                WHERE source IN ('booking', 'host') ORDER BY application_id
                """) { row in
                scenario.bookings.append(Booking(
                    application: ApplicationID(try row.requiredText(at: 0)), town: TownID(try row.requiredText(at: 1)),
                    accommodation: AccommodationID(try row.requiredText(at: 2)), arrival: try row.day(at: 3),
                    slot: row.text(at: 4).map { SlotID($0) }))
            }
            return scenario
        }
    }

    // MARK: Transactions and rows

    /// Runs `body` as one atomic write: a transaction, or a savepoint inside the caller's transaction.
    func write<T>(_ body: () throws -> T) throws -> T {
        if database.isInTransaction {
            return try database.savepoint(body)
        }
        return try database.transaction(.immediate, body)
    }

    /// Creates or replaces one entity as one write: `replace` when `exists` finds it, `create`
    /// otherwise, then an audit row `<entity>.created` or `<entity>.replaced` and a version bump.
    /// Returns true when it created.
    func createOrReplace(_ entity: String, id: String, detail: String, actor: String, exists: () throws -> Bool,
                         create: () throws -> Void, replace: () throws -> Void) throws -> Bool {
        try Self.validateActor(actor)
        let now = Timestamp.iso(clock())
        return try write {
            let created = try !exists()
            if created {
                try create()
            } else {
                try replace()
            }
            try insertAuditRow(at: now, actor: actor, action: entity + (created ? ".created" : ".replaced"),
                               subject: id, detail: detail)
            _ = try bumpStateVersion()
            return created
        }
    }

    /// Runs `body` on one read snapshot.
    func read<T>(_ body: () throws -> T) throws -> T {
        if database.isInTransaction {
            return try body()
        }
        return try database.transaction(.deferred, body)
    }

    /// Calls `body` with the statement positioned on each row; faster than copying out `Row`s.
    func forEachRow(_ sql: String, arguments: StatementArguments = [], _ body: (Statement) throws -> Void) throws {
        let statement = try database.cachedStatement(sql)
        statement.reset()
        defer { statement.reset() }
        try statement.bind(arguments)
        while try statement.step() {
            try body(statement)
        }
    }

    // MARK: Actors

    /// The roles an actor may name; `system` is for the service's own jobs and maintenance tools.
    static let actorRoles: Set<Substring> = ["planner", "host", "freelancer", "system"]

    /// Refuses actors that are not `role:name` with a name following the id rules.
    ///
    /// The audit log is read by people and kept forever, so it must never hold a credential; a
    /// strict shape keeps a token (or a whole Authorization header) from slipping in by mistake.
    static func validateActor(_ actor: String) throws {
        let parts = actor.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, actorRoles.contains(parts[0]), IdentifierRules.isValidIdentifier(String(parts[1])) else {
            throw StoreError.invalidArgument(
                "actor must be role:name with role planner, host, freelancer or system and a name of 1 to 64 "
                    + "characters a-z A-Z 0-9 . _ -")
        }
    }
}

extension Statement {
    /// Binds `values` to the parameters in order and runs the statement once.
    func run(_ values: (any SQLiteBindable)?...) throws {
        for (offset, value) in values.enumerated() {
            try bind(value, at: offset + 1)
        }
        try execute()
    }

    /// The text of a NOT NULL column of the current row.
    func requiredText(at column: Int) throws -> String {
        guard let text = text(at: column) else {
            throw StoreError.corruptData("column \(columnName(at: column)) is NULL in: \(sql)")
        }
        return text
    }

    /// A `YYYY-MM-DD` column of the current row.
    func day(at column: Int) throws -> Day {
        let text = try requiredText(at: column)
        guard let day = Day(iso: text) else {
            throw StoreError.corruptData("column \(columnName(at: column)) holds \"\(text)\", not a date")
        }
        return day
    }

    /// A column of the current row holding the raw value of `Choice`.
    func choice<Choice: RawRepresentable>(at column: Int) throws -> Choice where Choice.RawValue == String {
        let text = try requiredText(at: column)
        guard let value = Choice(rawValue: text) else {
            throw StoreError.corruptData("column \(columnName(at: column)) holds unknown \(Choice.self) \"\(text)\"")
        }
        return value
    }
}
