/// One placed application: where and when a visitor stays, and in which slot they work.
public struct Assignment: Hashable, Sendable {
    public var application: ApplicationID
    public var town: TownID
    public var accommodation: AccommodationID
    public var arrival: Day
    public var nights: Int
    public var slot: SlotID?
    /// Days the stay shares with the slot's window; 0 without a slot.
    public var laborDays: Int

    public init(application: ApplicationID, town: TownID, accommodation: AccommodationID, arrival: Day,
                nights: Int, slot: SlotID? = nil, laborDays: Int = 0) {
        self.application = application
        self.town = town
        self.accommodation = accommodation
        self.arrival = arrival
        self.nights = nights
        self.slot = slot
        self.laborDays = laborDays
    }

    /// The nights of the stay.
    public var stay: DayRange { DayRange(arrival: arrival, nights: nights) }
}

/// An application the plan could not place, and why, in words a person can act on.
public struct UnplacedApplication: Hashable, Sendable {
    public var application: ApplicationID
    public var reason: String

    public init(application: ApplicationID, reason: String) {
        self.application = application
        self.reason = reason
    }
}

/// The result of an allocation: every application appears once, placed or not.
public struct Plan: Hashable, Sendable {
    public var score: Int
    public var assignments: [Assignment]
    public var unplaced: [UnplacedApplication]

    public init(score: Int = 0, assignments: [Assignment] = [], unplaced: [UnplacedApplication] = []) {
        self.score = score
        self.assignments = assignments
        self.unplaced = unplaced
    }

    /// The same plan with both lists sorted by application id, as plan files store them.
    public func sortedCanonically() -> Plan {
        var copy = self
        copy.assignments.sort { $0.application < $1.application }
        copy.unplaced.sort { $0.application < $1.application }
        return copy
    }
}
