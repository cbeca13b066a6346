import SasuraiCore

/// Ruin and recreate: take out a group of related placements, put them and some waiting
/// applicants back greedily, and keep the result when simulated annealing accepts it.
///
/// Related means "competing for the same town around the same nights", so that a move can
/// reshuffle who stays when, which single-placement moves cannot do once beds are full.
final class LargeNeighborhoodSearch {
    let problem: CompiledProblem
    let state: SearchState
    var inserter: Inserter
    var random: SeededRandom
    /// The best placements seen, and their score.
    private(set) var bestPlacements: [Placement]
    private(set) var bestScore: Int
    private(set) var iterations = 0
    private(set) var insertionsTried = 0

    /// Most placements one ruin takes out: enough to reshape a town's week, few enough that
    /// the greedy recreate stays close to the current plan.
    static let maximumRuinSize = 24
    /// Waiting applicants offered each freed place, sampled from those who want the town.
    static let maximumWaitingCandidates = 24
    /// Stays a window ruin takes out, at least and at most: it spans several towns, so it
    /// takes more than a ruin of one town, within what regret recreate redoes quickly.
    static let minimumWindowRuin = 6
    static let maximumWindowRuin = 30
    /// Stays of a town examined for blockers at most: a random sample beyond this.
    static let maximumBlockersSampled = 128
    /// Share of moves that force a waiting applicant into a place others hold.
    static let forcedInsertionShare = 0.3
    /// Share of moves whose recreate adds noise to the candidates' scores.
    static let noisyMoveShare = 0.2
    /// Share of moves that start from a waiting applicant rather than any one.
    static let waitingSeedShare = 0.5
    /// Share of moves whose recreate goes by regret (see `recreateByRegret`), on small
    /// scenarios (`smallScenarioLimit`).
    static let regretShare = 0.5
    /// Most applications of a small scenario, where regret recreate and window ruins are used.
    /// Regret costs a move several times the work of greedy recreate. Small scenarios run
    /// their whole move budget in a second or two and stall in local optima that score order
    /// cannot leave, so they gain; large ones are short of moves for their time and lose.
    static let smallScenarioLimit = 1_000
    /// Share of moves that ruin a window of nights across towns (`chooseWindowRuin`), on
    /// small scenarios.
    static let windowRuinShare = 0.2

    private var isSmall: Bool { problem.applications.count <= Self.smallScenarioLimit }

    private var removed: [Int] = []
    private var candidates: [Int] = []
    private var mark: [UInt32]
    private var markGeneration: UInt32 = 0
    private var unplacedApplications: [Int]

    init(problem: CompiledProblem, state: SearchState, inserter: Inserter, seed: UInt64, stream: UInt64) {
        self.problem = problem
        self.state = state
        self.inserter = inserter
        random = SeededRandom(seed: seed, stream: stream)
        bestPlacements = state.placements
        bestScore = state.score
        mark = [UInt32](repeating: 0, count: problem.applications.count)
        unplacedApplications = []
    }

    /// When set, every move starts in this town: re-planning stays where capacity was freed.
    var focusTown: Int?
    /// With `focusTown`, the nights `[from, to)` the moves stay around.
    var focusNights: Range<Int>?

    /// Adopts `placements` (with their score) as both current and best.
    func restart(from placements: [Placement], score: Int) {
        state.reset(to: placements)
        bestPlacements = placements
        bestScore = score
        assert(state.score == score)
    }

    /// Runs `count` ruin-and-recreate moves; `temperature` maps progress (0...1) to the
    /// annealing temperature.
    func run(iterations count: Int, progressStart: Double, progressEnd: Double, startTemperature: Double,
             deadline: ContinuousClock.Instant? = nil) {
        guard problem.applications.count > 0 else { return }
        for step in 0..<count {
            // Only a time-limited run looks at the clock, so move budgets stay deterministic.
            if let deadline, step & 255 == 255, ContinuousClock.now >= deadline { return }
            let progress = progressStart + (progressEnd - progressStart) * Double(step) / Double(max(1, count))
            let temperature = startTemperature * pow(0.01, progress)
            iterate(temperature: temperature)
        }
    }

