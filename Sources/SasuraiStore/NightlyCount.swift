import SasuraiCore

/// Stays counted night by night over a range of days: guests of a house or town, workers of a slot.
///
/// A difference array makes adding a stay cost the same however long it is, and reading every
/// night one pass over the range, so a town's thousands of placements are counted in
/// milliseconds without a query per night.
struct NightlyCount {
    /// The nights counted; stays are cut to it.
    let range: DayRange
    /// At offset i: how many more stays are present on night i than on night i - 1.
    private var changes: [Int]

    init(over range: DayRange) {
        self.range = range
        changes = [Int](repeating: 0, count: range.count + 1)
    }

    /// A count over the nights from the first of `stays` to the last; nil when there are none.
    init?(spanning stays: [DayRange]) {
        guard let first = stays.map(\.from).min(), let last = stays.map(\.to).max() else { return nil }
        self.init(over: DayRange(from: first, to: last))
        for stay in stays {
            add(stay)
        }
    }

    /// Counts `stay` on each of its nights inside `range`.
    mutating func add(_ stay: DayRange) {
        let counted = stay.intersection(range)
        guard !counted.isEmpty else { return }
        changes[counted.from.days(since: range.from)] += 1
        changes[counted.to.days(since: range.from)] -= 1
    }

    /// The earliest night for which `isProblem` holds, given that night's count; nil when none.
    func firstNight(where isProblem: (_ night: Day, _ count: Int) -> Bool) -> (night: Day, count: Int)? {
        var count = 0
        for offset in 0..<range.count {
            count += changes[offset]
            let night = range.from.adding(offset)
            if isProblem(night, count) { return (night, count) }
        }
        return nil
    }
}

extension Accommodation {
    /// True when some open range takes guests on `night` (rule 4, one night at a time).
    ///
    /// Night by night rather than `isOpen(for:)`'s one range for the whole stay, because
    /// MODEL.md asks only that every night lie in some range: back-to-back ranges are one season.
    func isOpen(on night: Day) -> Bool {
        open?.contains { $0.contains(night) } ?? true
    }

    /// The first night of `stay` on which it takes no guests, or nil when it is open throughout.
    func firstClosedNight(of stay: DayRange) -> Day? {
        guard open != nil else { return nil }
        return (0..<stay.count).lazy.map { stay.from.adding($0) }.first { !isOpen(on: $0) }
    }
}
