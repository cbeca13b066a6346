import Dispatch
import SasuraiCore

/// A proven upper bound on the score of any valid plan, by Lagrangian relaxation.
///
/// Every capacity (beds, town caps, seats) gets a price per night λ ≥ 0 and may then be
/// broken. Each application alone picks its most profitable option at those prices, and
///
///     L(λ) = fixed score + Σ_applications max(0, max_option (score − price of its nights))
///            + Σ_resources,nights λ · (capacity − fixed use)
///
/// is at least the best plan's score for every λ ≥ 0 (dropping team and one-freelancer rules
/// only loosens it; `strengthened` keeps them). Subgradient steps lower it; the smallest value seen is the bound. The
/// prices themselves say which nights are contested, which the search uses to break ties.
struct LagrangianBound {
    let problem: CompiledProblem
    let workers: Int
    /// Resources with prices: accommodations, towns and slots, and when `strengthened` also
    /// the freelancers who sent several applications (one stay a night each).
    let pricedResources: Int
    /// Whether the relaxation keeps the team and one-freelancer rules (see `init`).
    let strengthened: Bool

    /// - Parameter strengthened: keep two rules the plain relaxation drops: a team takes one
    ///   common town and arrival or nothing (a unit of its own, instead of each member taking
    ///   its own best option), and a freelancer's applications share one stay a night (a
    ///   priced resource). On S-sized scenarios the plain bound sat 2-4% above what these
    ///   give, nearly all of it from teams. Each iteration costs more, and its prices guide
    ///   the search no better, so the engine computes it after the search, for the summary.
    init(problem: CompiledProblem, workers: Int, strengthened: Bool = false) {
        self.problem = problem
        self.workers = max(1, workers)
        self.strengthened = strengthened
        pricedResources = strengthened ? problem.resourceCount : problem.freelancerResourceBase
    }

    /// Subgradient iterations by default: a few hundred converge on small scenarios, and
    /// large ones are cut short by their time budget.
    static func defaultIterations(applications: Int) -> Int {
        applications <= 500 ? 400 : (applications <= 5_000 ? 200 : 60)
    }

    /// The strengthened pass runs on scenarios of at most this many applications: there it
    /// takes a fifth of a second or less, and the plain bound was furthest above the optimum.
    static let strengthenedApplicationLimit = 1_000
    /// Iterations without a lower bound before the step is halved. The plain pass gives the
    /// search its prices, for which a rough bound does; the strengthened one is the figure the
    /// planner reads, and slower halving takes it most of the way to the LP relaxation (S-4:
    /// 213,308 with 10, 212,625 with 40, the LP 212,513) in about 0.2 s on S.
    static let plainPatience = 10
    static let strengthenedPatience = 40
    /// Most iterations of the strengthened pass; the halving usually stops it well before.
    static let strengthenedIterations = 3_000

    struct Result {
        var bound: Int
        var prices: ResourcePrices
        var iterations: Int
    }

    /// The best (application's own) option at the current prices.
    private struct Choice {
        var value: Double
        var accommodation: Int32
        var town: Int32
        var arrival: Int32
        var slot: Int32
    }

    /// - Parameter startPrices: prices to start from (an earlier pass's, possibly over fewer
    ///   resources: the missing ones start at zero) instead of all zero.
    func compute(iterations: Int, timeBudget: Double?, startPrices: ResourcePrices? = nil) -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        let nightCount = problem.nightCount
        let applicationCount = problem.applications.count

        // Capacity left after fixed placements, and their score.
        var remaining = [Double](repeating: 0, count: pricedResources * nightCount)
        for resource in 0..<pricedResources {
            let capacity = Double(problem.resourceCapacity[resource])
            for night in 0..<nightCount { remaining[resource * nightCount + night] = capacity }
        }
        var fixedScore = 0
        var isFixed = [Bool](repeating: false, count: applicationCount)
        for (application, placement) in problem.fixedPlacements {
            let index = Int(application)
            isFixed[index] = true
            fixedScore += problem.score(application: index, placement: placement)
            forEachUse(index, placement) { resource, from, to in
                for night in from..<to { remaining[resource * nightCount + night] -= 1 }
            }
        }
        for index in remaining.indices where remaining[index] < 0 { remaining[index] = 0 }

