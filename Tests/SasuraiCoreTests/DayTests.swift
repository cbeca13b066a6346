import Testing
@testable import SasuraiCore

@Suite struct DayTests {
    @Test func parsesAndPrintsISODates() throws {
        let day = try #require(Day(iso: "2026-11-22"))
        #expect(day.iso == "2026-11-22")
        #expect(day.components.year == 2026 && day.components.month == 11 && day.components.day == 22)
        #expect(Day(iso: "1970-01-01")?.daysSinceEpoch == 0)
        #expect(Day(iso: "1969-12-31")?.daysSinceEpoch == -1)
    }

    @Test(arguments: ["2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-01-01", "2026/01/01",
                      "2026-01-32", "0000-01-01", "２０２６-01-01", "", "2026-01-01 "])
    func refusesMalformedDates(_ text: String) {
        #expect(Day(iso: text) == nil)
    }

    @Test func leapYears() {
        #expect(Day(iso: "2024-02-29") != nil)
        #expect(Day(iso: "2000-02-29") != nil)
        #expect(Day(iso: "1900-02-29") == nil)
    }

    @Test func roundTripsEveryDayOverFourHundredYears() {
        var day = Day(iso: "1900-01-01")!
        var previous = day.components
        for _ in 0..<(146_097 + 10) {
            day = day.adding(1)
            let (year, month, dayOfMonth) = day.components
            #expect(Day(year: year, month: month, day: dayOfMonth) == day)
            let advanced = dayOfMonth == previous.day + 1 && month == previous.month
                || dayOfMonth == 1 && (month == previous.month + 1 || month == 1 && year == previous.year + 1)
            if !advanced { Issue.record("\(day.iso) does not follow \(previous)") }
            previous = (year, month, dayOfMonth)
        }
    }

    @Test func weekdays() {
        #expect(Day(iso: "2026-11-22")!.weekday == .sunday)
        #expect(Day(iso: "1970-01-01")!.weekday == .thursday)
        #expect(Day(iso: "1969-12-29")!.weekday == .monday)
    }

    @Test func rangesAreHalfOpen() {
        let range = DayRange(arrival: Day(iso: "2026-10-20")!, nights: 3)
        #expect(range.to.iso == "2026-10-23")
        #expect(range.count == 3)
        #expect(range.contains(Day(iso: "2026-10-22")!))
        #expect(!range.contains(Day(iso: "2026-10-23")!))
        let other = DayRange(from: Day(iso: "2026-10-22")!, to: Day(iso: "2026-11-01")!)
        #expect(range.intersection(other).count == 1)
        let apart = DayRange(from: Day(iso: "2026-12-01")!, to: Day(iso: "2026-12-05")!)
        #expect(range.intersection(apart).isEmpty)
    }
}
