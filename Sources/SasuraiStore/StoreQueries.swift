import SasuraiCore

/// Reading the stored scenario: single entities, a town's lists, counts, the snapshot an
/// allocation run plans from, and what the plans said about an application.
extension ScenarioStore {
    // MARK: Entities

    /// The town with this id, or nil when there is none.
    public func town(_ id: TownID) throws -> Town? {
        try fetchTowns("WHERE id = ?", arguments: [id.rawValue]).first
    }

    /// The accommodation with this id, or nil when there is none.
    public func accommodation(_ id: AccommodationID) throws -> Accommodation? {
        try read { try fetchAccommodations("WHERE id = ?", arguments: [id.rawValue]).first }
    }

    /// The accommodations of one town, by id.
    public func accommodations(in town: TownID) throws -> [Accommodation] {
        try read { try fetchAccommodations("WHERE town_id = ?", arguments: [town.rawValue]) }
    }

    /// The slot with this id, or nil when there is none.
    public func slot(_ id: SlotID) throws -> Slot? {
        try read { try fetchSlots("WHERE id = ?", arguments: [id.rawValue]).first }
    }

    /// The slots of one town, by id.
    public func slots(in town: TownID) throws -> [Slot] {
        try read { try fetchSlots("WHERE town_id = ?", arguments: [town.rawValue]) }
    }

    /// The freelancer with this id, or nil when there is none.
    public func freelancer(_ id: FreelancerID) throws -> Freelancer? {
        try read { try fetchFreelancers("WHERE id = ?", arguments: [id.rawValue]).first }
    }

    /// The application with this id, whatever its state, or nil when there is none.
    public func application(_ id: ApplicationID) throws -> Application? {
        try read { try fetchApplications("WHERE id = ?", arguments: [id.rawValue]).first }
    }

    /// The places one freelancer's applications hold, by arrival then application id.
    ///
    /// Only offered and confirmed applications hold a place, so only those are looked at.
    public func placements(of freelancer: FreelancerID) throws -> [Placement] {
        try fetchPlacements("""
            WHERE application_id IN (SELECT id FROM applications
                                     WHERE freelancer_id = ? AND state IN ('offered', 'confirmed'))
            ORDER BY arrival, application_id
            """, arguments: [freelancer.rawValue])
    }

    // MARK: Counts

    /// How many of each entity the store holds, applications by state; read on one snapshot.
    public func counts() throws -> StoreCounts {
        try read {
            guard let row = try database.fetchOne("""
                SELECT (SELECT count(*) FROM towns), (SELECT count(*) FROM accommodations),
                       (SELECT count(*) FROM slots), (SELECT count(*) FROM freelancers)
                """) else {
                throw StoreError.corruptData("counting returned no row")
            }
            var applications = Dictionary(uniqueKeysWithValues: ApplicationState.allCases.map { ($0, 0) })
            try forEachRow("SELECT state, count FROM application_state_counts") { row in
                let state: ApplicationState = try row.choice(at: 0)
                applications[state] = row.int(at: 1)
            }
            return StoreCounts(towns: try row.decode(at: 0), accommodations: try row.decode(at: 1),
                               slots: try row.decode(at: 2), freelancers: try row.decode(at: 3),
                               applications: applications)
        }
    }

    // MARK: Planning

