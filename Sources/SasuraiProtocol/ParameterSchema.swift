import SasuraiCore

/// The type and range of one request parameter, as docs/PROTOCOL.md section 6 lists them.
public indirect enum ParameterType: Hashable, Sendable {
    /// 1 to 64 characters of `a-z A-Z 0-9 . _ -` (MODEL.md ids).
    case identifier
    /// 1 to `maximumCharacters` characters of any text.
    case text(maximumCharacters: Int)
    /// A whole number in the range.
    case integer(ClosedRange<Int>)
    case boolean
    /// `YYYY-MM-DD`, a real date.
    case date
    /// Exactly one of the words.
    case choice([String])
    /// An array of at most `maximumCount` elements; `unique` refuses repeats.
    case list(ParameterType, maximumCount: Int, unique: Bool)
    /// `["from", "to"]` with `from < to`.
    case dateRange
    /// The type, or null.
    case nullable(ParameterType)
    /// Any object; its command checks the inside (a scenario, weights).
    case object
    /// A lower-case skill word.
    case skill
    /// An absolute file path on the server.
    case path
    /// 64 lower-case hex digits.
    case token

    /// The name used in "expected …" messages.
    var expectation: String {
        switch self {
        case .identifier: return "an id"
        case .text, .choice: return "a string"
        case .integer: return "an integer"
        case .boolean: return "true or false"
        case .date: return "a date YYYY-MM-DD"
        case .list, .dateRange: return "an array"
        case .nullable(let inner): return inner.expectation + " or null"
        case .object: return "an object"
        case .skill: return "a skill"
        case .path: return "an absolute path"
        case .token: return "64 lower-case hex digits"
        }
    }
}

/// One named parameter of a command.
public struct ParameterSpec: Hashable, Sendable {
    public let name: String
    public let type: ParameterType
    public let isRequired: Bool
    public let summary: String

    public init(_ name: String, _ type: ParameterType, required: Bool, _ summary: String = "") {
        self.name = name
        self.type = type
        self.isRequired = required
        self.summary = summary
    }

    public static func required(_ name: String, _ type: ParameterType, _ summary: String = "") -> ParameterSpec {
        ParameterSpec(name, type, required: true, summary)
    }

    public static func optional(_ name: String, _ type: ParameterType, _ summary: String = "") -> ParameterSpec {
        ParameterSpec(name, type, required: false, summary)
    }
}

/// A rule joining several parameters, checked after each has its own type.
public enum ParameterRule: Hashable, Sendable {
    /// Date `later` must be after date `earlier`, at most `maximumNights` later.
    case after(later: String, earlier: String, maximumNights: Int)
    /// Integer `count` must be at most the nights between dates `from` and `to`.
    case fits(count: String, unit: String, from: String, to: String)
    /// `field` must be present when `other` is one of `values`.
    case requiredWhen(field: String, other: String, values: [String])
    /// `field` must be absent when `other` is one of `values`.
    case forbiddenWhen(field: String, other: String, values: [String])
    /// Exactly one of the fields must be present.
    case exactlyOne([String])
}

