import SasuraiCore

/// An independent, exhaustive solver for tiny scenarios: the oracle the engine is checked by.
///
/// It enumerates every option MODEL.md allows straight from the scenario (none of the
/// engine's code is used) and searches all combinations with branch and bound.
struct BruteForce {
    let scenario: Scenario
    let options: [[Assignment]]

    init(_ scenario: Scenario) {
        self.scenario = scenario
        options = scenario.applications.map { BruteForce.options(for: $0, in: scenario) }
    }

    /// Every placement of `application` that passes rules 1-8 alone.
    static func options(for application: Application, in scenario: Scenario) -> [Assignment] {
        guard let freelancer = scenario.freelancers.first(where: { $0.id == application.freelancer }) else { return [] }
        var result: [Assignment] = []
        for town in scenario.towns {
            guard application.towns.isEmpty || application.towns.contains(town.id) else { continue }
            guard town.minNights <= application.nights, application.nights <= town.maxNights else { continue }
            for accommodation in scenario.accommodations where accommodation.town == town.id {
                guard application.kinds.isEmpty || application.kinds.contains(accommodation.kind) else { continue }
                guard max(0, accommodation.pricePerNight - town.subsidyPerNight) <= application.budgetPerNight else { continue }
                var arrival = application.earliest
                while arrival.adding(application.nights) <= application.latest {
                    let stay = DayRange(arrival: arrival, nights: application.nights)
                    let open = accommodation.open.map { ranges in
                        (0..<stay.count).allSatisfy { offset in ranges.contains { $0.contains(stay.from.adding(offset)) } }
                    } ?? true
                    if open {
                        if application.labor != .required {
                            result.append(Assignment(application: application.id, town: town.id, accommodation: accommodation.id,
                                                     arrival: arrival, nights: application.nights))
                        }
                        if application.labor != .none {
                            for slot in scenario.slots where slot.town == town.id && freelancer.hasSkills(slot.skills) {
                                let shared = stay.intersection(slot.window).count
                                if shared >= slot.minDays {
                                    result.append(Assignment(application: application.id, town: town.id,
                                                             accommodation: accommodation.id, arrival: arrival,
                                                             nights: application.nights, slot: slot.id, laborDays: shared))
                                }
                            }
                        }
                    }
                    arrival = arrival.adding(1)
                }
            }
        }
        return result
    }

    func score(_ assignment: Assignment) -> Int {
        let application = scenario.applications.first { $0.id == assignment.application }!
        let freelancer = scenario.freelancers.first { $0.id == application.freelancer }!
        return scenario.weights.score(application: application, freelancer: freelancer, town: assignment.town,
                                      laborDays: assignment.laborDays)
    }

    /// The best score of any valid plan.
    func optimum() -> Int {
        var counts: [String: Int] = [:]
        var chosen: [Assignment?] = Array(repeating: nil, count: scenario.applications.count)
        let bestScores = options.map { $0.map(score).max() ?? 0 }
        var suffix = [Int](repeating: 0, count: bestScores.count + 1)
        for index in stride(from: bestScores.count - 1, through: 0, by: -1) { suffix[index] = suffix[index + 1] + bestScores[index] }
        var best = 0
        let capacity: (String) -> Int = { key in
            let parts = key.split(separator: "|")
            switch parts[0] {
            case "h": return scenario.accommodations.first { $0.id.rawValue == parts[1] }!.beds
            case "t": return scenario.towns.first { $0.id.rawValue == parts[1] }!.nightlyCap
            case "s": return scenario.slots.first { $0.id.rawValue == parts[1] }!.seats
            default: return 1
            }
        }
        func keys(_ assignment: Assignment) -> [String] {
            var result: [String] = []
            let freelancer = scenario.applications.first { $0.id == assignment.application }!.freelancer
            for offset in 0..<assignment.nights {
                let night = assignment.arrival.adding(offset)
                result.append("h|\(assignment.accommodation)|\(night.iso)")
                result.append("t|\(assignment.town)|\(night.iso)")
                result.append("f|\(freelancer)|\(night.iso)")
                if let slotID = assignment.slot, let slot = scenario.slots.first(where: { $0.id == slotID }), slot.window.contains(night) {
                    result.append("s|\(slotID)|\(night.iso)")
                }
            }
            return result
        }
        // Bookings are fixed.
        var fixedScore = 0
        var fixed = Set<Int>()
        for booking in scenario.bookings {
            let index = scenario.applications.firstIndex { $0.id == booking.application }!
            let application = scenario.applications[index]
            var laborDays = 0
            if let slotID = booking.slot, let slot = scenario.slots.first(where: { $0.id == slotID }) {
                laborDays = DayRange(arrival: booking.arrival, nights: application.nights).intersection(slot.window).count
            }
            let assignment = Assignment(application: booking.application, town: booking.town, accommodation: booking.accommodation,
                                        arrival: booking.arrival, nights: application.nights, slot: booking.slot, laborDays: laborDays)
            for key in keys(assignment) { counts[key, default: 0] += 1 }
            chosen[index] = assignment
            fixed.insert(index)
            fixedScore += score(assignment)
        }
        func teamConsistent(_ index: Int, _ assignment: Assignment?) -> Bool {
            guard let team = scenario.applications[index].team else { return true }
            for (other, application) in scenario.applications.enumerated() where other < index && application.team == team {
                let previous = chosen[other]
                if (previous == nil) != (assignment == nil) { return false }
                if let previous, let assignment, previous.town != assignment.town || previous.arrival != assignment.arrival { return false }
            }
            return true
        }
        func search(_ index: Int, _ total: Int) {
            if index == scenario.applications.count {
                best = max(best, total)
                return
            }
            if fixed.contains(index) {
                search(index + 1, total)
                return
            }
            if total + suffix[index] <= best { return }
            for assignment in options[index] {
                guard teamConsistent(index, assignment) else { continue }
                let used = keys(assignment)
                if used.contains(where: { counts[$0, default: 0] + 1 > capacity($0) }) { continue }
                for key in used { counts[key, default: 0] += 1 }
                chosen[index] = assignment
                search(index + 1, total + score(assignment))
                chosen[index] = nil
                for key in used { counts[key, default: 0] -= 1 }
            }
            if teamConsistent(index, nil) { search(index + 1, total) }
        }
        search(0, fixedScore)
        return best
    }
}

