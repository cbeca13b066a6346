import SasuraiCore

/// A town's month on one screen: a line per accommodation and per labor slot, a column per
/// day, each cell the guests (or workers) of that night against the capacity at the left.
struct MonthCalendar: Sendable {
    struct Accommodation: Sendable {
        var id: String
        var name: String
        var beds: Int
        /// Nil: always open.
        var open: [DayRange]?
    }

    struct Slot: Sendable {
        var id: String
        var title: String
        var seats: Int
        var window: DayRange
    }

    struct Stay: Sendable {
        var accommodation: String
        var slot: String?
        var nights: DayRange
    }

    var townName: String
    var townID: String
    var nightlyCap: Int
    var year: Int
    var month: Int
    var accommodations: [Accommodation]
    var slots: [Slot]
    var stays: [Stay]

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                             "September", "October", "November", "December"]

    /// The nights of the month, `[first day, first day of the next month)`.
    static func range(year: Int, month: Int) -> DayRange? {
        guard let first = Day(year: year, month: month, day: 1) else { return nil }
        let next = month == 12 ? Day(year: year + 1, month: 1, day: 1) : Day(year: year, month: month + 1, day: 1)
        guard let next else { return nil }
        return DayRange(from: first, to: next)
    }

    /// One cell, two columns wide: `·` none, a count, `F` full, `x` closed, `!` over capacity.
    static func cell(count: Int, capacity: Int, available: Bool) -> String {
        let mark: String
        if !available { mark = count > 0 ? "!" : "x" }
        else if count > capacity { mark = "!" }
        else if count == 0 { mark = capacity == 0 ? "x" : "·" }
        else if count == capacity { mark = "F" }
        else { mark = count > 9 ? "+" : String(count) }
        return " " + mark
    }

    func render() -> String {
        guard let month = Self.range(year: year, month: self.month) else { return "" }
        let days = (0..<month.count).map { month.from.adding($0) }
        var labels: [(String, String)] = []
        var lines: [[String]] = []
        for accommodation in accommodations {
            labels.append(("\(accommodation.id) \(accommodation.name)", "\(accommodation.beds) beds"))
            lines.append(days.map { day in
                let guests = stays.filter { $0.accommodation == accommodation.id && $0.nights.contains(day) }.count
                let open = accommodation.open.map { $0.contains { $0.contains(day) } } ?? true
                return Self.cell(count: guests, capacity: accommodation.beds, available: open)
            })
        }
        let accommodationCount = lines.count
        for slot in slots {
            labels.append(("\(slot.id) \(slot.title)", "\(slot.seats) seats"))
            lines.append(days.map { day in
                let workers = stays.filter { $0.slot == slot.id && $0.nights.contains(day) && slot.window.contains(day) }.count
                return Self.cell(count: workers, capacity: slot.seats, available: slot.window.contains(day))
            })
        }
        labels.append(("whole town", "cap \(nightlyCap)"))
        lines.append(days.map { day in
            Self.cell(count: stays.filter { $0.nights.contains(day) }.count, capacity: nightlyCap, available: true)
        })
        let nameWidth = min(36, labels.map { DisplayWidth.of($0.0) }.max() ?? 0)
        let capacityWidth = labels.map { DisplayWidth.of($0.1) }.max() ?? 0
        func label(_ name: String, _ capacity: String) -> String {
            DisplayWidth.pad(Self.truncated(name, to: nameWidth), to: nameWidth) + "  " + DisplayWidth.pad(capacity, to: capacityWidth, right: true)
        }
        let blank = String(repeating: " ", count: nameWidth + 2 + capacityWidth)
        var output = "\(townName) (\(townID)), \(Self.monthNames[self.month - 1]) \(year)\n\n"
        // The id comes first in each label, so that cutting a long name never hides it.
        // Two columns a day keep a month within 100 columns; the tens digit stands above the
        // 10th, 20th and 30th so the units row can be read as day numbers.
        output += blank + days.map { day in
            let number = day.components.day
            return number % 10 == 0 ? " \(number / 10)" : "  "
        }.joined() + "\n"
        output += blank + days.map { " \($0.components.day % 10)" }.joined() + "\n"
        output += blank + days.map { " " + String($0.weekday.shortName.prefix(1)) }.joined() + "\n"
        output += blank + days.map { $0.weekday == .saturday || $0.weekday == .sunday ? " ^" : "  " }.joined() + "\n"
        for (index, cells) in lines.enumerated() {
            if index == accommodationCount && !slots.isEmpty { output += "labor slots\n" }
            if index == lines.count - 1 { output += "\n" }
            output += label(labels[index].0, labels[index].1) + cells.joined() + "\n"
        }
        output += "\nguests or workers that night; · none  F full  x closed or outside the slot  ! over capacity  ^ weekend\n"
        return output.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in String(line.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }

    /// Cuts long names so the day columns stay on one screen, by display width.
    static func truncated(_ text: String, to width: Int) -> String {
        guard DisplayWidth.of(text) > width else { return text }
        var result = ""
        for character in text {
            if DisplayWidth.of(result + String(character)) > width - 1 { break }
            result.append(character)
        }
        return result + "…"
    }
}

