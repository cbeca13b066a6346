import CSQLite

/// A copied-out result row, usable after its statement has moved on or been reset.
public struct Row: Sendable {
    /// Column names as SQLite reports them (the `AS` alias when there is one).
    public let columnNames: [String]

    /// Column values, in the same order as `columnNames`.
    public let values: [DatabaseValue]

    /// The statement's SQL, kept so decoding errors can say where the row came from.
    let sql: String

    init(columnNames: [String], values: [DatabaseValue], sql: String) {
        self.columnNames = columnNames
        self.values = values
        self.sql = sql
    }

    /// The number of columns.
    public var count: Int { values.count }

    /// The value of the column at a zero-based index; traps when out of range, like an array.
    public subscript(index: Int) -> DatabaseValue {
        values[index]
    }

    /// The value of the named column, or nil when the row has no such column.
    public subscript(name: String) -> DatabaseValue? {
        columnIndex(named: name).map { values[$0] }
    }

    /// The zero-based index of a column, matched exactly first and then case-insensitively as SQL does.
    public func columnIndex(named name: String) -> Int? {
        if let index = columnNames.firstIndex(of: name) {
            return index
        }
        let lowercasedName = name.lowercased()
        return columnNames.firstIndex { $0.lowercased() == lowercasedName }
    }

    /// Reads the column at a zero-based index as `T`.
    ///
    /// Use an optional type such as `String?` for nullable columns.
    /// - Throws: `SQLiteError` with `SQLITE_RANGE` for a bad index, `SQLITE_MISMATCH` when the value does not fit `T`.
    public func decode<T: DatabaseValueConvertible>(_ type: T.Type = T.self, at index: Int) throws -> T {
        guard values.indices.contains(index) else {
            throw SQLiteError(code: SQLITE_RANGE, message: "no column at index \(index) (row has \(count))", sql: sql)
        }
        return try decode(type, value: values[index], column: "\(index)")
    }

    /// Reads the named column as `T`.
    ///
    /// Use an optional type such as `String?` for nullable columns.
    /// - Throws: `SQLiteError` with `SQLITE_RANGE` for an unknown column, `SQLITE_MISMATCH` when the value does not fit `T`.
    public func decode<T: DatabaseValueConvertible>(_ type: T.Type = T.self, named name: String) throws -> T {
        guard let index = columnIndex(named: name) else {
            throw SQLiteError(code: SQLITE_RANGE, message: "no column named '\(name)'", sql: sql)
        }
        return try decode(type, value: values[index], column: "'\(name)'")
    }

    private func decode<T: DatabaseValueConvertible>(_ type: T.Type, value: DatabaseValue, column: String) throws -> T {
        guard let decoded = T(databaseValue: value) else {
            // Only the storage class is reported: the value itself may be personal data.
            throw SQLiteError(
                code: SQLITE_MISMATCH,
                message: "column \(column) holds \(value.storageClassName), which cannot be read as \(T.self)",
                sql: sql
            )
        }
        return decoded
    }
}
