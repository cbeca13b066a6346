/// Reads `sasurai-scenario/1` files, refusing anything MODEL.md does not allow.
///
/// Reading runs in three stages, each collecting every problem it finds (up to
/// `DiagnosticCollector.defaultLimit`): the JSON itself; each entity's fields (types,
/// ranges, unknown fields); then what ties entities together (duplicate ids, references,
/// teams, the horizon, and the rules bookings must keep). A later stage runs only on a
/// clean earlier one, so that one typo does not echo as dozens of follow-on errors.
public enum ScenarioReader {
    public static let format = "sasurai-scenario/1"

    static let topLevelFields = ["format", "weights", "towns", "accommodations", "slots", "freelancers",
                                 "applications", "bookings"]
    static let weightFields = ["place", "rank", "rank_any", "labor_day", "relocation"]
    static let relocationFields = ["none", "considering", "planning"]
    static let townFields = ["id", "name", "prefecture", "nightly_cap", "min_nights", "max_nights",
                             "subsidy_per_night"]
    static let accommodationFields = ["id", "town", "name", "kind", "beds", "price_per_night", "open"]
    static let slotFields = ["id", "town", "title", "skills", "from", "to", "seats", "min_days"]
    static let freelancerFields = ["id", "name", "skills", "relocation"]
    static let applicationFields = ["id", "freelancer", "earliest", "latest", "nights", "towns", "kinds",
                                    "budget_per_night", "labor", "team"]
    static let bookingFields = ["application", "town", "accommodation", "arrival", "slot"]

    /// Reads a scenario from the bytes of a file.
    public static func read(_ bytes: [UInt8]) throws(InputError) -> Scenario {
        try read(try JSONParser.parseInput(bytes))
    }

    /// Reads a scenario from parsed JSON (the server receives it inside a request).
    public static func read(_ root: JSONNode) throws(InputError) -> Scenario {
        let diagnostics = DiagnosticCollector()
        let scenario = decode(root, diagnostics)
        try diagnostics.throwIfAny()
        guard let scenario else { throw InputError(diagnostics: [Diagnostic(path: "$", message: "unreadable")]) }
        ScenarioChecker.checkReferences(scenario, diagnostics)
        try diagnostics.throwIfAny()
        ScenarioChecker.checkBookings(scenario, diagnostics)
        try diagnostics.throwIfAny()
        return scenario
    }

    static func decode(_ root: JSONNode, _ diagnostics: DiagnosticCollector) -> Scenario? {
        let fields = JSONFieldReader(diagnostics: diagnostics)
        guard var object = fields.object(root, "$") else { return nil }
        if let node = object.node("format", required: true), let format = fields.string(node, "format"),
           format != Self.format {
            diagnostics.report("format", "unsupported format \(node.brief): expected \"\(Self.format)\"")
        }
        var weights: Weights? = .default
        if let node = object.node("weights", required: false) { weights = decodeWeights(node, fields) }
        func entities<Entity>(_ key: String, required: Bool = true,
                              _ decode: (JSONNode, String, JSONFieldReader) -> Entity?) -> [Entity]? {
            guard let node = object.node(key, required: required) else { return required ? nil : [] }
            return fields.list(node, key) { decode($0, $1, fields) }
        }
        let towns = entities("towns", decodeTown)
        let accommodations = entities("accommodations", decodeAccommodation)
        let slots = entities("slots", decodeSlot)
        let freelancers = entities("freelancers", decodeFreelancer)
        let applications = entities("applications", decodeApplication)
        let bookings = entities("bookings", required: false, decodeBooking)
        object.reportUnknown(allowed: topLevelFields)
        guard let weights, let towns, let accommodations, let slots, let freelancers, let applications,
              let bookings else { return nil }
        return Scenario(weights: weights, towns: towns, accommodations: accommodations, slots: slots,
                        freelancers: freelancers, applications: applications, bookings: bookings)
    }

