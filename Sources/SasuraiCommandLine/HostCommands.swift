import Foundation
import SasuraiCore

/// `sasurai host ...`: what a town's staff do: beds, labor needs, who stays when, bookings.
enum HostCommands {
    static let townOption = OptionSpecification(
        "--town", value: "TOWN", help: "The town (a host token's own town by default; planners must give it).")

    static let group = CommandSpecification(
        name: "host",
        abstract: "For host towns: beds, labor slots, the roster and calendar, bookings.",
        discussion: """
        With a host token every command acts on that token's town. A planner gives --town. \
        Lists print a table by default, --csv for a spreadsheet and --json for programs.
        """,
        examples: ["sasurai host accommodation list", "sasurai host calendar --month 2026-09",
                   "sasurai host book a-0042 --accommodation nanto-gh1 --arrival 2026-09-10"],
        subcommands: [town, accommodationGroup, slotGroup, roster, calendar, book, cancel])

    /// The request's scope: `town` when given, else the token's own.
    static func scope(_ arguments: ParsedArguments) throws(UsageError) -> RequestObject {
        var object = RequestObject()
        if let town = arguments.value("--town") {
            try ParsedArguments.checkIdentifier(town, "--town")
            object.set("town", .string(town))
        }
        return object
    }

    static let town = ClientCommand.make(
        name: "town", abstract: "Show the town: nightly cap, stay rules, subsidy.",
        examples: ["sasurai host town", "sasurai host town --town nanto --json"],
        options: [townOption],
        prepare: { arguments, format in
            let request = try scope(arguments)
            return { session, output in
                let reply = try session.call("TOWN", request)
                ClientCommand.emit(reply, format, to: &output) {
                    let town = reply["town"]!
                    var table = TextTable(headers: ["", ""])
                    table.rows = [["town", "\(town.text("name")) (\(town.text("id"))), \(town.text("prefecture"))"],
                                  ["visitors per night", "at most \(town.text("nightly_cap"))"],
                                  ["stay length", "\(town.text("min_nights")) to \(town.text("max_nights")) nights"],
                                  ["subsidy", "\(NumberFormat.yen(town["subsidy_per_night"]?.integerValue ?? 0)) per night"]]
                    return table.render().split(separator: "\n").dropFirst().map { $0 + "\n" }.joined()
                }
                return .success
            }
        })

    // MARK: Accommodations

    static let accommodationView = ListView(columns: [
        .text("id", "id"), .text("name", "name"), .text("kind", "kind"), .number("beds", "beds"),
        .yen("price/night", "price_per_night"),
        .custom("open") { node in openText(node["open"]) },
    ])

    /// `open` for people: `always`, or `2026-07-01..2026-11-01; …` as the CSV files write it.
    static func openText(_ node: JSONNode?) -> String {
        guard let node, !node.isNull else { return "always" }
        return node.arrayValue.map { range in
            range.arrayValue.compactMap(\.stringValue).joined(separator: "..")
        }.joined(separator: "; ")
    }

    static let accommodationGroup = CommandSpecification(
        name: "accommodation", abstract: "List, add or change, delete, or import the town's accommodations.",
        examples: ["sasurai host accommodation list",
                   "sasurai host accommodation put --id nanto-gh1 --name 五箇山ゲストハウス --kind guesthouse --beds 6 --price 3500 --open 2026-07-01..2026-11-01"],
        subcommands: [accommodationList, accommodationPut, accommodationDelete, CatalogImport.accommodations])

    static let accommodationList = listCommand(.accommodation, command: "ACCOMMODATION LIST", key: "accommodations", view: accommodationView)

