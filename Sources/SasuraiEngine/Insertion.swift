import SasuraiCore

/// Prices per resource and night, summed in prefix form so that a stay's price is O(1).
///
/// They come from the Lagrangian bound: a night that many applicants compete for is
/// expensive. Among placements of equal score, the search takes the cheapest, which keeps
/// contested nights for those who cannot go elsewhere.
struct ResourcePrices: Sendable {
    let nightCount: Int
    /// `prefix[r * (nightCount + 1) + n]` is the sum of prices of resource r on nights < n.
    let prefix: [Double]
    /// The price of each resource on each night, `r * nightCount + n`.
    let nightlyPrices: [Double]

    init(nightCount: Int, prices: [Double]) {
        self.nightCount = nightCount
        nightlyPrices = prices
        let resources = prices.count / max(1, nightCount)
        var prefix = [Double](repeating: 0, count: resources * (nightCount + 1))
        for resource in 0..<resources {
            var sum = 0.0
            for night in 0..<nightCount {
                sum += prices[resource * nightCount + night]
                prefix[resource * (nightCount + 1) + night + 1] = sum
            }
        }
        self.prefix = prefix
    }

    @inline(__always)
    func price(_ resource: Int, from: Int, to: Int) -> Double {
        guard from < to else { return 0 }
        let row = resource * (nightCount + 1)
        return prefix[row + to] - prefix[row + from]
    }
}

/// A placement found for an application, with its score and tie-breaking price.
struct Candidate {
    var placement: Placement
    var score: Int
    var price: Double
    /// The score plus any random noise the search added; candidates compete on this.
    var key: Int

    init(placement: Placement, score: Int, price: Double, key: Int? = nil) {
        self.placement = placement
        self.score = score
        self.price = price
        self.key = key ?? score
    }

    /// True when this candidate should replace `other` as the best so far.
    @inline(__always)
    func beats(_ other: Candidate?) -> Bool {
        guard let other else { return true }
        if key != other.key { return key > other.key }
        return price < other.price - 1e-9
    }
}

/// Finds the best placement of an application (or a whole team) in the current state.
struct Inserter {
    let problem: CompiledProblem
    var prices: ResourcePrices?
    /// Chance of passing over a candidate that would have been the best: the search's
    /// source of variety (Christiaens and Vanden Berghe's "blinks").
    var blinkRate: Double = 0
    /// Random points added to each candidate's score (0 for none): lets a placement take a
    /// slightly worse option that leaves room for others, which greedy insertion never does
    /// (Ropke and Pisinger's noise).
    var noise = 0
    /// Whether equal candidates are taken in a random rather than a fixed order: the fixed
    /// order always picks the earliest arrival, which a search must be able to undo.
    var randomizesTies = false
    /// Towns still compared on price after a placement with the best possible score is found.
    static let townsComparedAfterCeiling = 2

    init(problem: CompiledProblem, prices: ResourcePrices? = nil) {
        self.problem = problem
        self.prices = prices
    }

    @inline(__always)
    private func stayPrice(_ application: Int, _ placement: Placement, town: Int) -> Double {
        guard let prices else { return 0 }
        let from = Int(placement.arrival)
        let to = from + Int(problem.applications[application].nights)
        var total = prices.price(Int(placement.accommodation), from: from, to: to)
            + prices.price(problem.townResourceBase + town, from: from, to: to)
        if placement.slot >= 0 {
            let slot = Int(placement.slot)
            total += prices.price(problem.slotResourceBase + slot, from: max(from, Int(problem.slotFrom[slot])),
                                  to: min(to, Int(problem.slotTo[slot])))
        }
        return total
    }

