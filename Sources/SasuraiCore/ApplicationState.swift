/// Where an application stands in its life, from request to stay.
///
/// `pending` waits for an allocation run or a host's booking; a committed plan makes it
/// `offered`; the freelancer answers (`confirmed` or `declined`) or lets the offer lapse
/// (`expired`). The freelancer may withdraw at any time before the stay (`withdrawn`); a host
/// or planner may cancel a placement (`cancelled`, and the application is re-queued as
/// `pending` first in line).
public enum ApplicationState: String, Hashable, Sendable, CaseIterable {
    case pending, offered, confirmed, declined, withdrawn, expired, cancelled

    /// True when nothing can happen to the application any more.
    public var isFinal: Bool {
        switch self {
        case .declined, .withdrawn, .expired: return true
        case .pending, .offered, .confirmed, .cancelled: return false
        }
    }

    /// True when the application holds a bed (and maybe a seat) in this state.
    public var holdsCapacity: Bool {
        self == .offered || self == .confirmed
    }

    /// The states this one may move to.
    public var successors: Set<ApplicationState> {
        switch self {
        case .pending: return [.offered, .confirmed, .withdrawn]
        case .offered: return [.confirmed, .declined, .expired, .withdrawn, .cancelled]
        case .confirmed: return [.withdrawn, .cancelled]
        case .cancelled: return [.pending]
        case .declined, .withdrawn, .expired: return []
        }
    }

    public func canMove(to next: ApplicationState) -> Bool {
        successors.contains(next)
    }
}
