/// A command-line option: `--name VALUE` or a bare `--flag`.
public struct OptionSpecification: Sendable {
    public var name: String
    /// Placeholder shown in help (`N`, `PATH`); nil for a flag that takes no value.
    public var valueName: String?
    public var help: String

    public init(_ name: String, value valueName: String? = nil, help: String) {
        self.name = name
        self.valueName = valueName
        self.help = help
    }
}

/// A positional argument.
public struct ArgumentSpecification: Sendable {
    public var name: String
    public var help: String
    public var isOptional: Bool

    public init(_ name: String, help: String, optional isOptional: Bool = false) {
        self.name = name
        self.help = help
        self.isOptional = isOptional
    }
}

/// What the user typed, after the words were matched against a command's specification.
public struct ParsedArguments: Sendable {
    public var positionals: [String]
    public var values: [String: String]
    public var flags: Set<String>

    /// The value of `--name`, if given.
    public func value(_ name: String) -> String? { values[name] }

    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// A whole number in `range`, or the default when the option is absent.
    public func integer(_ name: String, in range: ClosedRange<Int>, default fallback: Int? = nil) throws(UsageError) -> Int? {
        guard let text = values[name] else { return fallback }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError("\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return number
    }

    /// The `--seed` option: any 64-bit unsigned number, 1 when absent.
    public func seed() throws(UsageError) -> UInt64 {
        let text = values["--seed"] ?? "1"
        guard let seed = UInt64(text) else { throw UsageError("--seed takes a whole number, got \"\(text)\"") }
        return seed
    }

    /// A decimal number in `range`, or the default when the option is absent.
    public func decimal(_ name: String, in range: ClosedRange<Double>, default fallback: Double) throws(UsageError) -> Double {
        guard let text = values[name] else { return fallback }
        guard let number = Double(text), number.isFinite, range.contains(number) else {
            throw UsageError("\(name) takes a number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return number
    }
}

/// A usage mistake: the words of the call are off. Exit code 2.
public struct UsageError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One command of the `sasurai` tool, declared as data: help, parsing and error handling
/// are done once for all commands by `CommandLineTool`.
public struct CommandSpecification: Sendable {
    public var name: String
    public var abstract: String
    public var discussion: String
    public var examples: [String]
    public var arguments: [ArgumentSpecification]
    public var options: [OptionSpecification]
    public var subcommands: [CommandSpecification]
    /// Checks and converts the arguments before anything runs, then returns the work to do.
    public var prepare: (@Sendable (ParsedArguments) throws -> @Sendable (inout CommandOutput) throws -> ExitCode)?

    public init(name: String, abstract: String, discussion: String = "", examples: [String] = [],
                arguments: [ArgumentSpecification] = [], options: [OptionSpecification] = [],
                subcommands: [CommandSpecification] = [],
                prepare: (@Sendable (ParsedArguments) throws -> @Sendable (inout CommandOutput) throws -> ExitCode)? = nil) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.examples = examples
        self.arguments = arguments
        self.options = options
        self.subcommands = subcommands
        self.prepare = prepare
    }

    /// Matches words against the options and positionals, refusing anything unknown.
    func parse(_ words: [String]) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments(positionals: [], values: [:], flags: [])
        var index = 0
        var onlyPositionals = false
        while index < words.count {
            let word = words[index]
            index += 1
            if onlyPositionals || !word.hasPrefix("-") || word == "-" {
                parsed.positionals.append(word)
                continue
            }
            if word == "--" {
                onlyPositionals = true
                continue
            }
            var name = word
            var inlineValue: String?
            if let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                inlineValue = String(word[word.index(after: equals)...])
            }
            guard let option = options.first(where: { $0.name == name }) else {
                throw UsageError("unknown option \(name) for '\(name == word ? self.name : self.name)'")
            }
            if option.valueName == nil {
                guard inlineValue == nil else { throw UsageError("\(name) takes no value") }
                parsed.flags.insert(name)
                continue
            }
            if let inlineValue {
                parsed.values[name] = inlineValue
            } else {
                guard index < words.count else { throw UsageError("\(name) needs a value (\(option.valueName!))") }
                parsed.values[name] = words[index]
                index += 1
            }
        }
        let required = arguments.filter { !$0.isOptional }.count
        if parsed.positionals.count < required {
            throw UsageError("missing \(arguments[parsed.positionals.count].name)")
        }
        if parsed.positionals.count > arguments.count {
            throw UsageError("unexpected argument \"\(parsed.positionals[arguments.count])\"")
        }
        return parsed
    }
}

/// The process exit codes, the same for every command (README documents them).
public enum ExitCode: Int32, Sendable {
    /// Done as asked.
    case success = 0
    /// The input or the server refused the request, or a check found problems.
    case refused = 1
    /// The command line itself was wrong.
    case usage = 2
    /// The server could not be reached, or would not accept the credentials.
    case connection = 3
    /// Sasurai itself failed; a bug to report.
    case internalError = 4
}