    /// The best placement of a single application that fits `state`, or nil; with `choices`,
    /// among those options (indices into `problem.choices`) only.
    func best(for application: Int, in state: SearchState, random: inout SeededRandom,
              choices: Range<Int>? = nil) -> Candidate? {
        let info = problem.applications[application]
        guard info.arrivalLow <= info.arrivalHigh else { return nil }
        let nights = Int(info.nights)
        let occupancy = state.occupancy
        let laborWeight = problem.weights.laborDay
        let ceiling = Int(info.maximumScore)
        var best: Candidate?
        let low = Int(info.arrivalLow), high = Int(info.arrivalHigh)
        var choicesAfterCeiling = 0
        for choiceIndex in choices ?? Int(info.choiceStart)..<Int(info.choiceStart + info.choiceCount) {
            // Once the best possible score is in hand, prices only pick among equals: a few
            // more towns are enough, and any-town applicants may list dozens.
            if let best, best.score == ceiling, noise == 0 {
                if choicesAfterCeiling >= Self.townsComparedAfterCeiling { break }
                choicesAfterCeiling += 1
            }
            let choice = problem.choices[choiceIndex]
            let town = Int(choice.town)
            let townResource = problem.townResourceBase + town
            let base = Int(info.baseScore) + Int(choice.rankBonus)
            let slotStart = Int(choice.slotStart), slotCount = Int(choice.slotCount)
            var longestSlot = 0
            for slotOption in 0..<slotCount {
                let slot = Int(problem.slotPool[slotStart + slotOption])
                longestSlot = max(longestSlot, Int(problem.slotTo[slot] - problem.slotFrom[slot]))
            }
            let choiceCeiling = base + laborWeight * min(nights, longestSlot)
            if let best, choiceCeiling + noise < best.key || (choiceCeiling == best.key && prices == nil && noise == 0) { continue }
            let arrivalCount = high - low + 1
            let arrivalOffset = randomizesTies ? random.below(arrivalCount) : 0
            for step in 0..<arrivalCount {
                var arrival = low + arrivalOffset + step
                if arrival > high { arrival -= arrivalCount }
                let end = arrival + nights
                // Town, freelancer and a free bed do not depend on the slot: checked once.
                guard occupancy.fits(townResource, from: arrival, to: end) else { continue }
                if info.freelancerResource >= 0 && !occupancy.fits(Int(info.freelancerResource), from: arrival, to: end) {
                    continue
                }
                var bedAccommodation = -1
                var bedPrice = Double.infinity
                for poolIndex in Int(choice.accommodationStart)..<Int(choice.accommodationStart + choice.accommodationCount) {
                    let accommodation = Int(problem.accommodationPool[poolIndex])
                    guard Int(problem.openEnd[accommodation * problem.nightCount + arrival]) >= end,
                          occupancy.fits(accommodation, from: arrival, to: end) else { continue }
                    guard let prices else {
                        bedAccommodation = accommodation
                        break
                    }
                    let price = prices.price(accommodation, from: arrival, to: end)
                    if price < bedPrice - 1e-9 {
                        bedPrice = price
                        bedAccommodation = accommodation
                    }
                }
                guard bedAccommodation >= 0 else { continue }
                let stayPrice = prices.map { $0.price(townResource, from: arrival, to: end) + bedPrice } ?? 0
                for slotOption in (choice.allowsNoSlot ? -1 : 0)..<slotCount {
                    var slot = -1
                    var laborDays = 0
                    var price = stayPrice
                    if slotOption >= 0 {
                        slot = Int(problem.slotPool[slotStart + slotOption])
                        let from = Int(problem.slotFrom[slot]), to = Int(problem.slotTo[slot])
                        laborDays = max(0, min(end, to) - max(arrival, from))
                        guard laborDays >= Int(problem.slotMinDays[slot]) else { continue }
                        let score = base + laborWeight * laborDays
                        if let best, score + noise < best.key || (score == best.key && prices == nil && noise == 0) { continue }
                        let laborFrom = max(arrival, from), laborTo = min(end, to)
                        guard occupancy.fits(problem.slotResourceBase + slot, from: laborFrom, to: laborTo) else { continue }
                        if let prices { price += prices.price(problem.slotResourceBase + slot, from: laborFrom, to: laborTo) }
                    }
                    let score = base + laborWeight * laborDays
                    if let best, score + noise < best.key || (score == best.key && prices == nil && noise == 0) { continue }
                    let key = noise > 0 ? score + random.below(noise + 1) : score
                    let candidate = Candidate(placement: Placement(accommodation: Int32(bedAccommodation), arrival: Int32(arrival),
                                                                   slot: Int32(slot)),
                                              score: score, price: price, key: key)
                    if candidate.beats(best) {
                        if blinkRate > 0 && best != nil && random.chance(blinkRate) { continue }
                        best = candidate
                        if prices == nil && noise == 0 && score == ceiling { return best }
                    }
                }
            }
        }
        return best
    }

    /// The best placement of an application in a given town and arrival (for team members).
    func best(for application: Int, choiceIndex: Int, arrival: Int, in state: SearchState) -> Candidate? {
        let info = problem.applications[application]
        let nights = Int(info.nights)
        let end = arrival + nights
        let occupancy = state.occupancy
        let choice = problem.choices[choiceIndex]
        let town = Int(choice.town)
        guard occupancy.fits(problem.townResourceBase + town, from: arrival, to: end) else { return nil }
        if info.freelancerResource >= 0 && !occupancy.fits(Int(info.freelancerResource), from: arrival, to: end) { return nil }
        let base = Int(info.baseScore) + Int(choice.rankBonus)
        var best: Candidate?
        let firstSlotOption = choice.allowsNoSlot ? -1 : 0
        for slotOption in firstSlotOption..<Int(choice.slotCount) {
            let slot = slotOption < 0 ? -1 : Int(problem.slotPool[Int(choice.slotStart) + slotOption])
            var laborDays = 0
            if slot >= 0 {
                let from = Int(problem.slotFrom[slot]), to = Int(problem.slotTo[slot])
                laborDays = max(0, min(end, to) - max(arrival, from))
                if laborDays < Int(problem.slotMinDays[slot]) { continue }
                if !occupancy.fits(problem.slotResourceBase + slot, from: max(arrival, from), to: min(end, to)) { continue }
            }
            let score = base + problem.weights.laborDay * laborDays
            if let best, score < best.score { continue }
            for poolIndex in Int(choice.accommodationStart)..<Int(choice.accommodationStart + choice.accommodationCount) {
                let accommodation = Int(problem.accommodationPool[poolIndex])
                guard Int(problem.openEnd[accommodation * problem.nightCount + arrival]) >= end,
                      occupancy.fits(accommodation, from: arrival, to: end) else { continue }
                let placement = Placement(accommodation: Int32(accommodation), arrival: Int32(arrival), slot: Int32(slot))
                let candidate = Candidate(placement: placement, score: score, price: stayPrice(application, placement, town: town))
                if candidate.beats(best) { best = candidate }
            }
        }
        return best
    }

