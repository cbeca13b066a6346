import SasuraiCore

/// A scenario turned into flat integer arrays the search can walk without hashing.
///
/// Nights are indices from `origin`; every capacity (beds, a town's nightly cap, a slot's
/// seats, and a freelancer's single self for people with several applications) is one
/// "resource" with a capacity per night. A placement uses its accommodation, its town and
/// possibly its freelancer on every night of the stay, and its slot on the labor days.
final class CompiledProblem: @unchecked Sendable {
    // Immutable after init; shared read-only by all workers, hence @unchecked Sendable.
    let scenario: Scenario
    let weights: Weights
    let origin: Day
    let nightCount: Int
    /// 64-night words per resource bitset.
    let wordCount: Int

    let townCount: Int
    let accommodationCount: Int
    let slotCount: Int
    let resourceCount: Int
    let resourceCapacity: [Int32]
    let townResourceBase: Int
    let slotResourceBase: Int
    let freelancerResourceBase: Int

    let accommodationTown: [Int32]
    /// For accommodation h and night n, `openEnd[h * nightCount + n]` is the first night at or
    /// after n on which h is closed: a stay [d, d+k) is open iff `openEnd[h][d] >= d + k`.
    let openEnd: [Int32]
    let slotTown: [Int32]
    let slotFrom: [Int32]
    let slotTo: [Int32]
    let slotMinDays: [Int32]

    let applications: [ApplicationInfo]
    let choices: [TownChoice]
    let accommodationPool: [Int32]
    let slotPool: [Int32]
    /// Members of each team, in application order.
    let teams: [[Int32]]
    /// Placements that must stay as they are (bookings, locked placements), by application.
    let fixedPlacements: [Int32: Placement]
    /// For each town, the applications that may be placed there.
    let applicationsByTown: [[Int32]]
    /// Each application's listed towns, in rank order, as town indices.
    let preferencePool: [Int32]

    let townIndex: [TownID: Int]
    let accommodationIndex: [AccommodationID: Int]
    let slotIndex: [SlotID: Int]
    let applicationIndex: [ApplicationID: Int]
    let freelancerIndex: [FreelancerID: Int]

    /// Any-town applications consider at most this many towns, chosen by spare capacity:
    /// with a thousand towns, listing them all would cost gigabytes and gain nothing, since
    /// such an applicant scores the same in every town.
    static let maximumTownsForAnyTownApplication = 64

