import CSQLite

/// An error reported by SQLite, or by this layer when SQLite is used incorrectly.
///
/// The error carries the SQL text of the failing statement but never its bound values:
/// values hold guest and host data, and errors end up in logs and in replies to clients.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The primary result code, such as `SQLITE_CONSTRAINT` (19).
    public let code: Int32

    /// The extended result code, such as `SQLITE_CONSTRAINT_UNIQUE` (2067).
    ///
    /// Equal to `code` when SQLite reported no more specific code.
    public let extendedCode: Int32

    /// The message from `sqlite3_errmsg`, or a description written by this layer.
    public let message: String

    /// The SQL text of the statement that failed, without bound values; nil for operations
    /// that run no SQL, such as opening a file or a backup.
    public let sql: String?

    /// Creates an error; `extendedCode` defaults to `code`.
    public init(code: Int32, extendedCode: Int32? = nil, message: String, sql: String? = nil) {
        // Callers sometimes hold an extended code in `code`; the low byte is always the primary code.
        self.code = code & 0xFF
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
    }

    /// Creates an error from the state a failed call left on a connection.
    init(connection: OpaquePointer?, code: Int32, sql: String?) {
        guard let connection else {
            self.init(code: code, message: Self.standardMessage(for: code), sql: sql)
            return
        }
        let extendedCode = sqlite3_extended_errcode(connection)
        // The connection's message belongs to the most recent failing call; when its code disagrees
        // with the one we were handed, the message is stale and the generic text is more honest.
        if extendedCode & 0xFF == code & 0xFF {
            let message = sqlite3_errmsg(connection).map { String(cString: $0) } ?? Self.standardMessage(for: code)
            self.init(code: code, extendedCode: extendedCode, message: message, sql: sql)
        } else {
            self.init(code: code, message: Self.standardMessage(for: code), sql: sql)
        }
    }

    /// Creates an error for API misuse detected by this layer rather than by SQLite.
    static func misuse(_ message: String, sql: String? = nil) -> SQLiteError {
        SQLiteError(code: SQLITE_MISUSE, message: message, sql: sql)
    }

    /// The English text SQLite uses for a result code.
    static func standardMessage(for code: Int32) -> String {
        sqlite3_errstr(code).map { String(cString: $0) } ?? "unknown error"
    }

    /// True when a constraint (UNIQUE, NOT NULL, CHECK, FOREIGN KEY, ...) rejected the change.
    public var isConstraintViolation: Bool { code == SQLITE_CONSTRAINT }

    /// True when a UNIQUE or PRIMARY KEY constraint rejected the change.
    public var isUniqueConstraintViolation: Bool {
        extendedCode == Self.constraintUnique || extendedCode == Self.constraintPrimaryKey
    }

    /// True when a FOREIGN KEY constraint rejected the change.
    public var isForeignKeyViolation: Bool { extendedCode == Self.constraintForeignKey }

    // Swift cannot import the extended-code macros, which are built with `|` and `<<`.
    static let constraintForeignKey = SQLITE_CONSTRAINT | (3 << 8)
    static let constraintPrimaryKey = SQLITE_CONSTRAINT | (6 << 8)
    static let constraintUnique = SQLITE_CONSTRAINT | (8 << 8)

    /// True when another connection held a lock for longer than the busy timeout.
    public var isBusy: Bool { code == SQLITE_BUSY }

    /// Longest SQL excerpt shown in `description`, so a failing migration script cannot flood a log line.
    static let descriptionSQLLimit = 1_000

    /// One line with the codes, the message and the SQL.
    ///
    /// Line breaks are replaced with spaces so the text can go into a single log line or reply field.
    public var description: String {
        var text = "SQLite error \(code)"
        if extendedCode != code {
            text += " (extended \(extendedCode))"
        }
        text += ": \(message)"
        if let sql {
            var excerpt = sql.trimmingWhitespace()
            if excerpt.count > Self.descriptionSQLLimit {
                excerpt = String(excerpt.prefix(Self.descriptionSQLLimit)) + "..."
            }
            text += "; SQL: \(excerpt)"
        }
        return text.replacingLineBreaksWithSpaces()
    }
}

extension String {
    /// The text with every line break (including CR LF pairs and Unicode separators) turned into one space.
    func replacingLineBreaksWithSpaces() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }

    /// The text without leading and trailing whitespace or line breaks.
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
