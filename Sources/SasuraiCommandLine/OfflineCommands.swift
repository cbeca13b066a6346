import SasuraiCore

/// Commands that work on files alone, with no server: validate, generate.
enum OfflineCommands {
    static let all: [CommandSpecification] = [validate, generate]

    static let validate = CommandSpecification(
        name: "validate",
        abstract: "Check a scenario file, and a plan against it (rules 1-12 of MODEL.md, and its score).",
        discussion: """
        With a scenario alone, reports every problem of the file (up to 100), each with its JSON path.
        With a plan too, reports each broken rule with its number, the entities and the nights involved, \
        and recomputes the score. Exits 1 when anything is wrong.
        """,
        examples: ["sasurai validate Resources/scenarios/demo.json", "sasurai validate scenario.json plan.json"],
        arguments: [ArgumentSpecification("SCENARIO", help: "A sasurai-scenario/1 file, or - for standard input."),
                    ArgumentSpecification("PLAN", help: "A sasurai-plan/1 file to check against the scenario.",
                                          optional: true)],
        prepare: { arguments in
            let scenarioPath = arguments.positionals[0]
            let planPath = arguments.positionals.count > 1 ? arguments.positionals[1] : nil
            return { output in
                let scenario = try readScenario(scenarioPath)
                guard let planPath else {
                    output.print("\(scenarioPath): valid scenario: " + describe(scenario))
                    return .success
                }
                let plan: Plan
                do {
                    plan = try PlanFile.read(try Files.read(planPath))
                } catch let error as InputError {
                    throw CommandFailure("\(planPath) is not a readable plan:\n  "
                                         + error.description.replacingNewlines(with: "\n  "))
                }
                let validation = PlanValidator(scenario: scenario).validate(plan)
                for violation in validation.violations { output.print(violation.description) }
                let placed = plan.assignments.count
                if validation.isValid {
                    output.print("\(planPath): valid plan: \(placed) of \(scenario.applications.count) applications placed, "
                                 + "score \(validation.recomputedScore)")
                    return .success
                }
                let count = validation.violations.count
                output.print("\(planPath): \(count) violation\(count == 1 ? "" : "s"); recomputed score "
                             + "\(validation.recomputedScore), plan says \(plan.score)")
                return .refused
            }
        }
    )

    static let generate = CommandSpecification(
        name: "generate",
        abstract: "Write a realistic random scenario, the same one for the same options and seed.",
        discussion: """
        Towns are real rural municipalities (with numbered variants past the list), slots follow the \
        seasons, about --teams of the applications come in teams of 2-3, some are booked by hosts. \
        --tightness sets demand against supply: 1 is balanced, 2 asks for twice the beds there are.
        """,
        examples: ["sasurai generate --towns 12 --apps 200 --nights 90 --seed 1 --out s.json",
                   "sasurai generate --towns 1000 --apps 100000 --nights 365 --seed 7 --teams 0.1 --tightness 1.5 > big.json"],
        options: [OptionSpecification("--towns", value: "N", help: "Number of host towns (1 to 10000)."),
                  OptionSpecification("--apps", value: "N", help: "Number of applications (0 to 1000000)."),
                  OptionSpecification("--nights", value: "N", help: "Length of the horizon in nights (7 to 731)."),
                  OptionSpecification("--seed", value: "S", help: "Random seed (a whole number, default 1)."),
                  OptionSpecification("--teams", value: "F", help: "Share of applications in teams (0 to 0.5, default 0.1)."),
                  OptionSpecification("--tightness", value: "X", help: "Demand per unit of supply (0.1 to 10, default 1)."),
                  OptionSpecification("--start", value: "DATE", help: "First night of the horizon (default 2026-04-01)."),
                  OptionSpecification("--out", value: "FILE", help: "Write here instead of standard output.")],
        prepare: { arguments in
            guard let towns = try arguments.integer("--towns", in: 1...10_000) else { throw UsageError("missing --towns") }
            guard let applications = try arguments.integer("--apps", in: 0...1_000_000) else { throw UsageError("missing --apps") }
            guard let nights = try arguments.integer("--nights", in: 7...ModelLimits.maximumHorizonNights) else {
                throw UsageError("missing --nights")
            }
            let seed = try arguments.seed()
            var options = GeneratorOptions(towns: towns, applications: applications, nights: nights, seed: seed)
            options.teamFraction = try arguments.decimal("--teams", in: 0...0.5, default: options.teamFraction)
            options.tightness = try arguments.decimal("--tightness", in: 0.1...10, default: options.tightness)
            if let startText = arguments.value("--start") {
                guard let start = Day(iso: startText) else { throw UsageError("--start takes a date YYYY-MM-DD, got \"\(startText)\"") }
                options.start = start
            }
            let outputPath = arguments.value("--out")
            return { [options] output in
                let bytes = ScenarioWriter.write(ScenarioGenerator.generate(options))
                if let outputPath {
                    try Files.write(bytes, to: outputPath)
                } else {
                    output.write(bytes)
                }
                return .success
            }
        }
    )

    /// Reads and checks a scenario file, turning its problems into one refusal.
    static func readScenario(_ path: String) throws -> Scenario {
        do {
            return try ScenarioReader.read(try Files.read(path))
        } catch let error as InputError {
            throw CommandFailure("\(path) is not a valid scenario:\n  " + error.description.replacingNewlines(with: "\n  "))
        }
    }

    static func describe(_ scenario: Scenario) -> String {
        var text = "\(scenario.towns.count) towns, \(scenario.accommodations.count) accommodations, "
            + "\(scenario.slots.count) slots, \(scenario.freelancers.count) freelancers, "
            + "\(scenario.applications.count) applications, \(scenario.bookings.count) bookings"
        if let horizon = scenario.horizon {
            text += "; nights \(horizon.from.iso) to \(horizon.to.iso) (\(horizon.count))"
        }
        return text
    }
}

extension String {
    func replacingNewlines(with replacement: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
