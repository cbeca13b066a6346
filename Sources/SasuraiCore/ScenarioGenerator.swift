/// How large, how crowded and how seeded a generated scenario is.
public struct GeneratorOptions: Hashable, Sendable {
    public static let validTowns = 1...10_000
    public static let validApplications = 0...1_000_000
    public static let validNights = 7...ModelLimits.maximumHorizonNights
    public static let validTightness = 0.1...10.0

    /// Host towns, 1...10,000.
    public var towns: Int
    /// Applications, 0...1,000,000.
    public var applications: Int
    /// Length of the horizon in nights, 7...731; every window, slot and booking lies inside it.
    public var nights: Int
    public var seed: UInt64
    /// Share of applications that belong to teams of two or three, 0...1.
    public var teamFraction: Double = 0.10
    /// Demanded nights per offered bed-night: about 1 balanced, above 1 oversubscribed,
    /// below 1 loose; 0.1...10.
    public var tightness: Double = 1.0
    /// The first night of the horizon.
    public var start: Day = Day(year: 2026, month: 4, day: 1)!

    public init(towns: Int, applications: Int, nights: Int, seed: UInt64, teamFraction: Double = 0.10,
                tightness: Double = 1.0, start: Day = Day(year: 2026, month: 4, day: 1)!) {
        self.towns = towns
        self.applications = applications
        self.nights = nights
        self.seed = seed
        self.teamFraction = teamFraction
        self.tightness = tightness
        self.start = start
    }
}

/// Makes realistic, valid scenarios from a seed, for tests, benchmarks and demos.
///
/// The same options give the same scenario on every machine: the generator uses its own
/// xoshiro256** stream and integer or correctly rounded arithmetic only (no `pow`, no `log`,
/// whose last bits differ between C libraries). Every scenario is valid by construction:
/// references resolve, ids are unique, windows hold their nights, teams ask for equal nights,
/// the horizon fits in `nights`, and the bookings respect rules 1, 3, 4 and 7 and, together,
/// every capacity. Lists come out in canonical (id) order.
public enum ScenarioGenerator {
    /// The scenario `options` describe; the same options always give the same scenario.
    public static func generate(_ options: GeneratorOptions) -> Scenario {
        precondition(GeneratorOptions.validTowns.contains(options.towns), "towns must be 1...10,000")
        precondition(GeneratorOptions.validApplications.contains(options.applications),
                     "applications must be 0...1,000,000")
        precondition(GeneratorOptions.validNights.contains(options.nights), "nights must be 7...731")
        precondition((0.0...1.0).contains(options.teamFraction), "teamFraction must be 0...1")
        precondition(GeneratorOptions.validTightness.contains(options.tightness), "tightness must be 0.1...10")
        var builder = ScenarioBuilder(options: options)
        return builder.build()
    }
}

/// Running totals of integer weights, for `SeededRandom.weightedIndex`.
private func runningTotals(_ weights: [UInt64]) -> [UInt64] {
    var total: UInt64 = 0
    return weights.map { weight in
        total += weight
        return total
    }
}

