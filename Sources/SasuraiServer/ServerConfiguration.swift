import SasuraiProtocol
import SasuraiStore

/// Everything `sasurai-server` is told on its command line, checked before anything starts.
public struct ServerConfiguration: Sendable, Equatable {
    public var databasePath = "./sasurai.db"
    public var host = "127.0.0.1"
    public var port: UInt16 = 7878
    public var maximumConnections = ProtocolLimits.maximumConnections
    public var idleTimeoutSeconds = ProtocolLimits.idleTimeoutSeconds
    public var lineDeadlineSeconds = ProtocolLimits.lineDeadlineSeconds
    public var synchronous: Database.SynchronousMode = .full
    public var logLevel: LogLevel = .info

    public init() {}

    /// The file the first planner token is written to: beside the database, readable only by
    /// the server's user.
    public var plannerTokenPath: String { databasePath + ".planner-token" }

    /// The help text of `sasurai-server --help`.
    public static let help = """
        sasurai-server: the Sasurai line-protocol service

        Usage: sasurai-server [--db PATH] [--listen HOST:PORT] [--max-connections N]
                              [--idle-timeout S] [--synchronous full|normal] [--log-level L]

        Options:
          --db PATH              SQLite database (default ./sasurai.db); created with its schema
                                 and a planner token when missing
          --listen HOST:PORT     address to listen on (default 127.0.0.1:7878; port 0 picks a free
                                 port, printed in the "listening" log line)
          --max-connections N    connections served at once, 1 to 100000 (default 1024)
          --idle-timeout S       close connections silent for S seconds, 1 to 86400 (default 300)
          --synchronous MODE     full: every acknowledged write survives power loss (default);
                                 normal: faster, the last commits may be lost on power loss
          --log-level L          debug, info, warning or error (default info)
          -h, --help             show this help

        On first start the server writes a planner token to PATH.planner-token (mode 0600) and
        logs where. Logs are one line per event on stderr; tokens never appear in them.
        SIGTERM or SIGINT: stop accepting, answer what is in flight, checkpoint, exit 0.

        Example:
          sasurai-server --db /var/lib/sasurai/sasurai.db --listen 0.0.0.0:7878
        """

    /// What the command line asked for.
    public enum Parsed: Equatable, Sendable {
        case run(ServerConfiguration)
        case help
    }

    /// A command-line mistake, with a message that says how to fix it.
    public struct UsageError: Error, Equatable, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    /// Parses and validates the arguments (without the program name).
    public static func parse(_ arguments: [String]) throws(UsageError) -> Parsed {
        var configuration = ServerConfiguration()
        var index = 0
        func value(for flag: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count else { throw UsageError(message: "\(flag) needs a value") }
            return arguments[index]
        }
        func integer(_ flag: String, _ range: ClosedRange<Int>) throws(UsageError) -> Int {
            let text = try value(for: flag)
            guard let number = Int(text), range.contains(number) else {
                throw UsageError(message: "\(flag): \"\(text)\" is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        while index < arguments.count {
            var argument = arguments[index]
            // --flag=value is the same as --flag value.
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                var expanded = arguments
                expanded[index] = String(argument[..<equals])
                expanded.insert(String(argument[argument.index(after: equals)...]), at: index + 1)
                return try parse(expanded)
            }
            switch argument {
            case "-h", "--help":
                return .help
            case "--db":
                configuration.databasePath = try value(for: argument)
                if configuration.databasePath.isEmpty { throw UsageError(message: "--db needs a path") }
            case "--listen":
                let text = try value(for: argument)
                guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
                    throw UsageError(message: "--listen: \"\(text)\" is not HOST:PORT (e.g. 127.0.0.1:7878)")
                }
                var host = String(text[..<colon])
                if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
                guard !host.isEmpty else { throw UsageError(message: "--listen: \"\(text)\" has no host") }
                configuration.host = host
                configuration.port = port
            case "--max-connections":
                configuration.maximumConnections = try integer(argument, 1...100_000)
            case "--idle-timeout":
                configuration.idleTimeoutSeconds = try integer(argument, 1...86_400)
            case "--synchronous":
                let text = try value(for: argument)
                switch text {
                case "full": configuration.synchronous = .full
                case "normal": configuration.synchronous = .normal
                default: throw UsageError(message: "--synchronous: \"\(text)\" is not full or normal")
                }
            case "--log-level":
                let text = try value(for: argument)
                guard let level = LogLevel(name: text) else {
                    throw UsageError(message: "--log-level: \"\(text)\" is not debug, info, warning or error")
                }
                configuration.logLevel = level
            default:
                argument = argument.count > 64 ? String(argument.prefix(64)) + "…" : argument
                throw UsageError(message: "unknown option \"\(argument)\"; see sasurai-server --help")
            }
            index += 1
        }
        return .run(configuration)
    }
}
