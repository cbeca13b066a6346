import SasuraiCore

/// Application lifecycles and the places they hold.
///
/// The invariant kept here: an application has a row in `placements` exactly while its state
/// holds capacity (`offered` or `confirmed`). Moving into such a state needs a place, so it
/// happens through `commitPlan` or `book`; moving out of one frees the place in the same
/// transaction.
extension ScenarioStore {
    // MARK: Reading

    /// The lifecycle state of one application.
    public func applicationStatus(_ application: ApplicationID) throws -> ApplicationStatus {
        guard let status = try fetchStatuses("WHERE id = ?", arguments: [application.rawValue]).first else {
            throw StoreError.notFound(entity: "application", id: application.rawValue)
        }
        return status
    }

    /// The applications of one freelancer, by id: every one, or those in `state`.
    public func applications(of freelancer: FreelancerID, in state: ApplicationState? = nil) throws -> [ApplicationStatus] {
        if let state {
            return try fetchStatuses("WHERE freelancer_id = ? AND state = ? ORDER BY id",
                                     arguments: [freelancer.rawValue, state.rawValue])
        }
        return try fetchStatuses("WHERE freelancer_id = ? ORDER BY id", arguments: [freelancer.rawValue])
    }

    /// The ids of the applications in `state`, by id.
    public func applicationIDs(in state: ApplicationState) throws -> [ApplicationID] {
        try String.fetchAll(database, sql: "SELECT id FROM applications WHERE state = ? ORDER BY id",
                            arguments: [state.rawValue]).map { ApplicationID($0) }
    }

    /// The pending applications in the order a planner should serve them.
    ///
    /// Applications that lost a place to a cancellation come first, earliest requeue first; the
    /// rest follow by id.
    public func pendingQueue() throws -> [ApplicationID] {
        try String.fetchAll(database, sql: """
            SELECT id FROM applications WHERE state = 'pending'
            ORDER BY requeued_at IS NULL, requeued_at, id
            """).map { ApplicationID($0) }
    }

    /// The pending applications a cancellation re-queued, earliest requeue first: first in line.
    public func requeuedQueue() throws -> [ApplicationID] {
        try String.fetchAll(database, sql: """
            SELECT id FROM applications WHERE state = 'pending' AND requeued_at IS NOT NULL
            ORDER BY requeued_at, id
            """).map { ApplicationID($0) }
    }

    private func fetchStatuses(_ clause: String, arguments: StatementArguments) throws -> [ApplicationStatus] {
        var statuses: [ApplicationStatus] = []
        try forEachRow("""
            SELECT id, freelancer_id, state, state_changed_at, offer_expires_at, requeued_at FROM applications
            """ + " " + clause, arguments: arguments) { row in
            statuses.append(ApplicationStatus(
                application: ApplicationID(try row.requiredText(at: 0)),
                freelancer: FreelancerID(try row.requiredText(at: 1)), state: try row.choice(at: 2),
                stateChangedAt: try row.requiredText(at: 3), offerExpiresAt: row.text(at: 4),
                requeuedAt: row.text(at: 5)))
        }
        return statuses
    }

    /// The place an application holds, or nil when it holds none.
    public func placement(of application: ApplicationID) throws -> Placement? {
        try fetchPlacements("WHERE application_id = ?", arguments: [application.rawValue]).first
    }

    /// The roster of a town: placements whose stay shares a night with `nights`, by arrival then id.
    public func placements(in town: TownID, during nights: DayRange) throws -> [Placement] {
        try placements(where: "town_id", is: town.rawValue, during: nights)
    }

    /// The placements whose `column` (`town_id` or `accommodation_id`) is `id` and whose stay
    /// shares a night with `nights`, by arrival then id.
    func placements(where column: String, is id: String, during nights: DayRange) throws -> [Placement] {
        // The lower bound on arrival keeps the scan inside the (column, arrival) index: no stay
        // that arrived earlier than the longest possible stay can still reach `nights.from`.
        try fetchPlacements("""
            WHERE \(column) = ? AND arrival >= ? AND arrival < ? AND date(arrival, '+' || nights || ' days') > ?
            ORDER BY arrival, application_id
            """, arguments: [id, nights.from.adding(-ModelLimits.nights.upperBound).iso, nights.to.iso,
                             nights.from.iso])
    }