    static let accommodationPut = ClientCommand.make(
        name: "put", abstract: "Add an accommodation, or replace the one with this id.",
        discussion: """
        Replacing is refused while guests would no longer fit (fewer beds, or open periods that \
        leave a guest outside). --open takes FROM..TO ranges separated by ';' or ',' (TO is the \
        first day it is closed again); without --open the accommodation is always open.
        """,
        examples: ["sasurai host accommodation put --id nanto-gh1 --name 五箇山ゲストハウス --kind guesthouse --beds 6 --price 3500 --open 2026-07-01..2026-11-01"],
        options: [OptionSpecification("--id", value: "ID", help: "Its id (letters, digits, . _ -)."),
                  OptionSpecification("--name", value: "NAME", help: "Its name, as guests know it."),
                  OptionSpecification("--kind", value: "KIND", help: "shared_house, guesthouse, vacant_house, homestay or coworking_stay."),
                  OptionSpecification("--beds", value: "N", help: "Beds (0 to 10,000)."),
                  OptionSpecification("--price", value: "YEN", help: "Price per night in yen, before the town's subsidy."),
                  OptionSpecification("--open", value: "RANGES", help: "When it takes guests: FROM..TO[;FROM..TO…] (default: always)."),
                  townOption],
        prepare: { arguments, format in
            let request = try CatalogFields.accommodation.request(from: arguments, scope: try scope(arguments))
            return { [request] session, output in
                let reply = try session.call("ACCOMMODATION PUT", request, mutating: true)
                ClientCommand.emit(reply, format, to: &output) {
                    let item = reply["accommodation"]!
                    return "\(reply["created"]?.boolValue == true ? "Added" : "Replaced") \(item.text("id")) (\(item.text("name"))): "
                        + "\(item.text("beds")) beds, \(NumberFormat.yen(item["price_per_night"]?.integerValue ?? 0)) per night, open \(openText(item["open"])).\n"
                }
                return .success
            }
        })

    static let accommodationDelete = deleteCommand("accommodation", command: "ACCOMMODATION DELETE", example: "nanto-gh1")

    /// `delete ID` for accommodations and slots: refused while a placement uses the object.
    static func deleteCommand(_ noun: String, command: String, example: String) -> CommandSpecification {
        ClientCommand.make(
            name: "delete", abstract: "Delete \(noun == "accommodation" ? "an" : "a") \(noun) no placement uses.",
            examples: ["sasurai host \(noun) delete \(example)"],
            arguments: [ArgumentSpecification("ID", help: "The \(noun)'s id.")],
            options: [townOption],
            prepare: { arguments, format in
                var request = try scope(arguments)
                request.set("id", .string(try arguments.identifier(at: 0, noun)))
                return { [request] session, output in
                    let reply = try session.call(command, request, mutating: true)
                    ClientCommand.emit(reply, format, to: &output) { "Deleted \(reply.text("deleted")).\n" }
                    return .success
                }
            })
    }

    /// `list` for accommodations and slots, as a table, CSV or JSON.
    static func listCommand(_ catalog: CatalogFields, command: String, key: String, view: ListView) -> CommandSpecification {
        let noun = catalog.noun
        return ClientCommand.make(
            name: "list", abstract: "List the town's \(key).",
            examples: ["sasurai host \(noun) list", "sasurai host \(noun) list --csv > \(key).csv"],
            options: [townOption], list: true,
            prepare: { arguments, format in
                let request = try scope(arguments)
                return { session, output in
                    let reply = try session.call(command, request)
                    let items = reply[key]?.arrayValue ?? []
                    ClientCommand.emit(reply, format, to: &output, csv: { CatalogFile.csv(items, catalog: catalog) }) {
                        view.table(items, empty: "No \(key) yet: add one with 'sasurai host \(noun) put' or 'import'.")
                    }
                    return .success
                }
            })
    }

    // MARK: Slots

    static let slotView = ListView(columns: [
        .text("id", "id"), .text("title", "title"), .date("from", "from"), .date("to", "to"),
        .number("seats", "seats"), .number("min days", "min_days"), .text("skills", "skills"),
    ])

    static let slotGroup = CommandSpecification(
        name: "slot", abstract: "List, add or change, delete, or import the town's seasonal labor slots.",
        examples: ["sasurai host slot list",
                   "sasurai host slot put --id nanto-persimmon --title 干し柿づくり --from 2026-10-15 --to 2026-11-15 --seats 4 --min-days 5"],
        subcommands: [slotList, slotPut, slotDelete, CatalogImport.slots])

    static let slotList = listCommand(.slot, command: "SLOT LIST", key: "slots", view: slotView)

