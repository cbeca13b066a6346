import SasuraiCore

/// Hosts placing visitors directly and taking places back.
///
/// `bookChecked` checks MODEL.md's rules that bind a booking (1, 3, 4, 7 and, against every
/// current placement, 9 to 12) inside its write transaction, so two hosts booking the last bed at
/// once cannot both get it: the second transaction waits for the first and then sees its guest.
extension ScenarioStore {
    /// Places a pending application directly, as `book` does, after checking the placement rules
    /// and capacities against the current placements.
    ///
    /// Refusals, first failing rule first: `notFound` for an unknown application, accommodation
    /// or slot; `conflict` for an application that is not pending, an accommodation or slot of
    /// another town, and each broken rule in MODEL.md's order (nights the town does not take,
    /// a closed night, a missing skill, too few days with the slot, no bed, a full town, no seat,
    /// a freelancer already staying elsewhere, a team not booked whole or not together).
    /// Appends an audit row and bumps the state version.
    @discardableResult
    public func bookChecked(_ booking: Booking, actor: String) throws -> Placement {
        try placeBooking(booking, checkingRules: true, actor: actor)
    }

    /// The booking steps `book` and `bookChecked` share; the rules are checked only when asked.
    func placeBooking(_ booking: Booking, checkingRules: Bool, actor: String) throws -> Placement {
        try Self.validateActor(actor)
        let now = Timestamp.iso(clock())
        return try write {
            guard let application = try application(booking.application) else {
                throw StoreError.notFound(entity: "application", id: booking.application.rawValue)
            }
            let state = try applicationStatus(booking.application).state
            guard state == .pending else {
                throw StoreError.conflict("application \"\(booking.application)\" is \(state.rawValue), not pending")
            }
            guard let accommodation = try accommodation(booking.accommodation) else {
                throw StoreError.notFound(entity: "accommodation", id: booking.accommodation.rawValue)
            }
            // Rule 1.
            guard accommodation.town == booking.town else {
                throw StoreError.conflict("accommodation \"\(accommodation.id)\" is not in town \"\(booking.town)\"")
            }
            var slot: Slot?
            if let slotID = booking.slot {
                guard let found = try self.slot(slotID) else {
                    throw StoreError.notFound(entity: "slot", id: slotID.rawValue)
                }
                guard found.town == booking.town else {
                    throw StoreError.conflict("slot \"\(slotID)\" is not in town \"\(booking.town)\"")
                }
                slot = found
            }
            let stay = DayRange(arrival: booking.arrival, nights: application.nights)
            if checkingRules {
                try checkBookingRules(booking, application: application, accommodation: accommodation, slot: slot,
                                      stay: stay)
            }
            let laborDays = slot.map { $0.window.intersection(stay).count } ?? 0
            try database.cachedStatement(Self.insertPlacementSQL).run(
                booking.application.rawValue, booking.town.rawValue, booking.accommodation.rawValue,
                booking.arrival.iso, application.nights, booking.slot?.rawValue, laborDays,
                PlacementSource.host.rawValue, nil as Int64?, now)
            try database.execute("""
                UPDATE applications SET state = 'confirmed', state_changed_at = ?, offer_expires_at = NULL WHERE id = ?
                """, arguments: [now, booking.application.rawValue])
            try insertAuditRow(at: now, actor: actor, action: "application.booked", subject: booking.application.rawValue,
                               detail: Self.auditDetail([
                                   "town": .text(booking.town.rawValue),
                                   "accommodation": .text(booking.accommodation.rawValue),
                                   "arrival": .text(booking.arrival.iso), "nights": .integer(application.nights),
                                   "slot": .text(booking.slot?.rawValue),
                               ]))
            _ = try bumpStateVersion()
            let assignment = Assignment(application: booking.application, town: booking.town,
                                        accommodation: booking.accommodation, arrival: booking.arrival,
                                        nights: application.nights, slot: booking.slot, laborDays: laborDays)
            return Placement(assignment: assignment, source: .host, placedAt: now)
        }
    }