    /// What an allocation run plans from, and the state version it was read at, on one snapshot.
    ///
    /// The scenario holds every town, accommodation and freelancer and the weights; the
    /// applications that are pending, offered or confirmed; and one booking per current
    /// placement, whatever made it, since a run must keep every place already held. It passes
    /// `ScenarioReader`'s checks, so the engine can run on it, because of two adjustments:
    ///
    /// - A team whose placed members cannot stand as bookings of the whole team (some members
    ///   placed and others waiting, say after a cancellation, or members placed apart) loses
    ///   its team id here. Its placed members are fixed, so no run could place the team whole;
    ///   planning the waiting members alone gives them a chance instead of none, and each can
    ///   still decline the offer. Teams with no member placed, or all placed together, keep it.
    /// - Slots are limited to the nights the applications and placements span: a slot that no
    ///   application window or stay reaches is left out, and the others are cut to that span.
    ///   No stay could use the nights cut, so labor days and every check come out the same, and
    ///   next season's slots do not stretch the scenario past the 731 nights a scenario may span.
    ///
    /// - Throws: `StoreError.conflict` when the applications and placements themselves span
    ///   more than `ModelLimits.maximumHorizonNights` nights, which no run can take.
    public func planningSnapshot() throws -> (scenario: Scenario, stateVersion: Int64) {
        try read {
            let version = try stateVersion()
            var scenario = Scenario(
                weights: try loadWeights(), towns: try fetchTowns(), accommodations: try fetchAccommodations(),
                freelancers: try fetchFreelancers(),
                applications: try fetchApplications("WHERE state IN ('pending', 'offered', 'confirmed')"))
            let placements = try fetchPlacements("ORDER BY application_id", arguments: [])
            scenario.bookings = placements.map { placement in
                let assignment = placement.assignment
                return Booking(application: assignment.application, town: assignment.town,
                               accommodation: assignment.accommodation, arrival: assignment.arrival,
                               slot: assignment.slot)
            }
            Self.dissolveBrokenTeams(in: &scenario.applications, placements: placements)
            scenario.slots = Self.slotsForPlanning(
                try fetchSlots(), applications: scenario.applications, placements: placements)
            if let horizon = scenario.horizon, horizon.count > ModelLimits.maximumHorizonNights {
                throw StoreError.conflict(
                    "the open applications and stays span \(horizon.count) nights from \(horizon.from.iso) to "
                        + "\(horizon.to.iso), more than \(ModelLimits.maximumHorizonNights)")
            }
            return (scenario, version)
        }
    }

    /// Clears the team of every member of a team whose placements are not those of the whole
    /// team in one town with one arrival; see `planningSnapshot()`.
    private static func dissolveBrokenTeams(in applications: inout [Application], placements: [Placement]) {
        var assignments: [ApplicationID: Assignment] = [:]
        for placement in placements {
            assignments[placement.assignment.application] = placement.assignment
        }
        var members: [TeamID: [Int]] = [:]
        for (position, application) in applications.enumerated() {
            if let team = application.team { members[team, default: []].append(position) }
        }
        for positions in members.values {
            let placed = positions.compactMap { assignments[applications[$0].id] }
            let whole = placed.isEmpty || (placed.count == positions.count
                && placed.allSatisfy { $0.town == placed[0].town && $0.arrival == placed[0].arrival })
            guard !whole else { continue }
            for position in positions {
                applications[position].team = nil
            }
        }
    }

    /// The slots cut to the nights from the first application window or stay to the last;
    /// see `planningSnapshot()`.
    private static func slotsForPlanning(_ slots: [Slot], applications: [Application],
                                         placements: [Placement]) -> [Slot] {
        var first: Day?
        var last: Day?
        func include(_ range: DayRange) {
            first = first.map { min($0, range.from) } ?? range.from
            last = last.map { max($0, range.to) } ?? range.to
        }
        for application in applications { include(DayRange(from: application.earliest, to: application.latest)) }
        for placement in placements { include(placement.assignment.stay) }
        guard let first, let last else { return [] }
        let span = DayRange(from: first, to: last)
        let used = Set(placements.compactMap(\.assignment.slot))
        return slots.compactMap { slot in
            let window = slot.window.intersection(span)
            // A booking's labor days lie inside the span, so a used slot always keeps min_days.
            guard used.contains(slot.id) || window.count >= slot.minDays else { return nil }
            var cut = slot
            cut.from = window.from
            cut.to = window.to
            return cut
        }
    }

    /// The newest plan that placed `application` (reason nil) or left it unplaced (with the
    /// reason it gave), among plans that finished, were committed or went stale; nil when no
    /// such plan names the application.
    public func latestVerdict(for application: ApplicationID) throws -> (plan: Int64, reason: String?)? {
        // Walking plans newest first with primary-key probes stops at the first mention, and
        // needs no index on application ids in the plans' tables.
        var verdict: (plan: Int64, reason: String?)?
        try forEachRow("""
            SELECT id, (SELECT reason FROM plan_unplaced WHERE plan_id = plans.id AND application_id = ?1)
            FROM plans
            WHERE status IN ('finished', 'committed', 'stale')
                AND (EXISTS (SELECT 1 FROM plan_assignments WHERE plan_id = plans.id AND application_id = ?1)
                     OR EXISTS (SELECT 1 FROM plan_unplaced WHERE plan_id = plans.id AND application_id = ?1))
            ORDER BY id DESC LIMIT 1
            """, arguments: [application.rawValue]) { row in
            verdict = (row.int64(at: 0), row.text(at: 1))
        }
        return verdict
    }

