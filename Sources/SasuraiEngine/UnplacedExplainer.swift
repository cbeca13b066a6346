import SasuraiCore

/// Says why an application is not in the plan, in words its applicant or a planner can act on.
///
/// Either a filter removed every option before capacity mattered (the towns' stay rules,
/// lodging kinds, budget, open seasons, skills or labor), named with the values involved;
/// or options existed and every one was blocked by a full resource, named with its nights.
struct UnplacedExplainer {
    let problem: CompiledProblem
    let occupancy: Occupancy

    /// Most towns one reason details; more would not fit on a line anyone reads.
    static let maximumTownsInReason = 3

    /// Explains against the occupancy of the plan as it stands, so that a booking the
    /// re-planner has cancelled no longer counts as holding its beds.
    init(problem: CompiledProblem, occupancy: Occupancy) {
        self.problem = problem
        self.occupancy = occupancy
    }

    func reason(for application: Int) -> String {
        let info = problem.applications[application]
        if info.choiceCount == 0 { return filterReason(application) }
        if info.team >= 0 {
            let teamID = problem.scenario.applications[application].team!.rawValue
            let blocked = capacityReason(application)
            return "team \"\(teamID)\" could not be placed together in one town with one arrival; " + blocked
        }
        return capacityReason(application)
    }

    private func townList(_ towns: [Int]) -> String {
        let names = towns.prefix(Self.maximumTownsInReason).map { problem.scenario.towns[$0].id.rawValue }
        let more = towns.count > Self.maximumTownsInReason ? " and \(towns.count - Self.maximumTownsInReason) more" : ""
        return names.joined(separator: ", ") + more
    }

    /// The first filter, in the order a person would check them, that leaves nothing.
    private func filterReason(_ application: Int) -> String {
        let scenario = problem.scenario
        let record = scenario.applications[application]
        let freelancer = problem.freelancerIndex[record.freelancer].map { scenario.freelancers[$0] }
            ?? Freelancer(id: record.freelancer, name: "")
        var towns: [Int] = record.towns.isEmpty ? Array(0..<problem.townCount) : record.towns.compactMap { problem.townIndex[$0] }
        if towns.isEmpty { return "no town to stay in" }
        let stayRules = towns.filter { scenario.towns[$0].minNights <= record.nights && record.nights <= scenario.towns[$0].maxNights }
        if stayRules.isEmpty {
            let rules = towns.prefix(Self.maximumTownsInReason).map {
                "\(scenario.towns[$0].id) \(scenario.towns[$0].minNights)-\(scenario.towns[$0].maxNights)"
            }
            return "a stay of \(record.nights) nights is outside the stay rules of \(rules.joined(separator: ", ")) nights"
        }
        towns = stayRules
        let townSet = Set(towns)
        let accommodations = scenario.accommodations.indices.filter { townSet.contains(Int(problem.accommodationTown[$0])) }
        if accommodations.isEmpty { return "no accommodation in \(townList(towns))" }
        let kinds = accommodations.filter { record.kinds.isEmpty || record.kinds.contains(scenario.accommodations[$0].kind) }
        if kinds.isEmpty {
            return "no accommodation of kind \(record.kinds.map(\.rawValue).joined(separator: ", ")) in \(townList(towns))"
        }
        let netPrice = { (index: Int) -> Int in
            let accommodation = scenario.accommodations[index]
            return max(0, accommodation.pricePerNight - scenario.towns[Int(self.problem.accommodationTown[index])].subsidyPerNight)
        }
        let affordable = kinds.filter { netPrice($0) <= record.budgetPerNight }
        if affordable.isEmpty {
            let cheapest = kinds.map(netPrice).min() ?? 0
            return "no accommodation within budget \(record.budgetPerNight) in \(townList(towns)) "
                + "(cheapest after subsidy: \(cheapest))"
        }
        let low = Int(problem.applications[application].arrivalLow), high = Int(problem.applications[application].arrivalHigh)
        let open = affordable.filter { accommodation in
            low <= high && (low...high).contains { Int(problem.openEnd[accommodation * problem.nightCount + $0]) >= $0 + record.nights }
        }
        if open.isEmpty {
            return "no affordable accommodation in \(townList(towns)) is open for \(record.nights) nights "
                + "between \(record.earliest.iso) and \(record.latest.iso)"
        }
        let openTowns = towns.filter { town in open.contains { Int(problem.accommodationTown[$0]) == town } }
        if record.labor == .required {
            let slots = scenario.slots.indices.filter { openTowns.contains(Int(problem.slotTown[$0])) }
            if slots.isEmpty { return "labor is required but \(townList(openTowns)) list no labor slots" }
            let skilled = slots.filter { freelancer.hasSkills(scenario.slots[$0].skills) }
            if skilled.isEmpty {
                let needed = Set(slots.flatMap { scenario.slots[$0].skills }).subtracting(freelancer.skills).sorted()
                return "labor is required but every slot in \(townList(openTowns)) needs skills the freelancer lacks "
                    + "(\(needed.joined(separator: ", ")))"
            }
            return "labor is required but no slot in \(townList(openTowns)) shares its minimum days with a stay "
                + "between \(record.earliest.iso) and \(record.latest.iso)"
        }
        if record.team != nil { return "team members have no town and arrival window in common" }
        return "no option passes the rules"
    }

