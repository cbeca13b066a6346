/// A host municipality that invites visitors.
public struct Town: Hashable, Sendable {
    public var id: TownID
    public var name: String
    public var prefecture: String
    /// Visitors the town can host on one night, all its accommodations together.
    public var nightlyCap: Int
    public var minNights: Int
    public var maxNights: Int
    /// Yen the town pays toward each night's lodging.
    public var subsidyPerNight: Int

    public init(id: TownID, name: String, prefecture: String, nightlyCap: Int,
                minNights: Int = 1, maxNights: Int = 90, subsidyPerNight: Int = 0) {
        self.id = id
        self.name = name
        self.prefecture = prefecture
        self.nightlyCap = nightlyCap
        self.minNights = minNights
        self.maxNights = maxNights
        self.subsidyPerNight = subsidyPerNight
    }
}

/// The kinds of lodging a town offers, in MODEL.md's order.
public enum AccommodationKind: String, Hashable, Sendable, CaseIterable, Comparable {
    case sharedHouse = "shared_house"
    case guesthouse
    case vacantHouse = "vacant_house"
    case homestay
    case coworkingStay = "coworking_stay"

    public static func < (lhs: AccommodationKind, rhs: AccommodationKind) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// A place to sleep in a town: a shared house, guesthouse, empty house and so on.
public struct Accommodation: Hashable, Sendable {
    public var id: AccommodationID
    public var town: TownID
    public var name: String
    public var kind: AccommodationKind
    public var beds: Int
    public var pricePerNight: Int
    /// Ranges when it takes guests; nil means always open.
    public var open: [DayRange]?

    public init(id: AccommodationID, town: TownID, name: String, kind: AccommodationKind,
                beds: Int, pricePerNight: Int, open: [DayRange]? = nil) {
        self.id = id
        self.town = town
        self.name = name
        self.kind = kind
        self.beds = beds
        self.pricePerNight = pricePerNight
        self.open = open
    }

    /// True when every night of `stay` lies inside one open range (rule 4).
    public func isOpen(for stay: DayRange) -> Bool {
        guard let open else { return true }
        return open.contains { $0.contains(stay) }
    }
}

/// A seasonal labor need of a town: harvest, festival, snow clearing, an inn's busy weeks.
public struct Slot: Hashable, Sendable {
    public var id: SlotID
    public var town: TownID
    public var title: String
    /// Skills every worker must have; sorted, no repeats.
    public var skills: [String]
    public var from: Day
    public var to: Day
    /// Workers needed per day.
    public var seats: Int
    /// Fewest days a worker must share with the window.
    public var minDays: Int

    public init(id: SlotID, town: TownID, title: String, skills: [String] = [], from: Day, to: Day,
                seats: Int, minDays: Int = 1) {
        self.id = id
        self.town = town
        self.title = title
        self.skills = skills
        self.from = from
        self.to = to
        self.seats = seats
        self.minDays = minDays
    }

    /// The days `[from, to)` when the town needs hands.
    public var window: DayRange { DayRange(from: from, to: to) }
}

/// How seriously a freelancer thinks about moving to a town for good.
public enum Relocation: String, Hashable, Sendable, CaseIterable {
    case none, considering, planning
}

/// A visiting freelancer.
public struct Freelancer: Hashable, Sendable {
    public var id: FreelancerID
    public var name: String
    /// Lower-case skill words; sorted, no repeats.
    public var skills: [String]
    public var relocation: Relocation

    public init(id: FreelancerID, name: String, skills: [String] = [], relocation: Relocation = .none) {
        self.id = id
        self.name = name
        self.skills = skills
        self.relocation = relocation
    }