    init(scenario: Scenario, locked: [Assignment] = []) {
        self.scenario = scenario
        let weights = scenario.weights
        self.weights = weights
        let townCount = scenario.towns.count
        let nightCountLocal: Int
        var townIndex: [TownID: Int] = [:]
        for (index, town) in scenario.towns.enumerated() { townIndex[town.id] = index }
        var accommodationIndex: [AccommodationID: Int] = [:]
        for (index, accommodation) in scenario.accommodations.enumerated() { accommodationIndex[accommodation.id] = index }
        var slotIndex: [SlotID: Int] = [:]
        for (index, slot) in scenario.slots.enumerated() { slotIndex[slot.id] = index }
        var applicationIndex: [ApplicationID: Int] = [:]
        for (index, application) in scenario.applications.enumerated() { applicationIndex[application.id] = index }
        var freelancerIndex: [FreelancerID: Int] = [:]
        for (index, freelancer) in scenario.freelancers.enumerated() { freelancerIndex[freelancer.id] = index }
        self.freelancerIndex = freelancerIndex
        self.townIndex = townIndex
        self.accommodationIndex = accommodationIndex
        self.slotIndex = slotIndex
        self.applicationIndex = applicationIndex

        // The horizon also covers fixed stays, which may run past their application's window.
        var first = scenario.horizon?.from ?? Day(daysSinceEpoch: 0)
        var last = scenario.horizon?.to ?? first
        var fixedAssignments: [Assignment] = []
        for booking in scenario.bookings {
            guard let application = applicationIndex[booking.application] else { continue }
            let nights = scenario.applications[application].nights
            fixedAssignments.append(Assignment(application: booking.application, town: booking.town,
                                               accommodation: booking.accommodation, arrival: booking.arrival,
                                               nights: nights, slot: booking.slot))
        }
        fixedAssignments += locked
        for assignment in fixedAssignments {
            first = min(first, assignment.arrival)
            last = max(last, assignment.arrival.adding(assignment.nights))
        }
        origin = first
        nightCountLocal = max(1, last.days(since: first))
        let nightCount = nightCountLocal
        self.nightCount = nightCount
        wordCount = (nightCount + 63) / 64
        self.townCount = townCount
        accommodationCount = scenario.accommodations.count
        slotCount = scenario.slots.count

        // Only freelancers with two or more applications need a resource of their own.
        var applicationsPerFreelancer = [Int](repeating: 0, count: scenario.freelancers.count)
        for application in scenario.applications {
            if let index = freelancerIndex[application.freelancer] { applicationsPerFreelancer[index] += 1 }
        }
        var freelancerResource = [Int](repeating: -1, count: scenario.freelancers.count)
        townResourceBase = accommodationCount
        slotResourceBase = townResourceBase + townCount
        freelancerResourceBase = slotResourceBase + slotCount
        var capacities = scenario.accommodations.map { Int32($0.beds) } + scenario.towns.map { Int32($0.nightlyCap) }
            + scenario.slots.map { Int32($0.seats) }
        for (index, count) in applicationsPerFreelancer.enumerated() where count > 1 {
            freelancerResource[index] = capacities.count
            capacities.append(1)
        }
        resourceCapacity = capacities
        resourceCount = capacities.count

        accommodationTown = scenario.accommodations.map { Int32(townIndex[$0.town] ?? 0) }
        var openEnd = [Int32](repeating: 0, count: accommodationCount * nightCount)
        for (index, accommodation) in scenario.accommodations.enumerated() {
            var open = [Bool](repeating: accommodation.open == nil, count: nightCount)
            for range in accommodation.open ?? [] {
                let start = max(0, range.from.days(since: first))
                let end = min(nightCount, range.to.days(since: first))
                if start < end { for night in start..<end { open[night] = true } }
            }
            var end = Int32(nightCount)
            for night in stride(from: nightCount - 1, through: 0, by: -1) {
                if !open[night] { end = Int32(night) }
                openEnd[index * nightCount + night] = open[night] ? end : Int32(night)
            }
        }
        self.openEnd = openEnd
        slotTown = scenario.slots.map { Int32(townIndex[$0.town] ?? 0) }
        slotFrom = scenario.slots.map { Int32($0.from.days(since: first)) }
        slotTo = scenario.slots.map { Int32($0.to.days(since: first)) }
        slotMinDays = scenario.slots.map { Int32($0.minDays) }

        // Towns ranked by spare beds per demanded night, for any-town applicants.
        var accommodationsByTown = [[Int32]](repeating: [], count: townCount)
        for (index, town) in accommodationTown.enumerated() { accommodationsByTown[Int(town)].append(Int32(index)) }
        var slotsByTown = [[Int32]](repeating: [], count: townCount)
        for (index, town) in slotTown.enumerated() { slotsByTown[Int(town)].append(Int32(index)) }
        var townDemand = [Double](repeating: 0, count: townCount)
        for application in scenario.applications {
            for town in application.towns {
                if let index = townIndex[town] { townDemand[index] += Double(application.nights) / Double(application.towns.count) }
            }
        }
        let townsBySpareCapacity: [Int] = (0..<townCount).sorted { left, right in
            func spare(_ town: Int) -> Double {
                let beds = accommodationsByTown[town].reduce(0) { $0 + Int(capacities[Int($1)]) }
                let supply = Double(min(beds, scenario.towns[town].nightlyCap) * nightCount)
                return supply / (townDemand[town] + 1)
            }
            let (a, b) = (spare(left), spare(right))
            return a != b ? a > b : left < right
        }

        var applications: [ApplicationInfo] = []
        applications.reserveCapacity(scenario.applications.count)
        var choices: [TownChoice] = []
        var accommodationPool: [Int32] = []
        var slotPool: [Int32] = []
        var applicationsByTown = [[Int32]](repeating: [], count: townCount)
        var preferencePool: [Int32] = []
        var teamIndex: [TeamID: Int] = [:]
        var teams: [[Int32]] = []
        let freelancers = scenario.freelancers
        for (index, application) in scenario.applications.enumerated() {
            let freelancer = freelancerIndex[application.freelancer].map { freelancers[$0] }
                ?? Freelancer(id: application.freelancer, name: "")
            let nights = application.nights
            let low = application.earliest.days(since: first)
            let high = application.latest.days(since: first) - nights
            var team: Int32 = -1
            if let teamID = application.team {
                if let existing = teamIndex[teamID] {
                    team = Int32(existing)
                    teams[existing].append(Int32(index))
                } else {
                    team = Int32(teams.count)
                    teamIndex[teamID] = teams.count
                    teams.append([Int32(index)])
                }
            }
            let base = weights.place + weights.relocationBonus(freelancer.relocation)
            let preferenceStart = preferencePool.count
            preferencePool += application.towns.map { Int32(townIndex[$0] ?? -1) }
            let choiceStart = choices.count
            var candidateTowns: [(Int, Int)] = []  // (town, rank bonus)
            if application.towns.isEmpty {
                candidateTowns = townsBySpareCapacity.map { ($0, weights.rankAny) }
            } else {
                for town in application.towns {
                    if let townNumber = townIndex[town] {
                        candidateTowns.append((townNumber, weights.rankBonus(towns: application.towns, placedIn: town)))
                    }
                }
            }
            var maximumScore = 0
            var acceptedTowns = 0
            for (town, rankBonus) in candidateTowns {
                if application.towns.isEmpty && acceptedTowns >= Self.maximumTownsForAnyTownApplication { break }
                let townRecord = scenario.towns[town]
                guard townRecord.minNights <= nights, nights <= townRecord.maxNights, low <= high else { continue }
                let accommodationStart = accommodationPool.count
                for accommodation in accommodationsByTown[town] {
                    let record = scenario.accommodations[Int(accommodation)]
                    guard application.kinds.isEmpty || application.kinds.contains(record.kind) else { continue }
                    guard max(0, record.pricePerNight - townRecord.subsidyPerNight) <= application.budgetPerNight else { continue }
                    var opensInWindow = false
                    let row = Int(accommodation) * nightCount
                    for arrival in max(0, low)...max(0, min(high, nightCount - 1)) where Int(openEnd[row + arrival]) >= arrival + nights {
                        opensInWindow = true
                        break
                    }
                    if opensInWindow { accommodationPool.append(accommodation) }
                }
                let accommodationCount = accommodationPool.count - accommodationStart
                guard accommodationCount > 0 else { continue }
                let slotStart = slotPool.count
                var bestLaborDays = 0
                if application.labor != .none {
                    for slot in slotsByTown[town] {
                        let record = scenario.slots[Int(slot)]
                        guard freelancer.hasSkills(record.skills) else { continue }
                        let from = Int(slotFrom[Int(slot)]), to = Int(slotTo[Int(slot)])
                        // The most days any arrival in the window can share with the slot.
                        let bestStart = min(max(low, from), high)
                        let bestStartLate = max(min(high, to - nights), low)
                        let shared = max(Self.overlap(bestStart, nights, from, to), Self.overlap(bestStartLate, nights, from, to))
                        guard shared >= record.minDays else { continue }
                        slotPool.append(slot)
                        bestLaborDays = max(bestLaborDays, shared)
                    }
                }
                let slotCount = slotPool.count - slotStart
                if application.labor == .required && slotCount == 0 {
                    accommodationPool.removeLast(accommodationCount)
                    continue
                }
                choices.append(TownChoice(town: Int32(town), rankBonus: Int32(rankBonus),
                                          accommodationStart: Int32(accommodationStart),
                                          accommodationCount: Int32(accommodationCount),
                                          slotStart: Int32(slotStart), slotCount: Int32(slotCount),
                                          allowsNoSlot: application.labor != .required))
                applicationsByTown[town].append(Int32(index))
                acceptedTowns += 1
                maximumScore = max(maximumScore, base + rankBonus + weights.laborDay * bestLaborDays)
            }
            applications.append(ApplicationInfo(
                freelancerResource: Int32(freelancerIndex[application.freelancer].map { freelancerResource[$0] } ?? -1),
                nights: Int32(nights), arrivalLow: Int32(low), arrivalHigh: Int32(high), baseScore: Int32(base),
                team: team, choiceStart: Int32(choiceStart), choiceCount: Int32(choices.count - choiceStart),
                maximumScore: Int32(maximumScore), preferenceStart: Int32(preferenceStart),
                preferenceCount: Int32(application.towns.count)))
        }
        self.applications = applications
        self.choices = choices
        self.accommodationPool = accommodationPool
        self.slotPool = slotPool
        self.teams = teams
        self.applicationsByTown = applicationsByTown
        self.preferencePool = preferencePool

        var fixed: [Int32: Placement] = [:]
        for assignment in fixedAssignments {
            guard let application = applicationIndex[assignment.application],
                  let accommodation = accommodationIndex[assignment.accommodation] else { continue }
            let slot = assignment.slot.flatMap { slotIndex[$0] } ?? -1
            fixed[Int32(application)] = Placement(accommodation: Int32(accommodation),
                                                  arrival: Int32(assignment.arrival.days(since: first)),
                                                  slot: Int32(slot))
        }
        fixedPlacements = fixed
    }

