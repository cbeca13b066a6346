import Foundation
import SasuraiCore

/// `sasurai plan ...`: what planners do: load the season, run allocations, compare, commit.
enum PlannerCommands {
    static let group = CommandSpecification(
        name: "plan",
        abstract: "For planners: import the season, run and compare plans, commit offers, replan, ask why.",
        discussion: "These need a planner token.",
        examples: ["sasurai plan import Resources/scenarios/demo.json", "sasurai plan run --seconds 20",
                   "sasurai plan diff 1", "sasurai plan commit 1 --offer-hours 72", "sasurai plan why a-0042"],
        subcommands: [importScenario, export, run, replan, show, list, diff, commit, why, stats])

    // MARK: Import, export

    static let importScenario = ClientCommand.make(
        name: "import", abstract: "Load a scenario file into the server, all or nothing.",
        discussion: """
        The file is checked here first, with MODEL.md's messages, so nothing is sent unless it is \
        valid. Without --replace the server must be empty. A file over the protocol's 64 KiB line \
        is sent as its absolute path, which the server reads itself (so it must be on the \
        server's machine).
        """,
        examples: ["sasurai plan import Resources/scenarios/demo.json", "sasurai plan import season.json --replace"],
        arguments: [ArgumentSpecification("SCENARIO", help: "A sasurai-scenario/1 file.")],
        options: [OptionSpecification("--replace", help: "Replace everything the server holds.")],
        prepare: { arguments, format in
            let path = arguments.positionals[0]
            let replace = arguments.flag("--replace")
            return { session, output in
                let bytes = try Files.read(path)
                _ = try ScenarioReader.read(bytes)
                var request = RequestObject()
                // The line limit counts the whole request, so leave room for the verb and key.
                if bytes.count < 65_536 - 200 {
                    request.set("scenario", .json(try JSONParser.parse(bytes)))
                } else {
                    request.set("path", .string(URL(fileURLWithPath: path).standardizedFileURL.path))
                }
                if replace { request.set("replace", .bool(true)) }
                let reply = try session.call("IMPORT", request, mutating: true)
                ClientCommand.emit(reply, format, to: &output) {
                    let counts = reply["imported"]
                    let parts = ["towns", "accommodations", "slots", "freelancers", "applications", "bookings"].map {
                        "\(NumberFormat.grouped(counts?[$0]?.integerValue ?? 0)) \($0)"
                    }
                    return "Imported \(path): " + parts.joined(separator: ", ") + ".\n"
                }
                return .success
            }
        })

    static let export = ClientCommand.make(
        name: "export", abstract: "Write what the server holds as a canonical scenario file.",
        examples: ["sasurai plan export --out season.json"],
        options: [OptionSpecification("--out", value: "FILE", help: "Write here (default: standard output)."),
                  OptionSpecification("--server-path", value: "PATH", help: "Have the server write the file on its own machine instead (absolute path; for stores over 8 MiB).")],
        prepare: { arguments, format in
            let out = arguments.value("--out")
            let serverPath = arguments.value("--server-path")
            if let serverPath, !serverPath.hasPrefix("/") { throw UsageError("--server-path must be absolute") }
            if out != nil && serverPath != nil { throw UsageError("give --out or --server-path, not both") }
            return { session, output in
                if let serverPath {
                    let reply = try session.call("EXPORT", RequestObject([("path", .string(serverPath))]))
                    ClientCommand.emit(reply, format, to: &output) { "The server wrote \(reply.text("path")) (\(NumberFormat.grouped(reply["bytes"]?.integerValue ?? 0)) bytes).\n" }
                    return .success
                }
                let reply = try session.call("EXPORT")
                guard let node = reply["scenario"] else { throw CommandFailure("the EXPORT reply has no scenario") }
                let scenario = try ScenarioReader.read(node)
                let bytes = ScenarioWriter.write(scenario)
                if let out {
                    try Files.write(bytes, to: out)
                    output.printError("Wrote \(out) (\(NumberFormat.grouped(scenario.applications.count)) applications).")
                } else {
                    output.write(bytes)
                }
                return .success
            }
        })

    // MARK: Runs