/// Checks parameter values against their types, producing docs/PROTOCOL.md's INVALID lines.
enum ParameterValidator {
    static func check(_ node: JSONNode, _ type: ParameterType, path: String) -> ProtocolError? {
        switch type {
        case .nullable(let inner):
            if case .null = node.value { return nil }
            guard let error = check(node, inner, path: path) else { return nil }
            // A value of the wrong kind is told what it may be, null included.
            return error.message.hasPrefix(path + ": expected ") ? expected(type, node, path) : error
        case .identifier:
            guard case .string(let text) = node.value else { return expected(type, node, path) }
            guard IdentifierRules.isValidIdentifier(text) else {
                return .invalid(path, "\(quoted(text)) is not an id (1 to 64 characters of a-z A-Z 0-9 . _ -)")
            }
        case .text(let maximum):
            guard case .string(let text) = node.value else { return expected(type, node, path) }
            if text.isEmpty { return .invalid(path, "must not be empty") }
            if text.unicodeScalars.count > maximum { return .invalid(path, "longer than \(maximum) characters") }
        case .integer(let range):
            switch node.value {
            case .integer(let value):
                guard range.contains(value) else {
                    return .invalid(path, "\(value) is out of range \(range.lowerBound) to \(range.upperBound)")
                }
            case .number(let text) where !text.contains(".") && !text.contains("e") && !text.contains("E"):
                // A whole number too large for 64 bits is still a whole number: say why it fails.
                return .invalid(path, "\(text) is out of range \(range.lowerBound) to \(range.upperBound)")
            default:
                return expected(type, node, path)
            }
        case .boolean:
            guard case .bool = node.value else { return expected(type, node, path) }
        case .date:
            guard case .string(let text) = node.value else { return expected(type, node, path) }
            guard Day(iso: text) != nil else { return .invalid(path, "\(quoted(text)) is not a date YYYY-MM-DD") }
        case .choice(let words):
            guard case .string(let text) = node.value else { return expected(type, node, path) }
            guard words.contains(text) else {
                return .invalid(path, "\(quoted(text)) is not one of " + words.joined(separator: ", "))
            }
        case .list(let element, let maximumCount, let unique):
            guard case .array(let elements) = node.value else { return expected(type, node, path) }
            if elements.count > maximumCount { return .invalid(path, "more than \(maximumCount) elements") }
            for (index, item) in elements.enumerated() {
                if let error = check(item, element, path: "\(path)[\(index)]") { return error }
                if unique, elements[..<index].contains(where: { $0.value == item.value }) {
                    return .invalid("\(path)[\(index)]", "duplicate \(item.brief)")
                }
            }
        case .dateRange:
            guard case .array(let elements) = node.value else { return expected(type, node, path) }
            guard elements.count == 2 else {
                return .invalid(path, "expected [from, to], got \(elements.count) elements")
            }
            for index in 0..<2 {
                if let error = check(elements[index], .date, path: "\(path)[\(index)]") { return error }
            }
            if case .string(let from) = elements[0].value, case .string(let to) = elements[1].value,
               let start = Day(iso: from), let end = Day(iso: to), end <= start {
                return .invalid("\(path)[1]", "must be after \(path)[0] (\(from))")
            }
        case .object:
            guard case .object = node.value else { return expected(type, node, path) }
        case .skill:
            guard case .string(let text) = node.value else { return expected(type, node, path) }
            guard IdentifierRules.isValidSkill(text) else {
                return .invalid(path, "\(quoted(text)) is not a skill (lower-case letters, digits and inner hyphens)")
            }
        case .path:
            guard case .string(let text) = node.value else { return expected(type, node, path) }
            guard text.hasPrefix("/") else { return .invalid(path, "\(quoted(text)) is not an absolute path") }
            if text.utf8.count > ProtocolLimits.maximumPathBytes {
                return .invalid(path, "longer than \(ProtocolLimits.maximumPathBytes) bytes")
            }
            if text.utf8.contains(0) { return .invalid(path, "contains a NUL character") }
        case .token:
            guard case .string(let text) = node.value, AccessToken.isWellFormed(text) else {
                return .invalid(path, "expected 64 lower-case hex digits")
            }
        }
        return nil
    }

    static func check(_ rule: ParameterRule, _ parameters: Parameters) -> ProtocolError? {
        switch rule {
        case .after(let later, let earlier, let maximumNights):
            guard let end = parameters.day(later), let start = parameters.day(earlier) else { return nil }
            if end <= start { return .invalid(later, "must be after \(earlier) (\(start.iso))") }
            let nights = end.daysSinceEpoch - start.daysSinceEpoch
            if nights > maximumNights {
                return .invalid(later, "range of \(nights) nights is longer than \(maximumNights)")
            }
        case .fits(let count, let unit, let from, let to):
            guard let value = parameters.integer(count), let start = parameters.day(from),
                  let end = parameters.day(to) else { return nil }
            if value > end.daysSinceEpoch - start.daysSinceEpoch {
                return .invalid(count, "\(value) \(unit) do not fit between \(from) and \(to)")
            }
        case .requiredWhen(let field, let other, let values):
            if let value = parameters.string(other), values.contains(value), !parameters.contains(field) {
                return .invalid(field, "required when \(other) is \(value)")
            }
        case .forbiddenWhen(let field, let other, let values):
            if let value = parameters.string(other), values.contains(value), parameters.contains(field) {
                return .invalid(field, "not allowed when \(other) is \(value)")
            }
        case .exactlyOne(let fields):
            if fields.filter(parameters.contains).count != 1 {
                return .invalid(fields[0], "give exactly one of " + fields.joined(separator: ", "))
            }
        }
        return nil
    }

    private static func expected(_ type: ParameterType, _ node: JSONNode, _ path: String) -> ProtocolError {
        .invalid(path, "expected \(type.expectation), got \(node.brief)")
    }

    private static func quoted(_ text: String) -> String {
        ReplySanitizer.quoted(text)
    }
}