    static let slotPut = ClientCommand.make(
        name: "put", abstract: "Add a labor slot, or replace the one with this id.",
        discussion: """
        A worker holds one seat on each day the stay shares with [--from, --to), and needs at \
        least --min-days of them. Replacing is refused while a placed worker would no longer fit.
        """,
        examples: ["sasurai host slot put --id nanto-persimmon --title 干し柿づくり --from 2026-10-15 --to 2026-11-15 --seats 4 --min-days 5 --skills farming"],
        options: [OptionSpecification("--id", value: "ID", help: "Its id (letters, digits, . _ -)."),
                  OptionSpecification("--title", value: "TITLE", help: "What the work is."),
                  OptionSpecification("--from", value: "DATE", help: "First day of the work."),
                  OptionSpecification("--to", value: "DATE", help: "The day after the last day."),
                  OptionSpecification("--seats", value: "N", help: "Workers per day (0 to 10,000)."),
                  OptionSpecification("--min-days", value: "N", help: "Fewest days a worker must share with the window (default 1)."),
                  OptionSpecification("--skills", value: "LIST", help: "Skills a worker needs, comma-separated (default none)."),
                  townOption],
        prepare: { arguments, format in
            let request = try CatalogFields.slot.request(from: arguments, scope: try scope(arguments))
            return { [request] session, output in
                let reply = try session.call("SLOT PUT", request, mutating: true)
                ClientCommand.emit(reply, format, to: &output) {
                    let item = reply["slot"]!
                    return "\(reply["created"]?.boolValue == true ? "Added" : "Replaced") \(item.text("id")) (\(item.text("title"))): "
                        + "\(item.text("seats")) seats a day from \(DateFormat.withWeekday(item.text("from"))) to \(DateFormat.withWeekday(item.text("to"))).\n"
                }
                return .success
            }
        })

    static let slotDelete = deleteCommand("slot", command: "SLOT DELETE", example: "nanto-persimmon")

    // MARK: Roster, booking

    static let stayView = ListView(columns: [
        .date("arrival", "arrival"),
        .custom("departure") { node in
            guard let arrival = Day(iso: node.text("arrival")), let nights = node["nights"]?.integerValue else { return "-" }
            return DateFormat.withWeekday(arrival.adding(nights).iso)
        },
        .number("nights", "nights"), .text("application", "application"), .text("name", "name"),
        .text("accommodation", "accommodation"), .text("slot", "slot"), .number("labor days", "labor_days"),
        .text("state", "state"),
    ])

    static let roster = ClientCommand.make(
        name: "roster", abstract: "Who stays in the town between two dates: bed, slot, state.",
        discussion: "Every offered or confirmed stay sharing a night with [--from, --to). Default: the next 31 days.",
        examples: ["sasurai host roster --from 2026-09-01 --to 2026-10-01", "sasurai host roster --csv > roster.csv"],
        options: [OptionSpecification("--from", value: "DATE", help: "First night (default today)."),
                  OptionSpecification("--to", value: "DATE", help: "The night after the last (default 31 days after --from)."),
                  townOption],
        list: true,
        prepare: { arguments, format in
            var request = try scope(arguments)
            let from = try arguments.day("--from") ?? Day.today
            let to = try arguments.day("--to") ?? from.adding(31)
            guard from < to else { throw UsageError("--to must be after --from") }
            guard to.days(since: from) <= 731 else { throw UsageError("--from to --to spans more than 731 nights") }
            request.set("from", .string(from.iso))
            request.set("to", .string(to.iso))
            return { [request] session, output in
                let reply = try session.call("ROSTER", request)
                let stays = reply["stays"]?.arrayValue ?? []
                ClientCommand.emit(reply, format, to: &output, csv: { stayView.csv(stays) }) {
                    "\(reply.text("town")): \(stays.count) stay\(stays.count == 1 ? "" : "s") from \(DateFormat.withWeekday(from.iso)) to \(DateFormat.withWeekday(to.iso))\n"
                        + (stays.isEmpty ? "" : "\n" + stayView.table(stays, empty: ""))
                }
                return .success
            }
        })

    static let book = ClientCommand.make(
        name: "book", abstract: "Book a pending application into the town: bed, arrival and optional slot.",
        discussion: """
        Every rule that binds a booking and every capacity is checked at once with the write, so \
        two hosts booking the last bed cannot both succeed. The stay is confirmed at once.
        """,
        examples: ["sasurai host book a-0042 --accommodation nanto-gh1 --arrival 2026-09-10",
                   "sasurai host book a-0042 --accommodation nanto-gh1 --arrival 2026-10-20 --slot nanto-persimmon"],
        arguments: [ArgumentSpecification("APPLICATION", help: "The pending application's id.")],
        options: [OptionSpecification("--accommodation", value: "ID", help: "The bed: an accommodation of the town."),
                  OptionSpecification("--arrival", value: "DATE", help: "The first night."),
                  OptionSpecification("--slot", value: "ID", help: "A labor slot of the town (default none)."),
                  townOption],
        prepare: { arguments, format in
            var request = try scope(arguments)
            request.set("application", .string(try arguments.identifier(at: 0, "application")))
            let accommodation = try arguments.required("--accommodation", "ID")
            try ParsedArguments.checkIdentifier(accommodation, "--accommodation")
            request.set("accommodation", .string(accommodation))
            guard let arrival = try arguments.day("--arrival") else { throw UsageError("missing --arrival DATE") }
            request.set("arrival", .string(arrival.iso))
            if let slot = arguments.value("--slot") {
                try ParsedArguments.checkIdentifier(slot, "--slot")
                request.set("slot", .string(slot))
            }
            return { [request] session, output in
                let reply = try session.call("BOOK", request, mutating: true)
                ClientCommand.emit(reply, format, to: &output) { "Booked: " + stayLine(reply["stay"]!) + "\n" }
                return .success
            }
        })