    @inline(__always)
    static func overlap(_ arrival: Int, _ nights: Int, _ from: Int, _ to: Int) -> Int {
        max(0, min(arrival + nights, to) - max(arrival, from))
    }

    /// Days a placement shares with its slot's window.
    @inline(__always)
    func laborDays(application: Int, placement: Placement) -> Int {
        guard placement.slot >= 0 else { return 0 }
        let slot = Int(placement.slot)
        return Self.overlap(Int(placement.arrival), Int(applications[application].nights), Int(slotFrom[slot]), Int(slotTo[slot]))
    }

    /// The rank bonus of placing an application in a town (0 for an unlisted town).
    @inline(__always)
    func rankBonus(application: Int, town: Int) -> Int {
        let info = applications[application]
        if info.preferenceCount == 0 { return weights.rankAny }
        let start = Int(info.preferenceStart)
        for position in 0..<Int(info.preferenceCount) where preferencePool[start + position] == Int32(town) {
            return position < weights.rank.count ? weights.rank[position] : 0
        }
        return 0
    }

    /// The score MODEL.md gives a placement.
    @inline(__always)
    func score(application: Int, placement: Placement) -> Int {
        Int(applications[application].baseScore)
            + rankBonus(application: application, town: Int(accommodationTown[Int(placement.accommodation)]))
            + weights.laborDay * laborDays(application: application, placement: placement)
    }

