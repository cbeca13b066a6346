#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SasuraiCore

/// A failure a command reports to the person, with the exit code it means.
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var exitCode: ExitCode

    public init(_ message: String, exitCode: ExitCode = .refused) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}

/// The `sasurai` tool: finds the command, parses and checks its arguments, runs it, and
/// maps every error to one message and one exit code. Nothing below prints a stack trace.
public enum CommandLineTool {
    public static let toolName = "sasurai"
    public static let version = "0.1.0"

    /// Every command, grouped the way the people who use them think of them.
    public static let root = CommandSpecification(
        name: toolName,
        abstract: "Stay-and-work scheduling: match visiting freelancers to host towns, beds and seasonal work.",
        discussion: """
        Host towns, freelancers and planners work through sasurai-server: log in once with \
        'sasurai login', then use the commands of your role (host, freelancer, plan, admin). The \
        server and token come from --server and --token-file, SASURAI_SERVER and SASURAI_TOKEN, \
        or the login file. solve, replan, validate, generate and store work on files, offline.
        Exit codes: 0 success, 1 refused (bad input, failed check, server refusal), 2 usage, \
        3 connection or authentication, 4 internal error.
        """,
        examples: ["sasurai login --server 127.0.0.1:7878 --token-file sasurai.db.planner-token",
                   "sasurai host calendar --month 2026-09",
                   "sasurai freelancer applications",
                   "sasurai plan run --seconds 20",
                   "sasurai generate --towns 12 --apps 200 --nights 90 --seed 1 > s.json"],
        subcommands: SessionCommands.all + [HostCommands.group, FreelancerCommands.group, PlannerCommands.group,
                                            AdminCommands.group]
            + [SolveCommand.specification, ReplanCommand.specification] + OfflineCommands.all + [StoreCommands.group]
    )

    /// Runs the tool as a process: writes to the real streams and exits.
    public static func main(arguments: [String]) -> Never {
        var output = CommandOutput(direct: true)
        let code = run(arguments: arguments, output: &output)
        exit(code.rawValue)
    }

    /// Runs the tool on `arguments` (without the program name), writing to `output`.
    public static func run(arguments: [String], output: inout CommandOutput) -> ExitCode {
        var command = root
        var path = [toolName]
        var words = arguments[...]
        while let word = words.first, let next = command.subcommands.first(where: { $0.name == word }) {
            command = next
            path.append(word)
            words = words.dropFirst()
        }
        let commandPath = path.joined(separator: " ")
        if words.contains("--help") || words.contains("-h") || (words.first == "help" && command.subcommands.isEmpty == false) {
            output.write(HelpFormatter.help(for: command, path: commandPath))
            return .success
        }
        if words.first == "--version" && path.count == 1 {
            output.print("\(toolName) \(version)")
            return .success
        }
        guard let prepare = command.prepare else {
            if let word = words.first {
                output.printError("\(toolName): unknown command '\(word)' for '\(commandPath)'")
            } else {
                output.printError("\(toolName): '\(commandPath)' needs a command")
            }
            output.printError("Run '\(commandPath) --help' to see the commands.")
            return .usage
        }
        do {
            let parsed = try command.parse(Array(words))
            let work = try prepare(parsed)
            return try work(&output)
        } catch let error as UsageError {
            output.printError("\(toolName): \(error.message)")
            output.printError("Run '\(commandPath) --help' for usage.")
            return .usage
        } catch let error as CommandFailure {
            output.printError("\(toolName): \(error.message)")
            return error.exitCode
        } catch let error as InputError {
            output.printError("\(toolName): the input was refused:")
            for line in error.description.split(separator: "\n") { output.printError("  " + line) }
            return .refused
        } catch {
            output.printError("\(toolName): internal error: \(error)")
            return .internalError
        }
    }
}

/// Renders `--help` for any command from its specification.
enum HelpFormatter {
    static func help(for command: CommandSpecification, path: String) -> String {
        var lines: [String] = []
        lines.append(command.abstract)
        lines.append("")
        var usage = "Usage: \(path)"
        if !command.subcommands.isEmpty { usage += " <command>" }
        if !command.options.isEmpty { usage += " [options]" }
        for argument in command.arguments { usage += argument.isOptional ? " [\(argument.name)]" : " \(argument.name)" }
        lines.append(usage)
        if !command.discussion.isEmpty {
            lines.append("")
            for paragraph in command.discussion.split(separator: "\n", omittingEmptySubsequences: false) {
                lines += wrapped(String(paragraph), width: 92)
            }
        }
        if !command.subcommands.isEmpty {
            lines.append("")
            lines.append("Commands:")
            let width = command.subcommands.map(\.name.count).max() ?? 0
            for subcommand in command.subcommands {
                lines.append("  " + subcommand.name.padding(to: width) + "  " + subcommand.abstract)
            }
        }
        if !command.arguments.isEmpty {
            lines.append("")
            lines.append("Arguments:")
            let width = command.arguments.map(\.name.count).max() ?? 0
            for argument in command.arguments {
                lines.append("  " + argument.name.padding(to: width) + "  " + argument.help)
            }
        }
        let options = command.options + [OptionSpecification("--help", help: "Show this help.")]
        lines.append("")
        lines.append("Options:")
        let labels = options.map { option in option.valueName.map { "\(option.name) \($0)" } ?? option.name }
        let width = labels.map(\.count).max() ?? 0
        for (label, option) in zip(labels, options) {
            lines.append("  " + label.padding(to: width) + "  " + option.help)
        }
        if !command.examples.isEmpty {
            lines.append("")
            lines.append(command.examples.count == 1 ? "Example:" : "Examples:")
            for example in command.examples { lines.append("  " + example) }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension HelpFormatter {
    /// Breaks a paragraph between words so that help reads well on an ordinary terminal.
    static func wrapped(_ paragraph: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in paragraph.split(separator: " ") {
            if !line.isEmpty && DisplayWidth.of(line) + 1 + DisplayWidth.of(String(word)) > width {
                lines.append(line)
                line = ""
            }
            line += line.isEmpty ? String(word) : " " + word
        }
        lines.append(line)
        return lines
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