    /// Names, per town, the full resources that block every option of the application.
    private func capacityReason(_ application: Int) -> String {
        let info = problem.applications[application]
        let nights = Int(info.nights)
        let spanFrom = Int(info.arrivalLow), spanTo = Int(info.arrivalHigh) + nights
        var parts: [String] = []
        let choiceRange = Int(info.choiceStart)..<Int(info.choiceStart + info.choiceCount)
        for choiceIndex in choiceRange.prefix(Self.maximumTownsInReason) {
            let choice = problem.choices[choiceIndex]
            let town = Int(choice.town)
            var facts: [String] = []
            let townNights = fullNights(problem.townResourceBase + town, spanFrom, spanTo)
            if !townNights.isEmpty {
                facts.append("town cap \(problem.resourceCapacity[problem.townResourceBase + town]) reached \(townNights)")
            }
            var bedFacts: [String] = []
            for poolIndex in Int(choice.accommodationStart)..<Int(choice.accommodationStart + choice.accommodationCount) {
                let accommodation = Int(problem.accommodationPool[poolIndex])
                let full = fullNights(accommodation, spanFrom, spanTo)
                if !full.isEmpty { bedFacts.append("\(problem.scenario.accommodations[accommodation].id) \(full)") }
            }
            if !bedFacts.isEmpty { facts.append("beds full: " + bedFacts.prefix(3).joined(separator: ", ")) }
            if !choice.allowsNoSlot {
                var seatFacts: [String] = []
                for slotOption in 0..<Int(choice.slotCount) {
                    let slot = Int(problem.slotPool[Int(choice.slotStart) + slotOption])
                    let full = fullNights(problem.slotResourceBase + slot, spanFrom, spanTo)
                    if !full.isEmpty { seatFacts.append("\(problem.scenario.slots[slot].id) \(full)") }
                }
                if !seatFacts.isEmpty { facts.append("seats full: " + seatFacts.prefix(3).joined(separator: ", ")) }
            }
            if info.freelancerResource >= 0 {
                let own = fullNights(Int(info.freelancerResource), spanFrom, spanTo)
                if !own.isEmpty { facts.append("the freelancer's other stay \(own)") }
            }
            parts.append("\(problem.scenario.towns[town].id): " + (facts.isEmpty ? "no combination fits" : facts.joined(separator: "; ")))
        }
        let more = choiceRange.count > Self.maximumTownsInReason ? " (and \(choiceRange.count - Self.maximumTownsInReason) more towns)" : ""
        return "no room between \(problem.scenario.applications[application].earliest.iso) and "
            + "\(problem.scenario.applications[application].latest.iso): " + parts.joined(separator: " | ") + more
    }

    /// The nights in `[from, to)` on which a resource is full, as compact date ranges.
    private func fullNights(_ resource: Int, _ from: Int, _ to: Int) -> String {
        var ranges: [(Int, Int)] = []
        var night = max(0, from)
        let end = min(to, problem.nightCount)
        while night < end {
            if occupancy.count(resource, night) >= problem.resourceCapacity[resource] {
                let start = night
                while night < end && occupancy.count(resource, night) >= problem.resourceCapacity[resource] { night += 1 }
                ranges.append((start, night))
            } else {
                night += 1
            }
        }
        let shown = ranges.prefix(3).map { range -> String in
            let first = problem.origin.adding(range.0).iso
            return range.1 - range.0 == 1 ? first : "\(first) to \(problem.origin.adding(range.1 - 1).iso)"
        }
        return shown.joined(separator: ", ") + (ranges.count > 3 ? " and \(ranges.count - 3) more" : "")
    }
}
