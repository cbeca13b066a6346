import Foundation
import SasuraiCore

/// A connection that has presented its token, with one place that turns `ERR` replies into
/// messages a person can act on and into the documented exit codes.
public final class ClientSession {
    public let settings: ClientSettings
    private var connection: ServerConnection
    /// The AUTH reply: the role and its town or freelancer.
    public private(set) var identity: JSONNode?

    /// Connects and, when a token is known, authenticates.
    init(settings: ClientSettings, requireToken: Bool = true) throws {
        self.settings = settings
        connection = try ServerConnection(address: settings.server)
        if let token = settings.token {
            try authenticate(token)
        } else if requireToken {
            throw CommandFailure("no token: run 'sasurai login --server \(settings.server) --token-file FILE' "
                                 + "or set SASURAI_TOKEN", exitCode: .connection)
        }
    }

    private func authenticate(_ token: String) throws {
        switch try connection.exchange("AUTH " + token) {
        case .ok(let node):
            identity = node
        case .error(let code, let message):
            let source = settings.tokenSource ?? "the token"
            throw CommandFailure("the server refused the token from \(source) (\(code) \(message)); "
                                 + "run 'sasurai login' with a valid token", exitCode: .connection)
        }
    }

    /// The role the token gave: `planner`, `host` or `freelancer` (`anyone` without a token).
    public var role: String { identity?["role"]?.stringValue ?? "anyone" }

    /// Sends one request and returns the `OK` object, or throws the refusal as a `CommandFailure`.
    ///
    /// A mutating request carries a fresh request key, so that when the connection drops before
    /// the reply comes the call can safely send it again: the server answers a repeated key with
    /// the first reply instead of doing the work twice (docs/PROTOCOL.md section 4).
    @discardableResult
    public func call(_ command: String, _ parameters: RequestObject = RequestObject(), mutating: Bool = false) throws -> JSONNode {
        var parameters = parameters
        if mutating { parameters.set("request", .string(Self.newRequestKey())) }
        let line = parameters.isEmpty ? command : command + " " + parameters.text
        let reply: ServerReply
        switch Result(catching: { () throws(CommandFailure) -> ServerReply in try connection.exchange(line) }) {
        case .success(let first):
            reply = first
        case .failure(let failure):
            guard mutating && failure.exitCode == .connection else { throw failure }
            try reconnect()
            reply = try connection.exchange(line)
        }
        return try Self.value(of: reply, command: command)
    }

    /// Sends many read requests at once (pipelined) and returns their `OK` objects in order.
    public func callAll(_ requests: [(String, RequestObject)]) throws -> [JSONNode] {
        let lines = requests.map { $0.1.isEmpty ? $0.0 : $0.0 + " " + $0.1.text }
        var results: [JSONNode] = []
        for chunk in stride(from: 0, to: lines.count, by: 32) {
            let replies = try connection.exchange(Array(lines[chunk..<min(chunk + 32, lines.count)]))
            for (offset, reply) in replies.enumerated() {
                results.append(try Self.value(of: reply, command: requests[chunk + offset].0))
            }
        }
        return results
    }

    private func reconnect() throws {
        connection = try ServerConnection(address: settings.server)
        if let token = settings.token { try authenticate(token) }
    }

    /// The `OK` object of a reply, or the refusal with the server's code and a hint.
    static func value(of reply: ServerReply, command: String) throws -> JSONNode {
        switch reply {
        case .ok(let node):
            return node
        case .error(let code, let message):
            throw refusal(code: code, message: message, command: command)
        }
    }

    /// One line: the server's code and message, then what to do about it.
    static func refusal(code: String, message: String, command: String) -> CommandFailure {
        let hint: String
        var exitCode = ExitCode.refused
        switch code {
        case "UNAUTHORIZED":
            hint = "run 'sasurai login' with a valid token"
            exitCode = .connection
        case "FORBIDDEN":
            hint = "your token does not allow this; use a token of that town or person, or ask a planner"
        case "INVALID" where message.hasPrefix("town: missing required field"):
            hint = "a planner names the town with --town"
        case "INVALID" where message.hasPrefix("freelancer: missing required field"):
            hint = "a planner names the freelancer with --freelancer"
        case "INVALID", "BAD_REQUEST":
            hint = "check the options (see --help)"
        case "NOT_FOUND":
            hint = notFoundHints[command] ?? "check the id"
        case "CONFLICT":
            hint = conflictHints[command] ?? "the current state does not allow it; look at it again and adjust the request"
        case "STALE":
            hint = "the state changed since the plan was made; run 'sasurai plan run' again and commit the new plan"
        case "BUSY":
            hint = "try again in a moment"
        case "TOO_LARGE":
            hint = "narrow the request"
        case "SERVER_ERROR":
            hint = "the server failed; see its log (the request did not take effect unless the message says so)"
        default:
            hint = "see docs/PROTOCOL.md"
        }
        return CommandFailure("\(command) refused: \(code) \(message) (\(hint))", exitCode: exitCode)
    }

