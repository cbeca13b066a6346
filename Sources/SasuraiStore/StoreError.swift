import SasuraiCore

/// A domain rule the store refused to break; `SQLiteError` is kept for failures of SQLite itself.
///
/// The cases map onto replies a server gives: `notFound` (404), `conflict`, `invalidTransition`
/// and `stalePlan` (409), `invalidArgument` and `invalidField` (400). `corruptData` means the
/// file holds something no writer of this store produces, and is an internal error.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No `entity` with this id exists.
    case notFound(entity: String, id: String)
    /// The request contradicts the stored state, e.g. booking an application that is not pending.
    case conflict(String)
    /// `ApplicationState.canMove(to:)` forbids the move.
    case invalidTransition(application: ApplicationID, from: ApplicationState, to: ApplicationState)
    /// The plan was computed from an older state than the store now holds.
    case stalePlan(planID: Int64, basedOnVersion: Int64, currentVersion: Int64)
    /// A value the caller passed is malformed, e.g. an actor that is not `role:name`.
    case invalidArgument(String)
    /// One field of a request names something the store does not hold, e.g. `towns[1]` an
    /// unknown town; `path` is the field as the request spelled it.
    case invalidField(path: String, message: String)
    /// A stored value cannot be read back into the model.
    case corruptData(String)

    public var description: String {
        switch self {
        case .notFound(let entity, let id):
            return "\(entity) \"\(id)\" not found"
        case .conflict(let message):
            return "conflict: \(message)"
        case .invalidTransition(let application, let from, let to):
            let allowed = from.successors.map(\.rawValue).sorted()
            return "application \"\(application)\" cannot move from \(from.rawValue) to \(to.rawValue)"
                + (allowed.isEmpty ? " (\(from.rawValue) is final)" : " (allowed: \(allowed.joined(separator: ", ")))")
        case .stalePlan(let planID, let basedOnVersion, let currentVersion):
            return "plan \(planID) was computed from state version \(basedOnVersion), "
                + "but the store is at version \(currentVersion); run the planner again"
        case .invalidArgument(let message):
            return "invalid argument: \(message)"
        case .invalidField(let path, let message):
            return "\(path): \(message)"
        case .corruptData(let message):
            return "corrupt store data: \(message)"
        }
    }
}
