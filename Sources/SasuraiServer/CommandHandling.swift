import SasuraiCore
import SasuraiProtocol
import SasuraiStore

/// Who is asking, as the I/O thread knows it when it dispatches a request.
public struct Session: Sendable, Hashable {
    public let connectionID: UInt64
    public let principal: Principal
    /// The token the connection authenticated with; nil for anyone.
    public let tokenID: Int64?
    /// The client's address as `host:port`, for the audit row of a refusal.
    public var peer: String = "-"

    public init(connectionID: UInt64, principal: Principal, tokenID: Int64?, peer: String = "-") {
        self.connectionID = connectionID
        self.principal = principal
        self.tokenID = tokenID
        self.peer = peer
    }

    /// The audit log's name for the caller: `planner:token-3`, `host:nanto`, `freelancer:f-0001`.
    public var actor: String {
        switch principal {
        case .anonymous: return "system:anonymous"
        case .planner: return "planner:token-\(tokenID ?? 0)"
        case .host(let town): return "host:" + town.rawValue
        case .freelancer(let freelancer): return "freelancer:" + freelancer.rawValue
        }
    }
}

/// What a handler hands back: the reply, and what it changes about the connection.
public struct CommandOutcome: Sendable {
    public var reply: Reply
    /// Set by a successful AUTH: the connection's new role and token.
    public var authenticated: (principal: Principal, tokenID: Int64)?
    /// Set by QUIT: close after this reply.
    public var closesConnection = false
    /// Runs once the write is durable (a write's effects outside the database, such as
    /// starting a plan run or forgetting a revoked token, must not happen before).
    public var afterCommit: (@Sendable () -> Void)?
    /// Runs when the group commit holding this write failed, to undo `afterCommit`'s reservations.
    public var afterRollback: (@Sendable () -> Void)?
    /// True once the refusal in `reply` has its audit row, or needs none (a server fault is
    /// logged, not audited), so the I/O thread does not record it twice.
    public var refusalRecorded = false

    public init(_ reply: Reply, authenticated: (principal: Principal, tokenID: Int64)? = nil,
                closesConnection: Bool = false) {
        self.reply = reply
        self.authenticated = authenticated
        self.closesConnection = closesConnection
    }

    public static func ok(_ writer: JSONWriter) -> CommandOutcome { CommandOutcome(.ok(writer)) }
}

/// Everything a handler may use while it runs on a store's thread.
public struct RequestContext {
    public let request: ResolvedRequest
    public let session: Session
    /// The connection of the thread the handler runs on: the writer's inside its open
    /// transaction for writes, a reader's inside a read snapshot for reads.
    public let store: ScenarioStore
    public let services: ServerServices

    public var parameters: Parameters { request.parameters }
    public var actor: String { session.actor }

    /// The town a host command acts for (the scope check already ran).
    public var town: TownID {
        if case .town(let town) = request.scope { return town }
        preconditionFailure("\(request.name) has no town scope")
    }

    /// The freelancer a freelancer command acts for.
    public var freelancer: FreelancerID {
        if case .freelancer(let freelancer) = request.scope { return freelancer }
        preconditionFailure("\(request.name) has no freelancer scope")
    }

    /// True when the caller is a planner, who is told NOT_FOUND where others get FORBIDDEN.
    public var isPlanner: Bool { session.principal == .planner }
}

/// A command's implementation and the thread it must run on.
///
/// The kind decides concurrency: immediate commands never touch the database and are answered
/// on the I/O thread; reads run on a pool of read-only connections, each request on its own
/// snapshot; writes run on the one writer connection, batched into group commits; background
/// commands (BACKUP) get a thread and a connection of their own so they block nobody.
public enum CommandHandler: Sendable {
    case immediate(@Sendable (Session, ResolvedRequest, ServerServices) -> CommandOutcome)
    case read(@Sendable (RequestContext) throws -> CommandOutcome)
    case write(@Sendable (RequestContext) throws -> CommandOutcome)
    case background(@Sendable (RequestContext) throws -> CommandOutcome)
}
