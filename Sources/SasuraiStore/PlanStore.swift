import Foundation
import SasuraiCore

/// Allocation runs: saving their results, listing them, and committing one into offers.
extension ScenarioStore {
    /// Stores a plan and returns its id.
    ///
    /// Saving changes nothing a plan relies on, so it neither bumps the state version nor writes
    /// an audit row; committing does both.
    /// - Parameters:
    ///   - seed: the run's seed, so the run can be repeated.
    ///   - upperBound: the best score any plan could reach, when the engine proved one.
    ///   - basedOnVersion: the `stateVersion()` the run read its input at.
    ///   - summary: a JSON object describing the run.
    ///   - status: `.finished` for a complete result; `.running` to record a run that has only
    ///     started (pass an empty plan and call `finishPlan` later).
    @discardableResult
    public func savePlan(_ plan: Plan, seed: UInt64, upperBound: Int?, basedOnVersion: Int64,
                         summary: String = "{}", status: PlanStatus = .finished) throws -> Int64 {
        guard status == .running || status == .finished || status == .failed else {
            throw StoreError.invalidArgument("a plan is saved as running, finished or failed, not \(status.rawValue)")
        }
        let now = Timestamp.iso(clock())
        return try write {
            try database.execute("""
                INSERT INTO plans (created_at, seed, status, score, upper_bound, summary, based_on_version)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [now, Int64(bitPattern: seed), status.rawValue, plan.score, upperBound, summary,
                                 basedOnVersion])
            let id = database.lastInsertRowID
            try insertPlanContent(plan, id: id)
            return id
        }
    }

    /// Stores the result of a run recorded as `.running` and marks it finished.
    ///
    /// When the state version moved on while the run was going, the plan is stored as `.stale`.
    public func finishPlan(id: Int64, _ plan: Plan, upperBound: Int?, summary: String = "{}") throws -> PlanStatus {
        try write {
            let record = try planRecord(id: id)
            guard record.status == .running else {
                throw StoreError.conflict("plan \(id) is \(record.status.rawValue), not running")
            }
            let status: PlanStatus = record.basedOnVersion < (try stateVersion()) ? .stale : .finished
            try database.execute("""
                UPDATE plans SET status = ?, score = ?, upper_bound = ?, summary = ? WHERE id = ?
                """, arguments: [status.rawValue, plan.score, upperBound, summary, id])
            try insertPlanContent(plan, id: id)
            return status
        }
    }

    private func insertPlanContent(_ plan: Plan, id: Int64) throws {
        let insertAssignment = try database.cachedStatement("""
            INSERT INTO plan_assignments (plan_id, application_id, town_id, accommodation_id, arrival, nights, slot_id,
                                          labor_days)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for assignment in plan.assignments {
            try insertAssignment.run(id, assignment.application.rawValue, assignment.town.rawValue,
                                     assignment.accommodation.rawValue, assignment.arrival.iso, assignment.nights,
                                     assignment.slot?.rawValue, assignment.laborDays)
        }
        let insertUnplaced = try database.cachedStatement(
            "INSERT INTO plan_unplaced (plan_id, application_id, reason) VALUES (?, ?, ?)")
        for unplaced in plan.unplaced {
            try insertUnplaced.run(id, unplaced.application.rawValue, unplaced.reason)
        }
    }

    /// Changes a plan's status: a running plan may finish, fail or go stale, a finished one may
    /// fail or go stale. Committing goes through `commitPlan`, which makes the offers.
    public func setPlanStatus(id: Int64, _ status: PlanStatus) throws {
        guard status != .committed else {
            throw StoreError.invalidArgument("use commitPlan to commit a plan")
        }
        try write {
            let current = try planRecord(id: id).status
            let allowed: Set<PlanStatus> = current == .running ? [.finished, .failed, .stale]
                : current == .finished ? [.failed, .stale] : []
            guard allowed.contains(status) else {
                throw StoreError.conflict("plan \(id) is \(current.rawValue) and cannot become \(status.rawValue)")
            }
            try database.execute("UPDATE plans SET status = ? WHERE id = ?", arguments: [status.rawValue, id])
        }
    }

    /// A stored plan with its assignments and unplaced applications.
    public func plan(id: Int64) throws -> StoredPlan {
        try read {
            let record = try planRecord(id: id)
            var plan = Plan(score: record.score)
            try forEachRow("""
                SELECT application_id, town_id, accommodation_id, arrival, nights, slot_id, labor_days
                FROM plan_assignments WHERE plan_id = ? ORDER BY application_id
                """, arguments: [id]) { row in
                plan.assignments.append(Assignment(
                    application: ApplicationID(try row.requiredText(at: 0)), town: TownID(try row.requiredText(at: 1)),
                    accommodation: AccommodationID(try row.requiredText(at: 2)), arrival: try row.day(at: 3),
                    nights: row.int(at: 4), slot: row.text(at: 5).map { SlotID($0) }, laborDays: row.int(at: 6)))
            }
            try forEachRow("""
                SELECT application_id, reason FROM plan_unplaced WHERE plan_id = ? ORDER BY application_id
                """, arguments: [id]) { row in
                plan.unplaced.append(UnplacedApplication(application: ApplicationID(try row.requiredText(at: 0)),
                                                         reason: try row.requiredText(at: 1)))
            }
            return StoredPlan(record: record, plan: plan)
        }
    }

    /// The plans, newest first, without their content.
    public func plans(limit: Int = 100) throws -> [PlanRecord] {
        try fetchPlanRecords("ORDER BY id DESC LIMIT ?", arguments: [max(0, limit)])
    }

    /// One plan's record without its assignments, for progress and listings.
    public func record(ofPlan id: Int64) throws -> PlanRecord {
        try planRecord(id: id)
    }

    func planRecord(id: Int64) throws -> PlanRecord {
        guard let record = try fetchPlanRecords("WHERE id = ?", arguments: [id]).first else {
            throw StoreError.notFound(entity: "plan", id: String(id))
        }
        return record
    }

    private func fetchPlanRecords(_ clause: String, arguments: StatementArguments) throws -> [PlanRecord] {
        var records: [PlanRecord] = []
        try forEachRow("""
            SELECT id, created_at, seed, status, score, upper_bound, summary, based_on_version,
                   (SELECT count(*) FROM plan_assignments WHERE plan_id = plans.id),
                   (SELECT count(*) FROM plan_unplaced WHERE plan_id = plans.id)
            FROM plans
            """ + " " + clause, arguments: arguments) { row in
            records.append(PlanRecord(
                id: row.int64(at: 0), createdAt: try row.requiredText(at: 1), seed: UInt64(bitPattern: row.int64(at: 2)),
                status: try row.choice(at: 3), score: row.int(at: 4), upperBound: row.isNull(at: 5) ? nil : row.int(at: 5),
                summary: try row.requiredText(at: 6), basedOnVersion: row.int64(at: 7), assignmentCount: row.int(at: 8),
                unplacedCount: row.int(at: 9)))
        }
        return records
    }

    /// Turns a finished plan into offers: each pending application it places gets a placement
    /// (source `plan`) and becomes `offered` until `offerExpiresAt`.
    ///
    /// Assignments of applications that already hold a booking are kept as they are, since an
    /// allocation run never moves a booking. A plan made from an older state version is marked
    /// stale and refused with `StoreError.stalePlan`. Appends one audit row and bumps the state
    /// version. Returns the applications offered, by id.
    @discardableResult
    public func commitPlan(id: Int64, actor: String, offerExpiresAt deadline: Date) throws -> [ApplicationID] {
        try Self.validateActor(actor)
        let now = Timestamp.iso(clock())
        let offerExpiresAt = Timestamp.iso(deadline)
        guard offerExpiresAt > now else {
            throw StoreError.invalidArgument("offers must expire after now (\(now)), not at \(offerExpiresAt)")
        }
        enum Outcome {
            case committed([ApplicationID])
            case stale(PlanRecord, Int64)
        }
        let outcome: Outcome = try write {
            let stored = try plan(id: id)
            guard stored.record.status == .finished else {
                throw StoreError.conflict("plan \(id) is \(stored.record.status.rawValue); only a finished plan "
                                          + "can be committed")
            }
            let current = try stateVersion()
            guard stored.record.basedOnVersion == current else {
                // Recorded here and thrown after the commit, so that the stale mark is kept.
                try database.execute("UPDATE plans SET status = 'stale' WHERE id = ?", arguments: [id])
                return .stale(stored.record, current)
            }
            let insertPlacement = try database.cachedStatement(Self.insertPlacementSQL)
            let offer = try database.cachedStatement("""
                UPDATE applications SET state = 'offered', state_changed_at = ?, offer_expires_at = ? WHERE id = ?
                """)
            var offered: [ApplicationID] = []
            for assignment in stored.plan.assignments {
                let application = assignment.application
                if let held = try placement(of: application) {
                    // A stay the run kept as it is (a booking, or an offer of an earlier plan) stays.
                    guard held.assignment == assignment else {
                        throw StoreError.conflict("plan \(id) moves application \"\(application)\", which already "
                                                  + "holds a place")
                    }
                    continue
                }
                let state = try applicationStatus(application).state
                guard state.canMove(to: .offered) else {
                    throw StoreError.invalidTransition(application: application, from: state, to: .offered)
                }
                try insertPlacement.run(application.rawValue, assignment.town.rawValue,
                                        assignment.accommodation.rawValue, assignment.arrival.iso, assignment.nights,
                                        assignment.slot?.rawValue, assignment.laborDays, PlacementSource.plan.rawValue,
                                        id, now)
                try offer.run(now, offerExpiresAt, application.rawValue)
                offered.append(application)
            }
            try database.execute("UPDATE plans SET status = 'committed' WHERE id = ?", arguments: [id])
            var detail = JSONWriter()
            detail.raw("{")
            detail.key("plan"); detail.integer(Int(id))
            detail.raw(", ")
            detail.key("offered"); detail.integer(offered.count)
            detail.raw(", ")
            detail.key("offer_expires_at"); detail.string(offerExpiresAt)
            detail.raw("}")
            try insertAuditRow(at: now, actor: actor, action: "plan.commit", subject: String(id), detail: detail.text)
            _ = try bumpStateVersion()
            return .committed(offered)
        }
        switch outcome {
        case .committed(let offered):
            return offered
        case .stale(let record, let current):
            throw StoreError.stalePlan(planID: record.id, basedOnVersion: record.basedOnVersion,
                                       currentVersion: current)
        }
    }
}
