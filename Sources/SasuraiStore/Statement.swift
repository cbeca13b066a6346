import CSQLite
import Foundation

/// SQLite's `SQLITE_TRANSIENT`: tells SQLite to copy text and blobs during the bind call.
///
/// The C macro is a cast of -1 that Swift cannot import. Copying is required because the Swift
/// buffers handed to SQLite are only valid inside `withUTF8` / `withUnsafeBytes`.
private var transientDestructor: sqlite3_destructor_type {
    unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// A compiled SQL statement (one `sqlite3_stmt`), finalized when the object is released.
///
/// Parameter indexes passed to `bind(_:at:)` are 1-based and column indexes passed to the
/// readers are 0-based, exactly as in SQLite's C API.
///
/// A statement must not outlive its `Database`, and is confined to the same thread or
/// isolation domain (it is not `Sendable`). The back reference is `unowned`, as in GRDB, so the
/// statement cache does not keep its database alive; using a statement after its database
/// is gone traps instead of touching freed memory.
public final class Statement {
    unowned let database: Database
    let handle: OpaquePointer

    /// The SQL text the statement was compiled from, without bound values.
    public let sql: String

    /// Compiles exactly one SQL statement.
    ///
    /// - Parameter persistent: a hint that the statement will be reused many times (statement cache).
    init(database: Database, sql: String, persistent: Bool) throws {
        let connection = database.handle
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let compiled: OpaquePointer? = try sql.withCString { text in
            var statement: OpaquePointer?
            var remainder: UnsafePointer<CChar>?
            let result = sqlite3_prepare_v3(connection, text, -1, flags, &statement, &remainder)
            guard result == SQLITE_OK else {
                throw SQLiteError(connection: connection, code: result, sql: sql)
            }
            // Trailing statements would be silently ignored, which hides bugs; whitespace and
            // comments compile to no statement, so compiling the remainder tells them apart.
            if let remainder, remainder.pointee != 0 {
                var trailing: OpaquePointer?
                _ = sqlite3_prepare_v2(connection, remainder, -1, &trailing, nil)
                if trailing != nil {
                    sqlite3_finalize(trailing)
                    sqlite3_finalize(statement)
                    throw SQLiteError.misuse(
                        "prepare accepts a single statement; use execute(_:) for scripts",
                        sql: sql
                    )
                }
            }
            return statement
        }
        guard let compiled else {
            throw SQLiteError.misuse("no SQL statement in text", sql: sql)
        }
        self.database = database
        self.handle = compiled
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// The connection, reached through the unowned reference so that use after the database is gone traps.
    private var connection: OpaquePointer { database.handle }

    // MARK: Properties

    /// The number of parameters (distinct names count once).
    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    /// The number of result columns; zero for statements that return no rows.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// Result column names, in order.
    public var columnNames: [String] {
        (0..<columnCount).map { columnName(at: $0) }
    }

    /// The name of a result column at a zero-based index.
    public func columnName(at column: Int) -> String {
        sqlite3_column_name(handle, Int32(column)).map { String(cString: $0) } ?? ""
    }

    /// True when the statement cannot write to the database.
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    /// True between the first `step()` and the last row or `reset()`; a busy statement holds a read snapshot.
    public var isBusy: Bool { sqlite3_stmt_busy(handle) != 0 }

    // MARK: Binding

    /// Binds a value to the parameter at a 1-based index; nil binds NULL.
    public func bind(_ value: (any SQLiteBindable)?, at index: Int) throws {
        try bind(value?.databaseValue ?? .null, at: index)
    }

    /// Binds a value to a named parameter; the `:`, `@` or `$` prefix may be omitted.
    public func bind(_ value: (any SQLiteBindable)?, named name: String) throws {
        guard let index = parameterIndex(named: name) else {
            throw SQLiteError(code: SQLITE_RANGE, message: "no parameter named '\(name)'", sql: sql)
        }
        try bind(value, at: index)
    }

    /// Binds all parameters from `arguments`, which must cover every parameter.
    ///
    /// Checking the count catches the most common SQL bug, a forgotten `?`, instead of
    /// letting SQLite bind NULL to it.
    public func bind(_ arguments: StatementArguments) throws {
        let parameterCount = self.parameterCount
        switch arguments.storage {
        case .positional(let values):
            guard values.count == parameterCount else {
                throw SQLiteError(
                    code: SQLITE_RANGE,
                    message: "statement has \(parameterCount) parameters but \(values.count) arguments were given",
                    sql: sql
                )
            }
            for (offset, value) in values.enumerated() {
                try bind(value, at: offset + 1)
            }
        case .named(let values):
            guard parameterCount > 0 else { return }
            for index in 1...parameterCount {
                guard let fullName = sqlite3_bind_parameter_name(handle, Int32(index)).map({ String(cString: $0) }) else {
                    throw SQLiteError(
                        code: SQLITE_RANGE,
                        message: "parameter \(index) has no name; use positional arguments",
                        sql: sql
                    )
                }
                let name = StatementArguments.bareName(fullName)
                guard let value = values[name] else {
                    throw SQLiteError(code: SQLITE_RANGE, message: "no argument for parameter '\(fullName)'", sql: sql)
                }
                try bind(value, at: index)
            }
        }
    }

    /// Sets every parameter back to NULL.
    public func clearBindings() {
        sqlite3_clear_bindings(handle)
    }

    private func parameterIndex(named name: String) -> Int? {
        let candidates = StatementArguments.bareName(name) == name ? [":" + name, "@" + name, "$" + name] : [name]
        for candidate in candidates {
            let index = sqlite3_bind_parameter_index(handle, candidate)
            if index > 0 {
                return Int(index)
            }
        }
        return nil
    }

    private func bind(_ value: DatabaseValue, at index: Int) throws {
        let position = Int32(clamping: index)
        let result: Int32
        switch value {
        case .null:
            result = sqlite3_bind_null(handle, position)
        case .integer(let integer):
            result = sqlite3_bind_int64(handle, position, integer)
        case .real(let real):
            result = sqlite3_bind_double(handle, position, real)
        case .text(let string):
            var text = string
            // An explicit byte count keeps text containing NUL intact; a C string would end at the NUL.
            result = text.withUTF8 { bytes in
                let start = bytes.baseAddress ?? Self.emptyText.utf8Start
                return start.withMemoryRebound(to: CChar.self, capacity: max(bytes.count, 1)) { characters in
                    sqlite3_bind_text64(
                        handle, position, characters, UInt64(bytes.count), transientDestructor, UInt8(SQLITE_UTF8)
                    )
                }
            }
        case .blob(let data):
            result = data.withUnsafeBytes { bytes in
                // A NULL pointer would bind SQL NULL, so an empty blob needs its own call.
                guard let start = bytes.baseAddress, bytes.count > 0 else {
                    return sqlite3_bind_zeroblob(handle, position, 0)
                }
                return sqlite3_bind_blob64(handle, position, start, UInt64(bytes.count), transientDestructor)
            }
        }
        guard result == SQLITE_OK else {
            throw SQLiteError(connection: connection, code: result, sql: sql)
        }
    }

    /// A non-NULL pointer for empty strings, whose UTF-8 view may have no storage.
    private static let emptyText: StaticString = ""

    // MARK: Stepping

    /// Advances to the next row: true when a row is available, false when the statement is done.
    public func step() throws -> Bool {
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        default:
            throw SQLiteError(connection: connection, code: result, sql: sql)
        }
    }

    /// Rewinds the statement so it can run again; bindings are kept.
    ///
    /// Resetting also ends the statement's read snapshot, which would otherwise keep WAL
    /// checkpoints from completing. The result code is not reported because it repeats the
    /// error the last `step()` already threw.
    public func reset() {
        sqlite3_reset(handle)
    }

    // MARK: Column readers (valid after step() returned true)

    /// The column at a zero-based index as a 64-bit integer; NULL reads as 0.
    public func int64(at column: Int) -> Int64 {
        _ = connection
        return sqlite3_column_int64(handle, Int32(column))
    }

    /// The column at a zero-based index as an integer; NULL reads as 0.
    public func int(at column: Int) -> Int {
        Int(truncatingIfNeeded: int64(at: column))
    }

    /// The column at a zero-based index as a double; NULL reads as 0.
    public func double(at column: Int) -> Double {
        _ = connection
        return sqlite3_column_double(handle, Int32(column))
    }

    /// The column at a zero-based index as text, or nil when it is NULL.
    public func text(at column: Int) -> String? {
        guard !isNull(at: column) else { return nil }
        let position = Int32(column)
        // sqlite3_column_bytes must come after sqlite3_column_text, which may convert the value.
        guard let characters = sqlite3_column_text(handle, position) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, position))
        return String(decoding: UnsafeBufferPointer(start: characters, count: count), as: UTF8.self)
    }

    /// The column at a zero-based index as bytes, or nil when it is NULL.
    public func blob(at column: Int) -> Data? {
        guard !isNull(at: column) else { return nil }
        let position = Int32(column)
        // sqlite3_column_bytes must come after sqlite3_column_blob; an empty blob has no pointer.
        guard let bytes = sqlite3_column_blob(handle, position) else { return Data() }
        let count = Int(sqlite3_column_bytes(handle, position))
        return Data(bytes: bytes, count: count)
    }

    /// True when the column at a zero-based index is NULL.
    public func isNull(at column: Int) -> Bool {
        _ = connection
        return sqlite3_column_type(handle, Int32(column)) == SQLITE_NULL
    }

    /// The column at a zero-based index in its stored storage class.
    public func value(at column: Int) -> DatabaseValue {
        _ = connection
        switch sqlite3_column_type(handle, Int32(column)) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, Int32(column)))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, Int32(column)))
        case SQLITE_TEXT:
            return .text(text(at: column) ?? "")
        case SQLITE_BLOB:
            return .blob(blob(at: column) ?? Data())
        default:
            return .null
        }
    }

    /// The current row, copied out.
    public func currentRow() -> Row {
        currentRow(columnNames: columnNames)
    }

    private func currentRow(columnNames: [String]) -> Row {
        Row(columnNames: columnNames, values: (0..<columnNames.count).map { value(at: $0) }, sql: sql)
    }

    // MARK: Running

    /// Runs the statement to completion, ignoring any rows.
    ///
    /// - Parameter arguments: when given, replaces all bindings; when nil, current bindings are used.
    public func execute(arguments: StatementArguments? = nil) throws {
        try start(arguments)
        defer { reset() }
        while try step() {}
    }

    /// Returns every row.
    ///
    /// - Parameter arguments: when given, replaces all bindings; when nil, current bindings are used.
    public func fetchAll(arguments: StatementArguments? = nil) throws -> [Row] {
        var rows: [Row] = []
        try forEachRow(arguments: arguments) { rows.append($0) }
        return rows
    }

    /// Returns the first row, or nil when there is none; later rows are not computed.
    ///
    /// - Parameter arguments: when given, replaces all bindings; when nil, current bindings are used.
    public func fetchOne(arguments: StatementArguments? = nil) throws -> Row? {
        try start(arguments)
        defer { reset() }
        return try step() ? currentRow() : nil
    }

    /// Calls `body` with each row in turn, without collecting them.
    ///
    /// - Parameter arguments: when given, replaces all bindings; when nil, current bindings are used.
    public func forEachRow(arguments: StatementArguments? = nil, _ body: (Row) throws -> Void) throws {
        try start(arguments)
        defer { reset() }
        var columnNames: [String]?
        while try step() {
            // Names are read after the first step because a schema change may have recompiled `SELECT *`.
            let names = columnNames ?? self.columnNames
            columnNames = names
            try body(currentRow(columnNames: names))
        }
    }

    private func start(_ arguments: StatementArguments?) throws {
        reset()
        if let arguments {
            clearBindings()
            try bind(arguments)
        }
    }
}