    private func nextGeneration() {
        markGeneration &+= 1
        if markGeneration == 0 {
            for index in mark.indices { mark[index] = 0 }
            markGeneration = 1
        }
    }

    private func iterate(temperature: Double) {
        iterations += 1
        let before = state.score
        state.beginMove()
        removed.removeAll(keepingCapacity: true)
        candidates.removeAll(keepingCapacity: true)
        nextGeneration()
        if focusTown == nil && random.chance(Self.forcedInsertionShare), forceInsertion() {
            // The forced applicant is in; the placements it displaced compete for the rest.
        } else {
            let window = isSmall && focusTown == nil && random.chance(Self.windowRuinShare)
            guard window ? chooseWindowRuin() : chooseRuin() else {
                state.commitMove()
                return
            }
            for application in removed where state.placements[application].isPlaced {
                removeWithTeam(application)
            }
            if window {
                recreateByRegret()
                return finish(before: before, temperature: temperature)
            }
        }
        recreate()
        finish(before: before, temperature: temperature)
    }

    /// Accepts or rolls back the move just made, by the annealing rule.
    private func finish(before: Int, temperature: Double) {
        let after = state.score
        let accept: Bool
        if after >= before {
            accept = true
        } else if temperature > 0 {
            accept = random.unit() < exp(Double(after - before) / temperature)
        } else {
            accept = false
        }
        if accept {
            state.commitMove()
            if after > bestScore {
                bestScore = after
                bestPlacements = state.placements
            }
        } else {
            state.rollback()
        }
        #if DEBUG
        if problem.applications.count <= 400 { state.checkInvariants() }
        #endif
    }

    private func removeWithTeam(_ application: Int) {
        let team = Int(problem.applications[application].team)
        if team >= 0 {
            for member in problem.teams[team] where state.placements[Int(member)].isPlaced && !state.isPinned(Int(member)) {
                state.remove(Int(member))
            }
        } else if state.placements[application].isPlaced && !state.isPinned(application) {
            state.remove(application)
        }
    }

