import Foundation
import SasuraiCore

/// CSV as spreadsheets write it (RFC 4180): quoted fields, doubled quotes, line breaks
/// inside quotes, CRLF or LF, with or without a final line break.
enum CSVReader {
    struct SyntaxError: Error, Equatable {
        var row: Int
        var message: String
    }

    /// The rows of `text`; blank lines are dropped (spreadsheets add them at the end).
    static func rows(_ text: String) throws(SyntaxError) -> [(number: Int, cells: [String])] {
        var rows: [(Int, [String])] = []
        var cells: [String] = []
        var cell = ""
        var inQuotes = false
        var afterQuote = false
        // Rows are numbered as a spreadsheet shows them: by record, so a line break inside a
        // quoted cell does not start a new row, while a blank line does.
        var row = 1
        var characters = Array(text.unicodeScalars)[...]
        func endRow() {
            cells.append(cell)
            // Blank rows, and rows of bare commas that spreadsheets write for formatted empty
            // rows, hold nothing to import.
            if !cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { rows.append((row, cells)) }
            cells = []
            cell = ""
        }
        while let scalar = characters.popFirst() {
            if inQuotes {
                if scalar == "\"" {
                    if characters.first == "\"" {
                        characters.removeFirst()
                        cell.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    cell.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                cells.append(cell)
                cell = ""
                afterQuote = false
            case "\r":
                if characters.first == "\n" { continue }
                fallthrough
            case "\n":
                endRow()
                row += 1
                afterQuote = false
            case "\"":
                guard cell.trimmingCharacters(in: .whitespaces).isEmpty, !afterQuote else {
                    throw SyntaxError(row: row, message: "a quote inside an unquoted field; quote the whole field and double the quote (\"\")")
                }
                cell = ""
                inQuotes = true
            default:
                if afterQuote && scalar != " " {
                    throw SyntaxError(row: row, message: "text after a closing quote; quote the whole field")
                }
                if !afterQuote { cell.unicodeScalars.append(scalar) }
            }
        }
        if inQuotes { throw SyntaxError(row: row, message: "a quoted field is never closed") }
        if !cell.isEmpty || !cells.isEmpty { endRow() }
        return rows
    }

    /// The file's text: UTF-8 with or without a byte order mark, or Shift_JIS (CP932, what
    /// Japanese Excel writes by default) when the bytes are not UTF-8.
    static func decode(_ bytes: [UInt8], path: String) throws -> String {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let text = String(validating: body, as: UTF8.self) { return text }
        if let text = String(data: Data(body), encoding: .shiftJIS) { return text }
        throw CommandFailure("\(path) is neither UTF-8 nor Shift_JIS text; save it from the spreadsheet as \"CSV UTF-8\"")
    }
}

/// The fields of an accommodation or a labor slot, read from strings the same way whether
/// they come from command-line options or from a spreadsheet's cells, and checked against
/// the ranges of docs/PROTOCOL.md section 7.2 before anything is sent.
struct CatalogFields: Sendable {
    struct Field: Sendable {
        /// The protocol's field name, which is also the CSV column.
        var name: String
        /// The command-line option of `put`.
        var option: String
        var required: Bool
        /// Other column headers spreadsheets use for this field.
        var aliases: [String] = []
        var parse: @Sendable (String) -> Result<RequestObject.Value, FieldError>
    }

    /// Problems with named fields, each a field name and a message.
    struct FieldProblems: Error {
        var problems: [(field: String, message: String)]
    }

    struct FieldError: Error, Equatable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    var noun: String
    var fields: [Field]
    /// Rules joining fields, checked when each field alone is fine.
    var joint: @Sendable ([String: RequestObject.Value]) -> (field: String, message: String)?

    /// The field whose CSV header is `header` (case and spacing ignored).
    func field(forHeader header: String) -> Field? {
        let key = header.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "_")
        return fields.first { $0.name == key || $0.aliases.contains(key) }
    }

    /// A request object from field values by name; errors name the field.
    func request(_ values: [String: String], scope: RequestObject) -> Result<RequestObject, FieldProblems> {
        var errors: [(String, String)] = []
        var parsed: [String: RequestObject.Value] = [:]
        for field in fields {
            let raw = values[field.name]?.trimmingCharacters(in: .whitespaces) ?? ""
            if raw.isEmpty {
                if field.required { errors.append((field.name, "missing; it is required")) }
                continue
            }
            switch field.parse(raw) {
            case .success(let value): parsed[field.name] = value
            case .failure(let error): errors.append((field.name, error.message))
            }
        }
        if errors.isEmpty, let problem = joint(parsed) { errors.append(problem) }
        guard errors.isEmpty else { return .failure(FieldProblems(problems: errors)) }
        var request = scope
        for field in fields { if let value = parsed[field.name] { request.set(field.name, value) } }
        return .success(request)
    }

    /// Values from `put`'s options; the first problem is a usage error naming the option.
    func request(from arguments: ParsedArguments, scope: RequestObject) throws(UsageError) -> RequestObject {
        var values: [String: String] = [:]
        for field in fields { if let value = arguments.value(field.option) { values[field.name] = value } }
        switch request(values, scope: scope) {
        case .success(let request): return request
        case .failure(let failure):
            let first = failure.problems[0]
            let option = fields.first { $0.name == first.field }?.option ?? first.field
            throw UsageError("\(option): \(first.message)")
        }
    }

    // MARK: Value readers

    static func identifier(_ text: String) -> Result<RequestObject.Value, FieldError> {
        do {
            try ParsedArguments.checkIdentifier(text, "")
            return .success(.string(text))
        } catch {
            return .failure(FieldError("\"\(text)\" is not an id (1 to 64 characters of a-z A-Z 0-9 . _ -)"))
        }
    }

    static func name(_ text: String) -> Result<RequestObject.Value, FieldError> {
        // The protocol counts Unicode scalars (docs/PROTOCOL.md section 6), so a decomposed が counts two.
        text.unicodeScalars.count <= 200 ? .success(.string(text)) : .failure(FieldError("longer than 200 characters"))
    }

    /// A whole number, allowing what spreadsheets add: `12,000`, `¥3,500`, `3500円`. A
    /// backslash counts as a yen sign: Shift_JIS writes ¥ as byte 0x5C, which decodes as `\`.
    static func integer(in range: ClosedRange<Int>) -> @Sendable (String) -> Result<RequestObject.Value, FieldError> {
        { text in
            var digits = text
            for decoration in ["¥", "￥", "\\", "円", " "] { digits = digits.replacingOccurrences(of: decoration, with: "") }
            digits = digits.replacingOccurrences(of: "，", with: ",")
            if digits.contains(",") {
                // Only groups of three are thousands separators: 1,2 may be a decimal comma.
                let groups = digits.split(separator: ",", omittingEmptySubsequences: false)
                let grouped = (1...3).contains(groups[0].count) && groups.dropFirst().allSatisfy { $0.count == 3 }
                guard grouped else {
                    return .failure(FieldError("\"\(text)\" is not a whole number (separators go between groups of three digits)"))
                }
                digits = groups.joined()
            }
            guard let number = Int(digits) else { return .failure(FieldError("\"\(text)\" is not a whole number")) }
            guard range.contains(number) else {
                return .failure(FieldError("\(number) is out of range \(range.lowerBound) to \(NumberFormat.grouped(range.upperBound))"))
            }
            return .success(.integer(number))
        }
    }

    /// `2026-07-01`, or `2026/07/01` and `2026/7/1` as spreadsheets show dates.
    static func day(_ text: String) -> Day? {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "/" })
        guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]),
              let dayNumber = Int(parts[2]), parts[1].count <= 2, parts[2].count <= 2 else { return nil }
        return Day(year: year, month: month, day: dayNumber)
    }

    static func date(_ text: String) -> Result<RequestObject.Value, FieldError> {
        guard let day = day(text) else { return .failure(FieldError("\"\(text)\" is not a date YYYY-MM-DD")) }
        return .success(.string(day.iso))
    }

    /// Open periods in one cell: `2026-07-01..2026-09-01; 2026-12-20..2027-01-10`.
    static func ranges(_ text: String) -> Result<RequestObject.Value, FieldError> {
        var ranges: [DayRange] = []
        for part in text.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == "\n" }) {
            let piece = part.trimmingCharacters(in: .whitespaces)
            if piece.isEmpty { continue }
            let ends = piece.components(separatedBy: "..")
            guard ends.count == 2, let from = day(ends[0].trimmingCharacters(in: .whitespaces)),
                  let to = day(ends[1].trimmingCharacters(in: .whitespaces)) else {
                return .failure(FieldError("\"\(piece)\" is not FROM..TO (for example 2026-07-01..2026-11-01)"))
            }
            guard from < to else { return .failure(FieldError("in \"\(piece)\" the end must be after the start")) }
            ranges.append(DayRange(from: from, to: to))
        }
        guard ranges.count <= 100 else { return .failure(FieldError("more than 100 periods")) }
        return .success(.ranges(ranges))
    }

    /// Skills separated by spaces, `;` or `,`: lower-case letters, digits and inner hyphens.
    static func skills(_ text: String) -> Result<RequestObject.Value, FieldError> {
        let skills = text.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "," || $0 == "、" }).map(String.init)
        var seen = Set<String>()
        for skill in skills {
            let valid = skill.utf8.count <= 64 && skill.first != "-" && skill.last != "-"
                && skill.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
            guard valid else { return .failure(FieldError("\"\(skill)\" is not a skill (lower-case letters, digits and inner hyphens)")) }
            guard seen.insert(skill).inserted else { return .failure(FieldError("\"\(skill)\" is listed twice")) }
        }
        guard skills.count <= 32 else { return .failure(FieldError("more than 32 skills")) }
        return .success(.strings(skills))
    }

    // MARK: The two catalogs

    static let accommodation = CatalogFields(noun: "accommodation", fields: [
        Field(name: "id", option: "--id", required: true, parse: identifier),
        Field(name: "name", option: "--name", required: true, parse: name),
        Field(name: "kind", option: "--kind", required: true, parse: { text in
            let kinds = AccommodationKind.allCases.map(\.rawValue)
            return kinds.contains(text) ? .success(.string(text))
                : .failure(FieldError("\"\(text)\" is not one of \(kinds.joined(separator: ", "))"))
        }),
        Field(name: "beds", option: "--beds", required: true, parse: integer(in: 0...10_000)),
        Field(name: "price_per_night", option: "--price", required: true, aliases: ["price"], parse: integer(in: 0...10_000_000)),
        Field(name: "open", option: "--open", required: false, parse: ranges),
    ], joint: { _ in nil })

    static let slot = CatalogFields(noun: "slot", fields: [
        Field(name: "id", option: "--id", required: true, parse: identifier),
        Field(name: "title", option: "--title", required: true, parse: name),
        Field(name: "skills", option: "--skills", required: false, parse: skills),
        Field(name: "from", option: "--from", required: true, parse: date),
        Field(name: "to", option: "--to", required: true, parse: date),
        Field(name: "seats", option: "--seats", required: true, parse: integer(in: 0...10_000)),
        Field(name: "min_days", option: "--min-days", required: false, parse: integer(in: 1...731)),
    ], joint: { values in
        guard case .string(let fromText)? = values["from"], case .string(let toText)? = values["to"],
              let from = Day(iso: fromText), let to = Day(iso: toText) else { return nil }
        guard from < to else { return ("to", "must be after from (\(fromText))") }
        guard to.days(since: from) <= 731 else { return ("to", "range of \(to.days(since: from)) nights is longer than 731") }
        if case .integer(let minimum)? = values["min_days"], minimum > to.days(since: from) {
            return ("min_days", "\(minimum) days do not fit between from and to")
        }
        return nil
    })
}