extension HostCommands {
    static let calendar = ClientCommand.make(
        name: "calendar", abstract: "The town's month: a line per accommodation and slot, a column per day, showing fill.",
        discussion: "Counts offered and confirmed stays. --month defaults to the current month.",
        examples: ["sasurai host calendar --month 2026-09", "sasurai host calendar --town nanto --month 2026-10"],
        options: [OptionSpecification("--month", value: "YYYY-MM", help: "The month (default: this month)."), townOption],
        prepare: { arguments, format in
            let scope = try scope(arguments)
            var year = Day.today.components.year
            var month = Day.today.components.month
            if let text = arguments.value("--month") {
                let parts = text.split(separator: "-")
                guard parts.count == 2, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m) else {
                    throw UsageError("--month takes YYYY-MM, got \"\(text)\"")
                }
                year = y
                month = m
            }
            guard let range = MonthCalendar.range(year: year, month: month) else { throw UsageError("--month is out of range") }
            return { [year, month] session, output in
                var roster = scope
                roster.set("from", .string(range.from.iso))
                roster.set("to", .string(range.to.iso))
                let replies = try session.callAll([("TOWN", scope), ("ACCOMMODATION LIST", scope), ("SLOT LIST", scope),
                                                   ("ROSTER", roster)])
                if format == .json {
                    output.print(RequestObject([("town", .json(replies[0]["town"]!)), ("accommodations", .json(replies[1]["accommodations"]!)),
                                                ("slots", .json(replies[2]["slots"]!)), ("stays", .json(replies[3]["stays"]!))]).text)
                    return .success
                }
                let town = replies[0]["town"]!
                let view = MonthCalendar(
                    townName: town.text("name"), townID: town.text("id"), nightlyCap: town["nightly_cap"]?.integerValue ?? 0,
                    year: year, month: month,
                    accommodations: (replies[1]["accommodations"]?.arrayValue ?? []).map { node in
                        MonthCalendar.Accommodation(
                            id: node.text("id"), name: node.text("name"), beds: node["beds"]?.integerValue ?? 0,
                            open: node["open"].flatMap { $0.isNull ? nil : $0.arrayValue.compactMap(dayRange) })
                    },
                    slots: (replies[2]["slots"]?.arrayValue ?? []).compactMap { node in
                        guard let from = Day(iso: node.text("from")), let to = Day(iso: node.text("to")) else { return nil }
                        let window = DayRange(from: from, to: to)
                        // A slot whose window misses the month would only be a line of x.
                        guard !window.intersection(range).isEmpty else { return nil }
                        return MonthCalendar.Slot(id: node.text("id"), title: node.text("title"),
                                                  seats: node["seats"]?.integerValue ?? 0, window: window)
                    },
                    stays: (replies[3]["stays"]?.arrayValue ?? []).compactMap { node in
                        guard let arrival = Day(iso: node.text("arrival")), let nights = node["nights"]?.integerValue else { return nil }
                        return MonthCalendar.Stay(accommodation: node.text("accommodation"), slot: node["slot"]?.stringValue,
                                                  nights: DayRange(arrival: arrival, nights: nights))
                    })
                output.write(view.render())
                return .success
            }
        })

    static func dayRange(_ node: JSONNode) -> DayRange? {
        let ends = node.arrayValue.compactMap { $0.stringValue.flatMap(Day.init(iso:)) }
        guard ends.count == 2 else { return nil }
        return DayRange(from: ends[0], to: ends[1])
    }
}
