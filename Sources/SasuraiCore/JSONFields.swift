/// Reads typed fields out of parsed JSON, reporting each problem with its path.
///
/// Every accessor returns nil after reporting, so a reader can carry on and collect all
/// problems of a file in one pass.
struct JSONFieldReader {
    let diagnostics: DiagnosticCollector

    /// Reads an object's members by name, then reports any member nobody asked for.
    struct ObjectFields {
        let members: [JSONMember]
        let path: String
        let diagnostics: DiagnosticCollector
        private var used: Set<String> = []

        init(members: [JSONMember], path: String, diagnostics: DiagnosticCollector) {
            self.members = members
            self.path = path
            self.diagnostics = diagnostics
        }

        func childPath(_ key: String) -> String {
            path == "$" || path.isEmpty ? key : path + "." + key
        }

        /// The member `key`, or nil (reported when `required`).
        mutating func node(_ key: String, required: Bool) -> JSONNode? {
            used.insert(key)
            guard let member = members.first(where: { $0.key == key }) else {
                if required { diagnostics.report(childPath(key), "missing required field") }
                return nil
            }
            return member.node
        }

        /// Reports members that no read asked for: a typo must never pass silently.
        func reportUnknown(allowed: [String]) {
            for member in members where !used.contains(member.key) {
                diagnostics.report(childPath(member.key),
                                   "unknown field; expected one of " + allowed.joined(separator: ", "))
            }
        }
    }

    func object(_ node: JSONNode, _ path: String) -> ObjectFields? {
        guard case .object(let members) = node.value else {
            diagnostics.report(path, "expected an object, got \(node.brief)")
            return nil
        }
        return ObjectFields(members: members, path: path, diagnostics: diagnostics)
    }

    func array(_ node: JSONNode, _ path: String) -> [JSONNode]? {
        guard case .array(let elements) = node.value else {
            diagnostics.report(path, "expected an array, got \(node.brief)")
            return nil
        }
        return elements
    }

    func string(_ node: JSONNode, _ path: String) -> String? {
        guard case .string(let text) = node.value else {
            diagnostics.report(path, "expected a string, got \(node.brief)")
            return nil
        }
        return text
    }

    func integer(_ node: JSONNode, _ path: String, in range: ClosedRange<Int>) -> Int? {
        switch node.value {
        case .integer(let value):
            guard range.contains(value) else {
                diagnostics.report(path, "\(value) is out of range \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return value
        case .number(let text):
            let isWhole = !text.contains(".") && !text.lowercased().contains("e")
            diagnostics.report(path, isWhole
                ? "\(node.brief) is out of range \(range.lowerBound) to \(range.upperBound)"
                : "expected a whole number, got \(node.brief)")
            return nil
        default:
            diagnostics.report(path, "expected a whole number, got \(node.brief)")
            return nil
        }
    }

    func identifier<Entity>(_ node: JSONNode, _ path: String, as _: Entity.Type = Entity.self) -> Identifier<Entity>? {
        guard let text = string(node, path) else { return nil }
        guard IdentifierRules.isValidIdentifier(text) else {
            diagnostics.report(path, "invalid id \(node.brief): use 1 to 64 characters of a-z A-Z 0-9 . _ -")
            return nil
        }
        return Identifier(text)
    }

    func optionalIdentifier<Entity>(_ node: JSONNode?, _ path: String, as _: Entity.Type = Entity.self) -> Identifier<Entity>?? {
        guard let node else { return .some(nil) }
        if case .null = node.value { return .some(nil) }
        guard let id: Identifier<Entity> = identifier(node, path) else { return nil }
        return .some(id)
    }

    /// A name or title: any text of 1 to 200 characters, no control characters.
    func name(_ node: JSONNode, _ path: String) -> String? {
        guard let text = string(node, path) else { return nil }
        let length = text.count
        guard length >= 1 else {
            diagnostics.report(path, "must not be empty")
            return nil
        }
        guard length <= IdentifierRules.maximumNameLength else {
            diagnostics.report(path, "longer than \(IdentifierRules.maximumNameLength) characters (\(length))")
            return nil
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            diagnostics.report(path, "must not contain control characters")
            return nil
        }
        return text
    }

    func day(_ node: JSONNode, _ path: String) -> Day? {
        guard let text = string(node, path) else { return nil }
        guard let day = Day(iso: text) else {
            diagnostics.report(path, "invalid date \(node.brief): use YYYY-MM-DD")
            return nil
        }
        return day
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ node: JSONNode, _ path: String, what: String) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(node, path) else { return nil }
        guard let value = Choice(rawValue: text) else {
            let options = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            diagnostics.report(path, "unknown \(what) \(node.brief): use one of \(options)")
            return nil
        }
        return value
    }

    /// An array whose elements each pass `element`; nil when any fails (all are reported).
    func list<Element>(_ node: JSONNode, _ path: String, maximumCount: Int? = nil,
                       _ element: (JSONNode, String) -> Element?) -> [Element]? {
        guard let nodes = array(node, path) else { return nil }
        if let maximumCount, nodes.count > maximumCount {
            diagnostics.report(path, "has \(nodes.count) entries; at most \(maximumCount) allowed")
            return nil
        }
        var result: [Element] = []
        result.reserveCapacity(nodes.count)
        var failed = false
        for (index, child) in nodes.enumerated() {
            if let value = element(child, path + "[\(index)]") { result.append(value) } else { failed = true }
        }
        return failed ? nil : result
    }

    /// A list of distinct values; a repeat is reported at its second place.
    func distinctList<Element: Hashable>(_ node: JSONNode, _ path: String, what: String, maximumCount: Int? = nil,
                                         _ element: (JSONNode, String) -> Element?) -> [Element]? {
        guard let values = list(node, path, maximumCount: maximumCount, element) else { return nil }
        var seen = Set<Element>()
        var failed = false
        for (index, value) in values.enumerated() where !seen.insert(value).inserted {
            diagnostics.report(path + "[\(index)]", "\(what) \"\(value)\" is listed twice")
            failed = true
        }
        return failed ? nil : values
    }

    func skill(_ node: JSONNode, _ path: String) -> String? {
        guard let text = string(node, path) else { return nil }
        guard IdentifierRules.isValidSkill(text) else {
            diagnostics.report(path, "invalid skill \(node.brief): use a lower-case word such as farming or web-design")
            return nil
        }
        return text
    }

    /// A `[from, to)` pair of dates, refusing empty and reversed ranges.
    func dayRange(_ node: JSONNode, _ path: String) -> DayRange? {
        guard let pair = array(node, path) else { return nil }
        guard pair.count == 2 else {
            diagnostics.report(path, "expected a pair [from, to], got \(pair.count) entries")
            return nil
        }
        guard let from = day(pair[0], path + "[0]"), let to = day(pair[1], path + "[1]") else { return nil }
        guard from < to else {
            diagnostics.report(path, from == to ? "empty range: from and to are both \(from.iso)"
                                                : "reversed range: from \(from.iso) is after to \(to.iso)")
            return nil
        }
        return DayRange(from: from, to: to)
    }
}
