/// The ranges Sasurai accepts for every number in its model, each with the reason for it.
///
/// They are wide enough for any real town or visitor and narrow enough that sums over a
/// whole scenario (score, guests per night) cannot overflow and typos like an extra zero
/// in a bed count are caught.
public enum ModelLimits {
    /// MODEL.md: a scenario spans at most two years of nights.
    public static let maximumHorizonNights = 731
    /// A stay cannot be longer than the scenario it lies in.
    public static let nights = 1...maximumHorizonNights
    /// Japan's largest municipalities host tens of thousands of visitors a night at most.
    public static let nightlyCap = 0...100_000
    /// A single lodging with more than 10,000 beds is certainly a typo.
    public static let beds = 0...10_000
    /// Likewise for workers per day in one labor slot.
    public static let seats = 0...10_000
    /// Yen per night; ten million a night is far beyond any real price, budget or subsidy.
    public static let money = 0...10_000_000
    /// Score weights: large enough for any tiering, small enough that the sum over
    /// 100,000 placements and 731 labor days stays far inside 64 bits.
    public static let weight = 0...1_000_000
    /// MODEL.md: at most five ranked town preferences.
    public static let maximumTownPreferences = 5
    /// One bonus per preference rank at most.
    public static let maximumRankWeights = maximumTownPreferences
    /// More skills than this on one person or slot is noise, not information.
    public static let maximumSkills = 32
    /// Open seasons of one lodging; a few per year over two years is the real need.
    public static let maximumOpenRanges = 100
}