    /// The placements `clause` selects (a `WHERE` and `ORDER BY` on `placements`).
    func fetchPlacements(_ clause: String, arguments: StatementArguments) throws -> [Placement] {
        var placements: [Placement] = []
        try forEachRow("""
            SELECT application_id, town_id, accommodation_id, arrival, nights, slot_id, labor_days, source, plan_id,
                   placed_at
            FROM placements
            """ + " " + clause, arguments: arguments) { row in
            let assignment = Assignment(
                application: ApplicationID(try row.requiredText(at: 0)), town: TownID(try row.requiredText(at: 1)),
                accommodation: AccommodationID(try row.requiredText(at: 2)), arrival: try row.day(at: 3),
                nights: row.int(at: 4), slot: row.text(at: 5).map { SlotID($0) }, laborDays: row.int(at: 6))
            placements.append(Placement(assignment: assignment, source: try row.choice(at: 7),
                                        planID: row.isNull(at: 8) ? nil : row.int64(at: 8),
                                        placedAt: try row.requiredText(at: 9)))
        }
        return placements
    }

    // MARK: Writing

    /// Moves an application to `next`, as `ApplicationState.canMove(to:)` allows.
    ///
    /// Leaving `offered` or `confirmed` frees the place; `cancelled` to `pending` puts the
    /// application first in line. Moves into `offered` or `confirmed` from a state without a place
    /// are refused with `conflict`: use `commitPlan` or `book`, which bring the place along.
    /// Appends an audit row and bumps the state version.
    @discardableResult
    public func moveApplication(_ application: ApplicationID, to next: ApplicationState, actor: String,
                                reason: String? = nil) throws -> ApplicationStatus {
        try Self.validateActor(actor)
        let now = Timestamp.iso(clock())
        return try write {
            let current = try applicationStatus(application).state
            guard current.canMove(to: next) else {
                throw StoreError.invalidTransition(application: application, from: current, to: next)
            }
            if next.holdsCapacity && !current.holdsCapacity {
                throw StoreError.conflict("application \"\(application)\" has no place to be \(next.rawValue) in; "
                                          + "commit a plan or book it")
            }
            if !next.holdsCapacity {
                try database.execute("DELETE FROM placements WHERE application_id = ?", arguments: [application.rawValue])
            }
            try database.execute("""
                UPDATE applications
                SET state = ?, state_changed_at = ?, offer_expires_at = NULL,
                    requeued_at = CASE WHEN ? THEN ? ELSE requeued_at END
                WHERE id = ?
                """, arguments: [next.rawValue, now, current == .cancelled && next == .pending, now,
                                 application.rawValue])
            var detail = JSONWriter()
            detail.raw("{")
            detail.key("from"); detail.string(current.rawValue)
            detail.raw(", ")
            detail.key("to"); detail.string(next.rawValue)
            if let reason {
                detail.raw(", ")
                detail.key("reason"); detail.string(reason)
            }
            detail.raw("}")
            try insertAuditRow(at: now, actor: actor, action: "application." + next.rawValue,
                               subject: application.rawValue, detail: detail.text)
            _ = try bumpStateVersion()
            return try applicationStatus(application)
        }
    }

    /// Places a pending application directly, as a host does, and confirms it.
    ///
    /// Checks that the application is pending and that the booking's accommodation and slot lie
    /// in its town; the placement rules and capacities of MODEL.md are the caller's to check
    /// (with `PlanValidator`) before booking, or use `bookChecked`, which checks them itself.
    /// Appends an audit row and bumps the state version.
    @discardableResult
    public func book(_ booking: Booking, actor: String) throws -> Placement {
        try placeBooking(booking, checkingRules: false, actor: actor)
    }

    /// Moves every offer whose deadline has passed to `expired`, freeing its place.
    ///
    /// Returns the expired applications by id. One audit row per application; the state version
    /// is bumped once, and only when something expired.
    @discardableResult
    public func expireOffers(actor: String = "system:expiry") throws -> [ApplicationID] {
        try Self.validateActor(actor)
        let now = Timestamp.iso(clock())
        return try write {
            let expired = try String.fetchAll(database, sql: """
                SELECT id FROM applications WHERE state = 'offered' AND offer_expires_at <= ? ORDER BY id
                """, arguments: [now])
            guard !expired.isEmpty else { return [] }
            for id in expired {
                try database.execute("DELETE FROM placements WHERE application_id = ?", arguments: [id])
                try database.execute("""
                    UPDATE applications SET state = 'expired', state_changed_at = ?, offer_expires_at = NULL WHERE id = ?
                    """, arguments: [now, id])
                try insertAuditRow(at: now, actor: actor, action: "application.expired", subject: id,
                                   detail: #"{"from": "offered", "to": "expired"}"#)
            }
            _ = try bumpStateVersion()
            return expired.map { ApplicationID($0) }
        }
    }
}
