import SasuraiCore

/// The least a connection must be to run a command.
public enum Role: String, Hashable, Sendable, CaseIterable {
    /// Every connection, authenticated or not.
    case anyone
    /// Staff of one town; a planner may act for any town.
    case host
    /// One visitor; a planner may act for any freelancer.
    case freelancer
    /// The coordinators, who may do everything.
    case planner

    /// "hosts and planners", for messages.
    var holders: String {
        switch self {
        case .anyone: return "everyone"
        case .host: return "hosts and planners"
        case .freelancer: return "freelancers and planners"
        case .planner: return "planners"
        }
    }

    /// "a host or planner token", for messages.
    var tokenDescription: String {
        switch self {
        case .anyone: return "no token"
        case .host: return "a host or planner token"
        case .freelancer: return "a freelancer or planner token"
        case .planner: return "a planner token"
        }
    }
}

/// Who a connection is, after AUTH (or not).
public enum Principal: Hashable, Sendable {
    case anonymous
    case host(TownID)
    case freelancer(FreelancerID)
    case planner

    /// True when this principal may run commands that need `role`.
    public func satisfies(_ role: Role) -> Bool {
        switch (role, self) {
        case (.anyone, _), (_, .planner): return true
        case (.host, .host), (.freelancer, .freelancer): return true
        default: return false
        }
    }

    public var isAuthenticated: Bool { self != .anonymous }

    /// The longest request line this principal may send: strangers get a shorter one.
    public var maximumLineBytes: Int {
        isAuthenticated ? ProtocolLimits.maximumLineBytes : ProtocolLimits.maximumAnonymousLineBytes
    }

    /// The object AUTH and WHOAMI reply with, e.g. `{"role": "host", "town": "nanto"}`.
    public var json: JSONWriter {
        var writer = JSONWriter()
        writer.raw("{")
        writer.key("role")
        switch self {
        case .anonymous:
            writer.string("anyone")
        case .host(let town):
            writer.string("host")
            writer.raw(", ")
            writer.key("town")
            writer.string(town.rawValue)
        case .freelancer(let freelancer):
            writer.string("freelancer")
            writer.raw(", ")
            writer.key("freelancer")
            writer.string(freelancer.rawValue)
        case .planner:
            writer.string("planner")
        }
        writer.raw("}")
        return writer
    }
}

/// A command's verb and optional subverb, e.g. `ACCOMMODATION PUT`.
public struct CommandName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let verb: String
    public let subverb: String?

    public init(_ verb: String, _ subverb: String? = nil) {
        self.verb = verb
        self.subverb = subverb
    }

    /// Parses `"ACCOMMODATION PUT"` or `"PING"`.
    public init(parsing text: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        self.verb = words.first.map(String.init) ?? ""
        self.subverb = words.count > 1 ? String(words[1]) : nil
    }

    public var description: String { subverb.map { verb + " " + $0 } ?? verb }

    public static func < (lhs: CommandName, rhs: CommandName) -> Bool {
        lhs.description.utf8.lexicographicallyPrecedes(rhs.description.utf8)
    }
}

/// The town or freelancer a command acts for, fixed by the token or named by a planner.
public enum Scope: Hashable, Sendable {
    case none
    case town(TownID)
    case freelancer(FreelancerID)
}

/// A request that passed every check the protocol layer can make, ready for its handler.
public struct ResolvedRequest: Sendable {
    public let command: CommandSpec
    /// Parameters after validation, without the scope field and the request key.
    public let parameters: Parameters
    /// The client's idempotency key, when it sent one.
    public let requestKey: String?
    public let scope: Scope
    public let principal: Principal

    public var name: CommandName { command.name }
}

/// Validated parameters of a request; every accessor returns the type its schema checked.
///
/// A handler asks only for fields its command declares, so the accessors return nil for a
/// field the client left out rather than throwing.
public struct Parameters: Sendable {
    public let members: [JSONMember]

    public init(members: [JSONMember]) {
        self.members = members
    }

    public func node(_ name: String) -> JSONNode? {
        members.first { $0.key == name }?.node
    }

    /// True when the client sent the field, null included.
    public func contains(_ name: String) -> Bool { node(name) != nil }

    public func string(_ name: String) -> String? {
        if case .string(let text)? = node(name)?.value { return text }
        return nil
    }

    public func integer(_ name: String) -> Int? {
        if case .integer(let value)? = node(name)?.value { return value }
        return nil
    }

