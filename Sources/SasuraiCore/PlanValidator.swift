/// Checks a plan against MODEL.md's rules 1 to 12 and recomputes its score.
///
/// The scenario is expected to have passed input validation already, but nothing here relies
/// on it: an id the scenario does not know, in a plan or a booking, is reported as a
/// violation and never traps.
public struct PlanValidator: Sendable {
    public let scenario: Scenario

    private let townIndex: [TownID: Int]
    private let accommodationIndex: [AccommodationID: Int]
    private let slotIndex: [SlotID: Int]
    private let freelancerIndex: [FreelancerID: Int]
    private let applicationIndex: [ApplicationID: Int]
    /// The first booking of each booked application.
    private let bookingIndex: [ApplicationID: Int]
    /// Each accommodation's open ranges, sorted and merged; nil when always open.
    private let openRanges: [[DayRange]?]
    private let teams: [TeamMembers]

    private struct TeamMembers: Sendable {
        var team: TeamID
        /// Indices into `scenario.applications`, in id order.
        var members: [Int]
    }

    public init(scenario: Scenario) {
        self.scenario = scenario
        townIndex = PlanValidator.firstIndices(scenario.towns.map(\.id))
        accommodationIndex = PlanValidator.firstIndices(scenario.accommodations.map(\.id))
        slotIndex = PlanValidator.firstIndices(scenario.slots.map(\.id))
        freelancerIndex = PlanValidator.firstIndices(scenario.freelancers.map(\.id))
        applicationIndex = PlanValidator.firstIndices(scenario.applications.map(\.id))
        bookingIndex = PlanValidator.firstIndices(scenario.bookings.map(\.application))
        openRanges = scenario.accommodations.map { accommodation in
            accommodation.open.map(PlanValidator.merged)
        }
        var membersByTeam: [TeamID: [Int]] = [:]
        for (index, application) in scenario.applications.enumerated() {
            if let team = application.team { membersByTeam[team, default: []].append(index) }
        }
        let applications = scenario.applications
        teams = membersByTeam.keys.sorted().map { team in
            TeamMembers(team: team, members: membersByTeam[team]!.sorted { applications[$0].id < applications[$1].id })
        }
    }

    // MARK: - Plans

    /// Checks every placement of `plan` (rules 1 to 8, with the booking exemptions), the plan
    /// as a whole (rules 9 to 12), that every application is listed exactly once, that every
    /// booking is kept, and that the stated nights, labor days and score are right.
    public func validate(_ plan: Plan) -> PlanValidation {
        let applications = scenario.applications
        var violations: [Violation] = []
        var stays: [ResolvedStay] = []
        stays.reserveCapacity(plan.assignments.count)
        var placedCount = [Int](repeating: 0, count: applications.count)
        var unplacedCount = [Int](repeating: 0, count: applications.count)
        var score = 0

        for assignment in plan.assignments {
            guard let applicationPosition = applicationIndex[assignment.application] else {
                violations.append(Violation(
                    rule: nil, message: "unknown application \(quoted(assignment.application)) in assignments"))
                continue
            }
            placedCount[applicationPosition] += 1
            let application = applications[applicationPosition]
            let id = application.id
            if assignment.nights != application.nights {
                violations.append(Violation(
                    rule: nil,
                    message: "\(id) has \(counted(assignment.nights, "night")) in the plan; the application asks for \(application.nights)",
                    applications: [id]))
            }
            let booking = bookingIndex[id].map { scenario.bookings[$0] }
            if let booking, let difference = differences(of: assignment, from: booking) {
                violations.append(Violation(
                    rule: nil, message: "booking of \(id) not kept: \(difference)", applications: [id]))
            }
            let placement = Placement(
                application: applicationPosition, town: assignment.town, accommodation: assignment.accommodation,
                arrival: assignment.arrival, slot: assignment.slot, isBooking: booking != nil)
            let stay = check(placement, into: &violations)
            if let slot = assignment.slot, stay.slot != nil {
                if assignment.laborDays != stay.laborDays {
                    violations.append(Violation(
                        rule: nil,
                        message: "\(id) has \(counted(assignment.laborDays, "labor day")) in the plan; the stay shares \(counted(stay.laborDays, "day")) with slot \(quoted(slot))",
                        applications: [id]))
                }
            } else if assignment.slot == nil, assignment.laborDays != 0 {
                violations.append(Violation(
                    rule: nil, message: "\(id) has \(counted(assignment.laborDays, "labor day")) in the plan but no slot",
                    applications: [id]))
            }
            if let freelancer = stay.freelancer {
                score += scenario.weights.score(
                    application: application, freelancer: scenario.freelancers[freelancer],
                    town: assignment.town, laborDays: stay.laborDays)
            }
            stays.append(stay)
        }

        for unplaced in plan.unplaced {
            guard let applicationPosition = applicationIndex[unplaced.application] else {
                violations.append(Violation(
                    rule: nil, message: "unknown application \(quoted(unplaced.application)) in unplaced"))
                continue
            }
            unplacedCount[applicationPosition] += 1
        }

        for (position, application) in applications.enumerated() {
            let id = application.id
            let placed = placedCount[position]
            let unplaced = unplacedCount[position]
            if placed > 1 {
                violations.append(Violation(rule: 11, message: "\(id) is placed \(placed) times", applications: [id]))
            }
            if unplaced > 1 {
                violations.append(Violation(
                    rule: nil, message: "\(id) is listed \(unplaced) times in unplaced", applications: [id]))
            }
            if placed > 0, unplaced > 0 {
                violations.append(Violation(rule: nil, message: "\(id) is both placed and unplaced", applications: [id]))
            }
            if placed == 0, unplaced == 0 {
                violations.append(Violation(rule: nil, message: "\(id) is missing from the plan", applications: [id]))
            }
            if placed == 0, bookingIndex[id] != nil {
                violations.append(Violation(
                    rule: nil, message: "booking of \(id) not kept: the application is not placed", applications: [id]))
            }
        }

        violations += capacityViolations(stays)
        violations += teamViolations(stays, verb: "placed")

        if plan.score != score {
            violations.append(Violation(rule: nil, message: "score \(plan.score) does not match the recomputed \(score)"))
        }
        return PlanValidation(violations: Violation.sortedUnique(violations), recomputedScore: score)
    }

