/// Writes scenarios in canonical form: the same content always gives the same bytes.
///
/// Canonical means: keys in MODEL.md's order, every field written (defaults too, so a
/// reader never has to know them), lists sorted by id, skills and kinds sorted, one entity
/// per line so that files diff well, UTF-8 text unescaped, a final newline.
public enum ScenarioWriter {
    public static func write(_ scenario: Scenario) -> [UInt8] {
        let scenario = scenario.sortedCanonically()
        var writer = JSONWriter(reservingCapacity: 256 * (scenario.applications.count + scenario.freelancers.count + 64))
        writer.raw("{\n  ")
        writer.key("format")
        writer.string(ScenarioReader.format)
        writer.raw(",\n  ")
        writer.key("weights")
        writeWeights(scenario.weights, to: &writer)
        writeList("towns", scenario.towns, to: &writer, writeTown)
        writeList("accommodations", scenario.accommodations, to: &writer, writeAccommodation)
        writeList("slots", scenario.slots, to: &writer, writeSlot)
        writeList("freelancers", scenario.freelancers, to: &writer, writeFreelancer)
        writeList("applications", scenario.applications, to: &writer, writeApplication)
        writeList("bookings", scenario.bookings, to: &writer, writeBooking)
        writer.raw("\n}\n")
        return writer.bytes
    }

    public static func writeWeights(_ weights: Weights, to writer: inout JSONWriter) {
        writer.raw("{")
        writer.key("place")
        writer.integer(weights.place)
        writer.raw(", ")
        writer.key("rank")
        writeIntegers(weights.rank, to: &writer)
        writer.raw(", ")
        writer.key("rank_any")
        writer.integer(weights.rankAny)
        writer.raw(", ")
        writer.key("labor_day")
        writer.integer(weights.laborDay)
        writer.raw(", ")
        writer.key("relocation")
        writer.raw("{")
        writer.key("none")
        writer.integer(weights.relocationNone)
        writer.raw(", ")
        writer.key("considering")
        writer.integer(weights.relocationConsidering)
        writer.raw(", ")
        writer.key("planning")
        writer.integer(weights.relocationPlanning)
        writer.raw("}}")
    }

    /// Writes `"key": [` then one element per line, then `]`.
    static func writeList<Element>(_ key: String, _ elements: [Element], to writer: inout JSONWriter,
                                   _ element: (Element, inout JSONWriter) -> Void) {
        writer.raw(",\n  ")
        writer.key(key)
        guard !elements.isEmpty else {
            writer.raw("[]")
            return
        }
        writer.raw("[")
        for (index, value) in elements.enumerated() {
            writer.raw(index == 0 ? "\n    " : ",\n    ")
            element(value, &writer)
        }
        writer.raw("\n  ]")
    }

    static func writeIntegers(_ values: [Int], to writer: inout JSONWriter) {
        writer.raw("[")
        for (index, value) in values.enumerated() {
            if index > 0 { writer.raw(", ") }
            writer.integer(value)
        }
        writer.raw("]")
    }

    static func writeStrings(_ values: [String], to writer: inout JSONWriter) {
        writer.raw("[")
        for (index, value) in values.enumerated() {
            if index > 0 { writer.raw(", ") }
            writer.string(value)
        }
        writer.raw("]")
    }

    /// Writes `"key": value` after a separator; the first field of an object passes `first`.
    static func field(_ key: String, _ writer: inout JSONWriter, first: Bool = false) {
        writer.raw(first ? "{" : ", ")
        writer.key(key)
    }

    static func writeTown(_ town: Town, _ writer: inout JSONWriter) {
        field("id", &writer, first: true); writer.string(town.id.rawValue)
        field("name", &writer); writer.string(town.name)
        field("prefecture", &writer); writer.string(town.prefecture)
        field("nightly_cap", &writer); writer.integer(town.nightlyCap)
        field("min_nights", &writer); writer.integer(town.minNights)
        field("max_nights", &writer); writer.integer(town.maxNights)
        field("subsidy_per_night", &writer); writer.integer(town.subsidyPerNight)
        writer.raw("}")
    }

    static func writeAccommodation(_ accommodation: Accommodation, _ writer: inout JSONWriter) {
        field("id", &writer, first: true); writer.string(accommodation.id.rawValue)
        field("town", &writer); writer.string(accommodation.town.rawValue)
        field("name", &writer); writer.string(accommodation.name)
        field("kind", &writer); writer.string(accommodation.kind.rawValue)
        field("beds", &writer); writer.integer(accommodation.beds)
        field("price_per_night", &writer); writer.integer(accommodation.pricePerNight)
        if let open = accommodation.open {
            field("open", &writer)
            writer.raw("[")
            for (index, range) in open.sorted(by: { ($0.from, $0.to) < ($1.from, $1.to) }).enumerated() {
                if index > 0 { writer.raw(", ") }
                writeStrings([range.from.iso, range.to.iso], to: &writer)
            }
            writer.raw("]")
        }
        writer.raw("}")
    }

    static func writeSlot(_ slot: Slot, _ writer: inout JSONWriter) {
        field("id", &writer, first: true); writer.string(slot.id.rawValue)
        field("town", &writer); writer.string(slot.town.rawValue)
        field("title", &writer); writer.string(slot.title)
        field("skills", &writer); writeStrings(slot.skills.sorted(), to: &writer)
        field("from", &writer); writer.string(slot.from.iso)
        field("to", &writer); writer.string(slot.to.iso)
        field("seats", &writer); writer.integer(slot.seats)
        field("min_days", &writer); writer.integer(slot.minDays)
        writer.raw("}")
    }

    static func writeFreelancer(_ freelancer: Freelancer, _ writer: inout JSONWriter) {
        field("id", &writer, first: true); writer.string(freelancer.id.rawValue)
        field("name", &writer); writer.string(freelancer.name)
        field("skills", &writer); writeStrings(freelancer.skills.sorted(), to: &writer)
        field("relocation", &writer); writer.string(freelancer.relocation.rawValue)
        writer.raw("}")
    }

    static func writeApplication(_ application: Application, _ writer: inout JSONWriter) {
        field("id", &writer, first: true); writer.string(application.id.rawValue)
        field("freelancer", &writer); writer.string(application.freelancer.rawValue)
        field("earliest", &writer); writer.string(application.earliest.iso)
        field("latest", &writer); writer.string(application.latest.iso)
        field("nights", &writer); writer.integer(application.nights)
        field("towns", &writer); writeStrings(application.towns.map(\.rawValue), to: &writer)
        field("kinds", &writer); writeStrings(application.kinds.sorted().map(\.rawValue), to: &writer)
        field("budget_per_night", &writer); writer.integer(application.budgetPerNight)
        field("labor", &writer); writer.string(application.labor.rawValue)
        field("team", &writer)
        if let team = application.team { writer.string(team.rawValue) } else { writer.null() }
        writer.raw("}")
    }

    static func writeBooking(_ booking: Booking, _ writer: inout JSONWriter) {
        field("application", &writer, first: true); writer.string(booking.application.rawValue)
        field("town", &writer); writer.string(booking.town.rawValue)
        field("accommodation", &writer); writer.string(booking.accommodation.rawValue)
        field("arrival", &writer); writer.string(booking.arrival.iso)
        field("slot", &writer)
        if let slot = booking.slot { writer.string(slot.rawValue) } else { writer.null() }
        writer.raw("}")
    }
}