    static let runOptions = [
        OptionSpecification("--seconds", value: "S", help: "How long the run searches (1 to 600)."),
        OptionSpecification("--seed", value: "N", help: "Random seed (default 1)."),
        OptionSpecification("--no-wait", help: "Start the run and print its id without waiting."),
    ]

    static let run = planRun(name: "run", command: "PLAN", defaultSeconds: 30,
                             abstract: "Run an allocation on the current state, with a progress bar, then show the summary.",
                             discussion: """
                             Pending applications are placed (those a cancellation re-queued first); every offered \
                             and confirmed stay is kept as it is. The run works on a snapshot, so the server keeps \
                             answering meanwhile; a change that lands during the run makes the plan stale. Look at \
                             it with 'plan diff', then 'plan commit' it.
                             """,
                             extraOptions: [OptionSpecification("--weights", value: "FILE", help: "A JSON file of MODEL.md weights to use instead of the stored ones.")])

    static let replan = planRun(name: "replan", command: "REPLAN", defaultSeconds: 5,
                                abstract: "Fill capacity freed by cancellations, withdrawals, declines and expiries, moving no stay.",
                                discussion: "A short run with the stored weights; commit its plan with 'plan commit'.",
                                extraOptions: [])

    static func planRun(name: String, command: String, defaultSeconds: Int, abstract: String, discussion: String,
                        extraOptions: [OptionSpecification]) -> CommandSpecification {
        ClientCommand.make(
            name: name, abstract: abstract, discussion: discussion,
            examples: ["sasurai plan \(name) --seconds \(defaultSeconds)", "sasurai plan \(name) --no-wait --json"],
            options: runOptions + extraOptions,
            prepare: { arguments, format in
                var request = RequestObject()
                let seconds = try arguments.integer("--seconds", in: 1...600, default: defaultSeconds)!
                request.set("seconds", .integer(seconds))
                if arguments.value("--seed") != nil { request.set("seed", .integer(try arguments.integer("--seed", in: 0...9_007_199_254_740_991)!)) }
                if let path = arguments.value("--weights") {
                    let node = try JSONParser.parseInput(try Files.read(path))
                    _ = try ScenarioReader.readWeights(node, over: Weights())
                    request.set("weights", .json(node))
                }
                let wait = !arguments.flag("--no-wait")
                return { [request] session, output in
                    let started = try session.call(command, request, mutating: true)
                    guard let plan = started["plan"]?.integerValue else { throw CommandFailure("the \(command) reply has no plan id") }
                    guard wait else {
                        ClientCommand.emit(started, format, to: &output) {
                            "Plan \(plan) is running (\(seconds) s). Follow it with 'sasurai plan show \(plan)'.\n"
                        }
                        return .success
                    }
                    let finished = try waitForPlan(plan, seconds: seconds, session: session, output: &output,
                                                   showProgress: format == .table && output.isDirect && CommandOutput.standardErrorIsTerminal)
                    if format == .json {
                        output.print(finished.jsonText)
                    } else {
                        output.write(try summary(of: plan, session: session))
                    }
                    return finished.text("status") == "failed" ? .refused : .success
                }
            })
    }

    /// Polls PLAN SHOW until the run ends, drawing a bar on a terminal.
    static func waitForPlan(_ plan: Int, seconds: Int, session: ClientSession, output: inout CommandOutput,
                            showProgress: Bool) throws -> JSONNode {
        let request = RequestObject([("plan", .integer(plan))])
        while true {
            let state = try session.call("PLAN SHOW", request)
            if state.text("status") != "running" {
                if showProgress { output.progress("") }
                return state
            }
            if showProgress {
                let elapsed = Double(state["elapsed_ms"]?.integerValue ?? 0) / 1000
                output.progress(ProgressBar.line(elapsed: elapsed, total: Double(seconds),
                                                 score: state["score"]?.integerValue ?? 0,
                                                 bound: state["upper_bound"]?.integerValue))
            }
            usleep(250_000)
        }
    }