    /// Picks a town and a span of nights, marks placements there to remove and waiting
    /// applicants to try; false when there is nothing to do.
    private func chooseRuin() -> Bool {
        let applicationCount = problem.applications.count
        // Seed: usually an application that waits for room (that is where score is to be
        // won), otherwise any application that has somewhere to go.
        var seed = -1
        if focusTown == nil {
            let preferWaiting = random.chance(Self.waitingSeedShare)
            for attempt in 0..<16 {
                let candidate = random.below(applicationCount)
                guard !state.isFixed[candidate], !state.isBlocked[candidate],
                      problem.applications[candidate].choiceCount > 0 else { continue }
                if preferWaiting && attempt < 15 && state.placements[candidate].isPlaced { continue }
                seed = candidate
                break
            }
            guard seed >= 0 else { return false }
        }
        if let focusTown {
            let placed = state.placedInTown[focusTown]
            let wanting = problem.applicationsByTown[focusTown]
            let pool = placed.count + wanting.count
            guard pool > 0 else { return false }
            let pick = random.below(pool)
            let candidate = pick < placed.count ? Int(placed[pick]) : Int(wanting[pick - placed.count])
            guard !state.isFixed[candidate], !state.isBlocked[candidate] else { return false }
            seed = candidate
        }
        let info = problem.applications[seed]
        var town: Int
        var center: Int
        if let focusTown {
            town = focusTown
            let placement = state.placements[seed]
            center = placement.isPlaced ? Int(placement.arrival) + Int(info.nights) / 2
                : (Int(info.arrivalLow) + Int(info.arrivalHigh) + Int(info.nights)) / 2
            if placement.isPlaced { addRemoved(seed) } else { addCandidate(seed) }
        } else if state.placements[seed].isPlaced {
            town = state.town(of: state.placements[seed])
            center = Int(state.placements[seed].arrival) + Int(info.nights) / 2
            addRemoved(seed)
        } else {
            let choice = problem.choices[Int(info.choiceStart) + random.below(Int(info.choiceCount))]
            town = Int(choice.town)
            center = (Int(info.arrivalLow) + Int(info.arrivalHigh) + Int(info.nights)) / 2
            addCandidate(seed)
        }
        let ruinSize = 1 + random.below(Self.maximumRuinSize)
        let halfSpan = Int(info.nights) / 2 + random.below(max(1, Int(info.nights) * 2))
        var spanFrom = center - halfSpan, spanTo = center + halfSpan
        if let focusNights {
            spanFrom = focusNights.lowerBound
            spanTo = focusNights.upperBound
        }
        // Placed applications in the town whose stays meet the span, sampled in random order.
        let placed = state.placedInTown[town]
        if !placed.isEmpty {
            let start = random.below(placed.count)
            var looked = 0
            var index = start
            while looked < placed.count && removed.count < ruinSize {
                let application = Int(placed[index])
                let placement = state.placements[application]
                let arrival = Int(placement.arrival)
                if !state.isPinned(application) && arrival < spanTo && arrival + Int(problem.applications[application].nights) > spanFrom {
                    addRemoved(application)
                }
                looked += 1
                index += 1
                if index == placed.count { index = 0 }
            }
        }
        // Occasionally also free a random stretch elsewhere, so that moves between towns happen.
        if focusTown == nil && random.chance(0.3) {
            let otherChoice = problem.choices[Int(info.choiceStart) + random.below(Int(max(1, info.choiceCount)))]
            let other = state.placedInTown[Int(otherChoice.town)]
            if !other.isEmpty {
                for _ in 0..<min(3, other.count) { addRemoved(Int(other[random.below(other.count)])) }
            }
        }
        // Waiting applicants who could use the town around those nights.
        let wanting = problem.applicationsByTown[town]
        if !wanting.isEmpty {
            let samples = min(wanting.count, Self.maximumWaitingCandidates * 2)
            let start = random.below(wanting.count)
            var taken = 0
            for offset in 0..<samples where taken < Self.maximumWaitingCandidates {
                let application = Int(wanting[(start + offset) % wanting.count])
                let candidateInfo = problem.applications[application]
                guard !state.placements[application].isPlaced,
                      Int(candidateInfo.arrivalLow) < spanTo,
                      Int(candidateInfo.arrivalHigh) + Int(candidateInfo.nights) > spanFrom else { continue }
                addCandidate(application)
                taken += 1
            }
        }
        return !removed.isEmpty || !candidates.isEmpty
    }

    /// Frees the nights a waiting applicant could use in every town it names, then in the
    /// towns the freed stays could move to; false when there is nothing to do.
    ///
    /// A ruin in one town reshuffles that town only; the last placement or two that separate
    /// a plan from the optimum often need a chain across towns (A takes B's bed, B moves to
    /// C's town, C to a fourth). Freeing the same window in all of them at once and putting
    /// everyone back by regret finds such chains without enumerating them.
    private func chooseWindowRuin() -> Bool {
        var seed = -1
        for _ in 0..<16 {
            let candidate = random.below(problem.applications.count)
            let info = problem.applications[candidate]
            if !state.placements[candidate].isPlaced && !state.isFixed[candidate] && !state.isBlocked[candidate]
                && info.choiceCount > 0 && info.arrivalLow <= info.arrivalHigh {
                seed = candidate
                break
            }
        }
        guard seed >= 0 else { return false }
        let info = problem.applications[seed]
        let from = Int(info.arrivalLow), to = Int(info.arrivalHigh) + Int(info.nights)
        let ruinSize = Self.minimumWindowRuin + random.below(Self.maximumWindowRuin - Self.minimumWindowRuin + 1)
        let perTown = max(1, ruinSize / 3)
        addCandidate(seed)
        var towns: [Int] = []
        for choiceIndex in Int(info.choiceStart)..<Int(info.choiceStart + info.choiceCount) {
            towns.append(Int(problem.choices[choiceIndex].town))
        }
        shuffle(&towns)
        var visited = Set(towns)
        var next = 0
        while next < towns.count && removed.count < ruinSize {
            let town = towns[next]
            next += 1
            let before = removed.count
            let placed = state.placedInTown[town]
            if !placed.isEmpty {
                let start = random.below(placed.count)
                for offset in 0..<placed.count where removed.count - before < perTown && removed.count < ruinSize {
                    let application = Int(placed[(start + offset) % placed.count])
                    let arrival = Int(state.placements[application].arrival)
                    if arrival < to && arrival + Int(problem.applications[application].nights) > from {
                        addRemoved(application)
                    }
                }
            }
            // The towns the stays just freed could go to come next, so that chains can close.
            for application in removed[before...] {
                let freed = problem.applications[application]
                for choiceIndex in Int(freed.choiceStart)..<Int(freed.choiceStart + freed.choiceCount) {
                    let other = Int(problem.choices[choiceIndex].town)
                    if visited.insert(other).inserted { towns.append(other) }
                }
            }
        }
        // Waiting applicants who could use one of those towns in the window.
        for town in towns.prefix(next) {
            let wanting = problem.applicationsByTown[town]
            guard !wanting.isEmpty else { continue }
            let start = random.below(wanting.count)
            var taken = 0
            for offset in 0..<min(wanting.count, Self.maximumWaitingCandidates) where taken < perTown {
                let application = Int(wanting[(start + offset) % wanting.count])
                let candidateInfo = problem.applications[application]
                guard !state.placements[application].isPlaced, Int(candidateInfo.arrivalLow) < to,
                      Int(candidateInfo.arrivalHigh) + Int(candidateInfo.nights) > from else { continue }
                addCandidate(application)
                taken += 1
            }
        }
        return true
    }

