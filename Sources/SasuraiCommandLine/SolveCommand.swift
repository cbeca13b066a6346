#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SasuraiCore
import SasuraiEngine

/// `sasurai solve`: allocate a scenario file and print what a planner reads at a glance.
enum SolveCommand {
    static let specification = CommandSpecification(
        name: "solve",
        abstract: "Allocate a scenario: write the plan file and print a summary.",
        discussion: """
        The default strategy builds a plan and improves it with ruin-and-recreate search on both \
        cores, and proves an upper bound on the best possible score. With --moves the run is \
        deterministic: the same scenario, seed and move budget give the same plan bytes. \
        --time-limit stops by the clock instead (the plan is always valid). --strategy fcfs is \
        first come, first served in application id order, the way matching is done by hand.
        """,
        examples: ["sasurai solve Resources/scenarios/demo.json --out plan.json",
                   "sasurai solve big.json --time-limit 30 --seed 7",
                   "sasurai solve s.json --strategy fcfs --out fcfs.json"],
        arguments: [ArgumentSpecification("SCENARIO", help: "A sasurai-scenario/1 file, or - for standard input.")],
        options: [OptionSpecification("--out", value: "PLAN", help: "Write the plan file here."),
                  OptionSpecification("--seed", value: "N", help: "Random seed (default 1)."),
                  OptionSpecification("--time-limit", value: "S", help: "Stop after S seconds, bound and search included (0.1 to 86400)."),
                  OptionSpecification("--moves", value: "N", help: "Stop after N search moves (deterministic). Default: 100 per application, at least 20,000, within 60 s."),
                  OptionSpecification("--strategy", value: "NAME", help: "optimize (default) or fcfs."),
                  OptionSpecification("--workers", value: "N", help: "Search threads (1 to 8, default 2)."),
                  OptionSpecification("--no-bound", help: "Skip the upper bound."),
                  OptionSpecification("--json", help: "Print the summary as one JSON object, for programs."),
                  OptionSpecification("--quiet", help: "Print nothing but errors.")],
        prepare: { arguments in
            let scenarioPath = arguments.positionals[0]
            var options = SolveOptions()
            options.seed = try arguments.seed()
            if arguments.value("--time-limit") != nil {
                options.timeLimit = try arguments.decimal("--time-limit", in: 0.1...86_400, default: 10)
            }
            options.moveLimit = try arguments.integer("--moves", in: 0...1_000_000_000)
            options.workers = try arguments.integer("--workers", in: 1...8, default: 2)!
            if let name = arguments.value("--strategy") {
                guard let strategy = Strategy(rawValue: name) else {
                    throw UsageError("--strategy takes optimize or fcfs, got \"\(name)\"")
                }
                options.strategy = strategy
            }
            options.computeBound = !arguments.flag("--no-bound")
            let outputPath = arguments.value("--out")
            let quiet = arguments.flag("--quiet")
            let json = arguments.flag("--json")
            return { [options] output in
                let scenario = try OfflineCommands.readScenario(scenarioPath)
                let showProgress = output.isDirect && !quiet && !json && CommandOutput.standardErrorIsTerminal
                let started = ContinuousClock.now
                let result = Engine.solve(scenario, options: options) { progress in
                    guard showProgress, progress.seconds >= 1 else { return }
                    ProgressLine.draw(progress)
                }
                if showProgress && (ContinuousClock.now - started) >= .seconds(1) { output.progress("") }
                if let outputPath { try Files.write(PlanFile.write(result.plan), to: outputPath) }
                if json {
                    output.print(PlanSummary.json(scenario: scenario, result: result, options: options))
                } else if !quiet {
                    output.write(PlanSummary.render(scenario: scenario, result: result, options: options,
                                                    source: scenarioPath, planPath: outputPath))
                }
                return .success
            }
        }
    )
}

/// The live line on standard error while a long run searches.
enum ProgressLine {
    static func draw(_ progress: SolveProgress) {
        var text = "\r\u{1B}[K  searching \(NumberFormat.seconds(progress.seconds))  best \(NumberFormat.grouped(progress.bestScore))"
        if let bound = progress.upperBound, bound > 0 {
            text += "  gap \(NumberFormat.percent(Double(bound - progress.bestScore), of: Double(bound)))"
        }
        text += "  \(Int(progress.fraction * 100))%"
        StandardStream.write(Array(text.utf8), to: 2)
    }
}