    /// Places a whole team in its best common town and arrival, or nothing; returns the gain.
    ///
    /// Members are placed one after another for each (town, arrival) tried, so that they
    /// compete for the same beds and seats exactly as they will once placed.
    @discardableResult
    func placeTeam(_ team: Int, in state: SearchState, random: inout SeededRandom) -> Int {
        let members = problem.teams[team].map(Int.init)
        guard let leader = members.first else { return 0 }
        // Members already placed (a booking or a locked placement) fix the town and arrival.
        if let anchor = members.first(where: { state.placements[$0].isPlaced }) {
            return joinPlacedMembers(of: members, anchor: state.placements[anchor], in: state)
        }
        let leaderInfo = problem.applications[leader]
        guard let arrivals = problem.commonArrivals(of: members) else { return 0 }
        let low = arrivals.lowerBound, high = arrivals.upperBound
        var bestScore = Int.min
        var bestPrice = Double.infinity
        var bestPlacements: [Placement] = []
        var trial: [Placement] = []
        for leaderChoice in Int(leaderInfo.choiceStart)..<Int(leaderInfo.choiceStart + leaderInfo.choiceCount) {
            let town = problem.choices[leaderChoice].town
            guard let memberChoices = problem.choices(of: members, in: town) else { continue }
            for arrival in low...high {
                trial.removeAll(keepingCapacity: true)
                var total = 0
                var price = 0.0
                for (position, member) in members.enumerated() {
                    guard let candidate = best(for: member, choiceIndex: memberChoices[position], arrival: arrival, in: state) else { break }
                    state.place(member, candidate.placement)
                    trial.append(candidate.placement)
                    total += candidate.score
                    price += candidate.price
                }
                let complete = trial.count == members.count
                for member in members.prefix(trial.count).reversed() { state.remove(member) }
                guard complete else { continue }
                if total > bestScore || (total == bestScore && price < bestPrice - 1e-9) {
                    if blinkRate > 0 && !bestPlacements.isEmpty && random.chance(blinkRate) { continue }
                    bestScore = total
                    bestPrice = price
                    bestPlacements = trial
                }
            }
        }
        guard bestPlacements.count == members.count else { return 0 }
        for (member, placement) in zip(members, bestPlacements) { state.place(member, placement) }
        return bestScore
    }

    /// Places the unplaced members of a team beside its placed ones, all or none.
    private func joinPlacedMembers(of members: [Int], anchor: Placement, in state: SearchState) -> Int {
        let town = problem.accommodationTown[Int(anchor.accommodation)]
        let arrival = Int(anchor.arrival)
        var added: [Int] = []
        var total = 0
        for member in members where !state.placements[member].isPlaced {
            let info = problem.applications[member]
            guard arrival >= Int(info.arrivalLow), arrival <= Int(info.arrivalHigh),
                  let choiceIndex = problem.choice(of: member, in: town),
                  let candidate = best(for: member, choiceIndex: choiceIndex, arrival: arrival, in: state) else {
                for placed in added.reversed() { state.remove(placed) }
                return 0
            }
            state.place(member, candidate.placement)
            added.append(member)
            total += candidate.score
        }
        return total
    }

    /// Places an application, or its whole team; returns the score gained (0 if nothing fit).
    @discardableResult
    func insert(_ application: Int, in state: SearchState, random: inout SeededRandom) -> Int {
        guard !state.isBlocked[application] else { return 0 }
        let team = Int(problem.applications[application].team)
        if team >= 0 {
            // One blocked member keeps the whole team out (rule 12).
            guard !problem.teams[team].contains(where: { state.isBlocked[Int($0)] }) else { return 0 }
            return placeTeam(team, in: state, random: &random)
        }
        guard let candidate = best(for: application, in: state, random: &random) else { return 0 }
        state.place(application, candidate.placement)
        return candidate.score
    }
}