    /// One stay in a sentence: `a-0042 in nanto-gh1, 2026-09-10 Thu → 2026-09-17 Thu (7 nights), slot …, confirmed`.
    static func stayLine(_ stay: JSONNode) -> String {
        var text = "\(stay.text("application")) in \(stay.text("accommodation")) (\(stay.text("town"))), "
            + DateFormat.stay(arrival: stay.text("arrival"), nights: stay["nights"]?.integerValue ?? 0)
        if let slot = stay["slot"]?.stringValue { text += ", slot \(slot) for \(stay.text("labor_days")) days" }
        return text + ", \(stay.text("state"))"
    }

    static let cancel = ClientCommand.make(
        name: "cancel", abstract: "Cancel a placement in the town; the application goes back to pending, first in line.",
        examples: ["sasurai host cancel a-0042 --reason \"house under repair\""],
        arguments: [ArgumentSpecification("APPLICATION", help: "The placed application's id.")],
        options: [OptionSpecification("--reason", value: "TEXT", help: "Why, for the audit log."), townOption],
        prepare: { arguments, format in
            var request = try scope(arguments)
            request.set("application", .string(try arguments.identifier(at: 0, "application")))
            if let reason = arguments.value("--reason") { request.set("reason", .string(reason)) }
            return { [request] session, output in
                let reply = try session.call("CANCEL", request, mutating: true)
                ClientCommand.emit(reply, format, to: &output) {
                    "Cancelled the stay of \(reply.text("application")); it is pending again and first in line for the next plan run.\n"
                }
                return .success
            }
        })

    /// `FROM..TO` ranges separated by `;` or `,`, as typed on the command line or in a CSV cell.
    static func parseRanges(_ text: String, option: String) throws(UsageError) -> [DayRange] {
        var ranges: [DayRange] = []
        for part in text.split(whereSeparator: { $0 == ";" || $0 == "," }) {
            let piece = part.trimmingCharacters(in: .whitespaces)
            if piece.isEmpty { continue }
            let ends = piece.components(separatedBy: "..")
            guard ends.count == 2,
                  let from = Day(iso: ends[0].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "/", with: "-")),
                  let to = Day(iso: ends[1].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "/", with: "-")) else {
                throw UsageError("\(option): \"\(piece)\" is not FROM..TO (for example 2026-07-01..2026-11-01)")
            }
            guard from < to else { throw UsageError("\(option): in \"\(piece)\" TO must be after FROM") }
            ranges.append(DayRange(from: from, to: to))
        }
        return ranges
    }
}

extension Day {
    /// Today in the local calendar, as towns think in local days.
    static var today: Day {
        let components = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        return Day(year: components.year!, month: components.month!, day: components.day!)!
    }
}

/// `sasurai host accommodation import` and `host slot import`: a spreadsheet's rows, all or none.
enum CatalogImport {
    static let accommodations = command(.accommodation, put: "ACCOMMODATION PUT", delete: "ACCOMMODATION DELETE",
                                        list: "ACCOMMODATION LIST", key: "accommodations", example: "beds.csv")
    static let slots = command(.slot, put: "SLOT PUT", delete: "SLOT DELETE", list: "SLOT LIST", key: "slots", example: "slots.csv")

