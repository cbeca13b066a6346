/// One problem found in an input file, with the JSON path a person should look at.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    /// Where the problem is: `applications[17].towns[2]`, or `$` for the whole document.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// An input that was refused, with every problem found (up to a limit).
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    /// How many further problems were found but not kept.
    public var omitted: Int

    public init(diagnostics: [Diagnostic], omitted: Int = 0) {
        self.diagnostics = diagnostics
        self.omitted = omitted
    }

    public var description: String {
        var lines = diagnostics.map(\.description)
        if omitted > 0 { lines.append("… and \(omitted) more") }
        return lines.joined(separator: "\n")
    }
}

/// Collects diagnostics while a reader carries on past the first problem.
public final class DiagnosticCollector {
    /// A user fixing a file works through a page of errors at a time; past 100 the rest
    /// are mostly echoes of the same mistake, and an unbounded list could be huge.
    public static let defaultLimit = 100

    public private(set) var diagnostics: [Diagnostic] = []
    public private(set) var omitted = 0
    public let limit: Int

    public init(limit: Int = DiagnosticCollector.defaultLimit) {
        self.limit = limit
    }

    public var isEmpty: Bool { diagnostics.isEmpty }
    public var isFull: Bool { diagnostics.count >= limit }

    public func report(_ path: String, _ message: String) {
        if diagnostics.count < limit {
            diagnostics.append(Diagnostic(path: path, message: message))
        } else {
            omitted += 1
        }
    }

    /// Throws everything collected, if anything was.
    public func throwIfAny() throws(InputError) {
        if !diagnostics.isEmpty { throw InputError(diagnostics: diagnostics, omitted: omitted) }
    }
}