/// The summary a planner reads: placed, score against the bound, fill per town, reasons.
enum PlanSummary {
    static func render(scenario: Scenario, result: SolveResult, options: SolveOptions, source: String, planPath: String?) -> String {
        let plan = result.plan
        let statistics = result.statistics
        var lines: [String] = []
        let total = scenario.applications.count
        let placed = plan.assignments.count
        lines.append("Plan for \(source) (\(options.strategy == .optimize ? "optimize" : "first come, first served"), seed \(options.seed))")
        lines.append("  placed       \(placed) of \(total) applications (\(NumberFormat.percent(Double(placed), of: Double(total))))")
        var scoreLine = "  score        \(NumberFormat.grouped(plan.score))"
        if let bound = result.upperBound {
            let gap = NumberFormat.percent(Double(bound - plan.score), of: Double(max(1, bound)))
            scoreLine += "   upper bound \(NumberFormat.grouped(bound)): within \(gap) of the best possible"
        }
        lines.append(scoreLine)
        var timeLine = "  time         \(NumberFormat.seconds(statistics.seconds))"
        if statistics.moves > 0 {
            let rate = statistics.searchSeconds > 0 ? Int(Double(statistics.moves) / statistics.searchSeconds) : 0
            timeLine += " (bound \(NumberFormat.seconds(statistics.boundSeconds)), search \(NumberFormat.seconds(statistics.searchSeconds))), "
                + "\(NumberFormat.grouped(statistics.moves)) moves (\(NumberFormat.grouped(rate)) per second)"
        }
        lines.append(timeLine)
        if let planPath { lines.append("  plan file    \(planPath)") }
        lines.append("")
        lines.append(townTable(scenario: scenario, plan: plan))
        let reasons = Dictionary(grouping: plan.unplaced, by: { category(of: $0.reason) })
        if !reasons.isEmpty {
            lines.append("Unplaced by reason:")
            for (reason, entries) in reasons.sorted(by: { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }) {
                let examples = entries.prefix(3).map(\.application.rawValue).joined(separator: ", ")
                lines.append("  \(String(entries.count).leftPadded(to: 4))  \(reason) (\(examples)\(entries.count > 3 ? ", …" : ""))")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The summary as one JSON object: what benchmarks and scripts read.
    static func json(scenario: Scenario, result: SolveResult, options: SolveOptions) -> String {
        let statistics = result.statistics
        var writer = JSONWriter()
        func number(_ value: Double) -> String {
            let rounded = (value * 1000).rounded() / 1000
            return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        }
        writer.raw("{")
        writer.key("strategy"); writer.string(options.strategy.rawValue); writer.raw(", ")
        writer.key("seed"); writer.raw(String(options.seed)); writer.raw(", ")
        writer.key("applications"); writer.integer(scenario.applications.count); writer.raw(", ")
        writer.key("placed"); writer.integer(result.plan.assignments.count); writer.raw(", ")
        writer.key("score"); writer.integer(result.plan.score); writer.raw(", ")
        writer.key("upper_bound")
        if let bound = result.upperBound { writer.integer(bound) } else { writer.null() }
        writer.raw(", ")
        writer.key("construction_score"); writer.integer(statistics.constructionScore); writer.raw(", ")
        writer.key("seconds"); writer.raw(number(statistics.seconds)); writer.raw(", ")
        writer.key("bound_seconds"); writer.raw(number(statistics.boundSeconds)); writer.raw(", ")
        writer.key("search_seconds"); writer.raw(number(statistics.searchSeconds)); writer.raw(", ")
        writer.key("moves"); writer.integer(statistics.moves); writer.raw(", ")
        let rate = statistics.searchSeconds > 0 ? Double(statistics.moves) / statistics.searchSeconds : 0
        writer.key("moves_per_second"); writer.raw(number(rate)); writer.raw(", ")
        writer.key("insertions"); writer.integer(statistics.insertionsTried); writer.raw(", ")
        writer.key("score_over_time"); writer.raw("[")
        for (index, sample) in statistics.scoreOverTime.enumerated() {
            if index > 0 { writer.raw(", ") }
            writer.raw("[\(number(sample.seconds)), \(sample.score)]")
        }
        writer.raw("]}")
        return writer.text
    }

    /// A short label for a reason, so that reasons with different dates group together.
    static func category(of reason: String) -> String {
        if reason.hasPrefix("team ") { return "team could not be placed together" }
        if reason.hasPrefix("no room") { return "every option full (beds, town caps or seats)" }
        if reason.hasPrefix("no accommodation within budget") { return "budget too low for the lodging" }
        if reason.hasPrefix("no accommodation of kind") { return "no lodging of the kinds asked for" }
        if reason.hasPrefix("a stay of") { return "stay length outside the towns' rules" }
        if reason.hasPrefix("no affordable accommodation") { return "lodging closed in the window" }
        if reason.hasPrefix("labor is required") { return "no labor slot fits (skills or dates)" }
        return reason
    }

    static func townTable(scenario: Scenario, plan: Plan) -> String {
        guard let horizon = scenario.horizon else { return "" }
        let nights = horizon.count
        var bedNights: [TownID: Int] = [:]
        for accommodation in scenario.accommodations {
            let open = (accommodation.open ?? [horizon]).reduce(0) { $0 + $1.intersection(horizon).count }
            bedNights[accommodation.town, default: 0] += accommodation.beds * open
        }
        var seatDays: [TownID: Int] = [:]
        for slot in scenario.slots { seatDays[slot.town, default: 0] += slot.seats * slot.window.intersection(horizon).count }
        var usedNights: [TownID: Int] = [:]
        var usedSeats: [TownID: Int] = [:]
        var guests: [TownID: Int] = [:]
        for assignment in plan.assignments {
            usedNights[assignment.town, default: 0] += assignment.nights
            usedSeats[assignment.town, default: 0] += assignment.laborDays
            guests[assignment.town, default: 0] += 1
        }
        var table = TextTable(headers: ["town", "", "visitors", "bed-nights", "beds filled", "seat-days", "seats filled"],
                              rightAligned: [2, 3, 4, 5, 6])
        let shown = scenario.towns.sorted { (usedNights[$0.id] ?? 0, $1.id) > (usedNights[$1.id] ?? 0, $0.id) }
        for town in shown.prefix(30) {
            let capacity = min(bedNights[town.id] ?? 0, town.nightlyCap * nights)
            table.append([town.name, town.id.rawValue, NumberFormat.grouped(guests[town.id] ?? 0),
                          NumberFormat.grouped(usedNights[town.id] ?? 0),
                          NumberFormat.percent(Double(usedNights[town.id] ?? 0), of: Double(capacity)),
                          NumberFormat.grouped(usedSeats[town.id] ?? 0),
                          NumberFormat.percent(Double(usedSeats[town.id] ?? 0), of: Double(seatDays[town.id] ?? 0))])
        }
        var text = table.render(indent: "  ")
        if shown.count > 30 { text += "  … and \(shown.count - 30) more towns\n" }
        return text
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