    /// The plan's summary: status, score against the bound, fill per town, unplaced by reason.
    static func summary(of plan: Int, session: ClientSession) throws -> String {
        let shown = try session.call("PLAN SHOW", RequestObject([("plan", .integer(plan)), ("assignments", .bool(true))]))
        var lines: [String] = []
        let status = shown.text("status")
        lines.append("Plan \(plan): \(status), seed \(shown.text("seed")), based on state version \(shown.text("based_on_version")), \(NumberFormat.seconds(Double(shown["elapsed_ms"]?.integerValue ?? 0) / 1000))")
        let assigned = shown["assigned"]?.integerValue ?? 0
        let unplaced = shown["unplaced"]?.integerValue ?? 0
        lines.append("  placed       \(NumberFormat.grouped(assigned)) of \(NumberFormat.grouped(assigned + unplaced)) applications (\(NumberFormat.percent(Double(assigned), of: Double(assigned + unplaced))))")
        let score = shown["score"]?.integerValue ?? 0
        var scoreLine = "  score        \(NumberFormat.grouped(score))"
        if let bound = shown["upper_bound"]?.integerValue {
            scoreLine += "   upper bound \(NumberFormat.grouped(bound)): within \(NumberFormat.percent(Double(bound - score), of: Double(max(1, bound)))) of the best possible"
        }
        lines.append(scoreLine)
        var text = lines.joined(separator: "\n") + "\n"
        guard let resultNode = shown["result"], let result = try? PlanFile.read(Array(resultNode.jsonText.utf8)) else {
            if status == "failed" { text += "\nThe run failed; see the server's log.\n" }
            return text
        }
        // Capacities come from the stored scenario; a store too large for one reply skips the table.
        if let scenarioNode = try? session.call("EXPORT")["scenario"], let scenario = try? ScenarioReader.read(scenarioNode) {
            text += "\n" + PlanSummary.townTable(scenario: scenario, plan: result)
        }
        let reasons = Dictionary(grouping: result.unplaced, by: { PlanSummary.category(of: $0.reason) })
        if !reasons.isEmpty {
            text += "\nUnplaced by reason (details: 'sasurai plan why ID'):\n"
            for (reason, entries) in reasons.sorted(by: { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }) {
                let examples = entries.prefix(3).map(\.application.rawValue).joined(separator: ", ")
                text += "  \(String(entries.count).leftPadded(to: 4))  \(reason) (\(examples)\(entries.count > 3 ? ", …" : ""))\n"
            }
        }
        switch status {
        case "finished": text += "\nNext: 'sasurai plan diff \(plan)' to see who gains or moves, 'sasurai plan commit \(plan)' to send the offers.\n"
        case "stale": text += "\nThe state changed during the run, so this plan cannot be committed; run again.\n"
        default: break
        }
        return text
    }

    static let show = ClientCommand.make(
        name: "show", abstract: "Show a plan's status and summary; --assignments lists every placement.",
        examples: ["sasurai plan show 3", "sasurai plan show 3 --assignments --csv > plan.csv"],
        arguments: [ArgumentSpecification("PLAN", help: "The plan's number.")],
        options: [OptionSpecification("--assignments", help: "List every placement of the plan.")],
        list: true,
        prepare: { arguments, format in
            let plan = try planNumber(arguments)
            let listAssignments = arguments.flag("--assignments")
            return { session, output in
                if !listAssignments {
                    if format == .table {
                        output.write(try summary(of: plan, session: session))
                    } else {
                        let reply = try session.call("PLAN SHOW", RequestObject([("plan", .integer(plan))]))
                        ClientCommand.emit(reply, format, to: &output, csv: { planListView.csv([reply]) }) { "" }
                    }
                    return .success
                }
                let reply = try session.call("PLAN SHOW", RequestObject([("plan", .integer(plan)), ("assignments", .bool(true))]))
                let assignments = reply["result"]?["assignments"]?.arrayValue ?? []
                ClientCommand.emit(reply, format, to: &output, csv: { assignmentView.csv(assignments) }) {
                    assignmentView.table(assignments, empty: "Plan \(plan) has no placements (or is still running).")
                }
                return .success
            }
        })

    static let assignmentView = ListView(columns: [
        .text("application", "application"), .text("town", "town"), .text("accommodation", "accommodation"),
        .date("arrival", "arrival"), .number("nights", "nights"), .text("slot", "slot"), .number("labor days", "labor_days"),
    ])

