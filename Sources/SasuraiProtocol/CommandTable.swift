import SasuraiCore

/// Whether a command acts for a town or a freelancer, which the token fixes for hosts and
/// freelancers and a planner names.
public enum ScopeKind: String, Hashable, Sendable {
    case none
    /// Takes `town`: optional for its host, required for a planner.
    case town
    /// Takes `freelancer`: optional for that freelancer, required for a planner.
    case freelancer
}

/// Everything the protocol knows about one command, declared once.
public struct CommandSpec: Hashable, Sendable {
    public let name: CommandName
    public let role: Role
    public let scope: ScopeKind
    /// True when the command changes state; such commands may carry a request key.
    public let isMutating: Bool
    /// True when `"request": key` is accepted (mutating commands except TOKEN ISSUE).
    public let acceptsRequestKey: Bool
    /// The parameter carried as the line's second word instead of JSON (AUTH's token).
    public let wordParameter: String?
    public let parameters: [ParameterSpec]
    public let rules: [ParameterRule]
    public let summary: String

    public init(_ name: String, role: Role, scope: ScopeKind = .none, mutating: Bool = false,
                requestKey: Bool? = nil, word: String? = nil, parameters: [ParameterSpec] = [],
                rules: [ParameterRule] = [], summary: String) {
        self.name = CommandName(parsing: name)
        self.role = role
        self.scope = scope
        self.isMutating = mutating
        self.acceptsRequestKey = requestKey ?? mutating
        self.wordParameter = word
        self.parameters = parameters
        self.rules = rules
        self.summary = summary
    }

    /// The field naming the scope (`town`, `freelancer`), if any.
    public var scopeField: String? {
        switch scope {
        case .none: return nil
        case .town: return "town"
        case .freelancer: return "freelancer"
        }
    }

    /// Every field the JSON may hold, in the order messages list them.
    public var allowedFields: [String] {
        var fields: [String] = []
        if let scopeField { fields.append(scopeField) }
        fields += parameters.map(\.name)
        if acceptsRequestKey { fields.append("request") }
        return fields
    }
}

/// The one declarative list of commands, and the checks every request passes through.
///
/// `resolve` rejects malformed lines, unknown commands, missing permissions and bad
/// parameters in one place, so a handler only ever sees a request it may act on. The server
/// attaches handlers by name through `CommandRegistry`.
public struct CommandTable: Sendable {
    public let commands: [CommandSpec]
    private let byName: [CommandName: CommandSpec]
    private let subverbsByVerb: [String: [String?]]

    public init(_ commands: [CommandSpec]) {
        self.commands = commands
        var byName: [CommandName: CommandSpec] = [:]
        var subverbs: [String: [String?]] = [:]
        for command in commands {
            precondition(byName[command.name] == nil, "command \(command.name) declared twice")
            byName[command.name] = command
            subverbs[command.name.verb, default: []].append(command.name.subverb)
        }
        self.byName = byName
        self.subverbsByVerb = subverbs
    }

    public func command(_ name: CommandName) -> CommandSpec? { byName[name] }

    public func command(_ name: String) -> CommandSpec? { byName[CommandName(parsing: name)] }

    /// The command a line names, if its verb (and subverb) are known, however the rest of it
    /// fails; what a refusal of the line is filed under in the audit log.
    public func commandName(inLine line: [UInt8]) -> CommandName? {
        var position = 0
        let end = line.count
        while position < end && line[position] == 0x20 { position += 1 }
        let verb = takeWord(line, &position, end)
        guard isUpperCaseWord(verb), subverbsByVerb[verb] != nil else { return nil }
        skipSpaces(line, &position, end)
        if byName[CommandName(verb)]?.wordParameter == nil, position < end, isLetter(line[position]) {
            let subverb = takeWord(line, &position, end)
            if let command = byName[CommandName(verb, subverb)] { return command.name }
        }
        return byName[CommandName(verb)]?.name
    }

    /// Parses one line (without its LF) and checks it completely for `principal`.
    public func resolve(line: [UInt8], principal: Principal) -> Result<ResolvedRequest, ProtocolError> {
        do {
            return .success(try resolveThrowing(line: line, principal: principal))
        } catch {
            return .failure(error)
        }
    }