    /// Reads a weights object on top of `base`: fields it gives replace `base`'s, the rest stay.
    ///
    /// A plan run takes weights this way, over the stored scenario's; errors name the path from
    /// `weights`, as in a scenario file.
    public static func readWeights(_ node: JSONNode, over base: Weights) throws(InputError) -> Weights {
        let diagnostics = DiagnosticCollector()
        let weights = decodeWeights(node, JSONFieldReader(diagnostics: diagnostics), base: base)
        try diagnostics.throwIfAny()
        guard let weights else { throw InputError(diagnostics: [Diagnostic(path: "weights", message: "unreadable")]) }
        return weights
    }

    static func decodeWeights(_ node: JSONNode, _ fields: JSONFieldReader, base: Weights = .default) -> Weights? {
        guard var object = fields.object(node, "weights") else { return nil }
        var weights = base
        var failed = false
        func weight(_ key: String, _ apply: (inout Weights, Int) -> Void) {
            guard let node = object.node(key, required: false) else { return }
            if let value = fields.integer(node, "weights." + key, in: ModelLimits.weight) {
                apply(&weights, value)
            } else {
                failed = true
            }
        }
        weight("place") { $0.place = $1 }
        weight("rank_any") { $0.rankAny = $1 }
        weight("labor_day") { $0.laborDay = $1 }
        if let node = object.node("rank", required: false) {
            if let ranks = fields.list(node, "weights.rank", maximumCount: ModelLimits.maximumRankWeights, {
                fields.integer($0, $1, in: ModelLimits.weight)
            }) {
                weights.rank = ranks
            } else {
                failed = true
            }
        }
        if let node = object.node("relocation", required: false) {
            if var relocation = fields.object(node, "weights.relocation") {
                func bonus(_ key: String, _ apply: (inout Weights, Int) -> Void) {
                    guard let node = relocation.node(key, required: false) else { return }
                    if let value = fields.integer(node, "weights.relocation." + key, in: ModelLimits.weight) {
                        apply(&weights, value)
                    } else {
                        failed = true
                    }
                }
                bonus("none") { $0.relocationNone = $1 }
                bonus("considering") { $0.relocationConsidering = $1 }
                bonus("planning") { $0.relocationPlanning = $1 }
                relocation.reportUnknown(allowed: relocationFields)
            } else {
                failed = true
            }
        }
        object.reportUnknown(allowed: weightFields)
        return failed ? nil : weights
    }

    static func decodeTown(_ node: JSONNode, _ path: String, _ fields: JSONFieldReader) -> Town? {
        guard var object = fields.object(node, path) else { return nil }
        let id: TownID? = object.node("id", required: true).flatMap { fields.identifier($0, path + ".id") }
        let name = object.node("name", required: true).flatMap { fields.name($0, path + ".name") }
        let prefecture = object.node("prefecture", required: true).flatMap { fields.name($0, path + ".prefecture") }
        let cap = object.node("nightly_cap", required: true).flatMap {
            fields.integer($0, path + ".nightly_cap", in: ModelLimits.nightlyCap)
        }
        let minNights = optionalInteger(&object, "min_nights", path, default: 1, ModelLimits.nights, fields)
        let maxNights = optionalInteger(&object, "max_nights", path, default: 90, ModelLimits.nights, fields)
        let subsidy = optionalInteger(&object, "subsidy_per_night", path, default: 0, ModelLimits.money, fields)
        object.reportUnknown(allowed: townFields)
        guard let id, let name, let prefecture, let cap, let minNights, let maxNights, let subsidy else { return nil }
        if minNights > maxNights {
            fields.diagnostics.report(path + ".min_nights", "\(minNights) is more than max_nights \(maxNights)")
            return nil
        }
        return Town(id: id, name: name, prefecture: prefecture, nightlyCap: cap, minNights: minNights,
                    maxNights: maxNights, subsidyPerNight: subsidy)
    }

