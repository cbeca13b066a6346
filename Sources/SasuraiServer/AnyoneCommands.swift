import SasuraiCore
import SasuraiProtocol
import SasuraiStore

/// PING, HELLO, AUTH, WHOAMI, QUIT: what any connection may send.
enum AnyoneCommands {
    static func register(into registry: inout CommandRegistry<CommandHandler>) throws {
        try registry.register("PING", role: .anyone, .immediate { _, _, _ in
            .ok([("pong", true)])
        })
        try registry.register("HELLO", role: .anyone, .immediate { session, _, services in
            let limits: ReplyValue = .object([
                ("line_bytes", .integer(ProtocolLimits.maximumLineBytes)),
                ("anonymous_line_bytes", .integer(ProtocolLimits.maximumAnonymousLineBytes)),
                ("json_depth", .integer(ProtocolLimits.maximumJSONDepth)),
                ("pipeline", .integer(ProtocolLimits.maximumPipelinedRequests)),
                ("idle_timeout_seconds", .integer(services.configuration.idleTimeoutSeconds)),
                ("line_deadline_seconds", .integer(services.configuration.lineDeadlineSeconds)),
            ])
            return .ok([("server", "sasurai"), ("protocol", .integer(ProtocolLimits.protocolVersion)),
                        ("protocols", [.integer(ProtocolLimits.protocolVersion)]),
                        ("role", .string(roleName(session.principal))), ("limits", limits)])
        })
        try registry.register("WHOAMI", role: .anyone, .immediate { session, _, _ in
            CommandOutcome(.ok(session.principal.json))
        })
        try registry.register("QUIT", role: .anyone, .immediate { _, _, _ in
            var outcome = CommandOutcome.ok([("bye", true)])
            outcome.closesConnection = true
            return outcome
        })
        try registry.register("AUTH", role: .anyone, .read(authenticate))
    }

    static func roleName(_ principal: Principal) -> String {
        switch principal {
        case .anonymous: return "anyone"
        case .host: return "host"
        case .freelancer: return "freelancer"
        case .planner: return "planner"
        }
    }

    /// Looks the token up by its SHA-256; the token itself is neither stored nor logged.
    static func authenticate(_ context: RequestContext) throws -> CommandOutcome {
        guard let token = context.parameters.string("token") else {
            throw ProtocolError.invalid("token", "missing required field")
        }
        let digest = AccessToken.digest(of: token)
        guard let record = try context.store.token(hash: digest) else {
            throw ProtocolError.unknownToken
        }
        let principal: Principal
        switch record.role {
        case .planner: principal = .planner
        case .host: principal = .host(TownID(record.subject ?? ""))
        case .freelancer: principal = .freelancer(FreelancerID(record.subject ?? ""))
        }
        return CommandOutcome(.ok(principal.json), authenticated: (principal, record.id))
    }
}

/// The one table that joins `CommandTable.standard` to the handlers; a command without a
/// handler stops the server from starting.
enum ServerCommands {
    static func registry() throws -> CommandRegistry<CommandHandler> {
        var registry = CommandRegistry<CommandHandler>()
        try AnyoneCommands.register(into: &registry)
        try HostCommands.register(into: &registry)
        try FreelancerCommands.register(into: &registry)
        try PlannerCommands.register(into: &registry)
        let missing = registry.unregistered
        guard missing.isEmpty else {
            throw ServerStartError.missingHandlers(missing.map(\.description))
        }
        return registry
    }
}

/// Reasons the server refuses to start.
public enum ServerStartError: Error, CustomStringConvertible {
    case missingHandlers([String])

    public var description: String {
        switch self {
        case .missingHandlers(let names): return "commands without a handler: " + names.joined(separator: ", ")
        }
    }
}
