/// Values for a statement's parameters, either all by position or all by name.
///
/// Write them as literals: `[42, "Hokkaido", nil]` for `?` parameters, or
/// `["id": 42, "region": "Hokkaido"]` for `:id` / `@id` / `$id` parameters (names may omit the prefix).
/// Values are converted to `DatabaseValue` at once, so arguments are `Sendable`.
public struct StatementArguments: Sendable, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    enum Storage: Sendable {
        case positional([DatabaseValue])
        case named([String: DatabaseValue])
    }

    let storage: Storage

    /// Arguments for `?` parameters, in order.
    public init(_ values: [(any SQLiteBindable)?]) {
        storage = .positional(values.map { $0?.databaseValue ?? .null })
    }

    /// Arguments for named parameters; the `:`, `@` or `$` prefix is optional.
    public init(_ values: [String: (any SQLiteBindable)?]) {
        var named: [String: DatabaseValue] = [:]
        for (name, value) in values {
            named[Self.bareName(name)] = value?.databaseValue ?? .null
        }
        storage = .named(named)
    }

    public init(arrayLiteral elements: (any SQLiteBindable)?...) {
        self.init(elements)
    }

    public init(dictionaryLiteral elements: (String, (any SQLiteBindable)?)...) {
        // Later duplicates win instead of trapping, matching how a repeated parameter is bound once.
        var named: [String: DatabaseValue] = [:]
        for (name, value) in elements {
            named[Self.bareName(name)] = value?.databaseValue ?? .null
        }
        storage = .named(named)
    }

    /// The parameter name without its `:`, `@` or `$` prefix.
    static func bareName(_ name: String) -> String {
        guard let first = name.first, first == ":" || first == "@" || first == "$" else { return name }
        return String(name.dropFirst())
    }
}
