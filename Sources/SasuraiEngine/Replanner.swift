import SasuraiCore

/// What one re-planning step did.
public struct ReplanResult: Sendable {
    /// Applications newly placed into the freed capacity.
    public var placed: [Assignment]
    /// Applications taken out of the plan by the change (the one changed, and team mates).
    public var removed: [ApplicationID]
    /// Other placements that moved to make room (never a locked one).
    public var moved: Int
    public var scoreBefore: Int
    public var scoreAfter: Int
    public var seconds: Double
}

/// Keeps a plan in memory and repairs it after a change, touching as little as possible:
/// a cancellation, a withdrawal, or a new application.
///
/// After a cancellation or withdrawal the freed beds and seats go to waiting applicants who
/// want that town around those nights; then a short search in that town may move placements
/// that are not locked to fit more. Locked placements (confirmed stays) and bookings never move.
/// The expensive part, compiling the scenario, happens once, in `init`.
public final class Replanner {
    let problem: CompiledProblem
    let state: SearchState
    var inserter: Inserter
    var random: SeededRandom
    /// Moves of the local search after each change: enough to reshuffle a town's week,
    /// few enough to answer in milliseconds on the largest scenarios.
    public static let movesPerChange = 200

    /// Loads `plan`; `locked` placements (and the scenario's bookings) will never move.
    public init(scenario: Scenario, plan: Plan, locked: Set<ApplicationID>, seed: UInt64 = 1) {
        let lockedAssignments = plan.assignments.filter { locked.contains($0.application) }
        let problem = CompiledProblem(scenario: scenario, locked: lockedAssignments)
        let state = SearchState(problem: problem)
        self.problem = problem
        self.state = state
        var target = state.placements
        for assignment in plan.assignments {
            // Defensive: an assignment that does not fit the compiled problem is left out.
            guard let application = problem.applicationIndex[assignment.application],
                  let accommodation = problem.accommodationIndex[assignment.accommodation],
                  assignment.nights == Int(problem.applications[application].nights),
                  assignment.arrival.days(since: problem.origin) >= 0,
                  assignment.arrival.days(since: problem.origin) + assignment.nights <= problem.nightCount,
                  assignment.slot.map({ problem.slotIndex[$0] != nil }) ?? true else { continue }
            target[application] = Placement(accommodation: Int32(accommodation),
                                            arrival: Int32(assignment.arrival.days(since: problem.origin)),
                                            slot: Int32(assignment.slot.flatMap { problem.slotIndex[$0] } ?? -1))
        }
        state.reset(to: target)
        inserter = Inserter(problem: problem)
        random = SeededRandom(seed: seed, stream: 77)
    }

    /// The plan as it stands now (unplaced reasons included).
    public var plan: Plan {
        Engine.makePlan(problem: problem, state: state)
    }

    public var score: Int { state.score }

    /// A host cancelled the placement: it leaves the plan and waits, first in line, for the
    /// next allocation run; repairs in between do not place it again.
    public func cancel(_ application: ApplicationID) -> ReplanResult {
        change(application)
    }

    /// The freelancer withdrew: the application leaves the plan for good.
    public func withdraw(_ application: ApplicationID) -> ReplanResult {
        change(application)
    }

    /// A new application (in the scenario, not yet in the plan) asks for a place: it is put
    /// where it fits, and if nothing fits, a short search in its towns may move placements
    /// that are not locked to make room.
    public func add(_ applicationID: ApplicationID) -> ReplanResult {
        let start = ContinuousClock.now
        let scoreBefore = state.score
        guard let application = problem.applicationIndex[applicationID], !state.placements[application].isPlaced else {
            return ReplanResult(placed: [], removed: [], moved: 0, scoreBefore: scoreBefore, scoreAfter: scoreBefore, seconds: 0)
        }
        state.unblock(application)
        let before = state.placements
        if inserter.insert(application, in: state, random: &random) == 0 {
            let info = problem.applications[application]
            for choiceIndex in Int(info.choiceStart)..<Int(info.choiceStart + info.choiceCount) {
                guard !state.placements[application].isPlaced else { break }
                let search = LargeNeighborhoodSearch(problem: problem, state: state, inserter: inserter, seed: random.next(), stream: 6)
                search.focusTown = Int(problem.choices[choiceIndex].town)
                search.focusNights = Int(info.arrivalLow)..<(Int(info.arrivalHigh) + Int(info.nights))
                search.run(iterations: Self.movesPerChange / max(1, Int(info.choiceCount)), progressStart: 1, progressEnd: 1,
                           startTemperature: 0)
                state.reset(to: search.bestPlacements)
            }
        }
        return summarize(before: before, removed: [], scoreBefore: scoreBefore, since: start)
    }

