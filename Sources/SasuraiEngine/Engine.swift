import Dispatch
import SasuraiCore

/// How an allocation run chooses placements.
public enum Strategy: String, Sendable, CaseIterable {
    /// Construction, then ruin-and-recreate search on every core, guided by a bound.
    case optimize
    /// First come, first served: each application in id order takes its best option that
    /// still fits, as coordinators match by hand. Kept as the baseline to beat.
    case firstComeFirstServed = "fcfs"
}

/// What a run may use and must keep.
public struct SolveOptions: Sendable {
    public var seed: UInt64 = 1
    /// Ruin-and-recreate moves over all workers; with the same seed, the same plan.
    public var moveLimit: Int?
    /// Wall-clock seconds for the search; the plan is valid whenever it stops.
    public var timeLimit: Double?
    public var workers: Int = 2
    public var strategy: Strategy = .optimize
    /// Placements that must stay exactly as they are (besides the scenario's bookings).
    public var locked: [Assignment] = []
    /// Compute the Lagrangian upper bound (and use its prices to break ties).
    public var computeBound = true
    /// Applications that are first in line (re-queued after a cancellation), in order. The
    /// construction and the final fill try them before all others, and the search only replaces
    /// a plan by a strictly better one, so among plans of equal score they keep their place.
    public var firstInLine: [ApplicationID] = []

    public init(seed: UInt64 = 1, moveLimit: Int? = nil, timeLimit: Double? = nil, workers: Int = 2,
                strategy: Strategy = .optimize, locked: [Assignment] = [], computeBound: Bool = true) {
        self.seed = seed
        self.moveLimit = moveLimit
        self.timeLimit = timeLimit
        self.workers = workers
        self.strategy = strategy
        self.locked = locked
        self.computeBound = computeBound
    }

    /// The move budget used when neither a move nor a time limit is given: enough for a
    /// thorough search of small scenarios, bounded for large ones by `defaultTimeLimit`.
    public static func defaultMoveLimit(applications: Int) -> Int {
        min(5_000_000, max(20_000, applications * 100))
    }

    public static let defaultTimeLimit = 60.0
}

/// How the score developed, and how fast the search went.
public struct RunStatistics: Sendable {
    public var moves = 0
    public var insertionsTried = 0
    public var seconds = 0.0
    /// Seconds spent compiling the scenario, bounding, constructing, searching, explaining.
    public var compileSeconds = 0.0
    public var boundSeconds = 0.0
    public var constructionSeconds = 0.0
    public var searchSeconds = 0.0
    public var explanationSeconds = 0.0
    public var constructionScore = 0
    /// (seconds since start, best score) at the start and after every epoch.
    public var scoreOverTime: [(seconds: Double, score: Int)] = []

    public var movesPerSecond: Double { seconds > 0 ? Double(moves) / seconds : 0 }
}

/// A finished run: the plan, a proven ceiling on any plan's score, and statistics.
public struct SolveResult: Sendable {
    public var plan: Plan
    /// No valid plan of the scenario scores more than this (nil when not computed).
    public var upperBound: Int?
    public var statistics: RunStatistics
}

/// A snapshot for progress displays.
public struct SolveProgress: Sendable {
    public var seconds: Double
    public var bestScore: Int
    public var moves: Int
    public var upperBound: Int?
    /// 0...1 of the move or time budget.
    public var fraction: Double
}