    // MARK: - Bookings

    /// Checks the scenario's bookings alone, as the scenario reader needs them: rules 1, 3, 4
    /// and 7 per booking and rules 9 to 12 over all bookings together.
    ///
    /// Rules 2, 5, 6 and 8 do not bind a booking. A message about one booking names its
    /// application, the only one in `applications`; where that cannot point at the entry (an
    /// unknown application, an application booked twice) it names `bookings[i]` itself.
    public func validateBookings() -> [Violation] {
        var violations: [Violation] = []
        var stays: [ResolvedStay] = []
        var positionsByApplication: [Int: [Int]] = [:]
        for (position, booking) in scenario.bookings.enumerated() {
            guard let applicationPosition = applicationIndex[booking.application] else {
                violations.append(Violation(
                    rule: nil, message: "bookings[\(position)]: unknown application \(quoted(booking.application))"))
                continue
            }
            positionsByApplication[applicationPosition, default: []].append(position)
            let placement = Placement(
                application: applicationPosition, town: booking.town, accommodation: booking.accommodation,
                arrival: booking.arrival, slot: booking.slot, isBooking: true)
            stays.append(check(placement, into: &violations))
        }
        for (applicationPosition, positions) in positionsByApplication where positions.count > 1 {
            let id = scenario.applications[applicationPosition].id
            let entries = positions.map { "bookings[\($0)]" }.joined(separator: ", ")
            violations.append(Violation(
                rule: 11, message: "\(id) is booked \(positions.count) times (\(entries))", applications: [id]))
        }
        violations += capacityViolations(stays)
        violations += teamViolations(stays, verb: "booked")
        return Violation.sortedUnique(violations)
    }

    // MARK: - One placement (rules 1 to 8)

    /// A placement to check, from a plan's assignment or a scenario's booking.
    private struct Placement {
        var application: Int
        var town: TownID
        var accommodation: AccommodationID
        var arrival: Day
        var slot: SlotID?
        /// Bookings are exempt from rules 2, 5, 6 and 8.
        var isBooking: Bool
    }

    /// A placement with its ids resolved to indices (nil when unknown) and its nights as
    /// day counts since the epoch, ready for counting.
    private struct ResolvedStay {
        var application: Int
        var freelancer: Int?
        var town: Int?
        var accommodation: Int?
        var slot: Int?
        var townID: TownID
        var arrival: Day
        /// Nights `[start, end)`.
        var start: Int
        var end: Int
        /// Labor days `[laborStart, laborEnd)`: the stay's days inside the slot's window.
        var laborStart: Int
        var laborEnd: Int
        var laborDays: Int { max(0, laborEnd - laborStart) }
    }

