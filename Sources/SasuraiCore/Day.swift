/// A calendar date with no time of day and no time zone, counted in whole days.
///
/// Sasurai thinks in the host's local calendar days (MODEL.md), so a date is only ever an
/// integer day count: no `Date`, no `Calendar`, no daylight-saving surprises. Day zero is
/// 1970-01-01 of the proleptic Gregorian calendar.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01; negative before it.
    public let daysSinceEpoch: Int

    /// The earliest day a four-digit ISO date can name: 0001-01-01.
    public static let earliestSupported = Day(year: 1, month: 1, day: 1)!
    /// The latest day a four-digit ISO date can name: 9999-12-31.
    public static let latestSupported = Day(year: 9999, month: 12, day: 31)!

    public init(daysSinceEpoch: Int) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// Makes a day from a year, month and day of month; nil when the date does not exist.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= Day.daysInMonth(year: year, month: month) else { return nil }
        self.daysSinceEpoch = Day.daysFromCivil(year: year, month: month, day: day)
    }

    /// Parses exactly `YYYY-MM-DD`; nil for anything else, including dates that do not exist.
    public init?(iso text: String) {
        var text = text
        let parsed: Day? = text.withUTF8 { Day(isoBytes: $0) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Parses exactly ten bytes `YYYY-MM-DD`; the byte form lets the JSON reader skip a String.
    public init?<Bytes: Collection>(isoBytes bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 10 else { return nil }
        var digits = [Int](repeating: 0, count: 8)
        var digitIndex = 0
        for (position, byte) in bytes.enumerated() {
            if position == 4 || position == 7 {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                digits[digitIndex] = Int(byte - UInt8(ascii: "0"))
                digitIndex += 1
            }
        }
        let year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        let month = digits[4] * 10 + digits[5]
        let day = digits[6] * 10 + digits[7]
        self.init(year: year, month: month, day: day)
    }

    /// The year, month (1-12) and day of month (1-31).
    public var components: (year: Int, month: Int, day: Int) {
        Day.civilFromDays(daysSinceEpoch)
    }

    /// `YYYY-MM-DD`.
    public var iso: String {
        let (year, month, day) = components
        return Day.pad(year, 4) + "-" + Day.pad(month, 2) + "-" + Day.pad(day, 2)
    }

    public var description: String { iso }

    /// The day of the week, Monday first as in ISO 8601.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday (index 3 with Monday as 0).
        let index = ((daysSinceEpoch % 7) + 7 + 3) % 7
        return Weekday(rawValue: index)!
    }

    /// The day `count` days later (earlier when negative).
    public func adding(_ count: Int) -> Day {
        Day(daysSinceEpoch: daysSinceEpoch + count)
    }

    /// The number of days from `other` to `self`.
    public func days(since other: Day) -> Int {
        daysSinceEpoch - other.daysSinceEpoch
    }

    public static func < (lhs: Day, rhs: Day) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthFromMarch = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ count: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = count + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// A day of the week, Monday first (ISO 8601).
public enum Weekday: Int, Sendable, CaseIterable {
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday

    /// Three-letter English abbreviation, as calendars print it.
    public var shortName: String {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][rawValue]
    }
}

/// A half-open range of days `[from, to)`: includes `from`, excludes `to`.
public struct DayRange: Hashable, Sendable, CustomStringConvertible {
    public let from: Day
    public let to: Day

    /// Makes a range; an empty or reversed range is allowed here and refused by validation.
    public init(from: Day, to: Day) {
        self.from = from
        self.to = to
    }

    /// The stay of `nights` nights arriving on `arrival`: nights arrival ..< arrival + nights.
    public init(arrival: Day, nights: Int) {
        self.init(from: arrival, to: arrival.adding(nights))
    }

    /// The number of days (nights) in the range; zero when empty or reversed.
    public var count: Int { max(0, to.days(since: from)) }

    public var isEmpty: Bool { to <= from }

    public func contains(_ day: Day) -> Bool { from <= day && day < to }

    /// True when every day of `other` lies in this range.
    public func contains(_ other: DayRange) -> Bool { from <= other.from && other.to <= to }

    /// The days both ranges share; empty when they do not meet.
    public func intersection(_ other: DayRange) -> DayRange {
        let start = max(from, other.from)
        let end = max(start, min(to, other.to))
        return DayRange(from: start, to: end)
    }

    public var description: String { "[\(from.iso), \(to.iso))" }
}