        // A feasible score to aim the step size at: the greedy construction's.
        let greedy = SearchState(problem: problem)
        var random = SeededRandom(seed: 0, stream: 7)
        let inserter = Inserter(problem: problem)
        for application in 0..<applicationCount where !greedy.placements[application].isPlaced {
            inserter.insert(application, in: greedy, random: &random)
        }
        let target = Double(greedy.score)

        // Applications whose options were cut for size get their capacity-free maximum.
        var unpricedBound = 0.0
        // Units that pick their options alone: an application (its index), or a whole team
        // (-1 - team) when every member is priced and none is fixed.
        var priced: [Int] = []
        // Teams priced as units, and teams that can never be placed (a member with no option,
        // or no arrival open to all): their members add nothing.
        var pricedTeams = Set<Int>()
        for team in problem.teams.indices where strengthened {
            let members = problem.teams[team].map(Int.init)
            guard members.count > 1, !members.contains(where: { isFixed[$0] }) else { continue }
            if members.contains(where: { problem.applications[$0].choiceCount == 0 })
                || problem.commonArrivals(of: members) == nil {
                pricedTeams.insert(team)
            } else if members.allSatisfy({ isPricedAlone($0) }) {
                pricedTeams.insert(team)
                priced.append(-1 - team)
            }
        }
        for application in 0..<applicationCount where !isFixed[application] {
            let info = problem.applications[application]
            if info.team >= 0 && pricedTeams.contains(Int(info.team)) { continue }
            if info.preferenceCount == 0 && problem.townCount > CompiledProblem.maximumTownsForAnyTownApplication {
                if info.choiceCount > 0 {
                    unpricedBound += Double(Int(info.baseScore) + problem.weights.rankAny + problem.weights.laborDay * Int(info.nights))
                }
            } else if info.choiceCount > 0 {
                priced.append(application)
            }
        }

        var prices = [Double](repeating: 0, count: pricedResources * nightCount)
        if let start = startPrices?.nightlyPrices {
            for index in 0..<min(start.count, prices.count) { prices[index] = start[index] }
        }
        var bestBound = Double.infinity
        var bestPrices = prices
        var stepScale = 2.0
        var sinceImprovement = 0
        var performed = 0
        let chunks = workers
        var usage = [[Double]](repeating: [], count: chunks)
        for iteration in 0..<max(1, iterations) {
            if let timeBudget, iteration > 0 {
                let duration = clock.now - start
                let seconds = duration.inSeconds
                if seconds > timeBudget { break }
            }
            performed += 1
            let table = ResourcePrices(nightCount: nightCount, prices: prices)
            var values = [Double](repeating: 0, count: chunks)
            let shared = UncheckedBox((table, priced))
            let results = UncheckedBox(MutableResults(chunks: chunks, size: pricedResources * nightCount))
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let (table, priced) = shared.value
                let lower = priced.count * chunk / chunks
                let upper = priced.count * (chunk + 1) / chunks
                var total = 0.0
                let used = results.value.usage[chunk]
                for position in lower..<upper {
                    let unit = priced[position]
                    if unit < 0 {
                        guard let (value, members) = bestTeamChoice(-1 - unit, table), value > 0 else { continue }
                        total += value
                        for (member, choice) in members {
                            let placement = Placement(accommodation: choice.accommodation, arrival: choice.arrival, slot: choice.slot)
                            forEachUse(member, placement) { resource, from, to in
                                for night in from..<to { used[resource * nightCount + night] += 1 }
                            }
                        }
                        continue
                    }
                    guard let choice = bestChoice(unit, table), choice.value > 0 else { continue }
                    total += choice.value
                    let placement = Placement(accommodation: choice.accommodation, arrival: choice.arrival, slot: choice.slot)
                    forEachUse(unit, placement) { resource, from, to in
                        for night in from..<to { used[resource * nightCount + night] += 1 }
                    }
                }
                results.value.values[chunk] = total
            }
            for chunk in 0..<chunks { values[chunk] = results.value.values[chunk] }
            for chunk in 0..<chunks { usage[chunk] = Array(UnsafeBufferPointer(start: results.value.usage[chunk], count: pricedResources * nightCount)) }
            results.value.deallocate()

