import SasuraiCore
import SasuraiProtocol

/// A JSON value built by a handler for its reply, written in the order given.
///
/// Replies are small trees; building them as values keeps each handler's reply shape readable
/// in one expression, and `JSONWriter` makes the bytes (escaping every string).
public indirect enum ReplyValue: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case null
    case array([ReplyValue])
    case object([(String, ReplyValue)])
    /// Bytes that already are JSON (a stored plan document, a parsed node).
    case json([UInt8])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: ReplyValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }

    public static func optional(_ text: String?) -> ReplyValue { text.map { .string($0) } ?? .null }
    public static func optional(_ number: Int?) -> ReplyValue { number.map { .integer($0) } ?? .null }
    public static func integer(_ number: Int64) -> ReplyValue { .integer(Int(number)) }

    public func write(to writer: inout JSONWriter) {
        switch self {
        case .string(let text): writer.string(text)
        case .integer(let number): writer.integer(number)
        case .bool(let flag): writer.bool(flag)
        case .null: writer.null()
        case .array(let elements):
            writer.raw("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { writer.raw(", ") }
                element.write(to: &writer)
            }
            writer.raw("]")
        case .object(let members):
            writer.raw("{")
            for (index, member) in members.enumerated() {
                if index > 0 { writer.raw(", ") }
                writer.key(member.0)
                member.1.write(to: &writer)
            }
            writer.raw("}")
        case .json(let bytes):
            writer.raw(String(decoding: bytes, as: UTF8.self))
        }
    }

    public var bytes: [UInt8] {
        var writer = JSONWriter()
        write(to: &writer)
        return writer.bytes
    }
}

extension CommandOutcome {
    /// `OK <object>`, refused as TOO_LARGE when the line would pass the reply limit.
    public static func ok(_ members: [(String, ReplyValue)], hint: String = "narrow the request") -> CommandOutcome {
        let bytes = ReplyValue.object(members).bytes
        guard bytes.count + 4 <= ProtocolLimits.maximumReplyBytes else {
            return CommandOutcome(.error(.replyTooLarge(bytes: bytes.count + 4, hint: hint)))
        }
        return CommandOutcome(.ok(bytes))
    }
}