    private func resolveThrowing(line: [UInt8], principal: Principal) throws(ProtocolError) -> ResolvedRequest {
        if let error = RequestLine.checkBytes(line) { throw error }
        var start = 0
        var end = line.count
        while start < end && line[start] == 0x20 { start += 1 }
        while end > start && line[end - 1] == 0x20 { end -= 1 }
        guard start < end else { throw ProtocolError(.badRequest, "empty line") }
        if RequestLine.looksLikeHTTP(line[start..<end]) {
            throw ProtocolError(.badRequest, "this is a Sasurai line-protocol server, not an HTTP server",
                                closesConnection: true)
        }

        var position = start
        let verb = takeWord(line, &position, end)
        if verb.isEmpty { throw ProtocolError(.unknownCommand, "missing command before the JSON object") }
        guard isUpperCaseWord(verb), let subverbs = subverbsByVerb[verb] else {
            var message = "unknown command \(ReplySanitizer.quoted(verb))"
            let upper = verb.uppercased()
            if upper != verb, subverbsByVerb[upper] != nil { message += "; commands are upper-case: \(upper)" }
            throw ProtocolError(.unknownCommand, message)
        }
        skipSpaces(line, &position, end)

        var subverb: String?
        var word: String?
        let wordParameter = byName[CommandName(verb)]?.wordParameter
        if position < end, line[position] != UInt8(ascii: "{") {
            if wordParameter != nil {
                word = takeWord(line, &position, end)
            } else if isLetter(line[position]) {
                subverb = takeWord(line, &position, end)
            }
            skipSpaces(line, &position, end)
        }
        guard let command = byName[CommandName(verb, subverb)] else {
            throw ProtocolError(.unknownCommand, unknownSubcommandMessage(verb, subverb, subverbs))
        }

        var members: [JSONMember] = []
        if position < end {
            members = try parseObject(line, from: position, to: end)
        }
        if let wordParameter, let word {
            if members.contains(where: { $0.key == wordParameter }) {
                throw ProtocolError.invalid(wordParameter, "given both as a word and in the JSON")
            }
            members.insert(JSONMember(key: wordParameter, node: JSONNode(.string(word))), at: 0)
        }

        try checkRole(command, principal)
        return try checkParameters(command, members, principal)
    }

    private func checkRole(_ command: CommandSpec, _ principal: Principal) throws(ProtocolError) {
        guard !principal.satisfies(command.role) else { return }
        if principal == .anonymous {
            throw ProtocolError(.unauthorized,
                                "\(command.name) needs \(command.role.tokenDescription); send AUTH first")
        }
        throw ProtocolError(.forbidden, "\(command.name) is for \(command.role.holders)")
    }

    private func checkParameters(_ command: CommandSpec, _ members: [JSONMember],
                                 _ principal: Principal) throws(ProtocolError) -> ResolvedRequest {
        let allowed = command.allowedFields
        // A typo is likelier than a missing field, so unknown names are reported first.
        for member in members where !allowed.contains(member.key) {
            let expectation = allowed.isEmpty
                ? "\(command.name) takes no parameters"
                : "expected one of " + allowed.joined(separator: ", ")
            let key = member.key.count > ProtocolLimits.maximumQuotedCharacters
                ? String(member.key.prefix(ProtocolLimits.maximumQuotedCharacters - 1)) + "…" : member.key
            throw ProtocolError.invalid(key,
                                        "unknown field; " + expectation)
        }
        func node(_ name: String) -> JSONNode? { members.first { $0.key == name }?.node }

        var scope = Scope.none
        if let scopeField = command.scopeField {
            let given = node(scopeField)
            if let given, let error = ParameterValidator.check(given, .identifier, path: scopeField) { throw error }
            let givenID: String? = if case .string(let text)? = given?.value { text } else { nil }
            switch (command.scope, principal) {
            case (.town, .host(let own)):
                if let givenID, givenID != own.rawValue {
                    throw ProtocolError(.forbidden, "town \(ReplySanitizer.quoted(givenID)) is not your town")
                }
                scope = .town(own)
            case (.freelancer, .freelancer(let own)):
                if let givenID, givenID != own.rawValue {
                    throw ProtocolError(.forbidden, "freelancer \(ReplySanitizer.quoted(givenID)) is not you")
                }
                scope = .freelancer(own)
            default:
                // Only a planner reaches here (checkRole ran first), and must say for whom.
                guard let givenID else { throw ProtocolError.invalid(scopeField, "missing required field") }
                scope = command.scope == .town ? .town(TownID(givenID)) : .freelancer(FreelancerID(givenID))
            }
        }

        var validated: [JSONMember] = []
        for parameter in command.parameters {
            guard let value = node(parameter.name) else {
                if parameter.isRequired { throw ProtocolError.invalid(parameter.name, "missing required field") }
                continue
            }
            if let error = ParameterValidator.check(value, parameter.type, path: parameter.name) { throw error }
            validated.append(JSONMember(key: parameter.name, node: value))
        }

        var requestKey: String?
        if command.acceptsRequestKey, let keyNode = node("request") {
            if let error = ParameterValidator.check(keyNode, .identifier, path: "request") { throw error }
            if case .string(let key) = keyNode.value { requestKey = key }
        }

        let parameters = Parameters(members: validated)
        for rule in command.rules {
            if let error = ParameterValidator.check(rule, parameters) { throw error }
        }
        return ResolvedRequest(command: command, parameters: parameters, requestKey: requestKey,
                               scope: scope, principal: principal)
    }