/// The allocation engine: pure and deterministic, no I/O.
public enum Engine {
    /// Allocates a validated scenario.
    public static func solve(_ scenario: Scenario, options: SolveOptions = SolveOptions(),
                             progress: (@Sendable (SolveProgress) -> Void)? = nil) -> SolveResult {
        let clock = ContinuousClock()
        let start = clock.now
        func elapsed() -> Double {
            let duration = clock.now - start
            return duration.inSeconds
        }
        let problem = CompiledProblem(scenario: scenario, locked: options.locked)
        var statistics = RunStatistics()
        statistics.compileSeconds = elapsed()
        switch options.strategy {
        case .firstComeFirstServed:
            let state = SearchState(problem: problem)
            firstComeFirstServed(problem: problem, state: state)
            statistics.seconds = elapsed()
            statistics.constructionScore = state.score
            statistics.scoreOverTime = [(statistics.seconds, state.score)]
            return SolveResult(plan: makePlan(problem: problem, state: state),
                               upperBound: nil, statistics: statistics)
        case .optimize:
            break
        }

        var upperBound: Int?
        var prices: ResourcePrices?
        let workerCount = max(1, min(options.workers, 8))
        if options.computeBound {
            // The bound may take a quarter of the time: its prices guide the construction and
            // break ties in the search, which pays for itself even on the largest scenarios.
            let share = 0.25
            let deadline = options.timeLimit.map { max(0, $0 * share - elapsed()) }
            let bound = LagrangianBound(problem: problem, workers: workerCount)
            let result = bound.compute(iterations: LagrangianBound.defaultIterations(applications: problem.applications.count),
                                       timeBudget: deadline)
            upperBound = result.bound
            prices = result.prices
            statistics.boundSeconds = elapsed() - statistics.compileSeconds
        }

        let inserter = Inserter(problem: problem, prices: prices)
        let constructionState = SearchState(problem: problem)
        let priority = options.firstInLine.compactMap { problem.applicationIndex[$0] }
        construct(problem: problem, state: constructionState, inserter: inserter, seed: options.seed, priority: priority)
        statistics.constructionScore = constructionState.score
        statistics.scoreOverTime.append((elapsed(), constructionState.score))
        statistics.constructionSeconds = elapsed() - statistics.compileSeconds - statistics.boundSeconds
        // Report the constructed plan at once: the first search epoch can take most of a short
        // run, and a progress display should not sit at zero until it ends.
        progress?(SolveProgress(seconds: elapsed(), bestScore: constructionState.score, moves: 0,
                                upperBound: upperBound, fraction: 0))

        let moveLimit = options.moveLimit
            ?? (options.timeLimit == nil ? SolveOptions.defaultMoveLimit(applications: problem.applications.count) : Int.max)
        let timeLimit = options.timeLimit ?? (options.moveLimit == nil ? SolveOptions.defaultTimeLimit : nil)
        let searchStart = elapsed()
        var searchers: [LargeNeighborhoodSearch] = []
        for worker in 0..<workerCount {
            let state = SearchState(problem: problem)
            state.copy(from: constructionState)
            var workerInserter = inserter
            workerInserter.blinkRate = 0.02
            workerInserter.randomizesTies = true
            searchers.append(LargeNeighborhoodSearch(problem: problem, state: state, inserter: workerInserter,
                                                     seed: options.seed, stream: 1000 + UInt64(worker)))
        }
        var bestPlacements = constructionState.placements
        var bestScore = constructionState.score
        // Epochs keep workers in step: each runs the same number of moves, then all restart
        // from the best plan so far (ties to the lower worker), so a move budget gives the
        // same plan on every run however the threads were scheduled.
        let epochMoves = max(2_000, min(20_000, problem.applications.count * 10))
        // Annealing starts at 2% of a placement's worth: worse plans by a few labor days or
        // one rank are often accepted early on, losing a whole placement almost never.
        let startTemperature = max(1.0, Double(problem.weights.place) * 0.02)
        var movesDone = 0
        let box = UncheckedBox(searchers)
        while movesDone < moveLimit {
            let now = elapsed()
            // The time limit covers the whole run, compiling and bounding included.
            if let timeLimit, now >= timeLimit { break }
            let remaining = moveLimit - movesDone
            let perWorker = min(epochMoves, max(1, remaining / workerCount + (remaining % workerCount > 0 ? 1 : 0)))
            let fractionStart: Double
            let fractionEnd: Double
            if moveLimit != Int.max {
                fractionStart = Double(movesDone) / Double(moveLimit)
                fractionEnd = Double(min(moveLimit, movesDone + perWorker * workerCount)) / Double(moveLimit)
            } else {
                let budget = max(0.001, (timeLimit ?? 1) - searchStart)
                fractionStart = min(1, (now - searchStart) / budget)
                fractionEnd = fractionStart
            }
            let deadline = timeLimit.map { start + .milliseconds(Int($0 * 1000)) }
            DispatchQueue.concurrentPerform(iterations: workerCount) { worker in
                box.value[worker].run(iterations: perWorker, progressStart: fractionStart, progressEnd: fractionEnd,
                                      startTemperature: startTemperature, deadline: deadline)
            }
            movesDone += perWorker * workerCount
            var bestWorker = -1
            for (worker, searcher) in searchers.enumerated() where searcher.bestScore > bestScore {
                bestScore = searcher.bestScore
                bestWorker = worker
            }
            if bestWorker >= 0 { bestPlacements = searchers[bestWorker].bestPlacements }
            for searcher in searchers { searcher.restart(from: bestPlacements, score: bestScore) }
            statistics.scoreOverTime.append((elapsed(), bestScore))
            if let progress {
                let fraction = moveLimit != Int.max ? Double(movesDone) / Double(moveLimit)
                    : min(1, (elapsed() - searchStart) / max(0.001, (timeLimit ?? 1) - searchStart))
                progress(SolveProgress(seconds: elapsed(), bestScore: bestScore, moves: movesDone,
                                       upperBound: upperBound, fraction: fraction))
            }
            if let upperBound, bestScore >= upperBound { break }
        }
        // Whatever still fits goes in, so that every unplaced application is truly blocked.
        let finalState = searchers[0].state
        finalState.reset(to: bestPlacements)
        fill(problem: problem, state: finalState, inserter: inserter, priority: priority)
        if finalState.score > bestScore {
            bestScore = finalState.score
            bestPlacements = finalState.placements
        }
        // The strengthened bound, from the plain pass's prices: after the search, so that the
        // search runs exactly as it would without it.
        if let bound = upperBound, let prices, bestScore < bound,
           problem.applications.count <= LagrangianBound.strengthenedApplicationLimit {
            let started = elapsed()
            let strengthened = LagrangianBound(problem: problem, workers: workerCount, strengthened: true)
                .compute(iterations: LagrangianBound.strengthenedIterations, timeBudget: nil, startPrices: prices)
            upperBound = min(bound, strengthened.bound)
            statistics.boundSeconds += elapsed() - started
        }
        statistics.moves = searchers.reduce(0) { $0 + $1.iterations }
        statistics.insertionsTried = searchers.reduce(0) { $0 + $1.insertionsTried }
        statistics.searchSeconds = elapsed() - searchStart
        if let last = statistics.scoreOverTime.last, last.score != bestScore || statistics.scoreOverTime.count == 1 {
            statistics.scoreOverTime.append((elapsed(), bestScore))
        }
        let explained = elapsed()
        // After the fill, the final state holds exactly the best plan, occupancy included.
        let plan = makePlan(problem: problem, state: finalState)
        statistics.explanationSeconds = elapsed() - explained
        statistics.seconds = elapsed()
        return SolveResult(plan: plan, upperBound: upperBound.map { max($0, bestScore) }, statistics: statistics)
    }

