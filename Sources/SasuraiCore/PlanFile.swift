/// Reads and writes `sasurai-plan/1` files.
public enum PlanFile {
    public static let format = "sasurai-plan/1"

    static let topLevelFields = ["format", "score", "assignments", "unplaced"]
    static let assignmentFields = ["application", "town", "accommodation", "arrival", "nights", "slot", "labor_days"]
    static let unplacedFields = ["application", "reason"]

    /// Writes a plan canonically: both lists sorted by application id, one entry per line.
    public static func write(_ plan: Plan) -> [UInt8] {
        let plan = plan.sortedCanonically()
        var writer = JSONWriter(reservingCapacity: 160 * (plan.assignments.count + plan.unplaced.count + 8))
        writer.raw("{\n  ")
        writer.key("format")
        writer.string(format)
        writer.raw(",\n  ")
        writer.key("score")
        writer.integer(plan.score)
        ScenarioWriter.writeList("assignments", plan.assignments, to: &writer) { assignment, writer in
            ScenarioWriter.field("application", &writer, first: true); writer.string(assignment.application.rawValue)
            ScenarioWriter.field("town", &writer); writer.string(assignment.town.rawValue)
            ScenarioWriter.field("accommodation", &writer); writer.string(assignment.accommodation.rawValue)
            ScenarioWriter.field("arrival", &writer); writer.string(assignment.arrival.iso)
            ScenarioWriter.field("nights", &writer); writer.integer(assignment.nights)
            ScenarioWriter.field("slot", &writer)
            if let slot = assignment.slot { writer.string(slot.rawValue) } else { writer.null() }
            ScenarioWriter.field("labor_days", &writer); writer.integer(assignment.laborDays)
            writer.raw("}")
        }
        ScenarioWriter.writeList("unplaced", plan.unplaced, to: &writer) { unplaced, writer in
            ScenarioWriter.field("application", &writer, first: true); writer.string(unplaced.application.rawValue)
            ScenarioWriter.field("reason", &writer); writer.string(unplaced.reason)
            writer.raw("}")
        }
        writer.raw("\n}\n")
        return writer.bytes
    }

    /// Reads a plan file; only its shape is checked here, its rules by `PlanValidator`.
    public static func read(_ bytes: [UInt8]) throws(InputError) -> Plan {
        let root = try JSONParser.parseInput(bytes)
        let diagnostics = DiagnosticCollector()
        let fields = JSONFieldReader(diagnostics: diagnostics)
        guard var object = fields.object(root, "$") else { throw InputError(diagnostics: diagnostics.diagnostics) }
        if let node = object.node("format", required: true), let text = fields.string(node, "format"), text != format {
            diagnostics.report("format", "unsupported format \(node.brief): expected \"\(format)\"")
        }
        let score = object.node("score", required: true).flatMap {
            fields.integer($0, "score", in: Int(Int32.min) * 1_000_000...Int(Int32.max) * 1_000_000)
        }
        let assignments = object.node("assignments", required: true).flatMap { node in
            fields.list(node, "assignments") { node, path -> Assignment? in
                guard var entry = fields.object(node, path) else { return nil }
                let (application, town, accommodation, arrival) = ScenarioReader.placementFields(&entry, path, fields)
                let nights = entry.node("nights", required: true).flatMap {
                    fields.integer($0, path + ".nights", in: ModelLimits.nights)
                }
                let slot: SlotID?? = fields.optionalIdentifier(entry.node("slot", required: true), path + ".slot")
                let laborDays = entry.node("labor_days", required: true).flatMap {
                    fields.integer($0, path + ".labor_days", in: 0...ModelLimits.maximumHorizonNights)
                }
                entry.reportUnknown(allowed: assignmentFields)
                guard let application, let town, let accommodation, let arrival, let nights, let slot,
                      let laborDays else { return nil }
                return Assignment(application: application, town: town, accommodation: accommodation,
                                  arrival: arrival, nights: nights, slot: slot, laborDays: laborDays)
            }
        }
        let unplaced = object.node("unplaced", required: true).flatMap { node in
            fields.list(node, "unplaced") { node, path -> UnplacedApplication? in
                guard var entry = fields.object(node, path) else { return nil }
                let application: ApplicationID? = entry.node("application", required: true).flatMap {
                    fields.identifier($0, path + ".application")
                }
                let reason = entry.node("reason", required: true).flatMap { fields.string($0, path + ".reason") }
                entry.reportUnknown(allowed: unplacedFields)
                guard let application, let reason else { return nil }
                return UnplacedApplication(application: application, reason: reason)
            }
        }
        object.reportUnknown(allowed: topLevelFields)
        try diagnostics.throwIfAny()
        guard let score, let assignments, let unplaced else { throw InputError(diagnostics: diagnostics.diagnostics) }
        return Plan(score: score, assignments: assignments, unplaced: unplaced)
    }
}