    /// Checks rules 1 to 8 for one placement and resolves it for the plan-wide rules.
    ///
    /// The stay is always the application's own nights: a plan that states other nights is
    /// reported separately, and the application's count is the one the scenario vouches for.
    private func check(_ placement: Placement, into violations: inout [Violation]) -> ResolvedStay {
        let application = scenario.applications[placement.application]
        let id = application.id
        func report(_ rule: Int?, _ message: String) {
            violations.append(Violation(rule: rule, message: message, applications: [id]))
        }

        let stayRange = DayRange(arrival: placement.arrival, nights: application.nights)
        var stay = ResolvedStay(
            application: placement.application, freelancer: freelancerIndex[application.freelancer],
            town: townIndex[placement.town], accommodation: accommodationIndex[placement.accommodation],
            slot: placement.slot.flatMap { slotIndex[$0] }, townID: placement.town, arrival: placement.arrival,
            start: stayRange.from.daysSinceEpoch, end: stayRange.to.daysSinceEpoch,
            laborStart: 0, laborEnd: 0)

        if stay.freelancer == nil {
            report(nil, "\(id) names unknown freelancer \(quoted(application.freelancer))")
        }
        if stay.town == nil {
            report(nil, "\(id) is placed in unknown town \(quoted(placement.town))")
        }
        if stay.accommodation == nil {
            report(nil, "\(id) is placed in unknown accommodation \(quoted(placement.accommodation))")
        }
        if let slotID = placement.slot, stay.slot == nil {
            report(nil, "\(id) is placed in unknown slot \(quoted(slotID))")
        }
        let town = stay.town.map { scenario.towns[$0] }
        let accommodation = stay.accommodation.map { scenario.accommodations[$0] }
        let slot = stay.slot.map { scenario.slots[$0] }

        // Rule 1.
        if let accommodation, accommodation.town != placement.town {
            report(1, "\(id) is placed in town \(quoted(placement.town)) but accommodation \(quoted(accommodation.id)) is in \(quoted(accommodation.town))")
        }
        if let slot, slot.town != placement.town {
            report(1, "\(id) is placed in town \(quoted(placement.town)) but slot \(quoted(slot.id)) is in \(quoted(slot.town))")
        }

        // Rule 2.
        if !placement.isBooking {
            if placement.arrival < application.earliest {
                report(2, "\(id) arrives \(placement.arrival.iso), before its earliest \(application.earliest.iso)")
            }
            if stayRange.to > application.latest {
                report(2, "\(id) departs \(stayRange.to.iso), after its latest \(application.latest.iso)")
            }
        }

        // Rule 3.
        if let town, application.nights < town.minNights || application.nights > town.maxNights {
            report(3, "\(id) asks for \(counted(application.nights, "night")); town \(quoted(town.id)) takes \(town.minNights) to \(town.maxNights)")
        }

        // Rule 4.
        if let accommodation, let open = stay.accommodation.flatMap({ openRanges[$0] }) {
            let closed = PlanValidator.closedNights(of: stayRange, open: open)
            if !closed.isEmpty {
                let nights = closed.map(PlanValidator.nightsText).joined(separator: ", ")
                report(4, "\(id) stays in accommodation \(quoted(accommodation.id)) while it is closed on \(nights)")
            }
        }

        // Rule 5.
        if !placement.isBooking, let accommodation, let town {
            let cost = max(0, accommodation.pricePerNight - town.subsidyPerNight)
            if cost > application.budgetPerNight {
                report(5, "\(id) pays \(cost) yen a night at accommodation \(quoted(accommodation.id)) (price \(accommodation.pricePerNight) less subsidy \(town.subsidyPerNight)), over its budget \(application.budgetPerNight)")
            }
        }

        // Rule 6.
        if !placement.isBooking {
            if !application.towns.isEmpty, !application.towns.contains(placement.town) {
                let towns = application.towns.map(\.rawValue).joined(separator: ", ")
                report(6, "\(id) is placed in town \(quoted(placement.town)), not one of its towns \(towns)")
            }
            if let accommodation, !application.kinds.isEmpty, !application.kinds.contains(accommodation.kind) {
                let kinds = application.kinds.map(\.rawValue).joined(separator: ", ")
                report(6, "\(id) is placed in accommodation \(quoted(accommodation.id)) of kind \(accommodation.kind.rawValue), not one of its kinds \(kinds)")
            }
        }

        // Rule 7.
        if let slot {
            if let freelancerPosition = stay.freelancer {
                let freelancer = scenario.freelancers[freelancerPosition]
                let missing = Set(slot.skills).subtracting(freelancer.skills).sorted()
                if !missing.isEmpty {
                    report(7, "freelancer \(quoted(freelancer.id)) of \(id) lacks skills \(missing.joined(separator: ", ")) that slot \(quoted(slot.id)) needs")
                }
            }
            let labor = stayRange.intersection(slot.window)
            stay.laborStart = labor.from.daysSinceEpoch
            stay.laborEnd = labor.from.daysSinceEpoch + labor.count
            if stay.laborDays < slot.minDays {
                report(7, "\(id) shares \(counted(stay.laborDays, "day")) with slot \(quoted(slot.id)), fewer than its min_days \(slot.minDays)")
            }
        }

        // Rule 8.
        if !placement.isBooking {
            if application.labor == .required, placement.slot == nil {
                report(8, "\(id) requires labor but has no slot")
            }
            if application.labor == .none, let slotID = placement.slot {
                report(8, "\(id) wants no labor but is given slot \(quoted(slotID))")
            }
        }
        return stay
    }