    static func decodeAccommodation(_ node: JSONNode, _ path: String, _ fields: JSONFieldReader) -> Accommodation? {
        guard var object = fields.object(node, path) else { return nil }
        let id: AccommodationID? = object.node("id", required: true).flatMap { fields.identifier($0, path + ".id") }
        let town: TownID? = object.node("town", required: true).flatMap { fields.identifier($0, path + ".town") }
        let name = object.node("name", required: true).flatMap { fields.name($0, path + ".name") }
        let kind: AccommodationKind? = object.node("kind", required: true).flatMap {
            fields.choice($0, path + ".kind", what: "kind")
        }
        let beds = object.node("beds", required: true).flatMap { fields.integer($0, path + ".beds", in: ModelLimits.beds) }
        let price = object.node("price_per_night", required: true).flatMap {
            fields.integer($0, path + ".price_per_night", in: ModelLimits.money)
        }
        var open: [DayRange]?? = .some(nil)
        if let node = object.node("open", required: false) {
            open = fields.list(node, path + ".open", maximumCount: ModelLimits.maximumOpenRanges, fields.dayRange)
                .map { .some($0.sorted { ($0.from, $0.to) < ($1.from, $1.to) }) }
        }
        object.reportUnknown(allowed: accommodationFields)
        guard let id, let town, let name, let kind, let beds, let price, let open else { return nil }
        return Accommodation(id: id, town: town, name: name, kind: kind, beds: beds, pricePerNight: price, open: open)
    }

    static func decodeSlot(_ node: JSONNode, _ path: String, _ fields: JSONFieldReader) -> Slot? {
        guard var object = fields.object(node, path) else { return nil }
        let id: SlotID? = object.node("id", required: true).flatMap { fields.identifier($0, path + ".id") }
        let town: TownID? = object.node("town", required: true).flatMap { fields.identifier($0, path + ".town") }
        let title = object.node("title", required: true).flatMap { fields.name($0, path + ".title") }
        let skills = optionalSkills(&object, path, fields)
        let from = object.node("from", required: true).flatMap { fields.day($0, path + ".from") }
        let to = object.node("to", required: true).flatMap { fields.day($0, path + ".to") }
        let seats = object.node("seats", required: true).flatMap { fields.integer($0, path + ".seats", in: ModelLimits.seats) }
        let minDays = optionalInteger(&object, "min_days", path, default: 1, ModelLimits.nights, fields)
        object.reportUnknown(allowed: slotFields)
        guard let id, let town, let title, let skills, let from, let to, let seats, let minDays else { return nil }
        guard from < to else {
            fields.diagnostics.report(path + ".to", from == to
                ? "empty window: from and to are both \(from.iso)"
                : "reversed window: to \(to.iso) is before from \(from.iso)")
            return nil
        }
        if minDays > to.days(since: from) {
            fields.diagnostics.report(path + ".min_days",
                                      "\(minDays) is longer than the window of \(to.days(since: from)) days")
            return nil
        }
        return Slot(id: id, town: town, title: title, skills: skills, from: from, to: to, seats: seats, minDays: minDays)
    }

    static func decodeFreelancer(_ node: JSONNode, _ path: String, _ fields: JSONFieldReader) -> Freelancer? {
        guard var object = fields.object(node, path) else { return nil }
        let id: FreelancerID? = object.node("id", required: true).flatMap { fields.identifier($0, path + ".id") }
        let name = object.node("name", required: true).flatMap { fields.name($0, path + ".name") }
        let skills = optionalSkills(&object, path, fields)
        var relocation: Relocation? = Relocation.none
        if let node = object.node("relocation", required: false) {
            relocation = fields.choice(node, path + ".relocation", what: "relocation")
        }
        object.reportUnknown(allowed: freelancerFields)
        guard let id, let name, let skills, let relocation else { return nil }
        return Freelancer(id: id, name: name, skills: skills, relocation: relocation)
    }