    private func change(_ applicationID: ApplicationID) -> ReplanResult {
        let start = ContinuousClock.now
        let scoreBefore = state.score
        guard let application = problem.applicationIndex[applicationID] else {
            return ReplanResult(placed: [], removed: [], moved: 0, scoreBefore: scoreBefore, scoreAfter: scoreBefore, seconds: 0)
        }
        let freed = state.placements[application]
        var removed: [Int] = []
        let team = Int(problem.applications[application].team)
        let affected = team >= 0 ? problem.teams[team].map(Int.init) : [application]
        for member in affected where state.placements[member].isPlaced {
            removed.append(member)
        }
        state.withdraw(application)
        // Team mates leave too (rule 12); they are not blocked, but cannot be placed while
        // their team has a withdrawn member.
        for member in affected where member != application && state.placements[member].isPlaced {
            state.withdraw(member)
            state.unblock(member)
        }
        let before = state.placements
        var placedNow: [Int] = []
        if freed.isPlaced {
            let town = state.town(of: freed)
            fill(town: town, from: Int(freed.arrival), to: Int(freed.arrival) + Int(problem.applications[application].nights),
                 placed: &placedNow)
            let search = LargeNeighborhoodSearch(problem: problem, state: state, inserter: inserter, seed: random.next(), stream: 5)
            search.focusTown = town
            search.focusNights = Int(freed.arrival)..<(Int(freed.arrival) + Int(problem.applications[application].nights))
            search.run(iterations: Self.movesPerChange, progressStart: 1, progressEnd: 1, startTemperature: 0)
            state.reset(to: search.bestPlacements)
        }
        return summarize(before: before, removed: removed, scoreBefore: scoreBefore, since: start)
    }

    /// What changed between `before` and now, and how long it took.
    private func summarize(before: [Placement], removed: [Int], scoreBefore: Int, since start: ContinuousClock.Instant) -> ReplanResult {
        var moved = 0
        var newlyPlaced: [Assignment] = []
        for index in 0..<state.placements.count {
            let now = state.placements[index], then = before[index]
            if now.isPlaced && !then.isPlaced {
                newlyPlaced.append(problem.assignment(application: index, placement: now))
            } else if now.isPlaced && then.isPlaced && now != then {
                moved += 1
            }
        }
        let duration = ContinuousClock.now - start
        return ReplanResult(placed: newlyPlaced.sorted { $0.application < $1.application },
                            removed: removed.map { problem.scenario.applications[$0].id }.sorted(),
                            moved: moved, scoreBefore: scoreBefore, scoreAfter: state.score,
                            seconds: duration.inSeconds)
    }

    /// Offers the freed town-nights to waiting applicants, best score per night first.
    private func fill(town: Int, from: Int, to: Int, placed: inout [Int]) {
        var waiting: [Int] = []
        for candidate in problem.applicationsByTown[town] {
            let index = Int(candidate)
            let info = problem.applications[index]
            guard !state.placements[index].isPlaced, !state.isBlocked[index],
                  Int(info.arrivalLow) < to, Int(info.arrivalHigh) + Int(info.nights) > from else { continue }
            waiting.append(index)
        }
        waiting.sort { left, right in
            let a = Double(problem.applications[left].maximumScore) / Double(problem.applications[left].nights)
            let b = Double(problem.applications[right].maximumScore) / Double(problem.applications[right].nights)
            return a != b ? a > b : left < right
        }
        for application in waiting where !state.placements[application].isPlaced {
            if inserter.insert(application, in: state, random: &random) > 0 { placed.append(application) }
        }
    }
}