    static let planListView = ListView(columns: [
        .number("plan", "plan"), .text("status", "status"),
        .custom("created") { DateFormat.timestamp($0.text("created_at")) },
        .number("score", "score"), .number("upper bound", "upper_bound"), .number("placed", "assigned"),
        .number("unplaced", "unplaced"), .number("seed", "seed"), .number("version", "based_on_version"),
    ])

    static let list = ClientCommand.make(
        name: "list", abstract: "List plans, newest first.",
        examples: ["sasurai plan list", "sasurai plan list --limit 5 --csv"],
        options: [OptionSpecification("--limit", value: "N", help: "At most N plans (1 to 1,000, default 100).")],
        list: true,
        prepare: { arguments, format in
            let limit = try arguments.integer("--limit", in: 1...1000, default: 100)!
            return { session, output in
                let reply = try session.call("PLAN LIST", RequestObject([("limit", .integer(limit))]))
                let plans = reply["plans"]?.arrayValue ?? []
                ClientCommand.emit(reply, format, to: &output, csv: { planListView.csv(plans) }) {
                    planListView.table(plans, empty: "No plans yet: start one with 'sasurai plan run'.")
                }
                return .success
            }
        })

    static func planNumber(_ arguments: ParsedArguments) throws(UsageError) -> Int {
        guard let plan = Int(arguments.positionals[0]), (1...9_007_199_254_740_991).contains(plan) else {
            throw UsageError("PLAN takes a plan number, got \"\(arguments.positionals[0])\"")
        }
        return plan
    }

    // MARK: Diff

    static let diff = ClientCommand.make(
        name: "diff", abstract: "Compare a plan with the stays in force (or with another plan): who gains, loses or moves.",
        discussion: """
        Without --against, the plan is compared with every offered and confirmed stay the towns \
        hold now: what committing it would change. With --against Q, with plan Q's placements.
        """,
        examples: ["sasurai plan diff 4", "sasurai plan diff 4 --against 3 --csv"],
        arguments: [ArgumentSpecification("PLAN", help: "The plan's number.")],
        options: [OptionSpecification("--against", value: "PLAN", help: "Compare with this plan instead of the stays in force.")],
        list: true,
        prepare: { arguments, format in
            let plan = try planNumber(arguments)
            var against: Int?
            if let text = arguments.value("--against") {
                guard let number = Int(text), number >= 1 else { throw UsageError("--against takes a plan number, got \"\(text)\"") }
                against = number
            }
            return { [against] session, output in
                let proposed = try placements(ofPlan: plan, session: session)
                let baseline: [String: PlacementSummary]
                let baselineName: String
                if let against {
                    baseline = try placements(ofPlan: against, session: session)
                    baselineName = "plan \(against)"
                } else {
                    baseline = try staysInForce(session: session)
                    baselineName = "the stays in force"
                }
                let changes = PlanDifference.compare(before: baseline, after: proposed)
                let counts = Dictionary(grouping: changes, by: \.kind).mapValues(\.count)
                switch format {
                case .json:
                    var writer = JSONWriter()
                    writer.raw("{\"plan\": \(plan), \"against\": ")
                    if let against { writer.integer(against) } else { writer.string("in_force") }
                    writer.raw(", \"changes\": [")
                    for (index, change) in changes.enumerated() {
                        if index > 0 { writer.raw(", ") }
                        writer.raw("{"); writer.key("application"); writer.string(change.application)
                        writer.raw(", "); writer.key("change"); writer.string(change.kind.rawValue)
                        writer.raw(", "); writer.key("before"); if let before = change.before { writer.string(before.description) } else { writer.null() }
                        writer.raw(", "); writer.key("after"); if let after = change.after { writer.string(after.description) } else { writer.null() }
                        writer.raw("}")
                    }
                    writer.raw("], \"unchanged\": \(PlanDifference.unchangedCount(before: baseline, after: proposed))}")
                    output.print(writer.text)
                case .csv:
                    var table = CSVTable(headers: ["application", "change", "before", "after"])
                    table.rows = changes.map { [$0.application, $0.kind.rawValue, $0.before?.description ?? "", $0.after?.description ?? ""] }
                    output.write(table.render())
                case .table:
                    output.print("Plan \(plan) against \(baselineName): \(counts[.gains] ?? 0) gain a stay, \(counts[.moves] ?? 0) move, "
                                 + "\(counts[.loses] ?? 0) lose their stay, \(PlanDifference.unchangedCount(before: baseline, after: proposed)) unchanged.")
                    if !changes.isEmpty {
                        var table = TextTable(headers: ["application", "change", "before", "after"])
                        for change in changes {
                            table.append([change.application, change.kind.rawValue, change.before?.description ?? "-", change.after?.description ?? "-"])
                        }
                        output.write("\n" + table.render())
                    }
                }
                return .success
            }
        })

