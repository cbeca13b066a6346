import Foundation
import SasuraiCore

/// UTC ISO 8601 timestamps with milliseconds, the one form every stored time uses.
///
/// The fixed width (`2026-07-01T09:30:00.000Z`, 24 characters) makes text order equal time
/// order, so SQL can compare timestamps as strings. Formatting is done by hand with `Day`
/// rather than a `DateFormatter`, whose output depends on locale settings and whose instances
/// are not safe to share between threads.
public enum Timestamp {
    /// `date` in UTC, rounded down to the millisecond.
    public static func iso(_ date: Date) -> String {
        let (days, remainder) = daysAndMilliseconds(date)
        let hours = remainder / 3_600_000
        let minutes = remainder / 60_000 % 60
        let seconds = remainder / 1000 % 60
        let fraction = remainder % 1000
        return Day(daysSinceEpoch: days).iso + "T" + pad(hours, 2) + ":" + pad(minutes, 2) + ":"
            + pad(seconds, 2) + "." + pad(fraction, 3) + "Z"
    }

    /// The UTC calendar day `date` falls on.
    public static func day(_ date: Date) -> Day {
        Day(daysSinceEpoch: daysAndMilliseconds(date).days)
    }

    /// Whole days since 1970-01-01 UTC and the milliseconds into the last of them, rounded down.
    private static func daysAndMilliseconds(_ date: Date) -> (days: Int, milliseconds: Int64) {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let millisecondsPerDay: Int64 = 86_400_000
        var days = milliseconds / millisecondsPerDay
        var remainder = milliseconds % millisecondsPerDay
        if remainder < 0 {
            days -= 1
            remainder += millisecondsPerDay
        }
        return (Int(days), remainder)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
