import Foundation
import SasuraiCore

/// `sasurai login`, `logout`, `whoami`, `ping`: the connection itself.
enum SessionCommands {
    static let all = [login, logout, whoami, ping]

    static let login = CommandSpecification(
        name: "login",
        abstract: "Check a token with the server and save the server and token for later commands.",
        discussion: """
        The token comes from --token-file (- reads standard input), from SASURAI_TOKEN, or is \
        asked for on the terminal without echo. It is checked with AUTH before anything is \
        saved. The login file (~/.config/sasurai/config, or --config / SASURAI_CONFIG) is \
        written with mode 0600. Planners get their first token from the file the server writes \
        beside its database (DB.planner-token); hosts and freelancers get theirs from a planner \
        ('sasurai admin token issue').
        """,
        examples: ["sasurai login --server 127.0.0.1:7878 --token-file sasurai.db.planner-token",
                   "sasurai login --server sasurai.example.jp:7878"],
        options: ClientSettings.options,
        prepare: { arguments in
            let settings = try ClientSettings.resolve(arguments)
            let configPath = ClientSettings.configPath(arguments, environment: ProcessInfo.processInfo.environment)
            // A token already saved is not reused: logging in means presenting one anew.
            let prompt = settings.token == nil || settings.tokenSource == configPath
            return { [settings] output in
                var settings = settings
                if prompt {
                    guard isatty(0) == 1 else {
                        throw UsageError("no token: give --token-file FILE (or - for standard input) or set SASURAI_TOKEN")
                    }
                    settings.token = TerminalInput.secret("Token for \(settings.server): ")
                    settings.tokenSource = "the terminal"
                }
                guard let token = settings.token, !token.isEmpty else { throw UsageError("no token given") }
                let session = try ClientSession(settings: settings)
                var file = ConfigFile()
                file.values["server"] = settings.server.description
                file.values["token"] = token
                try file.write(to: configPath)
                output.print("Logged in to \(settings.server) as \(describe(session.identity)).")
                output.print("Saved to \(configPath) (mode 0600).")
                return .success
            }
        })

    static let logout = CommandSpecification(
        name: "logout",
        abstract: "Remove the saved login file.",
        examples: ["sasurai logout"],
        options: [ClientSettings.options[2]],
        prepare: { arguments in
            let path = ClientSettings.configPath(arguments, environment: ProcessInfo.processInfo.environment)
            return { output in
                if FileManager.default.fileExists(atPath: path) {
                    try? FileManager.default.removeItem(atPath: path)
                    output.print("Removed \(path).")
                } else {
                    output.print("Not logged in (no \(path)).")
                }
                return .success
            }
        })

    static let whoami = ClientCommand.make(
        name: "whoami",
        abstract: "Show which server and role the current token gives.",
        examples: ["sasurai whoami"],
        needsToken: false,
        prepare: { _, format in
            return { session, output in
                let reply = session.identity ?? JSONNode(.object([JSONMember(key: "role", node: JSONNode(.string("anyone")))]))
                ClientCommand.emit(reply, format, to: &output) {
                    var text = "server  \(session.settings.server) (from \(session.settings.serverSource))\n"
                    text += "role    \(describe(session.identity))\n"
                    if let source = session.settings.tokenSource { text += "token   from \(source)\n" }
                    return text
                }
                return .success
            }
        })

    static let ping = ClientCommand.make(
        name: "ping",
        abstract: "Check that the server answers, and show its protocol version and limits.",
        examples: ["sasurai ping --server 127.0.0.1:7878"],
        needsToken: false,
        prepare: { _, format in
            return { session, output in
                let started = ContinuousClock.now
                let reply = try session.call("HELLO", RequestObject([("protocol", .integer(1))]))
                let elapsed = ContinuousClock.now - started
                let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
                ClientCommand.emit(reply, format, to: &output) {
                    let limits = reply["limits"]
                    return "\(session.settings.server): \(reply.text("server")) protocol \(reply.text("protocol")), "
                        + "answered in \(String(format: "%.1f", milliseconds)) ms\n"
                        + "limits: line \(NumberFormat.grouped(limits?["line_bytes"]?.integerValue ?? 0)) bytes, "
                        + "\(limits?.text("pipeline") ?? "-") pipelined requests, idle timeout \(limits?.text("idle_timeout_seconds") ?? "-") s\n"
                }
                return .success
            }
        })

    /// `planner`, `host of nanto`, `freelancer f-0001`.
    static func describe(_ identity: JSONNode?) -> String {
        guard let identity else { return "anyone (no token)" }
        switch identity.text("role") {
        case "host": return "host of \(identity.text("town"))"
        case "freelancer": return "freelancer \(identity.text("freelancer"))"
        default: return identity.text("role")
        }
    }
}

/// Reading from the terminal: secrets without echo, and prompts with a default.
enum TerminalInput {
    /// Reads one line with echo off, so a token typed or pasted is not left on the screen.
    static func secret(_ prompt: String) -> String? {
        StandardStream.write(Array(prompt.utf8), to: 2)
        var original = termios()
        let canHide = tcgetattr(0, &original) == 0
        if canHide {
            var hidden = original
            hidden.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(0, TCSAFLUSH, &hidden)
        }
        defer {
            if canHide { tcsetattr(0, TCSAFLUSH, &original) }
            StandardStream.write([0x0A], to: 2)
        }
        return readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces)
    }

    /// Asks for a value on the terminal; an empty answer takes `defaultValue` when there is one.
    static func ask(_ question: String, default defaultValue: String? = nil) -> String? {
        let suffix = defaultValue.map { " [\($0)]" } ?? ""
        StandardStream.write(Array("\(question)\(suffix): ".utf8), to: 2)
        guard let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces) else { return nil }
        return answer.isEmpty ? defaultValue : answer
    }

    static var isInteractive: Bool { isatty(0) == 1 && isatty(2) == 1 }
}