    /// What to look at when a command's request contradicts the current state.
    static let conflictHints: [String: String] = [
        "BOOK": "see free beds and seats with 'sasurai host calendar' and the application with 'sasurai plan why'",
        "CANCEL": "see the town's stays with 'sasurai host roster'",
        "ACCOMMODATION PUT": "see who stays with 'sasurai host roster'; cancel or move those stays first",
        "ACCOMMODATION DELETE": "see who stays with 'sasurai host roster'; cancel those stays first",
        "SLOT PUT": "see who works there with 'sasurai host roster'; cancel or move those stays first",
        "SLOT DELETE": "see who works there with 'sasurai host roster'; cancel those stays first",
        "APPLY": "see your applications with 'sasurai freelancer applications'",
        "ACCEPT": "see your applications and their deadlines with 'sasurai freelancer applications'",
        "DECLINE": "see your applications with 'sasurai freelancer applications'",
        "WITHDRAW": "see your applications with 'sasurai freelancer applications'",
        "PROFILE PUT": "see your stays with 'sasurai freelancer itinerary'",
        "IMPORT": "add --replace to replace what the server holds",
        "COMMIT": "see the plans with 'sasurai plan list'; run a new one with 'sasurai plan run'",
    ]

    /// Where to find the right id when a command names one that does not exist.
    static let notFoundHints: [String: String] = [
        "PLAN SHOW": "list the plans with 'sasurai plan list'",
        "COMMIT": "list the plans with 'sasurai plan list'",
        "PROFILE": "create it with 'sasurai freelancer profile set'",
        "TOKEN REVOKE": "list the tokens with 'sasurai admin token list'",
    ]

    /// 128 random bits as 32 hex digits: unique per request, and an id in the protocol's sense.
    static func newRequestKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}

/// The parameters of a request, as a JSON object whose members keep the order they were set in.
public struct RequestObject: Sendable {
    public indirect enum Value: Sendable {
        case string(String)
        case integer(Int)
        case bool(Bool)
        case null
        case strings([String])
        case ranges([DayRange])
        /// A parsed JSON value, written back as it was read (IMPORT's scenario, PLAN's weights).
        case json(JSONNode)
    }

    private var members: [(String, Value)] = []

    public init() {}

    public init(_ members: [(String, Value?)]) {
        for (key, value) in members { if let value { set(key, value) } }
    }

    public var isEmpty: Bool { members.isEmpty }

    public mutating func set(_ key: String, _ value: Value) {
        if let index = members.firstIndex(where: { $0.0 == key }) { members[index].1 = value } else { members.append((key, value)) }
    }

    /// The object as one line of JSON.
    public var text: String {
        var writer = JSONWriter()
        writer.raw("{")
        for (index, (key, value)) in members.enumerated() {
            if index > 0 { writer.raw(", ") }
            writer.key(key)
            switch value {
            case .string(let text): writer.string(text)
            case .integer(let number): writer.integer(number)
            case .bool(let flag): writer.bool(flag)
            case .null: writer.null()
            case .strings(let texts):
                writer.raw("[")
                for (position, text) in texts.enumerated() {
                    if position > 0 { writer.raw(", ") }
                    writer.string(text)
                }
                writer.raw("]")
            case .ranges(let ranges):
                writer.raw("[")
                for (position, range) in ranges.enumerated() {
                    if position > 0 { writer.raw(", ") }
                    writer.raw("[\"\(range.from.iso)\", \"\(range.to.iso)\"]")
                }
                writer.raw("]")
            case .json(let node): writer.value(node)
            }
        }
        writer.raw("}")
        return writer.text
    }
}

/// Reading reply objects without ceremony: a missing member or a wrong type reads as nil.
extension JSONNode {
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.first { $0.key == key }?.node
    }

    public var stringValue: String? {
        if case .string(let text) = value { return text }
        return nil
    }

    public var integerValue: Int? {
        if case .integer(let number) = value { return number }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = value { return flag }
        return nil
    }

    public var arrayValue: [JSONNode] {
        if case .array(let elements) = value { return elements }
        return []
    }

    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// A member as text for a table cell: strings as they are, numbers in digits, null as "-".
    public func text(_ key: String) -> String {
        guard let node = self[key] else { return "-" }
        switch node.value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .number(let text): return text
        case .bool(let flag): return flag ? "yes" : "no"
        case .null: return "-"
        case .array(let elements): return elements.map { $0.stringValue ?? $0.brief }.joined(separator: " ")
        case .object: return "{…}"
        }
    }

    /// The value written back as compact JSON.
    public var jsonText: String {
        var writer = JSONWriter()
        writer.value(self)
        return writer.text
    }
}