    static func decodeApplication(_ node: JSONNode, _ path: String, _ fields: JSONFieldReader) -> Application? {
        guard var object = fields.object(node, path) else { return nil }
        let id: ApplicationID? = object.node("id", required: true).flatMap { fields.identifier($0, path + ".id") }
        let freelancer: FreelancerID? = object.node("freelancer", required: true).flatMap {
            fields.identifier($0, path + ".freelancer")
        }
        let earliest = object.node("earliest", required: true).flatMap { fields.day($0, path + ".earliest") }
        let latest = object.node("latest", required: true).flatMap { fields.day($0, path + ".latest") }
        let nights = object.node("nights", required: true).flatMap { fields.integer($0, path + ".nights", in: ModelLimits.nights) }
        var towns: [TownID]? = []
        if let node = object.node("towns", required: false) {
            towns = fields.distinctList(node, path + ".towns", what: "town",
                                        maximumCount: ModelLimits.maximumTownPreferences) { fields.identifier($0, $1) }
        }
        var kinds: [AccommodationKind]? = []
        if let node = object.node("kinds", required: false) {
            kinds = fields.distinctList(node, path + ".kinds", what: "kind") { fields.choice($0, $1, what: "kind") }
                .map { $0.sorted() }
        }
        let budget = object.node("budget_per_night", required: true).flatMap {
            fields.integer($0, path + ".budget_per_night", in: ModelLimits.money)
        }
        var labor: LaborPreference? = .preferred
        if let node = object.node("labor", required: false) { labor = fields.choice(node, path + ".labor", what: "labor") }
        let team: TeamID?? = fields.optionalIdentifier(object.node("team", required: false), path + ".team")
        object.reportUnknown(allowed: applicationFields)
        guard let id, let freelancer, let earliest, let latest, let nights, let towns, let kinds, let budget,
              let labor, let team else { return nil }
        guard earliest < latest else {
            fields.diagnostics.report(path + ".latest", earliest == latest
                ? "empty window: earliest and latest are both \(earliest.iso)"
                : "reversed window: latest \(latest.iso) is before earliest \(earliest.iso)")
            return nil
        }
        guard earliest.adding(nights) <= latest else {
            fields.diagnostics.report(path + ".nights", "\(nights) nights do not fit between earliest \(earliest.iso) "
                                      + "and latest \(latest.iso) (\(latest.days(since: earliest)) nights)")
            return nil
        }
        return Application(id: id, freelancer: freelancer, earliest: earliest, latest: latest, nights: nights,
                           towns: towns, kinds: kinds, budgetPerNight: budget, labor: labor, team: team)
    }

    static func decodeBooking(_ node: JSONNode, _ path: String, _ fields: JSONFieldReader) -> Booking? {
        guard var object = fields.object(node, path) else { return nil }
        let (application, town, accommodation, arrival) = placementFields(&object, path, fields)
        let slot: SlotID?? = fields.optionalIdentifier(object.node("slot", required: false), path + ".slot")
        object.reportUnknown(allowed: bookingFields)
        guard let application, let town, let accommodation, let arrival, let slot else { return nil }
        return Booking(application: application, town: town, accommodation: accommodation, arrival: arrival, slot: slot)
    }

    /// The fields bookings and plan assignments share: who stays in which town, where, from when.
    static func placementFields(_ object: inout JSONFieldReader.ObjectFields, _ path: String, _ fields: JSONFieldReader)
        -> (ApplicationID?, TownID?, AccommodationID?, Day?) {
        let application: ApplicationID? = object.node("application", required: true).flatMap {
            fields.identifier($0, path + ".application")
        }
        let town: TownID? = object.node("town", required: true).flatMap { fields.identifier($0, path + ".town") }
        let accommodation: AccommodationID? = object.node("accommodation", required: true).flatMap {
            fields.identifier($0, path + ".accommodation")
        }
        let arrival = object.node("arrival", required: true).flatMap { fields.day($0, path + ".arrival") }
        return (application, town, accommodation, arrival)
    }

    private static func optionalInteger(_ object: inout JSONFieldReader.ObjectFields, _ key: String, _ path: String,
                                        default value: Int, _ range: ClosedRange<Int>,
                                        _ fields: JSONFieldReader) -> Int? {
        guard let node = object.node(key, required: false) else { return value }
        return fields.integer(node, path + "." + key, in: range)
    }

    private static func optionalSkills(_ object: inout JSONFieldReader.ObjectFields, _ path: String,
                                       _ fields: JSONFieldReader) -> [String]? {
        guard let node = object.node("skills", required: false) else { return [] }
        return fields.distinctList(node, path + ".skills", what: "skill", maximumCount: ModelLimits.maximumSkills,
                                   fields.skill).map { $0.sorted() }
    }
}