    /// Puts a waiting applicant into one of its options by force, taking out just enough of
    /// the placements that block it; false when nothing was changed.
    ///
    /// This is the move greedy recreate cannot make: the applicant gets a place that others
    /// hold, and they then look for room elsewhere (an ejection chain of depth one).
    private func forceInsertion() -> Bool {
        let applicationCount = problem.applications.count
        var target = -1
        for _ in 0..<16 {
            let candidate = random.below(applicationCount)
            let info = problem.applications[candidate]
            if !state.placements[candidate].isPlaced && !state.isBlocked[candidate]
                && info.choiceCount > 0 && info.arrivalLow <= info.arrivalHigh {
                target = candidate
                break
            }
        }
        guard target >= 0 else { return false }
        let info = problem.applications[target]
        if info.team >= 0 { return forceTeamInsertion(Int(info.team)) }
        let choice = problem.choices[Int(info.choiceStart) + random.below(Int(info.choiceCount))]
        let nights = Int(info.nights)
        // An option drawn at random, its slot (if any) sharing enough days with the stay.
        var slot = -1
        let slotOptions = Int(choice.slotCount) + (choice.allowsNoSlot ? 1 : 0)
        let slotPick = random.below(slotOptions)
        if slotPick < Int(choice.slotCount) { slot = Int(problem.slotPool[Int(choice.slotStart) + slotPick]) }
        var arrival = Int(info.arrivalLow) + random.below(Int(info.arrivalHigh - info.arrivalLow) + 1)
        if slot >= 0 {
            let from = Int(problem.slotFrom[slot]), to = Int(problem.slotTo[slot])
            let minimum = Int(problem.slotMinDays[slot])
            let low = max(Int(info.arrivalLow), from + minimum - nights)
            let high = min(Int(info.arrivalHigh), to - minimum)
            guard low <= high else { return false }
            arrival = low + random.below(high - low + 1)
        }
        let accommodation = Int(problem.accommodationPool[Int(choice.accommodationStart) + random.below(Int(choice.accommodationCount))])
        guard Int(problem.openEnd[accommodation * problem.nightCount + arrival]) >= arrival + nights else { return false }
        let placement = Placement(accommodation: Int32(accommodation), arrival: Int32(arrival), slot: Int32(slot))
        addCandidate(target)
        if !state.fits(target, placement) {
            // Blockers: placed stays in the town that meet these nights, taken out in random
            // order until the applicant fits.
            for blocker in blockers(in: Int(choice.town), accommodation: accommodation, from: arrival, to: arrival + nights)
            where state.placements[blocker].isPlaced {
                addRemoved(blocker)
                removeWithTeam(blocker)
                if state.fits(target, placement) { break }
            }
            guard state.fits(target, placement) else { return true }
        }
        state.place(target, placement)
        return true
    }

