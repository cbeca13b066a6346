import SasuraiCore

/// Who made a placement.
public enum PlacementSource: String, Hashable, Sendable, CaseIterable {
    /// A booking of an imported scenario file.
    case booking
    /// An assignment of a committed plan.
    case plan
    /// A host placed the visitor directly through the service.
    case host
}

/// A place an application currently holds: a stay, maybe with work, and where it came from.
public struct Placement: Hashable, Sendable {
    public var assignment: Assignment
    public var source: PlacementSource
    /// The committed plan that made it; nil unless `source` is `.plan`.
    public var planID: Int64?
    /// When the place was taken (UTC ISO 8601).
    public var placedAt: String

    public init(assignment: Assignment, source: PlacementSource, planID: Int64? = nil, placedAt: String) {
        self.assignment = assignment
        self.source = source
        self.planID = planID
        self.placedAt = placedAt
    }
}

/// Where an application stands in its lifecycle, and since when.
public struct ApplicationStatus: Hashable, Sendable {
    public var application: ApplicationID
    public var freelancer: FreelancerID
    public var state: ApplicationState
    /// When the state last changed (UTC ISO 8601).
    public var stateChangedAt: String
    /// When an offer lapses; set only while `state` is `.offered`.
    public var offerExpiresAt: String?
    /// When a cancelled application was put back in the queue; such applications go first.
    public var requeuedAt: String?

    public init(application: ApplicationID, freelancer: FreelancerID, state: ApplicationState,
                stateChangedAt: String, offerExpiresAt: String? = nil, requeuedAt: String? = nil) {
        self.application = application
        self.freelancer = freelancer
        self.state = state
        self.stateChangedAt = stateChangedAt
        self.offerExpiresAt = offerExpiresAt
        self.requeuedAt = requeuedAt
    }
}

/// Where an allocation run stands.
public enum PlanStatus: String, Hashable, Sendable, CaseIterable {
    /// The engine is still searching; the plan has no assignments yet.
    case running
    /// A complete result that may still be committed.
    case finished
    /// Its assignments became offers; final.
    case committed
    /// The state changed after the run started, so the plan can no longer be committed; final.
    case stale
    /// The run did not produce a plan; final.
    case failed

    /// True when no status change can follow.
    public var isFinal: Bool {
        self == .committed || self == .stale || self == .failed
    }
}

/// A plan's metadata, without its assignments.
public struct PlanRecord: Hashable, Sendable {
    public var id: Int64
    /// When the run was recorded (UTC ISO 8601).
    public var createdAt: String
    public var seed: UInt64
    public var status: PlanStatus
    public var score: Int
    /// The best score any plan could reach, when the engine proved one.
    public var upperBound: Int?
    /// A JSON object with whatever the engine reports about the run (time, iterations, ...).
    public var summary: String
    /// The `stateVersion()` the run read its input at.
    public var basedOnVersion: Int64
    public var assignmentCount: Int
    public var unplacedCount: Int
}

/// A stored plan: its metadata and its content.
public struct StoredPlan: Hashable, Sendable {
    public var record: PlanRecord
    /// The assignments and unplaced applications, both sorted by application id.
    public var plan: Plan
}

/// One row of the append-only audit log.
public struct AuditEntry: Hashable, Sendable {
    /// Increasing; pass the last one seen to `auditEntries(after:limit:)` to page on.
    public var id: Int64
    /// When it happened (UTC ISO 8601).
    public var at: String
    /// Who did it, as `role:name`.
    public var actor: String
    /// What was done, such as `scenario.import` or `application.withdrawn`.
    public var action: String
    /// The id of what it was done to, when there is one.
    public var subject: String?
    /// A JSON object with the particulars.
    public var detail: String
}

/// What an import stored.
public struct ImportSummary: Hashable, Sendable, CustomStringConvertible {
    public var towns: Int
    public var accommodations: Int
    public var slots: Int
    public var freelancers: Int
    public var applications: Int
    public var bookings: Int
    /// The state version after the import.
    public var stateVersion: Int64

    public var description: String {
        "imported \(towns) towns, \(accommodations) accommodations, \(slots) slots, \(freelancers) freelancers, "
            + "\(applications) applications, \(bookings) bookings (state version \(stateVersion))"
    }
}

/// How many of each entity the store holds.
public struct StoreCounts: Hashable, Sendable {
    public var towns: Int
    public var accommodations: Int
    public var slots: Int
    public var freelancers: Int
    /// Applications by state; every state is present, with 0 when none is in it.
    public var applications: [ApplicationState: Int]

    public init(towns: Int, accommodations: Int, slots: Int, freelancers: Int,
                applications: [ApplicationState: Int]) {
        self.towns = towns
        self.accommodations = accommodations
        self.slots = slots
        self.freelancers = freelancers
        self.applications = applications
    }
}