    private func parseObject(_ line: [UInt8], from start: Int, to end: Int) throws(ProtocolError) -> [JSONMember] {
        let baseColumn = RequestLine.column(of: start, in: line)
        if let deep = RequestLine.firstOverDeepOffset(line, from: start, limit: ProtocolLimits.maximumJSONDepth),
           deep < end {
            throw ProtocolError(.badRequest, "column \(RequestLine.column(of: deep, in: line)): JSON nested deeper than \(ProtocolLimits.maximumJSONDepth) levels")
        }
        let node: JSONNode
        do {
            node = try JSONParser.parse(Array(line[start..<end]))
        } catch {
            throw ProtocolError(.badRequest, "column \(baseColumn + error.column - 1): \(error.message)")
        }
        guard case .object(let members) = node.value else {
            let kind: String
            switch node.value {
            case .array: kind = "an array"
            case .string: kind = "a string"
            case .integer, .number: kind = "a number"
            default: kind = "JSON text"
            }
            throw ProtocolError(.badRequest, "column \(baseColumn): expected a JSON object, got \(kind)")
        }
        return members
    }

    private func unknownSubcommandMessage(_ verb: String, _ subverb: String?, _ subverbs: [String?]) -> String {
        let shown = subverb.map { verb + " " + $0 } ?? verb
        let named = subverbs.compactMap { $0 }
        var message = "unknown command \(ReplySanitizer.quoted(shown)); "
        if named.isEmpty {
            message += "\(verb) takes no subcommand"
        } else {
            message += "\(verb) takes " + Self.orList(named)
            if subverbs.contains(where: { $0 == nil }) { message += ", or no subcommand" }
        }
        return message
    }

    static func orList(_ words: [String]) -> String {
        guard words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " or " + words.last!
    }

    /// A word ends at a space or where the JSON object starts, so `PING{}` is PING.
    private func takeWord(_ line: [UInt8], _ position: inout Int, _ end: Int) -> String {
        let start = position
        while position < end && line[position] != 0x20 && line[position] != UInt8(ascii: "{") { position += 1 }
        return String(decoding: line[start..<position], as: UTF8.self)
    }

    private func skipSpaces(_ line: [UInt8], _ position: inout Int, _ end: Int) {
        while position < end && line[position] == 0x20 { position += 1 }
    }

    private func isUpperCaseWord(_ word: String) -> Bool {
        !word.isEmpty && word.utf8.count <= ProtocolLimits.maximumWordBytes
            && word.utf8.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    private func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
    }
}

/// Handlers attached to the table's commands by name, checked against the table.
public struct CommandRegistry<Handler> {
    public enum RegistrationError: Error, Equatable {
        case unknownCommand(String)
        case roleMismatch(command: String, declared: Role, given: Role)
        case duplicate(String)
    }

    public let table: CommandTable
    private var handlers: [CommandName: Handler] = [:]

    public init(table: CommandTable = .standard) {
        self.table = table
    }

    /// Attaches `handler` to `name`; `role` must repeat the table's, so a handler written
    /// for planners cannot end up behind a weaker check.
    public mutating func register(_ name: String, role: Role, _ handler: Handler) throws(RegistrationError) {
        let commandName = CommandName(parsing: name)
        guard let command = table.command(commandName) else { throw .unknownCommand(name) }
        guard command.role == role else {
            throw .roleMismatch(command: name, declared: command.role, given: role)
        }
        guard handlers[commandName] == nil else { throw .duplicate(name) }
        handlers[commandName] = handler
    }

    public func handler(for name: CommandName) -> Handler? { handlers[name] }

    /// Commands of the table with no handler yet; a server refuses to start unless empty.
    public var unregistered: [CommandName] {
        table.commands.map(\.name).filter { handlers[$0] == nil }
    }
}