    public func bool(_ name: String) -> Bool? {
        if case .bool(let flag)? = node(name)?.value { return flag }
        return nil
    }

    public func day(_ name: String) -> Day? {
        string(name).flatMap { Day(iso: $0) }
    }

    public func identifier<Entity>(_ name: String, as type: Entity.Type = Entity.self) -> Identifier<Entity>? {
        string(name).map { Identifier<Entity>($0) }
    }

    /// A list of strings (ids, skills, kinds); nil when absent.
    public func strings(_ name: String) -> [String]? {
        guard case .array(let elements)? = node(name)?.value else { return nil }
        return elements.compactMap { element in
            if case .string(let text) = element.value { return text }
            return nil
        }
    }

    /// A list of `[from, to)` ranges; nil when absent or null.
    public func dayRanges(_ name: String) -> [DayRange]? {
        guard case .array(let elements)? = node(name)?.value else { return nil }
        return elements.compactMap { element in
            guard case .array(let pair) = element.value, pair.count == 2,
                  case .string(let from) = pair[0].value, case .string(let to) = pair[1].value,
                  let start = Day(iso: from), let end = Day(iso: to) else { return nil }
            return DayRange(from: start, to: end)
        }
    }
}

/// The checks on a request line's bytes and words that need no command table.
public enum RequestLine {
    /// The first problem with the bytes of a line, or nil when it is UTF-8 text without
    /// control characters.
    public static func checkBytes(_ bytes: [UInt8]) -> ProtocolError? {
        var index = 0
        var column = 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x00:
                return ProtocolError(.badRequest, "column \(column): NUL byte")
            case 0x0D:
                return ProtocolError(.badRequest,
                                     "column \(column): carriage return inside the line; end lines with LF or CRLF")
            case 0x01..<0x20, 0x7F:
                return ProtocolError(.badRequest, "column \(column): control character \(hex(byte))")
            case 0x20..<0x7F:
                index += 1
            default:
                guard let length = utf8SequenceLength(bytes, at: index) else {
                    return ProtocolError(.badRequest, "column \(column): invalid UTF-8 byte \(hex(badByte(bytes, at: index)))")
                }
                // C1 controls (U+0080 to U+009F) are two-byte sequences starting 0xC2.
                if byte == 0xC2 && bytes[index + 1] <= 0x9F {
                    return ProtocolError(.badRequest, "column \(column): control character U+00\(hex(bytes[index + 1]).dropFirst(2))")
                }
                index += length
            }
            column += 1
        }
        return nil
    }

    /// The length of the valid UTF-8 sequence at `index`, or nil.
    static func utf8SequenceLength(_ bytes: [UInt8], at index: Int) -> Int? {
        if case .valid(let length) = UTF8Validation.sequence(in: bytes, at: index) { return length }
        return nil
    }

    /// The byte that makes the sequence at `index` invalid, for the message.
    static func badByte(_ bytes: [UInt8], at index: Int) -> UInt8 {
        guard case .invalid(let offset) = UTF8Validation.sequence(in: bytes, at: index), offset < bytes.count else {
            return bytes[index]
        }
        return bytes[offset]
    }

    /// True for `GET /path HTTP/1.1` and its kin: a browser or proxy probing the port.
    static func looksLikeHTTP(_ bytes: ArraySlice<UInt8>) -> Bool {
        let words = bytes.split(separator: 0x20)
        guard words.count >= 2, let last = words.last, last.starts(with: Array("HTTP/".utf8)) else { return false }
        // PRI is HTTP/2's connection preface (`PRI * HTTP/2.0`).
        let methods = ["GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH", "PRI"]
        return methods.contains { Array($0.utf8).elementsEqual(words[0]) }
    }

    /// The 1-based character column of byte `offset` in a valid UTF-8 line.
    static func column(of offset: Int, in bytes: [UInt8]) -> Int {
        var column = 1
        for index in 0..<min(offset, bytes.count) where bytes[index] & 0xC0 != 0x80 {
            column += 1
        }
        return column
    }

    /// The deepest nesting of the JSON text starting at `start`, stopping at the first
    /// bracket past `limit`; strings are skipped so brackets inside them do not count.
    static func firstOverDeepOffset(_ bytes: [UInt8], from start: Int, limit: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    if depth > limit { return index }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                default: break
                }
            }
            index += 1
        }
        return nil
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
