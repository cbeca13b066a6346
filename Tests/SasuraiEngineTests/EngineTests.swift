import Testing
@testable import SasuraiCore
@testable import SasuraiEngine

@Suite struct EngineTests {
    static func validate(_ scenario: Scenario, _ plan: Plan) -> [String] {
        PlanValidator(scenario: scenario).validate(plan).violations.map(\.description)
    }

    @Test(arguments: 0..<60)
    func tinyScenariosReachTheBruteForceOptimum(seed: Int) {
        let scenario = TinyScenarios.make(seed: UInt64(seed), applications: 3 + seed % 6)
        let optimum = BruteForce(scenario).optimum()
        let result = Engine.solve(scenario, options: SolveOptions(seed: 1, moveLimit: 3_000))
        #expect(Self.validate(scenario, result.plan) == [])
        #expect(result.plan.score == optimum, "seed \(seed)")
        if let bound = result.upperBound { #expect(bound >= optimum, "bound below the optimum on seed \(seed)") }
    }

    /// The strengthened relaxation (teams as units, one stay a night per freelancer) is still
    /// a bound: never below the optimum, and never above the plain relaxation from the same
    /// start.
    @Test(arguments: 0..<60)
    func theStrengthenedBoundHoldsOnTinyScenarios(seed: Int) {
        let scenario = TinyScenarios.make(seed: UInt64(seed), applications: 3 + seed % 6)
        let optimum = BruteForce(scenario).optimum()
        let problem = CompiledProblem(scenario: scenario)
        let plain = LagrangianBound(problem: problem, workers: 2).compute(iterations: 400, timeBudget: nil)
        let strengthened = LagrangianBound(problem: problem, workers: 2, strengthened: true)
            .compute(iterations: 400, timeBudget: nil, startPrices: plain.prices)
        #expect(strengthened.bound >= optimum, "seed \(seed)")
        #expect(plain.bound >= optimum, "seed \(seed)")
    }

    /// A team with a member who has nowhere to go is never placed, so it adds nothing to the
    /// strengthened bound; the plain relaxation counts the other member.
    @Test func aTeamThatCannotBePlacedAddsNothing() throws {
        var found: Scenario?
        for seed in 0..<200 {
            var scenario = TinyScenarios.make(seed: UInt64(seed), applications: 8)
            let offered = Set(scenario.accommodations.map(\.kind))
            guard let absent = AccommodationKind.allCases.first(where: { !offered.contains($0) }),
                  let team = scenario.applications.first(where: { $0.team != nil })?.team else { continue }
            var members = scenario.applications.filter { $0.team == team }
            members[1].kinds = [absent]
            scenario.applications = members
            scenario.freelancers = scenario.freelancers.filter { freelancer in members.contains { $0.freelancer == freelancer.id } }
            scenario.bookings = []
            found = scenario
            break
        }
        let scenario = try #require(found)
        #expect(BruteForce(scenario).optimum() == 0)
        let problem = CompiledProblem(scenario: scenario)
        let plain = LagrangianBound(problem: problem, workers: 1).compute(iterations: 400, timeBudget: nil)
        let strengthened = LagrangianBound(problem: problem, workers: 1, strengthened: true)
            .compute(iterations: 400, timeBudget: nil, startPrices: plain.prices)
        #expect(plain.bound > 0)
        #expect(strengthened.bound == 0)
    }

    @Test func teamsAsUnitsTightenTheBoundOnAGeneratedScenario() {
        let scenario = ScenarioGenerator.generate(GeneratorOptions(towns: 6, applications: 150, nights: 60, seed: 4,
                                                                   teamFraction: 0.3))
        let problem = CompiledProblem(scenario: scenario)
        let plain = LagrangianBound(problem: problem, workers: 2).compute(iterations: 400, timeBudget: nil)
        let strengthened = LagrangianBound(problem: problem, workers: 2, strengthened: true)
            .compute(iterations: 400, timeBudget: nil, startPrices: plain.prices)
        let best = Engine.solve(scenario, options: SolveOptions(seed: 1, moveLimit: 5_000)).plan.score
        #expect(strengthened.bound < plain.bound)
        #expect(strengthened.bound >= best)
    }

    @Test(arguments: 0..<60)
    func firstComeFirstServedPlansAreValid(seed: Int) {
        let scenario = TinyScenarios.make(seed: UInt64(seed), applications: 8)
        let result = Engine.solve(scenario, options: SolveOptions(strategy: .firstComeFirstServed))
        #expect(Self.validate(scenario, result.plan) == [])
        #expect(result.plan.score <= BruteForce(scenario).optimum())
    }

    @Test(arguments: 1...30)
    func generatedScenariosGiveValidPlans(seed: UInt64) {
        let scenario = ScenarioGenerator.generate(GeneratorOptions(towns: 3 + Int(seed % 5), applications: 40 + Int(seed) * 3,
                                                                   nights: 30 + Int(seed % 4) * 20, seed: seed,
                                                                   tightness: 0.8 + Double(seed % 5) * 0.4))
        let result = Engine.solve(scenario, options: SolveOptions(seed: seed, moveLimit: 1_000))
        #expect(Self.validate(scenario, result.plan) == [])
        let fcfs = Engine.solve(scenario, options: SolveOptions(strategy: .firstComeFirstServed))
        #expect(Self.validate(scenario, fcfs.plan) == [])
        #expect(result.plan.score >= fcfs.plan.score)
        if let bound = result.upperBound { #expect(bound >= result.plan.score) }
        #expect(result.plan.assignments.count + result.plan.unplaced.count == scenario.applications.count)
    }

    @Test func sameSeedAndMovesGiveTheSameBytes() {
        let scenario = ScenarioGenerator.generate(GeneratorOptions(towns: 6, applications: 300, nights: 90, seed: 5, tightness: 1.5))
        let options = SolveOptions(seed: 42, moveLimit: 4_000)
        let first = PlanFile.write(Engine.solve(scenario, options: options).plan)
        let second = PlanFile.write(Engine.solve(scenario, options: options).plan)
        #expect(first == second)
        var oneWorker = options
        oneWorker.workers = 1
        #expect(PlanFile.write(Engine.solve(scenario, options: oneWorker).plan) == PlanFile.write(Engine.solve(scenario, options: oneWorker).plan))
    }

    @Test(arguments: 1...10)
    func bookingsStayExactlyAsTheyAre(seed: UInt64) {
        let scenario = ScenarioGenerator.generate(GeneratorOptions(towns: 4, applications: 150, nights: 60, seed: seed, tightness: 2))
        let result = Engine.solve(scenario, options: SolveOptions(seed: seed, moveLimit: 1_000))
        for booking in scenario.bookings {
            let assignment = result.plan.assignments.first { $0.application == booking.application }
            #expect(assignment?.town == booking.town && assignment?.accommodation == booking.accommodation
                    && assignment?.arrival == booking.arrival && assignment?.slot == booking.slot)
        }
    }

    @Test(arguments: 1...10)
    func lockedPlacementsStayExactlyAsTheyAre(seed: UInt64) {
        let scenario = ScenarioGenerator.generate(GeneratorOptions(towns: 4, applications: 150, nights: 60, seed: seed, tightness: 2))
        let first = Engine.solve(scenario, options: SolveOptions(seed: seed, moveLimit: 500, strategy: .firstComeFirstServed))
        // Whole teams only: a team locked in part may have no room left for the rest.
        let teamOf = Dictionary(uniqueKeysWithValues: scenario.applications.map { ($0.id, $0.team) })
        let lockedTeams = Set(first.plan.assignments.filter { $0.application.rawValue.hasSuffix("3") }.compactMap { teamOf[$0.application] ?? nil })
        let locked = first.plan.assignments.filter {
            $0.application.rawValue.hasSuffix("3") || (teamOf[$0.application] ?? nil).map(lockedTeams.contains) == true
        }
        let second = Engine.solve(scenario, options: SolveOptions(seed: seed + 1, moveLimit: 1_000, locked: locked))
        #expect(Self.validate(scenario, second.plan) == [])
        for assignment in locked {
            #expect(second.plan.assignments.contains(assignment))
        }
    }

    @Test(arguments: 0..<40)
    func everyUnplacedReasonIsTrue(seed: Int) {
        let scenario = TinyScenarios.make(seed: UInt64(seed + 500), applications: 8)
        let result = Engine.solve(scenario, options: SolveOptions(seed: 3, moveLimit: 500))
        let oracle = BruteForce(scenario)
        let placed = result.plan.assignments
        for unplaced in result.plan.unplaced {
            let index = scenario.applications.firstIndex { $0.id == unplaced.application }!
            let options = oracle.options[index]
            if unplaced.reason.hasPrefix("no room") || unplaced.reason.hasPrefix("team") {
                // Capacity: no option can join the plan as it is.
                for option in options {
                    var plan = Plan(score: 0, assignments: placed + [option], unplaced: [])
                    plan.unplaced = result.plan.unplaced.filter { $0.application != unplaced.application }
                    let capacityViolations = PlanValidator(scenario: scenario).validate(plan).violations
                        .filter { [9, 10, 11, 12].contains($0.rule ?? 0) }
                    #expect(!capacityViolations.isEmpty, "\(unplaced.application) could take \(option) but says: \(unplaced.reason)")
                }
            } else {
                #expect(options.isEmpty, "\(unplaced.application) has options but says: \(unplaced.reason)")
            }
        }
    }

    @Test func explainsEachFilter() {
        var scenario = TinyScenarios.make(seed: 1, applications: 1)
        scenario.applications = [Application(id: "x", freelancer: scenario.freelancers[0].id, earliest: Day(iso: "2026-10-01")!,
                                              latest: Day(iso: "2026-10-20")!, nights: 30 - 20, towns: [scenario.towns[0].id],
                                              budgetPerNight: 0, labor: .none)]
        scenario.towns[0].maxNights = 5
        scenario.bookings = []
        var plan = Engine.solve(scenario, options: SolveOptions(moveLimit: 10)).plan
        #expect(plan.unplaced.first?.reason == "a stay of 10 nights is outside the stay rules of t0 \(scenario.towns[0].minNights)-5 nights")
        scenario.towns[0].maxNights = 30
        scenario.towns[0].subsidyPerNight = 0
        for index in scenario.accommodations.indices { scenario.accommodations[index].pricePerNight = 3000 }
        plan = Engine.solve(scenario, options: SolveOptions(moveLimit: 10)).plan
        #expect(plan.unplaced.first?.reason == "no accommodation within budget 0 in t0 (cheapest after subsidy: 3000)")
    }
}