/// Decimal digits of `value` left-padded with zeros to `width`.
private func padded(_ value: Int, width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// Digits needed for ids up to `count`, at least four so that small scenarios read `t-0001`.
private func idWidth(_ count: Int) -> Int {
    max(4, String(max(count, 1)).count)
}

/// The state of one generation run, filled phase by phase.
///
/// Days are handled as offsets from the horizon's first night (0 ..< nights) until records
/// are written, which keeps occupancy arrays simple.
private struct ScenarioBuilder {
    typealias Vocabulary = GeneratorVocabulary

    let options: GeneratorOptions
    let start: Day
    let horizonNights: Int

    var towns: [Town] = []
    var townClimates: [Vocabulary.Climate] = []
    /// Municipality names without 市, 町 or 村, for lodging names such as 南砺ゲストハウス.
    var townStems: [String] = []
    var popularityTotals: [UInt64] = []
    /// Running totals of how likely each horizon day is as a preferred arrival.
    var arrivalTotals: [UInt64] = []

    var slots: [Slot] = []
    var townSlots: [[Int]] = []

    var freelancers: [Freelancer] = []
    var applications: [Application] = []
    var applicationFreelancer: [Int] = []
    /// Applications that must be booked together or not at all: a solo one or a whole team.
    var groups: [Range<Int>] = []
    /// Nights asked of each town, shared out over each application's listed towns.
    var townDemand: [Double] = []
    var demandedNights = 0

    var accommodations: [Accommodation] = []
    var townAccommodations: [[Int]] = []
    var bookings: [Booking] = []

    init(options: GeneratorOptions) {
        self.options = options
        self.start = options.start
        self.horizonNights = options.nights
    }

    mutating func build() -> Scenario {
        makeArrivalWeights()
        makeTowns()
        makeSlots()
        makeApplications()
        makeAccommodations()
        makeBookings()
        return Scenario(weights: .default, towns: towns, accommodations: accommodations, slots: slots,
                        freelancers: freelancers, applications: applications, bookings: bookings)
    }

    func day(_ offset: Int) -> Day { start.adding(offset) }
    func offset(_ day: Day) -> Int { day.days(since: start) }

    // MARK: Calendar

    /// Visitors come most in the summer holidays, Golden Week and the autumn harvest, least in
    /// the rainy season and deep winter.
    mutating func makeArrivalWeights() {
        let monthWeights: [UInt64] = [6, 6, 7, 8, 9, 6, 10, 12, 10, 10, 8, 6]
        arrivalTotals = runningTotals((0..<horizonNights).map { monthWeights[day($0).components.month - 1] })
    }

    // MARK: Towns

    mutating func makeTowns() {
        var random = SeededRandom(seed: options.seed, stream: 1)
        let municipalities = Vocabulary.municipalities
        let districts = Vocabulary.districts
        let width = idWidth(options.towns)
        var order: [Int] = []
        towns.reserveCapacity(options.towns)
        for index in 0..<options.towns {
            let position = index % municipalities.count
            let round = index / municipalities.count
            // Each round walks the vocabulary in a fresh order, so that ten towns still mix regions.
            if position == 0 {
                order = Array(municipalities.indices)
                random.shuffle(&order)
            }
            let municipality = municipalities[order[position]]
            var name = municipality.name
            if round > 0 {
                let district = (round - 1) % districts.count
                name += districts[district] + "地区"
                let repeatNumber = (round - 1) / districts.count
                if repeatNumber > 0 { name += "第\(repeatNumber + 1)" }
            }
            let minimumNights = random.element(of: [3, 3, 3, 4, 5, 5, 6, 7, 7])
            let maximumNights = random.element(of: [14, 21, 28, 28, 30, 30, 45, 60])
            let subsidy = random.chance(0.4) ? 0 : random.integer(in: 1...6) * 500
            // The nightly cap depends on the beds, which wait for the demand: set later.
            towns.append(Town(id: TownID("t-" + padded(index + 1, width: width)), name: name,
                              prefecture: municipality.prefecture, nightlyCap: 0, minNights: minimumNights,
                              maxNights: maximumNights, subsidyPerNight: subsidy))
            townClimates.append(municipality.climate)
            let suffixes: Set<Character> = ["市", "町", "村"]
            townStems.append(suffixes.contains(municipality.name.last!)
                ? String(municipality.name.dropLast()) : municipality.name)
        }
        // Zipf-like popularity (weight 1/rank) on a random ranking: a few towns draw most visitors.
        var ranking = Array(towns.indices)
        random.shuffle(&ranking)
        var weights = [UInt64](repeating: 0, count: towns.count)
        for (rank, town) in ranking.enumerated() {
            weights[town] = (UInt64(1) << 32) / UInt64(rank + 1)
        }
        popularityTotals = runningTotals(weights)
    }

    // MARK: Slots

    mutating func makeSlots() {
        var random = SeededRandom(seed: options.seed, stream: 2)
        let work = Vocabulary.seasonalWork
        let horizon = DayRange(from: start, to: day(horizonNights))
        let firstYear = start.components.year - 1
        let lastYear = horizon.to.components.year
        townSlots = Array(repeating: [], count: towns.count)
        for townIndex in towns.indices {
            var suitable = work.indices.filter { work[$0].suits(townClimates[townIndex]) }
            random.shuffle(&suitable)
            let chosen = suitable.prefix(random.integer(in: 1...4))
            var drafts: [Slot] = []
            for workIndex in chosen {
                let kind = work[workIndex]
                // Each town keeps its own dates every year: its harvest is a little early or late.
                let startShift = random.integer(in: -7...7)
                let endShift = random.integer(in: -7...7)
                let skills = random.element(of: kind.skillChoices)
                let minimumDays = random.integer(in: kind.minimumDays)
                for year in firstYear...lastYear {
                    let season = kind.season.occurrence(startingIn: year)
                    var shifted = DayRange(from: season.from.adding(startShift), to: season.to.adding(endShift))
                    if shifted.count < 7 { shifted = season }
                    let window = shifted.intersection(horizon)
                    guard window.count >= 3 else { continue }
                    drafts.append(Slot(id: "", town: towns[townIndex].id, title: kind.title, skills: skills,
                                       from: window.from, to: window.to, seats: 1,
                                       minDays: min(minimumDays, window.count)))
                }
            }
            let width = String(drafts.count).count
            for (number, draft) in drafts.enumerated() {
                var slot = draft
                slot.id = SlotID(towns[townIndex].id.rawValue + ".s" + padded(number + 1, width: width))
                townSlots[townIndex].append(slots.count)
                slots.append(slot)
            }
        }
    }

    // MARK: Freelancers and applications

    /// The nights visitors usually ask for, with how often (per mille) each is asked. A few
    /// ask for more than any town allows, as real applicants do.
    static let stayLengths: [Int] = [3, 5, 7, 10, 14, 21, 28, 30, 45, 60, 90]
    static let stayLengthTotals = runningTotals([30, 40, 140, 100, 200, 120, 100, 80, 100, 70, 20])
    /// Share of applicants who ask for a stay without checking their town's stay rules.
    static let shareIgnoringStayRules = 0.05
    /// Days of slack applicants allow before and after their preferred dates.
    static let flexibility: [Int] = [0, 0, 2, 3, 7, 7, 14, 14, 21, 30, 45, 60]
    /// How many towns an application lists, 0...5, in per cent.
    static let preferenceCountTotals = runningTotals([15, 20, 20, 25, 10, 10])

    /// Where, when and how long a visitor (or a whole team) wants to stay.
    struct Trip {
        var earliest: Int
        var latest: Int
        var nights: Int
        var towns: [Int]
        /// True when the dates were chosen around a labor slot of the first-choice town.
        var aimsAtSlot = false
    }

    mutating func makeApplications() {
        var random = SeededRandom(seed: options.seed, stream: 3)
        let total = options.applications
        townDemand = Array(repeating: 0, count: towns.count)
        applications.reserveCapacity(total)
        applicationFreelancer.reserveCapacity(total)
        freelancers.reserveCapacity(total)

        var teamApplications = Int((options.teamFraction * Double(total)).rounded())
        if teamApplications == 1 { teamApplications = total >= 2 ? 2 : 0 }
        var teamSizes: [Int] = []
        var unassigned = teamApplications
        while unassigned > 0 {
            // Never leave a single member behind: 4 splits as 2 + 2, 5 as 2 + 3 or 3 + 2.
            let size = unassigned <= 3 ? unassigned : (unassigned == 4 ? 2 : (random.chance(0.6) ? 2 : 3))
            teamSizes.append(size)
            unassigned -= size
        }

        let applicationWidth = idWidth(total)
        let teamWidth = idWidth(teamSizes.count)
        var remainingTeamApplications = teamApplications
        var remainingSolo = total - teamApplications
        var teamNumber = 0
        // Interleaved at random, so that teams are spread over the id range.
        while remainingTeamApplications + remainingSolo > 0 {
            if random.below(remainingTeamApplications + remainingSolo) < remainingTeamApplications {
                let size = teamSizes[teamNumber]
                teamNumber += 1
                let team = TeamID("team-" + padded(teamNumber, width: teamWidth))
                let trip = drawTrip(from: 0, to: horizonNights, &random)
                let first = applications.count
                for _ in 0..<size {
                    let freelancer = makeFreelancer(&random, width: applicationWidth)
                    addApplication(trip, freelancer: freelancer, team: team, width: applicationWidth, &random)
                }
                groups.append(first..<applications.count)
                remainingTeamApplications -= size
            } else if remainingSolo >= 2 && random.chance(0.12) {
                // A returning visitor: two stays at different times, usually in separate halves
                // of the horizon, sometimes with overlapping windows the allocator must keep apart.
                let freelancer = makeFreelancer(&random, width: applicationWidth)
                let trips: [Trip]
                if random.chance(0.7) {
                    let split = random.integer(in: 2...(horizonNights - 2))
                    trips = [drawTrip(from: 0, to: split, &random), drawTrip(from: split, to: horizonNights, &random)]
                } else {
                    trips = [drawTrip(from: 0, to: horizonNights, &random),
                             drawTrip(from: 0, to: horizonNights, &random)]
                }
                for trip in trips {
                    groups.append(applications.count..<applications.count + 1)
                    addApplication(trip, freelancer: freelancer, team: nil, width: applicationWidth, &random)
                }
                remainingSolo -= 2
            } else {
                let freelancer = makeFreelancer(&random, width: applicationWidth)
                groups.append(applications.count..<applications.count + 1)
                addApplication(drawTrip(from: 0, to: horizonNights, &random), freelancer: freelancer, team: nil,
                               width: applicationWidth, &random)
                remainingSolo -= 1
            }
        }
    }

    mutating func makeFreelancer(_ random: inout SeededRandom, width: Int) -> Int {
        let name = random.element(of: Vocabulary.familyNames) + " " + random.element(of: Vocabulary.givenNames)
        var skills: [String] = []
        let remote = Vocabulary.remoteSkills
        let first = random.below(remote.count)
        skills.append(remote[first])
        if random.chance(0.4) {
            let second = random.below(remote.count)
            if second != first { skills.append(remote[second]) }
        }
        for (skill, percent) in Vocabulary.practicalSkills where random.below(100) < percent {
            skills.append(skill)
        }
        skills.sort()
        let roll = random.below(10)
        let relocation: Relocation = roll < 6 ? .none : (roll < 9 ? .considering : .planning)
        let index = freelancers.count
        freelancers.append(Freelancer(id: FreelancerID("f-" + padded(index + 1, width: width)), name: name,
                                      skills: skills, relocation: relocation))
        return index
    }

    /// A trip inside the day offsets `[lower, upper)`, which must span at least two days.
    func drawTrip(from lower: Int, to upper: Int, _ random: inout SeededRandom) -> Trip {
        let span = upper - lower
        var drawnNights = Self.stayLengths[random.weightedIndex(cumulative: Self.stayLengthTotals,
                                                                in: 0...(Self.stayLengths.count - 1))]
        let preferences = drawTownPreferences(&random)
        // Applicants read the program they apply to: most ask for a stay their first-choice
        // town allows (any-town applicants, one most towns allow). A few do not.
        if !random.chance(Self.shareIgnoringStayRules) {
            if let favourite = preferences.first {
                drawnNights = min(max(drawnNights, towns[favourite].minNights), towns[favourite].maxNights)
            } else {
                drawnNights = min(max(drawnNights, 7), 28)
            }
        }
        let nights = min(drawnNights, span)
        let latestArrival = upper - nights
        var arrival: Int?
        // Many come for a particular harvest or festival of their favourite town.
        if let favourite = preferences.first, !townSlots[favourite].isEmpty, random.chance(0.5) {
            let slot = slots[random.element(of: townSlots[favourite])]
            let low = max(lower, offset(slot.from) - nights / 2)
            let high = min(latestArrival, offset(slot.to) - nights / 2 - 1)
            if low <= high { arrival = random.integer(in: low...high) }
        }
        let preferred = arrival ?? random.weightedIndex(cumulative: arrivalTotals, in: lower...latestArrival)
        let earliest = max(lower, preferred - random.element(of: Self.flexibility))
        let latest = min(upper, preferred + nights + random.element(of: Self.flexibility))
        return Trip(earliest: earliest, latest: latest, nights: nights, towns: preferences, aimsAtSlot: arrival != nil)
    }

    /// Up to five distinct towns, popular ones far more often.
    func drawTownPreferences(_ random: inout SeededRandom) -> [Int] {
        let count = min(towns.count, random.weightedIndex(cumulative: Self.preferenceCountTotals, in: 0...5))
        var chosen: [Int] = []
        chosen.reserveCapacity(count)
        let allTowns = 0...(towns.count - 1)
        while chosen.count < count {
            var town = random.weightedIndex(cumulative: popularityTotals, in: allTowns)
            var attempts = 0
            while chosen.contains(town) {
                attempts += 1
                // With very few towns the popular ones repeat endlessly; take the next free one.
                town = attempts < 8 ? random.weightedIndex(cumulative: popularityTotals, in: allTowns)
                    : (town + 1) % towns.count
            }
            chosen.append(town)
        }
        return chosen
    }

    mutating func addApplication(_ trip: Trip, freelancer: Int, team: TeamID?, width: Int,
                                 _ random: inout SeededRandom) {
        var kinds: [AccommodationKind] = []
        if random.chance(0.25) {
            var all = AccommodationKind.allCases
            random.shuffle(&all)
            kinds = Array(all.prefix(random.integer(in: 1...3))).sorted()
        }
        let budgetBand = random.below(100)
        let budgetSteps: ClosedRange<Int> = budgetBand < 10 ? 2...6 : (budgetBand < 50 ? 6...10
            : (budgetBand < 85 ? 10...16 : 16...20))
        let budget = random.integer(in: budgetSteps) * 500
        // Those who come for a harvest or festival mostly insist on working in it; others
        // rarely make work a condition.
        let laborRoll = random.below(20)
        let labor: LaborPreference = trip.aimsAtSlot
            ? (laborRoll < 8 ? .required : (laborRoll < 17 ? .preferred : .none))
            : (laborRoll < 1 ? .required : (laborRoll < 12 ? .preferred : .none))
        let index = applications.count
        applications.append(Application(
            id: ApplicationID("a-" + padded(index + 1, width: width)),
            freelancer: freelancers[freelancer].id, earliest: day(trip.earliest), latest: day(trip.latest),
            nights: trip.nights, towns: trip.towns.map { towns[$0].id }, kinds: kinds, budgetPerNight: budget,
            labor: labor, team: team))
        applicationFreelancer.append(freelancer)
        demandedNights += trip.nights
        // Demand weighs first choices most (1, 1/2, 1/3 ...); "any town" spreads evenly later.
        if !trip.towns.isEmpty {
            let shares = Self.rankShares[trip.towns.count]
            for (rank, town) in trip.towns.enumerated() {
                townDemand[town] += Double(trip.nights) * shares[rank]
            }
        }
    }

    static let rankShares: [[Double]] = (0...ModelLimits.maximumTownPreferences).map { count in
        let weights = (0..<count).map { 1.0 / Double($0 + 1) }
        let sum = weights.reduce(0, +)
        return weights.map { $0 / sum }
    }

    // MARK: Accommodations

    static let kinds: [AccommodationKind] = [.vacantHouse, .sharedHouse, .guesthouse, .homestay, .coworkingStay]
    static let kindTotals = runningTotals([24, 20, 18, 22, 16])

    /// Beds and a price range (yen per night) that fit each kind.
    static func profile(_ kind: AccommodationKind) -> (beds: ClosedRange<Int>, price: ClosedRange<Int>) {
        switch kind {
        case .vacantHouse: return (2...5, 1000...3000)
        case .sharedHouse: return (4...12, 1500...4000)
        case .guesthouse: return (6...20, 2500...6000)
        case .homestay: return (1...3, 2000...5000)
        case .coworkingStay: return (4...16, 3000...9000)
        }
    }

    /// Beds a town may hold in total, so that its nightly cap stays within ModelLimits.
    static let maximumTownBeds = ModelLimits.nightlyCap.upperBound - 100

    mutating func makeAccommodations() {
        var random = SeededRandom(seed: options.seed, stream: 4)
        let horizon = DayRange(from: start, to: day(horizonNights))
        let firstYear = start.components.year - 1
        let lastYear = horizon.to.components.year
        let townCount = Double(towns.count)
        let totalDemand = Double(demandedNights)
        let listedDemand = townDemand.reduce(0, +)
        let anyTownDemand = (totalDemand - listedDemand) / townCount
        let offeredBedNights = totalDemand / options.tightness
        townAccommodations = Array(repeating: [], count: towns.count)

        // Lodgings come in whole beds, and every town gets at least one; carrying each town's
        // surplus or shortfall to the next keeps the scenario's total near the asked tightness.
        var carried = 0.0
        for townIndex in towns.indices {
            // Half the supply follows demand, half is spread evenly: popular towns stay
            // oversubscribed and remote ones have room, as in real life.
            let demandShare = totalDemand > 0 ? (townDemand[townIndex] + anyTownDemand) / totalDemand : 1 / townCount
            let target = offeredBedNights * (0.5 / townCount + 0.5 * demandShare) + carried
            // Most towns can fill every bed; some cap visitors lower (hosts, volunteers, the
            // town office's own limits), and then the cap binds before the beds do.
            let capShare = random.chance(0.35) ? 0.6 + 0.3 * random.unit() : 1.0
            let climate = townClimates[townIndex]
            let townID = towns[townIndex].id
            let stem = townStems[townIndex]
            var drafts: [Accommodation] = []
            var offered = 0.0
            var beds = 0
            repeat {
                var kind = Self.kinds[random.weightedIndex(cumulative: Self.kindTotals, in: 0...4)]
                // A town that needs only a bed or two more offers a homestay or a small house,
                // not another twenty-bed guesthouse.
                let roughNeed = (target - offered) / (Double(horizonNights) * capShare)
                if roughNeed < Double(Self.profile(kind).beds.lowerBound) {
                    kind = roughNeed <= 1.5 || random.chance(0.5) ? .homestay : .vacantHouse
                }
                let profile = Self.profile(kind)
                var bedCount = random.integer(in: profile.beds)
                let price = random.integer(in: (profile.price.lowerBound / 100)...(profile.price.upperBound / 100)) * 100
                var open: [DayRange]? = nil
                var openNights = horizonNights
                if random.chance(0.3) {
                    let seasons = Vocabulary.openSeasons.filter { climate.isSuperset(of: $0.requires) && $0.kinds.contains(kind) }
                    if !seasons.isEmpty {
                        let season = random.element(of: seasons).season
                        let ranges = (firstYear...lastYear).map { season.occurrence(startingIn: $0) }
                            .filter { !$0.intersection(horizon).isEmpty }
                        let nightsInside = ranges.reduce(0) { $0 + $1.intersection(horizon).count }
                        // A lodging closed for the whole horizon would only be noise.
                        if nightsInside > 0 {
                            open = ranges
                            openNights = nightsInside
                        }
                    }
                }
                let bedNights = Double(openNights) * capShare
                let needed = Int(((target - offered) / bedNights).rounded(.up))
                if needed < bedCount { bedCount = max(profile.beds.lowerBound, needed) }
                drafts.append(Accommodation(id: "", town: townID, name: lodgingName(kind, stem: stem, &random),
                                            kind: kind, beds: bedCount, pricePerNight: price, open: open))
                offered += Double(bedCount) * bedNights
                beds += bedCount
            } while offered < target && beds < Self.maximumTownBeds
            carried = target - offered

            let width = String(drafts.count).count
            for (number, draft) in drafts.enumerated() {
                var accommodation = draft
                accommodation.id = AccommodationID(townID.rawValue + ".h" + padded(number + 1, width: width))
                townAccommodations[townIndex].append(accommodations.count)
                accommodations.append(accommodation)
            }
            towns[townIndex].nightlyCap = capShare < 1 ? max(1, Int(Double(beds) * capShare)) : beds
            // Labor seats grow with the town, so tightness scales them along with the beds.
            for slotIndex in townSlots[townIndex] {
                let seats = Int((Double(beds) * (0.1 + 0.2 * random.unit())).rounded())
                slots[slotIndex].seats = min(ModelLimits.seats.upperBound, max(1, seats))
            }
        }
    }

    func lodgingName(_ kind: AccommodationKind, stem: String, _ random: inout SeededRandom) -> String {
        let word = random.element(of: Vocabulary.lodgingWords)
        switch kind {
        case .vacantHouse:
            return random.chance(0.5) ? "お試し移住住宅「\(word)」" : "古民家\(word)"
        case .sharedHouse:
            return "シェアハウス\(word)"
        case .guesthouse:
            return random.chance(0.5) ? "ゲストハウス\(word)" : "\(stem)ゲストハウス"
        case .homestay:
            return "農家民泊 \(random.element(of: Vocabulary.familyNames))家"
        case .coworkingStay:
            return random.chance(0.5) ? "\(stem)ワーケーションベース" : "コワーキングステイ\(word)"
        }
    }

    // MARK: Bookings

    /// Share of applications (solo or whole teams) a host has already booked directly.
    static let bookingRate = 0.02

    /// Night-by-night use of beds, town caps and seats, kept only for what bookings touch.
    struct Occupancy {
        var beds: [Int: [Int32]] = [:]
        var towns: [Int: [Int32]] = [:]
        var seats: [Int: [Int32]] = [:]
        var freelancerStays: [Int: [Range<Int>]] = [:]

        static func fits(_ table: [Int: [Int32]], _ key: Int, _ nights: Range<Int>, adding count: Int,
                         limit: Int) -> Bool {
            guard let use = table[key] else { return count <= limit }
            for night in nights where Int(use[night]) + count > limit { return false }
            return true
        }

        static func add(_ table: inout [Int: [Int32]], _ key: Int, _ nights: Range<Int>, _ count: Int32,
                        horizon: Int) {
            var use = table.removeValue(forKey: key) ?? [Int32](repeating: 0, count: horizon)
            for night in nights { use[night] += count }
            table[key] = use
        }
    }

    /// One member's place in a booking under construction.
    struct Placement {
        var application: Int
        var accommodation: Int
        var slot: Int?
        var laborDays: Range<Int>
    }

    mutating func makeBookings() {
        var random = SeededRandom(seed: options.seed, stream: 5)
        var occupancy = Occupancy()
        var townIndex: [TownID: Int] = [:]
        for (index, town) in towns.enumerated() { townIndex[town.id] = index }
        for group in groups where random.chance(Self.bookingRate) {
            book(group, townIndex: townIndex, &occupancy, &random)
        }
    }

    mutating func book(_ group: Range<Int>, townIndex: [TownID: Int], _ occupancy: inout Occupancy,
                       _ random: inout SeededRandom) {
        let leader = applications[group.lowerBound]
        let nights = leader.nights
        let earliestArrival = offset(leader.earliest)
        let latestArrival = offset(leader.latest) - nights
        var candidates = leader.towns.prefix(3).map { townIndex[$0]! }
        // Hosts sometimes book a visitor into a town the visitor did not list (rule 6 does not
        // bind bookings), and visitors open to any town are booked wherever a host asked.
        if candidates.isEmpty || random.chance(0.1) {
            candidates.insert(random.below(towns.count), at: 0)
        }
        for town in candidates {
            guard towns[town].minNights <= nights, nights <= towns[town].maxNights else { continue }
            for _ in 0..<3 {
                let arrival = random.integer(in: earliestArrival...latestArrival)
                let stay = arrival..<(arrival + nights)
                if tryBook(group, town: town, stay: stay, &occupancy, &random) { return }
            }
        }
    }

    /// Books every member of `group` in `town` for `stay`, or nobody; true when booked.
    mutating func tryBook(_ group: Range<Int>, town: Int, stay: Range<Int>, _ occupancy: inout Occupancy,
                          _ random: inout SeededRandom) -> Bool {
        for member in group {
            let stays = occupancy.freelancerStays[applicationFreelancer[member]] ?? []
            if stays.contains(where: { $0.overlaps(stay) }) { return false }
        }
        guard Occupancy.fits(occupancy.towns, town, stay, adding: group.count, limit: towns[town].nightlyCap)
        else { return false }
        var placements: [Placement] = []
        for member in group {
            guard let placement = place(member, town: town, stay: stay, occupancy, &random) else {
                for placed in placements { release(placed, stay: stay, &occupancy) }
                return false
            }
            // Held at once, so that the next team member sees this bed and seat as taken.
            Occupancy.add(&occupancy.beds, placement.accommodation, stay, 1, horizon: horizonNights)
            if let slot = placement.slot {
                Occupancy.add(&occupancy.seats, slot, placement.laborDays, 1, horizon: horizonNights)
            }
            placements.append(placement)
        }
        Occupancy.add(&occupancy.towns, town, stay, Int32(group.count), horizon: horizonNights)
        for placement in placements {
            occupancy.freelancerStays[applicationFreelancer[placement.application], default: []].append(stay)
            bookings.append(Booking(application: applications[placement.application].id, town: towns[town].id,
                                    accommodation: accommodations[placement.accommodation].id,
                                    arrival: day(stay.lowerBound),
                                    slot: placement.slot.map { slots[$0].id }))
        }
        return true
    }

    mutating func release(_ placement: Placement, stay: Range<Int>, _ occupancy: inout Occupancy) {
        Occupancy.add(&occupancy.beds, placement.accommodation, stay, -1, horizon: horizonNights)
        if let slot = placement.slot {
            Occupancy.add(&occupancy.seats, slot, placement.laborDays, -1, horizon: horizonNights)
        }
    }

    /// A bed (and a seat when the visitor wants work) for one member, valid under rules 1, 3,
    /// 4 and 7; the visitor's kinds and budget are honoured when any lodging allows it.
    func place(_ member: Int, town: Int, stay: Range<Int>, _ occupancy: Occupancy,
               _ random: inout SeededRandom) -> Placement? {
        let application = applications[member]
        let stayDays = DayRange(from: day(stay.lowerBound), to: day(stay.upperBound))
        let subsidy = towns[town].subsidyPerNight
        let candidates = townAccommodations[town]
        // Large towns have thousands of lodgings; a host tries a few, not all.
        let tries = min(candidates.count, 48)
        let first = random.below(candidates.count)
        var chosen: Int?
        var fallback: Int?
        for step in 0..<tries {
            let index = candidates[(first + step) % candidates.count]
            let accommodation = accommodations[index]
            guard accommodation.isOpen(for: stayDays),
                  Occupancy.fits(occupancy.beds, index, stay, adding: 1, limit: accommodation.beds) else { continue }
            let wanted = (application.kinds.isEmpty || application.kinds.contains(accommodation.kind))
                && max(0, accommodation.pricePerNight - subsidy) <= application.budgetPerNight
            if wanted {
                chosen = index
                break
            }
            if fallback == nil { fallback = index }
        }
        guard let accommodation = chosen ?? fallback else { return nil }

        var slotChoice: Int?
        var laborDays = 0..<0
        if application.labor != .none {
            let freelancer = freelancers[applicationFreelancer[member]]
            let townSlotList = townSlots[town]
            for slot in townSlotList {
                let window = offset(slots[slot].from)..<offset(slots[slot].to)
                let shared = stay.clamped(to: window)
                guard shared.count >= slots[slot].minDays, freelancer.hasSkills(slots[slot].skills),
                      Occupancy.fits(occupancy.seats, slot, shared, adding: 1, limit: slots[slot].seats)
                else { continue }
                slotChoice = slot
                laborDays = shared
                break
            }
            // Rule 8 does not bind bookings, but a host would not book required work without any.
            if application.labor == .required && slotChoice == nil { return nil }
        }
        return Placement(application: member, accommodation: accommodation, slot: slotChoice, laborDays: laborDays)
    }
}
