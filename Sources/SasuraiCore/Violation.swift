/// One broken rule of MODEL.md, or one plan-format problem, found by `PlanValidator`.
///
/// The message is a single line a person can act on: it names the entities, the nights and
/// the applications involved, with ISO dates.
public struct Violation: Hashable, Sendable, CustomStringConvertible {
    /// The MODEL.md rule (1 to 12); nil for a plan-format problem: an unknown id, an
    /// application listed twice or missing, nights, labor days or score that do not match,
    /// a booking not kept.
    public var rule: Int?
    /// One line, no line breaks.
    public var message: String
    /// The applications involved, sorted and without repeats.
    public var applications: [ApplicationID]

    public init(rule: Int?, message: String, applications: [ApplicationID] = []) {
        self.rule = rule
        // A message is printed as one line of a report, so a stray line break must not split it.
        self.message = message.contains(where: \.isNewline)
            ? String(message.map { $0.isNewline ? " " : $0 })
            : message
        self.applications = Array(Set(applications)).sorted()
    }

    /// `rule 9: ...`, or `plan: ...` for a format problem.
    public var description: String {
        if let rule { return "rule \(rule): \(message)" }
        return "plan: \(message)"
    }

    /// The report order: format problems first, then by rule, then by message in byte order
    /// so that the order is the same on every machine.
    static func precedes(_ lhs: Violation, _ rhs: Violation) -> Bool {
        let leftRule = lhs.rule ?? 0
        let rightRule = rhs.rule ?? 0
        if leftRule != rightRule { return leftRule < rightRule }
        if lhs.message != rhs.message {
            return lhs.message.utf8.lexicographicallyPrecedes(rhs.message.utf8)
        }
        return lhs.applications.lexicographicallyPrecedes(rhs.applications)
    }

    /// The violations without repeats, in report order.
    static func sortedUnique(_ violations: [Violation]) -> [Violation] {
        var seen = Set<Violation>()
        return violations.filter { seen.insert($0).inserted }.sorted(by: precedes)
    }
}

/// What `PlanValidator.validate` found: every violation and the score the plan should state.
public struct PlanValidation: Hashable, Sendable {
    /// Sorted by rule (format problems first), then by message.
    public var violations: [Violation]
    /// The score of the plan's assignments under the scenario's weights, with labor days
    /// recomputed from the stays and slots.
    public var recomputedScore: Int

    public init(violations: [Violation], recomputedScore: Int) {
        self.violations = violations
        self.recomputedScore = recomputedScore
    }

    public var isValid: Bool { violations.isEmpty }
}