    /// What an assignment changed about its booking, or nil when it kept it.
    private func differences(of assignment: Assignment, from booking: Booking) -> String? {
        var changes: [String] = []
        if assignment.town != booking.town {
            changes.append("town \(quoted(assignment.town)) instead of \(quoted(booking.town))")
        }
        if assignment.accommodation != booking.accommodation {
            changes.append("accommodation \(quoted(assignment.accommodation)) instead of \(quoted(booking.accommodation))")
        }
        if assignment.arrival != booking.arrival {
            changes.append("arrival \(assignment.arrival.iso) instead of \(booking.arrival.iso)")
        }
        if assignment.slot != booking.slot {
            changes.append("slot \(slotText(assignment.slot)) instead of \(slotText(booking.slot))")
        }
        return changes.isEmpty ? nil : changes.joined(separator: ", ")
    }

    private func slotText(_ slot: SlotID?) -> String {
        slot.map(quoted) ?? "none"
    }

    // MARK: - Capacity (rules 9, 10 and 11)

    /// Guests per accommodation and town, workers per slot, and stays per freelancer, night
    /// by night; one violation per maximal run of over-capacity nights.
    private func capacityViolations(_ stays: [ResolvedStay]) -> [Violation] {
        var accommodationGuests: [Occupant] = []
        var townGuests: [Occupant] = []
        var slotWorkers: [Occupant] = []
        var freelancerStays: [Occupant] = []
        accommodationGuests.reserveCapacity(stays.count)
        townGuests.reserveCapacity(stays.count)
        freelancerStays.reserveCapacity(stays.count)
        for (position, stay) in stays.enumerated() where stay.start < stay.end {
            if let accommodation = stay.accommodation {
                accommodationGuests.append(Occupant(resource: accommodation, start: stay.start, end: stay.end, stay: position))
            }
            if let town = stay.town {
                townGuests.append(Occupant(resource: town, start: stay.start, end: stay.end, stay: position))
            }
            if let slot = stay.slot, stay.laborStart < stay.laborEnd {
                slotWorkers.append(Occupant(resource: slot, start: stay.laborStart, end: stay.laborEnd, stay: position))
            }
            if let freelancer = stay.freelancer {
                freelancerStays.append(Occupant(resource: freelancer, start: stay.start, end: stay.end, stay: position))
            }
        }

        var violations: [Violation] = []
        func report(_ rule: Int, _ runs: [OverflowRun], _ describe: (OverflowRun) -> String) {
            for run in runs {
                let ids = run.stays.map { scenario.applications[stays[$0].application].id }
                let unique = Array(Set(ids)).sorted()
                violations.append(Violation(
                    rule: rule,
                    message: describe(run) + " on " + PlanValidator.nightsText(run.nights) + " (" + listText(unique) + ")",
                    applications: unique))
            }
        }
        let accommodations = scenario.accommodations
        report(9, PlanValidator.overflowRuns(accommodationGuests, capacities: accommodations.map(\.beds))) { run in
            "accommodation \(quoted(accommodations[run.resource].id)) has \(counted(run.worst, "guest")) for \(counted(accommodations[run.resource].beds, "bed"))"
        }
        let towns = scenario.towns
        report(9, PlanValidator.overflowRuns(townGuests, capacities: towns.map(\.nightlyCap))) { run in
            "town \(quoted(towns[run.resource].id)) has \(counted(run.worst, "guest")) for a nightly cap of \(towns[run.resource].nightlyCap)"
        }
        let slots = scenario.slots
        report(10, PlanValidator.overflowRuns(slotWorkers, capacities: slots.map(\.seats))) { run in
            "slot \(quoted(slots[run.resource].id)) has \(counted(run.worst, "worker")) for \(counted(slots[run.resource].seats, "seat"))"
        }
        let freelancers = scenario.freelancers
        let oneStay = [Int](repeating: 1, count: freelancers.count)
        report(11, PlanValidator.overflowRuns(freelancerStays, capacities: oneStay)) { run in
            "freelancer \(quoted(freelancers[run.resource].id)) has \(counted(run.worst, "stay"))"
        }
        return violations
    }