    static func command(_ catalog: CatalogFields, put: String, delete: String, list: String, key: String,
                        example: String) -> CommandSpecification {
        let columns = catalog.fields.map { $0.required ? $0.name : "\($0.name) (optional)" }.joined(separator: ", ")
        return ClientCommand.make(
            name: "import", abstract: "Add or replace \(key) from a CSV file saved by a spreadsheet; all rows or none.",
            discussion: """
            The first row names the columns, in any order: \(columns). The file may be UTF-8 (with \
            or without BOM) or Shift_JIS. Numbers may carry separators and ¥ (12,000 or ¥3,500); \
            dates may be written 2026-07-01 or 2026/07/01.\(catalog.noun == "accommodation" ? " open lists periods FROM..TO separated by ';' (empty: always open)." : " skills are separated by spaces or ';'.") \
            Every row is checked before anything is sent, and every problem is listed with its row \
            and column. If the server then refuses a row (for example fewer beds than guests), the \
            rows already written are undone, so the town is left as it was. 'list --csv' writes \
            the same columns, so a host can export, edit and import again.
            """,
            examples: ["sasurai host \(catalog.noun) import \(example)", "sasurai host \(catalog.noun) import \(example) --check"],
            arguments: [ArgumentSpecification("FILE", help: "The CSV file.")],
            options: [OptionSpecification("--check", help: "Only check the file; send nothing."), HostCommands.townOption],
            prepare: { arguments, format in
                let scope = try HostCommands.scope(arguments)
                let path = arguments.positionals[0]
                let checkOnly = arguments.flag("--check")
                return { session, output in
                    let text = try CSVReader.decode(try Files.read(path), path: path)
                    let rows: [(row: Int, request: RequestObject)]
                    switch CatalogFile.requests(text, catalog: catalog, scope: scope) {
                    case .success(let valid): rows = valid
                    case .failure(let failure):
                        let problems = failure.lines
                        var message = "\(path): nothing imported; fix \(problems.count == 1 ? "this problem" : "these \(problems.count) problems") and import again:"
                        for problem in problems { message += "\n  " + problem }
                        throw CommandFailure(message)
                    }
                    if checkOnly {
                        output.print("\(path): \(rows.count) \(rows.count == 1 ? catalog.noun : key) ready to import; nothing sent (--check).")
                        return .success
                    }
                    // What the town holds now, so that a refusal midway can put it back.
                    let before = try session.call(list, scope)[key]?.arrayValue ?? []
                    let existing = Dictionary(before.map { ($0.text("id"), $0) }, uniquingKeysWith: { first, _ in first })
                    var written: [(id: String, created: Bool)] = []
                    var created = 0
                    for (number, request) in rows {
                        do {
                            let reply = try session.call(put, request, mutating: true)
                            let wasCreated = reply["created"]?.boolValue == true
                            if wasCreated { created += 1 }
                            written.append((reply[catalog.noun]?.text("id") ?? "", wasCreated))
                        } catch let failure as CommandFailure {
                            let undone = undo(written, existing: existing, catalog: catalog, put: put, delete: delete,
                                              scope: scope, session: session)
                            throw CommandFailure("\(path) row \(number): \(failure.message); \(undone)", exitCode: failure.exitCode)
                        }
                    }
                    let summary = "Imported \(path): \(created) added, \(rows.count - created) replaced."
                    if format == .json {
                        output.print(RequestObject([("imported", .integer(rows.count)), ("added", .integer(created)),
                                                    ("replaced", .integer(rows.count - created))]).text)
                    } else {
                        output.print(summary)
                    }
                    return .success
                }
            })
    }

    /// Puts back what the import changed: deletes what it added, restores what it replaced.
    static func undo(_ written: [(id: String, created: Bool)], existing: [String: JSONNode], catalog: CatalogFields,
                     put: String, delete: String, scope: RequestObject, session: ClientSession) -> String {
        guard !written.isEmpty else { return "nothing was imported" }
        var failed: [String] = []
        for (id, created) in written.reversed() {
            var request = scope
            if created {
                request.set("id", .string(id))
                if (try? session.call(delete, request, mutating: true)) == nil { failed.append(id) }
            } else if let old = existing[id] {
                for field in catalog.fields {
                    guard let node = old[field.name] else { continue }
                    if field.name == "open" {
                        if !node.isNull { request.set("open", .json(node)) }
                    } else {
                        request.set(field.name, .json(node))
                    }
                }
                if (try? session.call(put, request, mutating: true)) == nil { failed.append(id) }
            }
        }
        if failed.isEmpty { return "the \(written.count) rows written before it were undone, so nothing was imported" }
        return "undoing the rows before it failed for \(failed.joined(separator: ", ")); check them with 'list'"
    }
}