    // MARK: Loading

    /// The towns `filter` selects (a `WHERE` clause on `towns`; empty for all), by id.
    func fetchTowns(_ filter: String = "", arguments: StatementArguments = []) throws -> [Town] {
        var towns: [Town] = []
        try forEachRow("""
            SELECT id, name, prefecture, nightly_cap, min_nights, max_nights, subsidy_per_night FROM towns
            """ + " " + filter + " ORDER BY id", arguments: arguments) { row in
            towns.append(Town(id: TownID(try row.requiredText(at: 0)), name: try row.requiredText(at: 1),
                              prefecture: try row.requiredText(at: 2), nightlyCap: row.int(at: 3),
                              minNights: row.int(at: 4), maxNights: row.int(at: 5), subsidyPerNight: row.int(at: 6)))
        }
        return towns
    }

    /// The accommodations `filter` selects (a `WHERE` clause on `accommodations`), by id.
    func fetchAccommodations(_ filter: String = "", arguments: StatementArguments = []) throws -> [Accommodation] {
        var openRanges: [String: [DayRange]] = [:]
        try forEachRow(Self.childrenSQL("from_day, to_day", of: "accommodation_open_ranges", key: "accommodation_id",
                                        parent: "accommodations", filter: filter, order: "position"),
                       arguments: arguments) { row in
            openRanges[try row.requiredText(at: 0), default: []]
                .append(DayRange(from: try row.day(at: 1), to: try row.day(at: 2)))
        }
        var accommodations: [Accommodation] = []
        try forEachRow("""
            SELECT id, town_id, name, kind, beds, price_per_night, always_open FROM accommodations
            """ + " " + filter + " ORDER BY id", arguments: arguments) { row in
            let id = try row.requiredText(at: 0)
            accommodations.append(Accommodation(
                id: AccommodationID(id), town: TownID(try row.requiredText(at: 1)), name: try row.requiredText(at: 2),
                kind: try row.choice(at: 3), beds: row.int(at: 4), pricePerNight: row.int(at: 5),
                open: row.int(at: 6) == 1 ? nil : openRanges[id] ?? []))
        }
        return accommodations
    }

    /// The slots `filter` selects (a `WHERE` clause on `slots`), by id.
    func fetchSlots(_ filter: String = "", arguments: StatementArguments = []) throws -> [Slot] {
        let skills = try groupedText(Self.childrenSQL("skill", of: "slot_skills", key: "slot_id", parent: "slots",
                                                      filter: filter, order: "skill"), arguments: arguments)
        var slots: [Slot] = []
        try forEachRow("SELECT id, town_id, title, from_day, to_day, seats, min_days FROM slots "
                       + filter + " ORDER BY id", arguments: arguments) { row in
            let id = try row.requiredText(at: 0)
            slots.append(Slot(id: SlotID(id), town: TownID(try row.requiredText(at: 1)),
                              title: try row.requiredText(at: 2), skills: skills[id] ?? [], from: try row.day(at: 3),
                              to: try row.day(at: 4), seats: row.int(at: 5), minDays: row.int(at: 6)))
        }
        return slots
    }

    /// The freelancers `filter` selects (a `WHERE` clause on `freelancers`), by id.
    func fetchFreelancers(_ filter: String = "", arguments: StatementArguments = []) throws -> [Freelancer] {
        let skills = try groupedText(Self.childrenSQL("skill", of: "freelancer_skills", key: "freelancer_id",
                                                      parent: "freelancers", filter: filter, order: "skill"),
                                     arguments: arguments)
        var freelancers: [Freelancer] = []
        try forEachRow("SELECT id, name, relocation FROM freelancers " + filter + " ORDER BY id",
                       arguments: arguments) { row in
            let id = try row.requiredText(at: 0)
            freelancers.append(Freelancer(id: FreelancerID(id), name: try row.requiredText(at: 1),
                                          skills: skills[id] ?? [], relocation: try row.choice(at: 2)))
        }
        return freelancers
    }

