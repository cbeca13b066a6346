import SasuraiCore

/// What a town offers, as its hosts keep it: accommodations and labor slots, created, replaced
/// and deleted one at a time.
///
/// A change may not break a place already held: every offered or confirmed stay keeps its bed,
/// its open nights, its seat, its skills and its min_days after the change, so the current
/// placements always remain a valid set of bookings (MODEL.md rules 4, 7, 9 and 10) for the next
/// allocation run. Each write appends an audit row and bumps the state version.
extension ScenarioStore {
    // MARK: Accommodations

    /// Creates the accommodation (returns true) or replaces the one with its id (false).
    ///
    /// Replacing rewrites the open ranges. Refused with `conflict` when the id belongs to another
    /// town, when a night of a current stay would have more guests than beds, or would fall
    /// outside the open ranges (the earliest such night is named); `notFound` when the town is
    /// missing.
    @discardableResult
    public func putAccommodation(_ accommodation: Accommodation, actor: String) throws -> Bool {
        let id = accommodation.id.rawValue
        return try createOrReplace(
            "accommodation", id: id, detail: Self.auditDetail(["town": .text(accommodation.town.rawValue)]),
            actor: actor,
            exists: {
                try catalogEntryExists(table: "accommodations", entity: "accommodation", id: id,
                                       town: accommodation.town)
            },
            create: { try insertAccommodations([accommodation]) },
            replace: {
                let guests = try fetchPlacements("WHERE accommodation_id = ?", arguments: [id]).map(\.assignment.stay)
                try checkRoom(for: guests, in: accommodation)
                // Ranges go first: a trigger refuses an always-open house that still has some.
                try database.execute("DELETE FROM accommodation_open_ranges WHERE accommodation_id = ?",
                                     arguments: [id])
                try database.execute("""
                    UPDATE accommodations SET name = ?, kind = ?, beds = ?, price_per_night = ?, always_open = ?
                    WHERE id = ?
                    """, arguments: [accommodation.name, accommodation.kind.rawValue, accommodation.beds,
                                     accommodation.pricePerNight, accommodation.open == nil, id])
                try insertOpenRanges(of: accommodation)
            })
    }

    /// Refuses a new version of an accommodation that would leave a guest of `guests` outside
    /// its open ranges or without a bed, naming the earliest night it happens.
    private func checkRoom(for guests: [DayRange], in accommodation: Accommodation) throws {
        guard let occupancy = NightlyCount(spanning: guests),
              let (night, count) = occupancy.firstNight(where: { night, count in
                  count > 0 && (count > accommodation.beds || !accommodation.isOpen(on: night))
              }) else { return }
        if !accommodation.isOpen(on: night) {
            throw StoreError.conflict("accommodation \"\(accommodation.id)\" would be closed on \(night.iso), "
                                      + "when \(count) guests stay")
        }
        throw StoreError.conflict("accommodation \"\(accommodation.id)\" has \(count) guests on \(night.iso), "
                                  + "more than \(accommodation.beds) beds")
    }

    /// Deletes an accommodation no placement uses; `notFound` when there is none, `conflict` when
    /// an offered or confirmed stay uses it.
    public func deleteAccommodation(_ id: AccommodationID, actor: String) throws {
        try deleteCatalogEntry(table: "accommodations", entity: "accommodation", id: id.rawValue,
                               placementColumn: "accommodation_id", actor: actor)
    }

    // MARK: Slots

    /// Creates the slot (returns true) or replaces the one with its id (false).
    ///
    /// Replacing recomputes the labor days of the stays that work in it. Refused with
    /// `conflict` when the id belongs to another town, or when the new skills, window, min_days
    /// or seats would break a placed worker; `notFound` when the town is missing;
    /// `invalidArgument` when min_days does not fit in the window.
    @discardableResult
    public func putSlot(_ slot: Slot, actor: String) throws -> Bool {
        guard slot.minDays <= slot.window.count else {
            throw StoreError.invalidArgument("min_days \(slot.minDays) is longer than the window of "
                                             + "\(slot.window.count) days")
        }
        let id = slot.id.rawValue
        return try createOrReplace(
            "slot", id: id, detail: Self.auditDetail(["town": .text(slot.town.rawValue)]), actor: actor,
            exists: { try catalogEntryExists(table: "slots", entity: "slot", id: id, town: slot.town) },
            create: { try insertSlots([slot]) },
            replace: {
                let workers = try fetchPlacements("WHERE slot_id = ? ORDER BY arrival, application_id",
                                                  arguments: [id])
                try checkWork(for: workers, in: slot)
                try database.execute("""
                    UPDATE slots SET title = ?, from_day = ?, to_day = ?, seats = ?, min_days = ? WHERE id = ?
                    """, arguments: [slot.title, slot.from.iso, slot.to.iso, slot.seats, slot.minDays, id])
                try database.execute("DELETE FROM slot_skills WHERE slot_id = ?", arguments: [id])
                try insertSkills(slot.skills, into: "slot_skills", owner: "slot_id", id: id)
                let updateLaborDays = try database.cachedStatement(
                    "UPDATE placements SET labor_days = ? WHERE application_id = ?")
                for worker in workers {
                    let laborDays = worker.assignment.stay.intersection(slot.window).count
                    if laborDays != worker.assignment.laborDays {
                        try updateLaborDays.run(laborDays, worker.assignment.application.rawValue)
                    }
                }
            })
    }