    /// Forces a whole waiting team into one town and arrival, displacing stays there until
    /// every member fits; false when nothing was changed.
    private func forceTeamInsertion(_ team: Int) -> Bool {
        let members = problem.teams[team].map(Int.init)
        guard let leader = members.first,
              !members.contains(where: { state.placements[$0].isPlaced || state.isBlocked[$0] }) else { return false }
        let leaderInfo = problem.applications[leader]
        guard let arrivals = problem.commonArrivals(of: members), leaderInfo.choiceCount > 0 else { return false }
        let town = problem.choices[Int(leaderInfo.choiceStart) + random.below(Int(leaderInfo.choiceCount))].town
        guard let memberChoices = problem.choices(of: members, in: town) else { return false }
        let arrival = arrivals.lowerBound + random.below(arrivals.count)
        let nights = Int(leaderInfo.nights)
        addCandidate(leader)
        func placeAll() -> Bool {
            var placed: [Int] = []
            for (position, member) in members.enumerated() {
                guard let candidate = inserter.best(for: member, choiceIndex: memberChoices[position], arrival: arrival, in: state) else {
                    for done in placed.reversed() { state.remove(done) }
                    return false
                }
                state.place(member, candidate.placement)
                placed.append(member)
            }
            return true
        }
        if placeAll() { return true }
        for blocker in blockers(in: Int(town), accommodation: nil, from: arrival, to: arrival + nights)
        where state.placements[blocker].isPlaced {
            addRemoved(blocker)
            removeWithTeam(blocker)
            if placeAll() { return true }
        }
        return true
    }

    /// Movable stays that meet the nights `[from, to)`: those in the accommodation first (they
    /// hold the beds), then a sample of the town's (they hold its nightly cap), each in random
    /// order. Sampling keeps a move cheap in towns with thousands of stays.
    private func blockers(in town: Int, accommodation: Int?, from: Int, to: Int) -> [Int] {
        var result: [Int] = []
        func consider(_ index: Int) {
            let arrival = Int(state.placements[index].arrival)
            if arrival < to && arrival + Int(problem.applications[index].nights) > from && !state.isPinned(index) {
                result.append(index)
            }
        }
        if let accommodation {
            for other in state.placedInAccommodation[accommodation] { consider(Int(other)) }
            shuffle(&result)
        }
        let inBeds = result.count
        let townStays = state.placedInTown[town]
        if townStays.count <= Self.maximumBlockersSampled {
            for other in townStays where accommodation == nil || Int(state.placements[Int(other)].accommodation) != accommodation {
                consider(Int(other))
            }
        } else {
            for _ in 0..<Self.maximumBlockersSampled {
                let other = Int(townStays[random.below(townStays.count)])
                if accommodation == nil || Int(state.placements[other].accommodation) != accommodation { consider(other) }
            }
        }
        var rest = Array(result[inBeds...])
        shuffle(&rest)
        result.replaceSubrange(inBeds..., with: rest)
        return result
    }

    private func addRemoved(_ application: Int) {
        guard mark[application] != markGeneration, !state.isPinned(application) else { return }
        mark[application] = markGeneration
        removed.append(application)
        candidates.append(application)
        let team = Int(problem.applications[application].team)
        if team >= 0 {
            for member in problem.teams[team] where Int(member) != application {
                mark[Int(member)] = markGeneration
            }
        }
    }

    private func addCandidate(_ application: Int) {
        guard mark[application] != markGeneration else { return }
        mark[application] = markGeneration
        candidates.append(application)
        let team = Int(problem.applications[application].team)
        if team >= 0 {
            for member in problem.teams[team] { mark[Int(member)] = markGeneration }
        }
    }