    /// The applications `filter` selects (a `WHERE` clause on `applications`), by id.
    func fetchApplications(_ filter: String = "", arguments: StatementArguments = []) throws -> [Application] {
        let preferredTowns = try groupedText(Self.childrenSQL("town_id", of: "application_towns", key: "application_id",
                                                              parent: "applications", filter: filter, order: "rank"),
                                             arguments: arguments)
        let kinds = try groupedText(Self.childrenSQL("kind", of: "application_kinds", key: "application_id",
                                                     parent: "applications", filter: filter, order: "kind"),
                                    arguments: arguments)
        var applications: [Application] = []
        if filter.isEmpty {
            applications.reserveCapacity(try Int.fetchOne(database, sql: "SELECT count(*) FROM applications") ?? 0)
        }
        try forEachRow("""
            SELECT id, freelancer_id, earliest, latest, nights, budget_per_night, labor, team FROM applications
            """ + " " + filter + " ORDER BY id", arguments: arguments) { row in
            let id = try row.requiredText(at: 0)
            let applicationKinds = try (kinds[id] ?? []).map { text in
                guard let kind = AccommodationKind(rawValue: text) else {
                    throw StoreError.corruptData("application_kinds holds unknown kind \"\(text)\"")
                }
                return kind
            }
            applications.append(Application(
                id: ApplicationID(id), freelancer: FreelancerID(try row.requiredText(at: 1)),
                earliest: try row.day(at: 2), latest: try row.day(at: 3), nights: row.int(at: 4),
                towns: (preferredTowns[id] ?? []).map { TownID($0) }, kinds: applicationKinds,
                budgetPerNight: row.int(at: 5), labor: try row.choice(at: 6), team: row.text(at: 7).map { TeamID($0) }))
        }
        return applications
    }

    /// A query for the rows of a child table whose parents `filter` selects, keyed and sorted by
    /// the parent id; one query serves the whole list instead of one per parent.
    private static func childrenSQL(_ columns: String, of table: String, key: String, parent: String,
                                    filter: String, order: String) -> String {
        let selection = filter.isEmpty ? "" : " WHERE \(key) IN (SELECT id FROM \(parent) \(filter))"
        return "SELECT \(key), \(columns) FROM \(table)\(selection) ORDER BY \(key), \(order)"
    }

    /// The stored scenario's score weights, which a plan run uses unless told otherwise.
    public func scenarioWeights() throws -> Weights {
        try loadWeights()
    }

    func loadWeights() throws -> Weights {
        guard let row = try database.fetchOne("""
            SELECT place, rank, rank_any, labor_day, relocation_none, relocation_considering, relocation_planning
            FROM scenario_weights WHERE id = 1
            """) else {
            throw StoreError.corruptData("scenario_weights has no row")
        }
        let rankText = try row.decode(String.self, at: 1)
        guard case .array(let elements)? = try? JSONParser.parse(rankText).value else {
            throw StoreError.corruptData("scenario_weights.rank is not a JSON array")
        }
        let rank = try elements.map { element in
            guard case .integer(let value) = element.value else {
                throw StoreError.corruptData("scenario_weights.rank holds a value that is not an integer")
            }
            return value
        }
        return Weights(place: try row.decode(at: 0), rank: rank, rankAny: try row.decode(at: 2),
                       laborDay: try row.decode(at: 3), relocationNone: try row.decode(at: 4),
                       relocationConsidering: try row.decode(at: 5), relocationPlanning: try row.decode(at: 6))
    }

    /// The second column of each row, grouped by the first, in row order.
    private func groupedText(_ sql: String, arguments: StatementArguments) throws -> [String: [String]] {
        var groups: [String: [String]] = [:]
        try forEachRow(sql, arguments: arguments) { row in
            groups[try row.requiredText(at: 0), default: []].append(try row.requiredText(at: 1))
        }
        return groups
    }
}