    static func placements(ofPlan plan: Int, session: ClientSession) throws -> [String: PlacementSummary] {
        let reply = try session.call("PLAN SHOW", RequestObject([("plan", .integer(plan)), ("assignments", .bool(true))]))
        guard let assignments = reply["result"]?["assignments"] else {
            throw CommandFailure("plan \(plan) is \(reply.text("status")) and has no placements to compare yet")
        }
        var result: [String: PlacementSummary] = [:]
        for node in assignments.arrayValue { result[node.text("application")] = PlacementSummary(node) }
        return result
    }

    /// Every offered and confirmed stay, read town by town over the scenario's nights.
    static func staysInForce(session: ClientSession) throws -> [String: PlacementSummary] {
        guard let scenarioNode = try session.call("EXPORT")["scenario"] else { return [:] }
        let scenario = try ScenarioReader.read(scenarioNode)
        guard let horizon = scenario.horizon, !horizon.isEmpty else { return [:] }
        let requests = scenario.towns.map { town in
            ("ROSTER", RequestObject([("town", .string(town.id.rawValue)), ("from", .string(horizon.from.iso)),
                                      ("to", .string(horizon.to.iso))]))
        }
        var result: [String: PlacementSummary] = [:]
        for roster in try session.callAll(requests) {
            for stay in roster["stays"]?.arrayValue ?? [] { result[stay.text("application")] = PlacementSummary(stay) }
        }
        return result
    }

    // MARK: Commit, why, stats

    static let commit = ClientCommand.make(
        name: "commit", abstract: "Commit a finished plan: its new placements become offers with a deadline.",
        discussion: "Refused as stale when anything the plan relied on changed since it ran; run again then.",
        examples: ["sasurai plan commit 4", "sasurai plan commit 4 --offer-hours 48"],
        arguments: [ArgumentSpecification("PLAN", help: "The plan's number.")],
        options: [OptionSpecification("--offer-hours", value: "H", help: "Hours freelancers have to answer (1 to 720, default 72).")],
        prepare: { arguments, format in
            let plan = try planNumber(arguments)
            var request = RequestObject([("plan", .integer(plan))])
            if let hours = try arguments.integer("--offer-hours", in: 1...720) { request.set("offer_hours", .integer(hours)) }
            return { [request] session, output in
                let reply = try session.call("COMMIT", request, mutating: true)
                ClientCommand.emit(reply, format, to: &output) {
                    "Committed plan \(plan): \(NumberFormat.grouped(reply["offers"]?.integerValue ?? 0)) offers sent, to be answered by \(DateFormat.timestamp(reply.text("expires_at"))).\n"
                }
                return .success
            }
        })

    static let why = ClientCommand.make(
        name: "why", abstract: "Why an application was left unplaced by the newest plan.",
        examples: ["sasurai plan why a-0042"],
        arguments: [ArgumentSpecification("APPLICATION", help: "The application's id.")],
        prepare: { arguments, format in
            let request = RequestObject([("application", .string(try arguments.identifier(at: 0, "application")))])
            return { session, output in
                let reply = try session.call("WHY", request)
                ClientCommand.emit(reply, format, to: &output) {
                    let application = reply.text("application")
                    let state = reply.text("state")
                    guard let plan = reply["plan"]?.integerValue else {
                        return "\(application) is \(state); no finished plan has considered it yet.\n"
                    }
                    if let reason = reply["reason"]?.stringValue {
                        return "\(application) is \(state). Plan \(plan) left it unplaced: \(reason).\n"
                    }
                    return "\(application) is \(state). Plan \(plan) placed it.\n"
                }
                return .success
            }
        })