    /// Reinserts candidates in an order that varies between moves: best score first
    /// (with noise), at random, or (small scenarios) by regret.
    private func recreate() {
        if isSmall && random.chance(Self.regretShare) {
            recreateByRegret()
            return
        }
        switch random.below(3) {
        case 0:
            shuffle(&candidates)
        default:
            var keyed: [(key: Double, application: Int)] = []
            keyed.reserveCapacity(candidates.count)
            for application in candidates {
                let noise = 1 + 0.2 * random.unit()
                keyed.append((Double(problem.applications[application].maximumScore) * noise, application))
            }
            keyed.sort { $0.key != $1.key ? $0.key > $1.key : $0.application < $1.application }
            for (index, entry) in keyed.enumerated() { candidates[index] = entry.application }
        }
        // Some moves let placements settle for a little less, so that others fit beside them.
        inserter.noise = random.chance(Self.noisyMoveShare) ? max(1, problem.weights.laborDay * 4) : 0
        for application in candidates where !state.placements[application].isPlaced {
            insertionsTried += 1
            inserter.insert(application, in: state, random: &random)
        }
        inserter.noise = 0
    }

    /// Reinserts candidates by regret: the one that would lose most if its best town were
    /// gone (its best option's score minus its best in any other town) goes first.
    ///
    /// Greedy recreate by score lets an applicant with a good second town take the last bed
    /// of a town another applicant cannot do without; regret places the one with no good
    /// alternative first (Potvin and Rousseau's regret insertion, as in Ropke and Pisinger's
    /// ALNS). An applicant with one possible town has the highest regret of all. After each
    /// placement only the applicants who could use the same town, or who are the same
    /// freelancer, are evaluated again: nothing else they could use has changed. Teams are
    /// placed first, greedily, since they go all at once.
    private func recreateByRegret() {
        var waiting: [Int] = []
        for application in candidates where !state.placements[application].isPlaced {
            if problem.applications[application].team >= 0 {
                insertionsTried += 1
                inserter.insert(application, in: state, random: &random)
            } else if !state.isBlocked[application] {
                waiting.append(application)
            }
        }
        var best = [Candidate?](repeating: nil, count: waiting.count)
        var regret = [Int](repeating: 0, count: waiting.count)
        var stale = [Bool](repeating: true, count: waiting.count)
        while true {
            var pick = -1
            for index in waiting.indices {
                if stale[index] {
                    (best[index], regret[index]) = regretOptions(of: waiting[index])
                    stale[index] = false
                    insertionsTried += 1
                }
                guard let candidate = best[index] else { continue }
                if pick < 0 || regret[index] > regret[pick]
                    || (regret[index] == regret[pick] && candidate.key > (best[pick]?.key ?? Int.min)) {
                    pick = index
                }
            }
            guard pick >= 0, let chosen = best[pick] else { return }
            let application = waiting[pick]
            state.place(application, chosen.placement)
            let town = Int(problem.accommodationTown[Int(chosen.placement.accommodation)])
            let freelancer = problem.applications[application].freelancerResource
            waiting.remove(at: pick)
            best.remove(at: pick)
            regret.remove(at: pick)
            stale.remove(at: pick)
            // Options only shrink as places fill, so one with none stays without.
            for index in waiting.indices where best[index] != nil {
                let other = problem.applications[waiting[index]]
                if (freelancer >= 0 && other.freelancerResource == freelancer)
                    || problem.choice(of: waiting[index], in: Int32(town)) != nil {
                    stale[index] = true
                }
            }
        }
    }

    /// The best option of `application` and its regret: the best option's key minus the best
    /// key in another town, or the best key itself when no other town has room.
    private func regretOptions(of application: Int) -> (Candidate?, Int) {
        let info = problem.applications[application]
        var first: Candidate?
        var runnerUp: Int?
        for choiceIndex in Int(info.choiceStart)..<Int(info.choiceStart + info.choiceCount) {
            guard let candidate = inserter.best(for: application, in: state, random: &random,
                                                choices: choiceIndex..<choiceIndex + 1) else { continue }
            if candidate.beats(first) {
                if let first { runnerUp = max(runnerUp ?? Int.min, first.key) }
                first = candidate
            } else {
                runnerUp = max(runnerUp ?? Int.min, candidate.key)
            }
        }
        guard let first else { return (nil, 0) }
        return (first, runnerUp.map { first.key - $0 } ?? first.key)
    }

    private func shuffle(_ values: inout [Int]) {
        guard values.count > 1 else { return }
        for index in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(index, random.below(index + 1))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