            var dual = Double(fixedScore) + unpricedBound + values.reduce(0, +)
            var gradientNorm = 0.0
            var gradient = [Double](repeating: 0, count: prices.count)
            for index in prices.indices {
                dual += prices[index] * remaining[index]
                var use = 0.0
                for chunk in 0..<chunks { use += usage[chunk][index] }
                var slope = use - remaining[index]
                // A zero price cannot go lower: its negative slope does not count.
                if prices[index] <= 0 && slope < 0 { slope = 0 }
                gradient[index] = slope
                gradientNorm += slope * slope
            }
            if dual < bestBound - 1e-9 {
                bestBound = dual
                bestPrices = prices
                sinceImprovement = 0
            } else {
                sinceImprovement += 1
                if sinceImprovement >= (strengthened ? Self.strengthenedPatience : Self.plainPatience) {
                    stepScale *= 0.5
                    sinceImprovement = 0
                }
            }
            if gradientNorm == 0 || stepScale < 1e-4 { break }
            let step = stepScale * max(1e-6, dual - target) / gradientNorm
            for index in prices.indices where gradient[index] != 0 {
                prices[index] = max(0, prices[index] + step * gradient[index])
            }
        }
        // Scores are whole numbers, so the floor is still a bound; the margin absorbs rounding.
        let bound = Int((bestBound + 1e-3).rounded(.down))
        return Result(bound: max(bound, greedy.score), prices: ResourcePrices(nightCount: nightCount, prices: bestPrices),
                      iterations: performed)
    }

    /// Calls `body` with each priced resource a placement uses and the nights it uses it.
    @inline(__always)
    private func forEachUse(_ application: Int, _ placement: Placement, _ body: (Int, Int, Int) -> Void) {
        let from = Int(placement.arrival)
        let to = from + Int(problem.applications[application].nights)
        body(Int(placement.accommodation), from, to)
        body(problem.townResourceBase + Int(problem.accommodationTown[Int(placement.accommodation)]), from, to)
        if placement.slot >= 0 {
            let slot = Int(placement.slot)
            body(problem.slotResourceBase + slot, max(from, Int(problem.slotFrom[slot])), min(to, Int(problem.slotTo[slot])))
        }
        let freelancer = Int(problem.applications[application].freelancerResource)
        if strengthened && freelancer >= 0 { body(freelancer, from, to) }
    }

    /// True for an application the relaxation prices (not an any-town applicant of a
    /// scenario with too many towns to list, which gets its capacity-free maximum instead).
    private func isPricedAlone(_ application: Int) -> Bool {
        let info = problem.applications[application]
        return info.choiceCount > 0
            && !(info.preferenceCount == 0 && problem.townCount > CompiledProblem.maximumTownsForAnyTownApplication)
    }

    /// The application's most profitable option at these prices, capacity ignored.
    private func bestChoice(_ application: Int, _ table: ResourcePrices) -> Choice? {
        let info = problem.applications[application]
        let low = Int(info.arrivalLow), high = Int(info.arrivalHigh)
        guard low <= high else { return nil }
        var best: Choice?
        for choiceIndex in Int(info.choiceStart)..<Int(info.choiceStart + info.choiceCount) {
            for arrival in low...high {
                guard let candidate = bestChoice(application, choiceIndex: choiceIndex, arrival: arrival, table) else { continue }
                if best == nil || candidate.value > best!.value { best = candidate }
            }
        }
        return best
    }

    /// A team's most profitable common town and arrival at these prices, each member in its
    /// own best bed and slot there, with the members' options; nil when there is none.
    ///
    /// Members placed alone would each take their own best town and nights, which the team
    /// rule forbids. A team goes whole or not at all, so it is one unit here too.
    private func bestTeamChoice(_ team: Int, _ table: ResourcePrices) -> (Double, [(Int, Choice)])? {
        let members = problem.teams[team].map(Int.init)
        guard let leader = members.first, let arrivals = problem.commonArrivals(of: members) else { return nil }
        let leaderInfo = problem.applications[leader]
        var best: (Double, [(Int, Choice)])?
        for leaderChoice in Int(leaderInfo.choiceStart)..<Int(leaderInfo.choiceStart + leaderInfo.choiceCount) {
            guard let memberChoices = problem.choices(of: members, in: problem.choices[leaderChoice].town) else { continue }
            for arrival in arrivals {
                var total = 0.0
                var chosen: [(Int, Choice)] = []
                for (position, member) in members.enumerated() {
                    guard let choice = bestChoice(member, choiceIndex: memberChoices[position], arrival: arrival, table) else {
                        chosen.removeAll()
                        break
                    }
                    total += choice.value
                    chosen.append((member, choice))
                }
                guard chosen.count == members.count else { continue }
                if best == nil || total > best!.0 { best = (total, chosen) }
            }
        }
        return best
    }

    /// The application's most profitable option in one of its choices (a town) and arrival.
    @inline(__always)
    private func bestChoice(_ application: Int, choiceIndex: Int, arrival: Int, _ table: ResourcePrices) -> Choice? {
        let info = problem.applications[application]
        let nights = Int(info.nights)
        let laborWeight = Double(problem.weights.laborDay)
        let choice = problem.choices[choiceIndex]
        let townResource = problem.townResourceBase + Int(choice.town)
        let base = Double(Int(info.baseScore) + Int(choice.rankBonus))
        let end = arrival + nights
        var cheapest = Double.infinity
        var cheapestAccommodation: Int32 = -1
        for poolIndex in Int(choice.accommodationStart)..<Int(choice.accommodationStart + choice.accommodationCount) {
            let accommodation = Int(problem.accommodationPool[poolIndex])
            guard Int(problem.openEnd[accommodation * problem.nightCount + arrival]) >= end else { continue }
            let price = table.price(accommodation, from: arrival, to: end)
            if price < cheapest {
                cheapest = price
                cheapestAccommodation = Int32(accommodation)
            }
        }
        guard cheapestAccommodation >= 0 else { return nil }
        var stay = base - cheapest - table.price(townResource, from: arrival, to: end)
        if strengthened && info.freelancerResource >= 0 {
            stay -= table.price(Int(info.freelancerResource), from: arrival, to: end)
        }
        var bestSlotValue = choice.allowsNoSlot ? 0.0 : -Double.infinity
        var bestSlot: Int32 = -1
        for slotOption in 0..<Int(choice.slotCount) {
            let slot = Int(problem.slotPool[Int(choice.slotStart) + slotOption])
            let from = Int(problem.slotFrom[slot]), to = Int(problem.slotTo[slot])
            let laborDays = min(end, to) - max(arrival, from)
            guard laborDays >= Int(problem.slotMinDays[slot]) else { continue }
            let value = laborWeight * Double(laborDays)
                - table.price(problem.slotResourceBase + slot, from: max(arrival, from), to: min(end, to))
            if value > bestSlotValue {
                bestSlotValue = value
                bestSlot = Int32(slot)
            }
        }
        guard bestSlotValue > -Double.infinity else { return nil }
        return Choice(value: stay + bestSlotValue, accommodation: cheapestAccommodation, town: choice.town,
                      arrival: Int32(arrival), slot: bestSlot)
    }
}

/// Per-worker scratch space for one subgradient iteration.
private final class MutableResults {
    /// Raw memory, not arrays: each worker writes only its own slot, and Swift arrays may
    /// not be mutated from two threads at once even at different indices.
    let values: UnsafeMutablePointer<Double>
    let usage: [UnsafeMutablePointer<Double>]
    let size: Int

    init(chunks: Int, size: Int) {
        self.size = size
        values = .allocate(capacity: chunks)
        values.initialize(repeating: 0, count: chunks)
        usage = (0..<chunks).map { _ in
            let pointer = UnsafeMutablePointer<Double>.allocate(capacity: max(1, size))
            pointer.initialize(repeating: 0, count: max(1, size))
            return pointer
        }
    }

    func deallocate() {
        values.deallocate()
        for pointer in usage { pointer.deallocate() }
    }
}
