import SasuraiCore
import SasuraiEngine

/// `sasurai replan`: repair a plan after a cancellation or withdrawal, touching little.
enum ReplanCommand {
    static let specification = CommandSpecification(
        name: "replan",
        abstract: "Repair a plan after a cancellation, a withdrawal or a new application.",
        discussion: """
        Waiting applicants who want the freed town around those nights are placed first; then a \
        short search in that town may move placements that are not locked, to fit more. Bookings \
        and locked placements never move. A cancelled application waits for the next run; a \
        withdrawn one leaves for good. With --add, an application of the scenario that the plan \
        does not place yet is fitted in, moving unlocked placements in its towns if needed. Prints what changed and how long the repair took (the \
        load time of the plan is shown apart: a server keeps it in memory).
        """,
        examples: ["sasurai replan s.json plan.json --cancel a-0042 --out plan2.json",
                   "sasurai replan s.json plan.json --withdraw a-0042 --lock-all",
                   "sasurai replan s.json plan.json --add a-0107"],
        arguments: [ArgumentSpecification("SCENARIO", help: "The scenario the plan was made for."),
                    ArgumentSpecification("PLAN", help: "The plan in force.")],
        options: [OptionSpecification("--cancel", value: "APPLICATION", help: "A host cancelled this placement."),
                  OptionSpecification("--withdraw", value: "APPLICATION", help: "This applicant withdrew."),
                  OptionSpecification("--add", value: "APPLICATION", help: "A new application of the scenario to fit in."),
                  OptionSpecification("--lock-all", help: "Lock every current placement (confirmed stays)."),
                  OptionSpecification("--seed", value: "N", help: "Random seed (default 1)."),
                  OptionSpecification("--out", value: "PLAN", help: "Write the repaired plan here.")],
        prepare: { arguments in
            let changes = ["--cancel", "--withdraw", "--add"].compactMap { name in arguments.value(name).map { (name, $0) } }
            guard changes.count == 1, let (change, targetText) = changes.first else {
                throw UsageError("give exactly one of --cancel, --withdraw or --add")
            }
            let target = ApplicationID(targetText)
            let seed = try arguments.seed()
            let scenarioPath = arguments.positionals[0], planPath = arguments.positionals[1]
            let lockAll = arguments.flag("--lock-all")
            let outputPath = arguments.value("--out")
            return { output in
                let scenario = try OfflineCommands.readScenario(scenarioPath)
                let plan: Plan
                do {
                    plan = try PlanFile.read(try Files.read(planPath))
                } catch let error as InputError {
                    throw CommandFailure("\(planPath) is not a readable plan:\n  " + error.description.replacingNewlines(with: "\n  "))
                }
                // The re-planner trusts its input, so a plan that breaks the scenario is refused here.
                let violations = PlanValidator(scenario: scenario).validate(plan).violations
                    .filter { !($0.rule == nil && $0.message.hasSuffix("is missing from the plan")) }
                guard violations.isEmpty else {
                    throw CommandFailure("\(planPath) does not fit \(scenarioPath) (run sasurai validate):\n  "
                                         + violations.prefix(10).map(\.description).joined(separator: "\n  "))
                }
                guard scenario.applications.contains(where: { $0.id == target }) else {
                    throw CommandFailure("unknown application \"\(target)\" in \(scenarioPath)")
                }
                let clock = ContinuousClock()
                let loadStart = clock.now
                let locked = lockAll ? Set(plan.assignments.map(\.application)) : []
                let replanner = Replanner(scenario: scenario, plan: plan, locked: locked.subtracting([target]), seed: seed)
                let loadTime = clock.now - loadStart
                let result: ReplanResult
                switch change {
                case "--cancel": result = replanner.cancel(target)
                case "--withdraw": result = replanner.withdraw(target)
                default: result = replanner.add(target)
                }
                let repaired = replanner.plan
                if let outputPath { try Files.write(PlanFile.write(repaired), to: outputPath) }
                switch change {
                case "--add":
                    output.print("added \(target): " + (result.placed.contains { $0.application == target } ? "placed" : "no room found"))
                default:
                    output.print("\(change == "--cancel" ? "cancelled" : "withdrew") \(target): \(result.removed.count) placement"
                                 + "\(result.removed.count == 1 ? "" : "s") freed (\(result.removed.map(\.rawValue).joined(separator: ", ")))")
                }
                let placedList = result.placed.prefix(10).map(\.application.rawValue).joined(separator: ", ")
                output.print("  placed       \(result.placed.count) waiting application\(result.placed.count == 1 ? "" : "s")"
                             + (result.placed.isEmpty ? "" : " (\(placedList)\(result.placed.count > 10 ? ", …" : ""))"))
                output.print("  moved        \(result.moved) other placement\(result.moved == 1 ? "" : "s") (locked: \(locked.count))")
                output.print("  score        \(NumberFormat.grouped(result.scoreBefore)) → \(NumberFormat.grouped(result.scoreAfter))")
                let milliseconds = Double(Int(result.seconds * 10_000)) / 10
                let loadSeconds = loadTime.inSeconds
                output.print("  time         \(milliseconds) ms to repair (\(NumberFormat.seconds(loadSeconds)) to load the plan)")
                return .success
            }
        }
    )
}