    static let stats = ClientCommand.make(
        name: "stats", abstract: "Counts: towns, beds, slots, freelancers, applications by state, plan runs.",
        examples: ["sasurai plan stats", "sasurai plan stats --memory"],
        options: [OptionSpecification("--memory", help: "Add the server's memory: resident set and SQLite's heap.")],
        prepare: { arguments, format in
            let request = RequestObject([("memory", arguments.flag("--memory") ? .bool(true) : nil)])
            return { session, output in
                let reply = try session.call("STATS", request)
                ClientCommand.emit(reply, format, to: &output) {
                    var table = TextTable(headers: ["", ""], rightAligned: [1])
                    for key in ["towns", "accommodations", "slots", "freelancers"] {
                        table.append([key, NumberFormat.grouped(reply[key]?.integerValue ?? 0)])
                    }
                    for state in ApplicationState.allCases {
                        table.append(["applications \(state.rawValue)", NumberFormat.grouped(reply["applications"]?[state.rawValue]?.integerValue ?? 0)])
                    }
                    table.append(["plan runs going", reply.text("plans_running")])
                    table.append(["connections", reply.text("connections")])
                    table.append(["state version", reply.text("state_version")])
                    if let memory = reply["memory"] {
                        for (key, label) in [("resident_bytes", "memory resident"), ("sqlite_bytes", "memory of SQLite"),
                                             ("sqlite_peak_bytes", "memory of SQLite, peak")] {
                            let mebibytes = memory[key]?.integerValue.map { String(format: "%.1f MiB", Double($0) / 1_048_576) }
                            table.append([label, mebibytes ?? "-"])
                        }
                    }
                    return table.render().split(separator: "\n").dropFirst().map { $0 + "\n" }.joined()
                }
                return .success
            }
        })
}

/// Where one application stays, in a plan or in force, for comparing plans.
struct PlacementSummary: Equatable, CustomStringConvertible {
    var town: String
    var accommodation: String
    var arrival: String
    var nights: Int
    var slot: String?

    init(_ node: JSONNode) {
        town = node.text("town")
        accommodation = node.text("accommodation")
        arrival = node.text("arrival")
        nights = node["nights"]?.integerValue ?? 0
        slot = node["slot"]?.stringValue
    }

    var description: String {
        "\(town) / \(accommodation) \(DateFormat.withWeekday(arrival)) +\(nights)" + (slot.map { " slot \($0)" } ?? "")
    }
}

/// What changes between two sets of placements, application by application.
enum PlanDifference {
    enum Kind: String { case gains, loses, moves }

    struct Change {
        var application: String
        var kind: Kind
        var before: PlacementSummary?
        var after: PlacementSummary?
    }

    static func compare(before: [String: PlacementSummary], after: [String: PlacementSummary]) -> [Change] {
        var changes: [Change] = []
        for application in Set(before.keys).union(after.keys).sorted() {
            switch (before[application], after[application]) {
            case (nil, let new?): changes.append(Change(application: application, kind: .gains, before: nil, after: new))
            case (let old?, nil): changes.append(Change(application: application, kind: .loses, before: old, after: nil))
            case (let old?, let new?) where old != new:
                changes.append(Change(application: application, kind: .moves, before: old, after: new))
            default: break
            }
        }
        return changes
    }

    static func unchangedCount(before: [String: PlacementSummary], after: [String: PlacementSummary]) -> Int {
        before.filter { after[$0.key] == $0.value }.count
    }
}

/// The run's progress on one terminal line: a bar of the time spent, the best score, the gap.
enum ProgressBar {
    static func line(elapsed: Double, total: Double, score: Int, bound: Int?) -> String {
        let width = 24
        let fraction = total > 0 ? min(1, max(0, elapsed / total)) : 0
        let filled = Int((fraction * Double(width)).rounded(.down))
        var text = "  [" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled) + "] "
        text += "\(NumberFormat.seconds(elapsed)) of \(Int(total)) s  best \(NumberFormat.grouped(score))"
        if let bound, bound > 0 { text += "  gap \(NumberFormat.percent(Double(bound - score), of: Double(bound)))" }
        return text
    }
}
