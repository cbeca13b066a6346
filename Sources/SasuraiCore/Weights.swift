/// The score weights of MODEL.md; a scenario or a run may override any of them.
public struct Weights: Hashable, Sendable {
    /// Score for placing an application at all.
    public var place: Int
    /// Bonus for the 1st, 2nd, 3rd ... listed town; 0 past the end of the list.
    public var rank: [Int]
    /// Bonus for a placement of an application that lists no town.
    public var rankAny: Int
    /// Score per labor day worked in a slot.
    public var laborDay: Int
    /// Bonus by the freelancer's relocation intent.
    public var relocationNone: Int
    public var relocationConsidering: Int
    public var relocationPlanning: Int

    public init(place: Int = 1000, rank: [Int] = [300, 200, 100], rankAny: Int = 300, laborDay: Int = 10,
                relocationNone: Int = 0, relocationConsidering: Int = 100, relocationPlanning: Int = 200) {
        self.place = place
        self.rank = rank
        self.rankAny = rankAny
        self.laborDay = laborDay
        self.relocationNone = relocationNone
        self.relocationConsidering = relocationConsidering
        self.relocationPlanning = relocationPlanning
    }

    public static let `default` = Weights()

    public func relocationBonus(_ relocation: Relocation) -> Int {
        switch relocation {
        case .none: return relocationNone
        case .considering: return relocationConsidering
        case .planning: return relocationPlanning
        }
    }

    /// The rank bonus of placing `application` in `town`: by its position in the list,
    /// `rankAny` for an application that lists none, 0 for an unlisted town (a booking).
    public func rankBonus(towns preferences: [TownID], placedIn town: TownID) -> Int {
        if preferences.isEmpty { return rankAny }
        guard let position = preferences.firstIndex(of: town) else { return 0 }
        return position < rank.count ? rank[position] : 0
    }

    /// The score of one placement (MODEL.md, "Score").
    public func score(application: Application, freelancer: Freelancer, town: TownID, laborDays: Int) -> Int {
        place + rankBonus(towns: application.towns, placedIn: town) + laborDay * laborDays
            + relocationBonus(freelancer.relocation)
    }
}