    /// True when the freelancer has every skill in `required` (both sorted).
    public func hasSkills(_ required: [String]) -> Bool {
        required.allSatisfy { skills.contains($0) }
    }
}

/// Whether a stay must, may or must not include seasonal work.
public enum LaborPreference: String, Hashable, Sendable, CaseIterable {
    case required, preferred, none
}

/// One request of a freelancer to stay somewhere for a number of nights within a window.
public struct Application: Hashable, Sendable {
    public var id: ApplicationID
    public var freelancer: FreelancerID
    public var earliest: Day
    public var latest: Day
    public var nights: Int
    /// Ranked preferences, at most five; empty means any town.
    public var towns: [TownID]
    /// Acceptable accommodation kinds; empty means any.
    public var kinds: [AccommodationKind]
    public var budgetPerNight: Int
    public var labor: LaborPreference
    public var team: TeamID?

    public init(id: ApplicationID, freelancer: FreelancerID, earliest: Day, latest: Day, nights: Int,
                towns: [TownID] = [], kinds: [AccommodationKind] = [], budgetPerNight: Int,
                labor: LaborPreference = .preferred, team: TeamID? = nil) {
        self.id = id
        self.freelancer = freelancer
        self.earliest = earliest
        self.latest = latest
        self.nights = nights
        self.towns = towns
        self.kinds = kinds
        self.budgetPerNight = budgetPerNight
        self.labor = labor
        self.team = team
    }

    /// The arrival days rule 2 allows: earliest ... latest - nights (empty when none fit).
    public var arrivalWindow: DayRange {
        DayRange(from: earliest, to: latest.adding(-nights + 1))
    }
}

/// A placement a host made directly; allocation runs keep it as it is.
public struct Booking: Hashable, Sendable {
    public var application: ApplicationID
    public var town: TownID
    public var accommodation: AccommodationID
    public var arrival: Day
    public var slot: SlotID?

    public init(application: ApplicationID, town: TownID, accommodation: AccommodationID,
                arrival: Day, slot: SlotID? = nil) {
        self.application = application
        self.town = town
        self.accommodation = accommodation
        self.arrival = arrival
        self.slot = slot
    }
}

/// Everything an allocation run needs: who asks, what towns offer, what is already fixed.
public struct Scenario: Hashable, Sendable {
    public var weights: Weights
    public var towns: [Town]
    public var accommodations: [Accommodation]
    public var slots: [Slot]
    public var freelancers: [Freelancer]
    public var applications: [Application]
    public var bookings: [Booking]

    public init(weights: Weights = .default, towns: [Town] = [], accommodations: [Accommodation] = [],
                slots: [Slot] = [], freelancers: [Freelancer] = [], applications: [Application] = [],
                bookings: [Booking] = []) {
        self.weights = weights
        self.towns = towns
        self.accommodations = accommodations
        self.slots = slots
        self.freelancers = freelancers
        self.applications = applications
        self.bookings = bookings
    }

    /// The same scenario with every list sorted the way canonical files store them.
    public func sortedCanonically() -> Scenario {
        var copy = self
        copy.towns.sort { $0.id < $1.id }
        copy.accommodations.sort { $0.id < $1.id }
        copy.slots.sort { $0.id < $1.id }
        copy.freelancers.sort { $0.id < $1.id }
        copy.applications.sort { $0.id < $1.id }
        copy.bookings.sort { $0.application < $1.application }
        return copy
    }

    /// The nights the scenario talks about: from the first date any application, slot or
    /// booking names to the last. Accommodation open ranges do not widen it: they only say
    /// when a house takes guests, and may reach far beyond any request.
    public var horizon: DayRange? {
        var first: Day?
        var last: Day?
        func include(_ start: Day, _ end: Day) {
            first = first.map { min($0, start) } ?? start
            last = last.map { max($0, end) } ?? end
        }
        for application in applications { include(application.earliest, application.latest) }
        for slot in slots { include(slot.from, slot.to) }
        for booking in bookings { include(booking.arrival, booking.arrival) }
        guard let first, let last else { return nil }
        return DayRange(from: first, to: last)
    }
}