    /// One stay's hold on a resource (a bed, a town's cap, a seat, a freelancer) over days
    /// `[start, end)`, counted in days since the epoch.
    struct Occupant {
        var resource: Int
        var start: Int
        var end: Int
        var stay: Int
    }

    /// A maximal run of consecutive days on which a resource holds more than its capacity.
    struct OverflowRun {
        var resource: Int
        var start: Int
        var end: Int
        /// The highest count on any day of the run.
        var worst: Int
        /// The stays present on some day of the run.
        var stays: [Int]

        var nights: DayRange { DayRange(from: Day(daysSinceEpoch: start), to: Day(daysSinceEpoch: end)) }
    }

    /// The runs of days on which occupants of a resource outnumber its capacity.
    ///
    /// Each resource sweeps only the days where its occupancy changes (its sorted starts and
    /// ends), so the cost is O(n log n) in the occupants however far apart the dates are: a
    /// plan with a stray date in year 9999 must not make a per-day array millions long.
    static func overflowRuns(_ occupants: [Occupant], capacities: [Int]) -> [OverflowRun] {
        let resourceCount = capacities.count
        // Group by resource with a counting sort: offsets[r] ..< offsets[r + 1] are resource r's.
        var offsets = [Int](repeating: 0, count: resourceCount + 1)
        for occupant in occupants { offsets[occupant.resource + 1] += 1 }
        for resource in 0..<resourceCount { offsets[resource + 1] += offsets[resource] }
        var grouped = [Int](repeating: 0, count: occupants.count)
        var nextSlot = offsets
        for (position, occupant) in occupants.enumerated() {
            grouped[nextSlot[occupant.resource]] = position
            nextSlot[occupant.resource] += 1
        }

        var runs: [OverflowRun] = []
        var starts: [Int] = []
        var ends: [Int] = []
        for resource in 0..<resourceCount {
            let group = grouped[offsets[resource]..<offsets[resource + 1]]
            let capacity = capacities[resource]
            // Fewer occupants than places can never overflow; most resources stop here.
            guard group.count > capacity else { continue }
            starts.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            for position in group {
                starts.append(occupants[position].start)
                ends.append(occupants[position].end)
            }
            starts.sort()
            ends.sort()

            var runStart: Int?
            var worst = 0
            var level = 0
            var startIndex = 0
            var endIndex = 0
            var day = 0
            func close(at end: Int) {
                guard let start = runStart, start < end else { return }
                let present = group.filter { occupants[$0].start < end && occupants[$0].end > start }
                runs.append(OverflowRun(
                    resource: resource, start: start, end: end, worst: worst,
                    stays: present.map { occupants[$0].stay }))
            }
            while startIndex < starts.count || endIndex < ends.count {
                day = min(startIndex < starts.count ? starts[startIndex] : Int.max,
                          endIndex < ends.count ? ends[endIndex] : Int.max)
                while endIndex < ends.count, ends[endIndex] == day {
                    level -= 1
                    endIndex += 1
                }
                while startIndex < starts.count, starts[startIndex] == day {
                    level += 1
                    startIndex += 1
                }
                if level > capacity {
                    if runStart == nil {
                        runStart = day
                        worst = level
                    } else {
                        worst = max(worst, level)
                    }
                } else if runStart != nil {
                    close(at: day)
                    runStart = nil
                }
            }
            // Only a negative capacity leaves a run open past the last departure.
            close(at: day)
        }
        return runs
    }

    // MARK: - Teams (rule 12)