    /// Refuses a new version of a slot that a placed worker of `workers` (by arrival) could not
    /// keep: a skill they lack, fewer labor days than min_days, or a day with more workers than seats.
    private func checkWork(for workers: [Placement], in slot: Slot) throws {
        guard !workers.isEmpty else { return }
        // Each worker's freelancer and skills, one row per skill (one with a NULL skill for none).
        var freelancers: [String: (id: FreelancerID, skills: Set<String>)] = [:]
        try forEachRow("""
            SELECT applications.id, applications.freelancer_id, freelancer_skills.skill FROM applications
            LEFT JOIN freelancer_skills ON freelancer_skills.freelancer_id = applications.freelancer_id
            WHERE applications.id IN (SELECT application_id FROM placements WHERE slot_id = ?)
            """, arguments: [slot.id.rawValue]) { row in
            let application = try row.requiredText(at: 0)
            let id = FreelancerID(try row.requiredText(at: 1))
            freelancers[application, default: (id, [])].skills.formUnion(row.text(at: 2).map { [$0] } ?? [])
        }
        var occupancy = NightlyCount(over: slot.window)
        for worker in workers {
            let application = worker.assignment.application
            if let freelancer = freelancers[application.rawValue],
               let missing = slot.skills.first(where: { !freelancer.skills.contains($0) }) {
                throw StoreError.conflict("slot \"\(slot.id)\" needs skill \"\(missing)\", which \"\(freelancer.id)\" "
                                          + "of application \"\(application)\" lacks")
            }
            let labor = worker.assignment.stay.intersection(slot.window)
            if labor.count < slot.minDays {
                throw StoreError.conflict("slot \"\(slot.id)\" would give \"\(application)\" only \(labor.count) "
                                          + "labor days, fewer than its min_days \(slot.minDays)")
            }
            occupancy.add(labor)
        }
        if let (day, count) = occupancy.firstNight(where: { _, count in count > slot.seats }) {
            throw StoreError.conflict("slot \"\(slot.id)\" has \(count) workers on \(day.iso), "
                                      + "more than \(slot.seats) seats")
        }
    }

    /// Deletes a slot no placement uses; refusals as `deleteAccommodation(_:actor:)`.
    public func deleteSlot(_ id: SlotID, actor: String) throws {
        try deleteCatalogEntry(table: "slots", entity: "slot", id: id.rawValue, placementColumn: "slot_id",
                               actor: actor)
    }

    // MARK: Shared steps

    /// Whether `table` holds `id` already, after checking that `town` exists and that an
    /// existing entry lies in it: an id names one thing in one town, and moving it between
    /// towns would silently take it from its hosts.
    private func catalogEntryExists(table: String, entity: String, id: String, town: TownID) throws -> Bool {
        guard try database.fetchOne("SELECT 1 FROM towns WHERE id = ?", arguments: [town.rawValue]) != nil else {
            throw StoreError.notFound(entity: "town", id: town.rawValue)
        }
        guard let owner = try String.fetchOne(database, sql: "SELECT town_id FROM \(table) WHERE id = ?",
                                              arguments: [id]) else {
            return false
        }
        guard owner == town.rawValue else {
            throw StoreError.conflict("\(entity) \"\(id)\" belongs to town \"\(owner)\"")
        }
        return true
    }

    private func deleteCatalogEntry(table: String, entity: String, id: String, placementColumn: String,
                                    actor: String) throws {
        try Self.validateActor(actor)
        let now = Timestamp.iso(clock())
        try write {
            guard let town = try String.fetchOne(database, sql: "SELECT town_id FROM \(table) WHERE id = ?",
                                                 arguments: [id]) else {
                throw StoreError.notFound(entity: entity, id: id)
            }
            let users = try Int.fetchOne(database, sql: "SELECT count(*) FROM placements WHERE \(placementColumn) = ?",
                                         arguments: [id]) ?? 0
            guard users == 0 else {
                throw StoreError.conflict("\(entity) \"\(id)\" is used by \(users) placements")
            }
            // Open ranges and skills go with it (ON DELETE CASCADE).
            try database.execute("DELETE FROM \(table) WHERE id = ?", arguments: [id])
            try insertAuditRow(at: now, actor: actor, action: entity + ".deleted", subject: id,
                               detail: Self.auditDetail(["town": .text(town)]))
            _ = try bumpStateVersion()
        }
    }
}