/// A spreadsheet column's letter as the spreadsheet shows it: A, B, …, Z, AA.
func spreadsheetColumn(_ index: Int) -> String {
    var number = index + 1
    var letters = ""
    while number > 0 {
        let remainder = (number - 1) % 26
        letters = String(UnicodeScalar(UInt8(65 + remainder))) + letters
        number = (number - 1) / 26
    }
    return letters
}

/// Reads a whole catalog file: every row becomes a request, or every problem is listed.
enum CatalogFile {
    /// At most this many problems are listed; past it the file is clearly of another shape.
    static let maximumProblems = 100

    /// The problems of a file, one line each, ready to print.
    struct Problems: Error {
        var lines: [String]
    }

    static func requests(_ text: String, catalog: CatalogFields, scope: RequestObject) -> Result<[(row: Int, request: RequestObject)], Problems> {
        let rows: [(number: Int, cells: [String])]
        do {
            rows = try CSVReader.rows(text)
        } catch {
            return .failure(Problems(lines: ["row \(error.row): \(error.message)"]))
        }
        guard let header = rows.first else {
            return .failure(Problems(lines: ["the file is empty; the first row names the columns: " + catalog.fields.map(\.name).joined(separator: ", ")]))
        }
        var problems: [String] = []
        var columns: [Int: CatalogFields.Field] = [:]
        for (index, title) in header.cells.enumerated() {
            if title.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let field = catalog.field(forHeader: title) else {
                problems.append("row 1, column \(spreadsheetColumn(index)): unknown column \"\(title)\"; the columns are "
                                + catalog.fields.map(\.name).joined(separator: ", "))
                continue
            }
            if let earlier = columns.first(where: { $0.value.name == field.name })?.key {
                problems.append("row 1, column \(spreadsheetColumn(index)): \"\(title)\" repeats column \(spreadsheetColumn(earlier))")
                continue
            }
            columns[index] = field
        }
        for field in catalog.fields where field.required && !columns.values.contains(where: { $0.name == field.name }) {
            problems.append("row 1: no \"\(field.name)\" column; it is required")
        }
        guard problems.isEmpty else { return .failure(Problems(lines: problems)) }
        let columnOf = Dictionary(uniqueKeysWithValues: columns.map { ($0.value.name, $0.key) })
        var requests: [(Int, RequestObject)] = []
        var seenIdentifiers: [String: Int] = [:]
        for row in rows.dropFirst() {
            if problems.count >= maximumProblems { break }
            var values: [String: String] = [:]
            for (index, cell) in row.cells.enumerated() {
                if let field = columns[index] { values[field.name] = cell }
                else if !cell.trimmingCharacters(in: .whitespaces).isEmpty {
                    problems.append("row \(row.number), column \(spreadsheetColumn(index)): a value under a column without a title; "
                                    + "give the column a title or clear it")
                }
            }
            switch catalog.request(values, scope: scope) {
            case .success(let request):
                let id = values["id"]!.trimmingCharacters(in: .whitespaces)
                if let first = seenIdentifiers[id] {
                    problems.append("row \(row.number), column \(spreadsheetColumn(columnOf["id"]!)) (id): \"\(id)\" is already on row \(first)")
                } else {
                    seenIdentifiers[id] = row.number
                    requests.append((row.number, request))
                }
            case .failure(let failure):
                for error in failure.problems {
                    let column = columnOf[error.field].map { "column \(spreadsheetColumn($0)) (\(error.field))" } ?? "\(error.field)"
                    problems.append("row \(row.number), \(column): \(error.message)")
                }
            }
        }
        if rows.count == 1 && problems.isEmpty { problems.append("no rows below the header") }
        return problems.isEmpty ? .success(requests) : .failure(Problems(lines: Array(problems.prefix(maximumProblems))))
    }

    /// The CSV a spreadsheet reads back: the same columns the import takes.
    static func csv(_ items: [JSONNode], catalog: CatalogFields) -> CSVTable {
        var table = CSVTable(headers: catalog.fields.map(\.name))
        for item in items {
            table.rows.append(catalog.fields.map { field in
                switch field.name {
                case "open": return item["open"].map { $0.isNull ? "" : HostCommands.openText($0) } ?? ""
                case "skills": return (item["skills"]?.arrayValue.compactMap(\.stringValue) ?? []).joined(separator: " ")
                default: return item[field.name]?.isNull == true ? "" : item.text(field.name)
                }
            })
        }
        return table
    }
}