    /// Teams placed in part, split over towns, or arriving on different days.
    private func teamViolations(_ stays: [ResolvedStay], verb: String) -> [Violation] {
        guard !teams.isEmpty else { return [] }
        var firstStay = [Int?](repeating: nil, count: scenario.applications.count)
        for (position, stay) in stays.enumerated() where firstStay[stay.application] == nil {
            firstStay[stay.application] = position
        }
        var violations: [Violation] = []
        for team in teams {
            let ids = team.members.map { scenario.applications[$0].id }
            let placed = team.members.filter { firstStay[$0] != nil }
            guard !placed.isEmpty else { continue }
            if placed.count < team.members.count {
                let placedIDs = placed.map { scenario.applications[$0].id }
                let missingIDs = ids.filter { !placedIDs.contains($0) }
                violations.append(Violation(
                    rule: 12,
                    message: "team \(quoted(team.team)) is \(verb) in part: \(verb) \(listText(placedIDs)); not \(verb) \(listText(missingIDs))",
                    applications: ids))
            }
            var membersByTown: [TownID: [ApplicationID]] = [:]
            var membersByArrival: [Day: [ApplicationID]] = [:]
            for member in placed {
                let stay = stays[firstStay[member]!]
                membersByTown[stay.townID, default: []].append(scenario.applications[member].id)
                membersByArrival[stay.arrival, default: []].append(scenario.applications[member].id)
            }
            if membersByTown.count > 1 {
                let towns = membersByTown.keys.sorted().map { "\(quoted($0)) (\(listText(membersByTown[$0]!)))" }
                violations.append(Violation(
                    rule: 12, message: "team \(quoted(team.team)) is split over towns " + towns.joined(separator: ", "),
                    applications: ids))
            }
            if membersByArrival.count > 1 {
                let days = membersByArrival.keys.sorted().map { "\($0.iso) (\(listText(membersByArrival[$0]!)))" }
                violations.append(Violation(
                    rule: 12, message: "team \(quoted(team.team)) arrives on different days: " + days.joined(separator: ", "),
                    applications: ids))
            }
        }
        return violations
    }

    // MARK: - Helpers

    /// The longest application list a message prints before it ends with "…".
    static let listedApplicationLimit = 10

    private func listText(_ ids: [ApplicationID]) -> String {
        let sorted = ids.sorted()
        var parts = sorted.prefix(PlanValidator.listedApplicationLimit).map(\.rawValue)
        if sorted.count > PlanValidator.listedApplicationLimit { parts.append("…") }
        return parts.joined(separator: ", ")
    }

    /// The id in double quotes, escaped so that an id from an unchecked plan cannot break
    /// the one-line message.
    private func quoted<Entity>(_ id: Identifier<Entity>) -> String {
        var text = "\""
        for scalar in id.rawValue.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator || scalar == "\u{85}":
                text += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }

    private func counted(_ count: Int, _ singular: String) -> String {
        "\(count) \(singular)\(count == 1 ? "" : "s")"
    }

    /// `2026-10-20 to 2026-10-22` (the last night included), or one date for a single night.
    static func nightsText(_ nights: DayRange) -> String {
        if nights.count <= 1 { return nights.from.iso }
        return nights.from.iso + " to " + nights.to.adding(-1).iso
    }

    /// The ranges sorted, with empty ones dropped and overlapping or touching ones joined.
    static func merged(_ ranges: [DayRange]) -> [DayRange] {
        var result: [DayRange] = []
        for range in ranges.filter({ !$0.isEmpty }).sorted(by: { $0.from < $1.from }) {
            if let last = result.last, range.from <= last.to {
                result[result.count - 1] = DayRange(from: last.from, to: max(last.to, range.to))
            } else {
                result.append(range)
            }
        }
        return result
    }

    /// The nights of `stay` that no range of `open` (sorted and merged) covers.
    static func closedNights(of stay: DayRange, open: [DayRange]) -> [DayRange] {
        var closed: [DayRange] = []
        var cursor = stay.from
        for range in open where range.to > cursor {
            if range.from >= stay.to { break }
            if range.from > cursor { closed.append(DayRange(from: cursor, to: range.from)) }
            cursor = max(cursor, range.to)
            if cursor >= stay.to { break }
        }
        if cursor < stay.to { closed.append(DayRange(from: cursor, to: stay.to)) }
        return closed
    }

    private static func firstIndices<Key: Hashable>(_ keys: [Key]) -> [Key: Int] {
        var indices: [Key: Int] = [:]
        indices.reserveCapacity(keys.count)
        for (position, key) in keys.enumerated() where indices[key] == nil {
            indices[key] = position
        }
        return indices
    }
}
