import Foundation
import SasuraiCore

/// How a command prints what the server said: for people, for programs, or for spreadsheets.
public enum OutputFormat: Sendable {
    case table, json, csv

    static let jsonOption = OptionSpecification("--json", help: "Print the server's reply as JSON, for programs.")
    static let csvOption = OptionSpecification("--csv", help: "Print the list as CSV (UTF-8, with a header row), for spreadsheets.")

    static func from(_ arguments: ParsedArguments) throws(UsageError) -> OutputFormat {
        if arguments.flag("--json") && arguments.flag("--csv") { throw UsageError("give --json or --csv, not both") }
        if arguments.flag("--json") { return .json }
        if arguments.flag("--csv") { return .csv }
        return .table
    }
}

/// Builds the commands that talk to the server, so that connection options, output formats,
/// argument checks and error handling are the same everywhere.
enum ClientCommand {
    typealias Work = @Sendable (ClientSession, inout CommandOutput) throws -> ExitCode

    /// A command that talks to the server. `prepare` checks the arguments before anything
    /// connects and returns the work; `list` adds `--csv` beside `--json`.
    static func make(name: String, abstract: String, discussion: String = "", examples: [String],
                     arguments: [ArgumentSpecification] = [], options: [OptionSpecification] = [],
                     list: Bool = false, needsToken: Bool = true,
                     prepare: @escaping @Sendable (ParsedArguments, OutputFormat) throws -> Work) -> CommandSpecification {
        let formatOptions = list ? [OutputFormat.jsonOption, OutputFormat.csvOption] : [OutputFormat.jsonOption]
        return CommandSpecification(
            name: name, abstract: abstract, discussion: discussion, examples: examples, arguments: arguments,
            options: options + formatOptions + ClientSettings.options,
            prepare: { parsed in
                let format = try OutputFormat.from(parsed)
                let work = try prepare(parsed, format)
                let settings = try ClientSettings.resolve(parsed)
                return { output in
                    let session = try ClientSession(settings: settings, requireToken: needsToken)
                    return try work(session, &output)
                }
            })
    }

    /// Prints a reply in the chosen format; `table` renders it for people.
    static func emit(_ reply: JSONNode, _ format: OutputFormat, to output: inout CommandOutput,
                     csv: (() -> CSVTable)? = nil, table: () -> String) {
        switch format {
        case .json: output.print(reply.jsonText)
        case .csv: output.write(csv?().render() ?? table())
        case .table: output.write(table())
        }
    }
}

/// A list as CSV: RFC 4180 quoting, CRLF line ends as spreadsheets expect.
struct CSVTable {
    var headers: [String]
    var rows: [[String]] = []

    func render() -> String {
        func field(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return ([headers] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }
}

/// A list shown both ways from one description of its columns, so that the table and the
/// CSV never disagree.
struct ListView: Sendable {
    struct Column: Sendable {
        var header: String
        var rightAligned: Bool
        /// The cell for people (yen with separators, dates with the weekday).
        var display: @Sendable (JSONNode) -> String
        /// The cell for spreadsheets (plain numbers and ISO dates).
        var plain: @Sendable (JSONNode) -> String
    }

    var columns: [Column]

    func table(_ items: [JSONNode], empty: String) -> String {
        if items.isEmpty { return empty + "\n" }
        var table = TextTable(headers: columns.map(\.header),
                              rightAligned: Set(columns.indices.filter { columns[$0].rightAligned }))
        for item in items { table.append(columns.map { $0.display(item) }) }
        return table.render()
    }

    func csv(_ items: [JSONNode]) -> CSVTable {
        CSVTable(headers: columns.map(\.header), rows: items.map { item in columns.map { $0.plain(item) } })
    }
}

extension ListView.Column {
    static func text(_ header: String, _ key: String) -> Self {
        Self(header: header, rightAligned: false, display: { $0.text(key) }, plain: { $0.text(key) })
    }

    static func number(_ header: String, _ key: String) -> Self {
        Self(header: header, rightAligned: true,
               display: { node in node[key]?.integerValue.map(NumberFormat.grouped) ?? node.text(key) },
               plain: { $0.text(key) })
    }

    static func yen(_ header: String, _ key: String) -> Self {
        Self(header: header, rightAligned: true,
               display: { node in node[key]?.integerValue.map(NumberFormat.yen) ?? node.text(key) },
               plain: { $0.text(key) })
    }

    static func date(_ header: String, _ key: String) -> Self {
        Self(header: header, rightAligned: false,
               display: { node in node[key]?.stringValue.map(DateFormat.withWeekday) ?? node.text(key) },
               plain: { $0.text(key) })
    }

    static func custom(_ header: String, right: Bool = false, _ cell: @escaping @Sendable (JSONNode) -> String) -> Self {
        Self(header: header, rightAligned: right, display: cell, plain: cell)
    }
}

/// Dates for people: the ISO date and its weekday, `2026-09-12 Sat`.
enum DateFormat {
    static func withWeekday(_ iso: String) -> String {
        guard let day = Day(iso: iso) else { return iso }
        return "\(day.iso) \(day.weekday.shortName)"
    }

    /// A stay's dates: `2026-09-12 Sat → 2026-09-19 Sat (7 nights)`.
    static func stay(arrival iso: String, nights: Int) -> String {
        guard let day = Day(iso: iso) else { return iso }
        let departure = day.adding(nights)
        return "\(withWeekday(day.iso)) → \(withWeekday(departure.iso)) (\(nights) night\(nights == 1 ? "" : "s"))"
    }

    /// A server timestamp `2026-06-01T09:00:00.000Z` as `2026-06-01 09:00 UTC`.
    static func timestamp(_ text: String) -> String {
        guard text.count >= 16, let t = text.firstIndex(of: "T") else { return text }
        return String(text[..<t]) + " " + String(text[text.index(after: t)...].prefix(5)) + " UTC"
    }
}

/// Values typed on the command line, checked before anything is sent.
extension ParsedArguments {
    /// A required `--name` value.
    func required(_ name: String, _ what: String) throws(UsageError) -> String {
        guard let value = value(name), !value.isEmpty else { throw UsageError("missing \(name) \(what)") }
        return value
    }

    /// A date `YYYY-MM-DD` (or `YYYY/MM/DD`), if given.
    func day(_ name: String) throws(UsageError) -> Day? {
        guard let text = value(name) else { return nil }
        guard let day = Day(iso: text.replacingOccurrences(of: "/", with: "-")) else {
            throw UsageError("\(name) takes a date YYYY-MM-DD, got \"\(text)\"")
        }
        return day
    }

    /// A comma-separated list, empty when the option is absent.
    func list(_ name: String) -> [String] {
        guard let text = value(name) else { return [] }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// One of `choices`, if given.
    func choice(_ name: String, _ choices: [String]) throws(UsageError) -> String? {
        guard let text = value(name) else { return nil }
        guard choices.contains(text) else {
            throw UsageError("\(name) takes one of \(choices.joined(separator: ", ")), got \"\(text)\"")
        }
        return text
    }

    /// The positional argument at `index` as an id, checked as the protocol checks ids.
    func identifier(at index: Int, _ what: String) throws(UsageError) -> String {
        let text = positionals[index]
        try Self.checkIdentifier(text, what)
        return text
    }

    static func checkIdentifier(_ text: String, _ what: String) throws(UsageError) {
        let allowed = text.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        guard allowed, (1...64).contains(text.utf8.count) else {
            throw UsageError("\(what) \"\(text)\" is not an id (1 to 64 characters of a-z A-Z 0-9 . _ -)")
        }
    }
}