    /// The plan-file form of a placement.
    func assignment(application: Int, placement: Placement) -> Assignment {
        let accommodation = Int(placement.accommodation)
        return Assignment(application: scenario.applications[application].id,
                          town: scenario.towns[Int(accommodationTown[accommodation])].id,
                          accommodation: scenario.accommodations[accommodation].id,
                          arrival: origin.adding(Int(placement.arrival)),
                          nights: Int(applications[application].nights),
                          slot: placement.slot >= 0 ? scenario.slots[Int(placement.slot)].id : nil,
                          laborDays: laborDays(application: application, placement: placement))
    }
}

/// What the search needs to know of one application.
struct ApplicationInfo: Sendable {
    /// The freelancer's own resource, or -1 when this is their only application.
    var freelancerResource: Int32
    var nights: Int32
    /// First and last allowed arrival night (inclusive); no arrival when low > high.
    var arrivalLow: Int32
    var arrivalHigh: Int32
    /// `place` plus the relocation bonus: the part of the score every placement earns.
    var baseScore: Int32
    var team: Int32
    var choiceStart: Int32
    var choiceCount: Int32
    /// The best score any placement could earn, capacity aside.
    var maximumScore: Int32
    var preferenceStart: Int32
    var preferenceCount: Int32
}

/// One town an application may go to, with what it may use there.
struct TownChoice: Sendable {
    var town: Int32
    var rankBonus: Int32
    var accommodationStart: Int32
    var accommodationCount: Int32
    var slotStart: Int32
    var slotCount: Int32
    var allowsNoSlot: Bool
}

/// Where one application stays: accommodation, arrival night, slot (-1 for none).
struct Placement: Hashable, Sendable {
    var accommodation: Int32
    var arrival: Int32
    var slot: Int32

    static let none = Placement(accommodation: -1, arrival: 0, slot: -1)
    var isPlaced: Bool { accommodation >= 0 }
}

extension CompiledProblem {
    /// The option of `application` in `town` (an index into `choices`), if it names the town.
    func choice(of application: Int, in town: Int32) -> Int? {
        let info = applications[application]
        return (Int(info.choiceStart)..<Int(info.choiceStart + info.choiceCount)).first { choices[$0].town == town }
    }

    /// Each member's option in `town`, in the order given; nil when one of them does not name it.
    func choices(of members: [Int], in town: Int32) -> [Int]? {
        var found: [Int] = []
        found.reserveCapacity(members.count)
        for member in members {
            guard let choice = choice(of: member, in: town) else { return nil }
            found.append(choice)
        }
        return found
    }

    /// The arrivals open to every member of a team (rule 12: one arrival for all), or nil.
    func commonArrivals(of members: [Int]) -> ClosedRange<Int>? {
        var low = Int.min, high = Int.max
        for member in members {
            low = max(low, Int(applications[member].arrivalLow))
            high = min(high, Int(applications[member].arrivalHigh))
        }
        return members.isEmpty || low > high ? nil : low...high
    }
}