/// Tiny random scenarios: two or three towns, a fortnight, a handful of applicants.
enum TinyScenarios {
    static func make(seed: UInt64, applications count: Int) -> Scenario {
        var random = SeededRandom(seed: seed, stream: 99)
        let start = Day(iso: "2026-10-01")!
        let skills = ["farming", "driving", "cooking"]
        let townCount = 2 + random.below(2)
        var scenario = Scenario()
        scenario.weights = Weights()
        for index in 0..<townCount {
            scenario.towns.append(Town(id: TownID("t\(index)"), name: "町\(index)", prefecture: "県", nightlyCap: 1 + random.below(3),
                                       minNights: 1 + random.below(2), maxNights: 4 + random.below(4),
                                       subsidyPerNight: random.below(2) * 1000))
            for house in 0..<(1 + random.below(2)) {
                let kind = AccommodationKind.allCases[random.below(AccommodationKind.allCases.count)]
                var open: [DayRange]? = nil
                if random.chance(0.3) { open = [DayRange(from: start.adding(random.below(4)), to: start.adding(8 + random.below(6)))] }
                scenario.accommodations.append(Accommodation(id: AccommodationID("t\(index)-h\(house)"), town: TownID("t\(index)"),
                                                             name: "宿", kind: kind, beds: 1 + random.below(2),
                                                             pricePerNight: 1000 * random.below(5), open: open))
            }
            if random.chance(0.7) {
                let from = start.adding(random.below(6))
                scenario.slots.append(Slot(id: SlotID("t\(index)-s"), town: TownID("t\(index)"), title: "収穫",
                                           skills: random.chance(0.5) ? [skills[random.below(3)]] : [],
                                           from: from, to: from.adding(3 + random.below(6)), seats: 1 + random.below(2),
                                           minDays: 1 + random.below(3)))
            }
        }
        var teamCount = 0
        var index = 0
        while index < count {
            let freelancer = FreelancerID("f\(index)")
            let mySkills = skills.filter { _ in random.chance(0.5) }
            scenario.freelancers.append(Freelancer(id: freelancer, name: "人\(index)", skills: mySkills,
                                                   relocation: Relocation.allCases[random.below(3)]))
            let nights = 2 + random.below(4)
            let earliest = start.adding(random.below(5))
            let latest = earliest.adding(nights + random.below(5))
            var towns = scenario.towns.map(\.id).filter { _ in random.chance(0.6) }
            if random.chance(0.5) { towns.reverse() }
            let labor = LaborPreference.allCases[random.below(3)]
            var team: TeamID? = nil
            let makeTeam = index + 1 < count && random.chance(0.2)
            if makeTeam {
                team = TeamID("team\(teamCount)")
                teamCount += 1
            }
            let application = Application(id: ApplicationID("a\(index)"), freelancer: freelancer, earliest: earliest, latest: latest,
                                          nights: nights, towns: towns, kinds: [], budgetPerNight: 1000 * random.below(5),
                                          labor: labor, team: team)
            scenario.applications.append(application)
            index += 1
            if makeTeam {
                let partner = FreelancerID("f\(index)")
                scenario.freelancers.append(Freelancer(id: partner, name: "人\(index)", skills: mySkills))
                var second = application
                second.id = ApplicationID("a\(index)")
                second.freelancer = partner
                second.labor = .preferred
                scenario.applications.append(second)
                index += 1
            }
        }
        // A second application of the first freelancer, so that rule 11 has something to bind.
        if count >= 3 {
            var again = scenario.applications[0]
            again.id = ApplicationID("a\(index)")
            again.team = nil
            scenario.applications.append(again)
        }
        return scenario
    }
}