    /// Rules 3, 4, 7 and 9 to 12 for one booking whose rule 1 already holds, in that order.
    private func checkBookingRules(_ booking: Booking, application: Application, accommodation: Accommodation,
                                   slot: Slot?, stay: DayRange) throws {
        guard let town = try town(booking.town) else {
            throw StoreError.notFound(entity: "town", id: booking.town.rawValue)
        }
        // Rule 3.
        guard (town.minNights...town.maxNights).contains(application.nights) else {
            throw StoreError.conflict("\"\(application.id)\" asks for \(application.nights) nights; town \"\(town.id)\" "
                                      + "takes \(town.minNights) to \(town.maxNights)")
        }
        // Rule 4.
        if let night = accommodation.firstClosedNight(of: stay) {
            throw StoreError.conflict("\"\(accommodation.id)\" is closed on \(night.iso)")
        }
        // Rule 7.
        if let slot {
            let skills = try freelancer(application.freelancer)?.skills ?? []
            if let missing = slot.skills.first(where: { !skills.contains($0) }) {
                throw StoreError.conflict("slot \"\(slot.id)\" needs skill \"\(missing)\", which "
                                          + "\"\(application.freelancer)\" lacks")
            }
            let shared = stay.intersection(slot.window).count
            if shared < slot.minDays {
                throw StoreError.conflict("the stay shares \(shared) days with slot \"\(slot.id)\", fewer than its "
                                          + "min_days \(slot.minDays)")
            }
        }
        // Rule 9.
        let guests = try placements(where: "accommodation_id", is: accommodation.id.rawValue, during: stay)
        if let (night, count) = Self.firstFullNight(of: guests.map(\.assignment.stay), in: stay,
                                                    capacity: accommodation.beds) {
            throw StoreError.conflict("no bed in \"\(accommodation.id)\" on \(night.iso) "
                                      + "(\(count) of \(accommodation.beds) taken)")
        }
        let visitors = try placements(where: "town_id", is: town.id.rawValue, during: stay)
        if let (night, count) = Self.firstFullNight(of: visitors.map(\.assignment.stay), in: stay,
                                                    capacity: town.nightlyCap) {
            throw StoreError.conflict("town \"\(town.id)\" is full on \(night.iso) "
                                      + "(\(count) of \(town.nightlyCap) visitors)")
        }
        // Rule 10: a worker holds a seat on each shared day, so the count runs over those days only.
        if let slot {
            let workers = try fetchPlacements("WHERE slot_id = ?", arguments: [slot.id.rawValue])
            if let (day, count) = Self.firstFullNight(
                of: workers.map { $0.assignment.stay.intersection(slot.window) }, in: stay.intersection(slot.window),
                capacity: slot.seats) {
                throw StoreError.conflict("no seat in slot \"\(slot.id)\" on \(day.iso) "
                                          + "(\(count) of \(slot.seats) taken)")
            }
        }
        // Rule 11.
        let clashes = try placements(of: application.freelancer).compactMap { placement in
            let shared = placement.assignment.stay.intersection(stay)
            return shared.isEmpty ? nil : (night: shared.from, town: placement.assignment.town)
        }
        if let clash = clashes.min(by: { $0.night < $1.night }) {
            throw StoreError.conflict("\"\(application.freelancer)\" already stays in \"\(clash.town)\" "
                                      + "on \(clash.night.iso)")
        }
        // Rule 12.
        if let team = application.team {
            try checkTeamJoins(team, application: application.id, town: booking.town, arrival: booking.arrival)
        }
    }

    /// The first night of `range` on which `stays` already fill `capacity`, with their count.
    private static func firstFullNight(of stays: [DayRange], in range: DayRange,
                                       capacity: Int) -> (night: Day, count: Int)? {
        var occupancy = NightlyCount(over: range)
        for stay in stays {
            occupancy.add(stay)
        }
        return occupancy.firstNight { _, count in count >= capacity }
    }

    /// Refuses booking a member of `team` while another member waits unplaced, or away from the
    /// town and arrival where the others stay.
    ///
    /// Members that declined, withdrew or let their offer expire have left the team, so a team
    /// whose other members all left books like a single application.
    private func checkTeamJoins(_ team: TeamID, application: ApplicationID, town: TownID, arrival: Day) throws {
        var others: [(id: ApplicationID, state: ApplicationState)] = []
        try forEachRow("SELECT id, state FROM applications WHERE team = ? AND id <> ? ORDER BY id",
                       arguments: [team.rawValue, application.rawValue]) { row in
            others.append((ApplicationID(try row.requiredText(at: 0)), try row.choice(at: 1)))
        }
        let active = others.filter { !$0.state.isFinal }
        guard active.allSatisfy(\.state.holdsCapacity) else {
            throw StoreError.conflict("team \"\(team)\" must be booked whole")
        }
        for member in active {
            guard let placed = try placement(of: member.id)?.assignment else { continue }
            guard placed.town == town, placed.arrival == arrival else {
                throw StoreError.conflict("team \"\(team)\" arrives in \"\(placed.town)\" on \(placed.arrival.iso); "
                                          + "\"\(application)\" must arrive with it")
            }
        }
    }

    /// Takes the place of an offered or confirmed application back and puts it first in line:
    /// the application moves to `cancelled` and at once to `pending`, in one transaction.
    ///
    /// `notFound` for an unknown application; `conflict` when it holds no placement. Appends an
    /// audit row for each move and bumps the state version.
    @discardableResult
    public func cancelPlacement(_ application: ApplicationID, reason: String?, actor: String) throws
        -> ApplicationStatus {
        try Self.validateActor(actor)
        return try write {
            _ = try applicationStatus(application)
            guard try placement(of: application) != nil else {
                throw StoreError.conflict("application \"\(application)\" holds no placement")
            }
            try moveApplication(application, to: .cancelled, actor: actor, reason: reason)
            return try moveApplication(application, to: .pending, actor: actor)
        }
    }
}
