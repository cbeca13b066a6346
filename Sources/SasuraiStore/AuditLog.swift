import SasuraiCore

/// The append-only record of who changed what.
///
/// The store's own writes append their rows inside their transactions; `append` is for events
/// the store does not perform itself, such as a token being issued or a login refused. Rows can
/// never be changed or deleted: the schema's triggers refuse it.
extension ScenarioStore {
    /// Longest action name, such as `application.withdrawn`.
    static let maximumActionLength = 64

    /// Appends one audit row and returns its id.
    ///
    /// - Parameters:
    ///   - actor: who acted, as `role:name` (`planner:alice`, `host:nanto`, `system:expiry`); never a token.
    ///   - action: what happened, dotted lower-case words such as `token.issued`.
    ///   - subject: the id of what it happened to, if any.
    ///   - detail: a JSON object with the particulars.
    @discardableResult
    public func append(actor: String, action: String, subject: String? = nil, detail: String = "{}") throws -> Int64 {
        try Self.validateActor(actor)
        guard case .object? = try? JSONParser.parse(detail).value else {
            throw StoreError.invalidArgument("audit detail must be a JSON object")
        }
        let now = Timestamp.iso(clock())
        return try write {
            try insertAuditRow(at: now, actor: actor, action: action, subject: subject, detail: detail)
            return database.lastInsertRowID
        }
    }

    /// The audit rows with ids above `after`, oldest first, at most `limit` of them.
    public func auditEntries(after: Int64 = 0, limit: Int = 100) throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        try forEachRow("""
            SELECT id, at, actor, action, subject, detail FROM audit_log WHERE id > ? ORDER BY id LIMIT ?
            """, arguments: [after, max(0, limit)]) { row in
            entries.append(AuditEntry(id: row.int64(at: 0), at: try row.requiredText(at: 1),
                                      actor: try row.requiredText(at: 2), action: try row.requiredText(at: 3),
                                      subject: row.text(at: 4), detail: try row.requiredText(at: 5)))
        }
        return entries
    }

    /// Appends one row inside the caller's write.
    ///
    /// `detail` is not parsed again here: the store's own writes build it with `auditDetail` or
    /// a `JSONWriter`, and `append`, which takes any text, checks it first. Parsing it on every
    /// write was a tenth of the writer's time for an APPLY.
    func insertAuditRow(at time: String, actor: String, action: String, subject: String?, detail: String) throws {
        guard !action.isEmpty, action.utf8.count <= Self.maximumActionLength else {
            throw StoreError.invalidArgument("action must be 1 to \(Self.maximumActionLength) bytes")
        }
        try database.execute("""
            INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)
            """, arguments: [time, actor, action, subject, detail])
    }

    /// A flat JSON object of `fields`, in the order given, for an audit row's detail.
    static func auditDetail(_ fields: KeyValuePairs<String, AuditValue>) -> String {
        var writer = JSONWriter()
        writer.raw("{")
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { writer.raw(", ") }
            writer.key(key)
            switch value {
            case .text(let text?): writer.string(text)
            case .text(nil): writer.null()
            case .integer(let number): writer.integer(number)
            case .flag(let flag): writer.bool(flag)
            }
        }
        writer.raw("}")
        return writer.text
    }
}

/// One value of an audit row's detail object.
enum AuditValue {
    /// A string, or null when nil.
    case text(String?)
    case integer(Int)
    case flag(Bool)
}
