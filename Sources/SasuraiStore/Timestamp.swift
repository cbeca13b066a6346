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
        let hours = Int(remainder / 3_600_000)
        let minutes = Int(remainder / 60_000 % 60)
        let seconds = Int(remainder / 1000 % 60)
        let fraction = Int(remainder % 1000)
        let day = Day(daysSinceEpoch: days)
        let (year, month, dayOfMonth) = day.components
        guard (0...9999).contains(year) else {
            return day.iso + "T" + pad(hours, 2) + ":" + pad(minutes, 2) + ":" + pad(seconds, 2) + "."
                + pad(fraction, 3) + "Z"
        }
        // Digits written into the string's own storage: the server stamps every write, and
        // joining a dozen small strings was a noticeable share of the writer's time.
        return String(unsafeUninitializedCapacity: 24) { text in
            func put(_ value: Int, width: Int, at offset: Int) {
                var rest = value
                for index in (offset..<offset + width).reversed() {
                    text[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
            }
            put(year, width: 4, at: 0)
            put(month, width: 2, at: 5)
            put(dayOfMonth, width: 2, at: 8)
            put(hours, width: 2, at: 11)
            put(minutes, width: 2, at: 14)
            put(seconds, width: 2, at: 17)
            put(fraction, width: 3, at: 20)
            text[4] = UInt8(ascii: "-")
            text[7] = UInt8(ascii: "-")
            text[10] = UInt8(ascii: "T")
            text[13] = UInt8(ascii: ":")
            text[16] = UInt8(ascii: ":")
            text[19] = UInt8(ascii: ".")
            text[23] = UInt8(ascii: "Z")
            return 24
        }
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

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