    /// Greedy construction: the applications that can score most go first, teams as one.
    static func construct(problem: CompiledProblem, state: SearchState, inserter: Inserter, seed: UInt64,
                          priority: [Int] = []) {
        var random = SeededRandom(seed: seed, stream: 1)
        // Score per night first: like a knapsack's greedy, short stays that score as much as
        // long ones leave room for more visitors.
        let density = problem.applications.map { Double($0.maximumScore) / Double(max(1, $0.nights)) }
        let order = (0..<problem.applications.count).sorted { left, right in
            if density[left] != density[right] { return density[left] > density[right] }
            let a = problem.applications[left], b = problem.applications[right]
            if a.choiceCount != b.choiceCount { return a.choiceCount < b.choiceCount }
            return left < right
        }
        for application in priority + order where !state.placements[application].isPlaced {
            inserter.insert(application, in: state, random: &random)
        }
    }

    /// Inserts every unplaced application that still fits, in index order.
    static func fill(problem: CompiledProblem, state: SearchState, inserter: Inserter, priority: [Int] = []) {
        var random = SeededRandom(seed: 0, stream: 3)
        var plain = inserter
        plain.blinkRate = 0
        plain.randomizesTies = false
        for application in priority + Array(0..<problem.applications.count) where !state.placements[application].isPlaced {
            plain.insert(application, in: state, random: &random)
        }
    }

    /// First come, first served, in application id order.
    static func firstComeFirstServed(problem: CompiledProblem, state: SearchState) {
        var random = SeededRandom(seed: 0, stream: 0)
        let inserter = Inserter(problem: problem)
        let order = problem.scenario.applications.indices.sorted {
            problem.scenario.applications[$0].id < problem.scenario.applications[$1].id
        }
        for application in order where !state.placements[application].isPlaced {
            inserter.insert(application, in: state, random: &random)
        }
    }

    /// The plan-file form of a state, with a reason for every application it leaves out.
    static func makePlan(problem: CompiledProblem, state: SearchState) -> Plan {
        let placements = state.placements
        let score = state.score
        var assignments: [Assignment] = []
        var unplacedIndices: [Int] = []
        for (application, placement) in placements.enumerated() {
            if placement.isPlaced {
                assignments.append(problem.assignment(application: application, placement: placement))
            } else {
                unplacedIndices.append(application)
            }
        }
        let explainer = UnplacedExplainer(problem: problem, occupancy: state.occupancy)
        let unplaced = unplacedIndices.map {
            UnplacedApplication(application: problem.scenario.applications[$0].id, reason: explainer.reason(for: $0))
        }
        return Plan(score: score, assignments: assignments, unplaced: unplaced).sortedCanonically()
    }
}

/// Hands non-Sendable workers to `concurrentPerform`; each index is touched by one thread.
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

extension Duration {
    /// The duration as a number of seconds, for statistics and progress.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
