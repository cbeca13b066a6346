import Foundation
import SasuraiCore

/// An iCalendar (RFC 5545) document: writing with escaping and folding, and reading it back.
public enum ICalendar {
    /// One property line before folding: `NAME;PARAM=VALUE:value`.
    public struct Property: Equatable, Sendable {
        public var name: String
        public var parameters: [String: String]
        public var value: String

        public init(_ name: String, _ value: String, parameters: [String: String] = [:]) {
            self.name = name
            self.value = value
            self.parameters = parameters
        }
    }

    /// A component (`VCALENDAR`, `VEVENT`) with its properties in order and its children.
    public struct Component: Equatable, Sendable {
        public var name: String
        public var properties: [Property] = []
        public var components: [Component] = []

        public init(name: String, properties: [Property] = [], components: [Component] = []) {
            self.name = name
            self.properties = properties
            self.components = components
        }

        /// The first property with this name.
        public subscript(name: String) -> Property? { properties.first { $0.name == name } }
    }

    /// TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 3.3.11).
    public static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\n", "\r\n": result += "\\n"
            case "\r": break
            default: result.append(character)
            }
        }
        return result
    }

    public static func unescape(_ text: String) -> String {
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                result.append(character == "n" || character == "N" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// Splits a content line into lines of at most 75 octets, continuation lines starting
    /// with a space, never inside a UTF-8 sequence (RFC 5545 3.1).
    public static func fold(_ line: String) -> String {
        var lines: [String] = []
        var current = ""
        var currentOctets = 0
        for scalar in line.unicodeScalars {
            let octets = String(scalar).utf8.count
            let limit = lines.isEmpty ? 75 : 74
            if currentOctets + octets > limit {
                lines.append(current)
                current = ""
                currentOctets = 0
            }
            current.unicodeScalars.append(scalar)
            currentOctets += octets
        }
        lines.append(current)
        return lines.joined(separator: "\r\n ")
    }

    /// The document as text with CRLF line ends.
    public static func write(_ component: Component) -> String {
        var text = "BEGIN:\(component.name)\r\n"
        for property in component.properties {
            var line = property.name
            for key in property.parameters.keys.sorted() { line += ";\(key)=\(property.parameters[key]!)" }
            text += fold(line + ":" + property.value) + "\r\n"
        }
        for child in component.components { text += write(child) }
        return text + "END:\(component.name)\r\n"
    }

    /// A reading error, with the line it happened on.
    public struct SyntaxError: Error, CustomStringConvertible, Sendable {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Reads a document: unfolds lines, splits names, parameters and values, nests components.
    public static func read(_ text: String) throws(SyntaxError) -> Component {
        var logical: [(number: Int, text: String)] = []
        let physical = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in physical.enumerated() {
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                guard !logical.isEmpty else { throw SyntaxError(line: index + 1, message: "continuation line with nothing before it") }
                logical[logical.count - 1].text += line.dropFirst()
            } else if !line.isEmpty {
                logical.append((index + 1, String(line)))
            }
        }
        var stack: [Component] = []
        var root: Component?
        for (number, line) in logical {
            // Name and parameters end at the first colon outside double quotes: a quoted
            // parameter value may hold ':' ';' and ',' (RFC 5545 3.2).
            var head: [String] = [""]
            var value: String?
            var quoted = false
            for (offset, character) in line.enumerated() {
                if character == "\"" {
                    quoted.toggle()
                } else if !quoted && character == ";" {
                    head.append("")
                    continue
                } else if !quoted && character == ":" {
                    value = String(line.dropFirst(offset + 1))
                    break
                }
                head[head.count - 1].append(character)
            }
            guard let value else { throw SyntaxError(line: number, message: "no ':' in \"\(line)\"") }
            let name = head[0]
            guard !name.isEmpty else { throw SyntaxError(line: number, message: "no property name") }
            var parameters: [String: String] = [:]
            for parameter in head.dropFirst() {
                let parts = parameter.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { throw SyntaxError(line: number, message: "parameter \"\(parameter)\" has no value") }
                var parameterValue = String(parts[1])
                if parameterValue.count >= 2 && parameterValue.hasPrefix("\"") && parameterValue.hasSuffix("\"") {
                    parameterValue = String(parameterValue.dropFirst().dropLast())
                }
                parameters[String(parts[0])] = parameterValue
            }
            switch name {
            case "BEGIN":
                guard root == nil else { throw SyntaxError(line: number, message: "content after the end of \(root!.name)") }
                stack.append(Component(name: value))
            case "END":
                guard let last = stack.popLast(), last.name == value else {
                    throw SyntaxError(line: number, message: "END:\(value) does not close the open component")
                }
                if stack.isEmpty { root = last } else { stack[stack.count - 1].components.append(last) }
            default:
                guard !stack.isEmpty else { throw SyntaxError(line: number, message: "property \(name) outside any component") }
                stack[stack.count - 1].properties.append(Property(name, value, parameters: parameters))
            }
        }
        guard stack.isEmpty, let root else {
            throw SyntaxError(line: logical.last?.number ?? 0, message: "\(stack.last?.name ?? "the calendar") is never closed")
        }
        return root
    }
}

/// A freelancer's itinerary as a calendar file: one all-day event per stay.
enum ItineraryCalendar {
    /// The calendar for the stays of an ITINERARY reply; `stamp` is when it was made (DTSTAMP).
    static func calendar(freelancer: String, stays: [JSONNode], stamp: Date) -> ICalendar.Component {
        let stampText = timestamp(stamp)
        var calendar = ICalendar.Component(name: "VCALENDAR", properties: [
            .init("VERSION", "2.0"), .init("PRODID", "-//Sasurai//Itinerary \(CommandLineTool.version)//EN"),
            .init("CALSCALE", "GREGORIAN"), .init("METHOD", "PUBLISH"),
            .init("X-WR-CALNAME", ICalendar.escape("Sasurai stays of \(freelancer)")),
        ])
        for stay in stays {
            let arrival = stay.text("arrival").replacingOccurrences(of: "-", with: "")
            let departureISO = stay["departure"]?.stringValue
                ?? Day(iso: stay.text("arrival")).map { $0.adding(stay["nights"]?.integerValue ?? 0).iso } ?? stay.text("arrival")
            let departure = departureISO.replacingOccurrences(of: "-", with: "")
            let townName = stay["town_name"]?.stringValue ?? stay.text("town")
            let confirmed = stay.text("state") == "confirmed"
            var description = ["\(stay.text("nights")) nights at \(stay["accommodation_name"]?.stringValue ?? stay.text("accommodation"))."]
            if let slot = stay["slot_title"]?.stringValue {
                description.append("Work: \(slot), \(stay.text("labor_days")) days.")
            }
            description.append(confirmed ? "Confirmed." : "Offered: accept it with 'sasurai freelancer accept \(stay.text("application"))'.")
            description.append("Application \(stay.text("application")).")
            calendar.components.append(ICalendar.Component(name: "VEVENT", properties: [
                .init("UID", "\(stay.text("application"))@sasurai"),
                .init("DTSTAMP", stampText),
                .init("DTSTART", arrival, parameters: ["VALUE": "DATE"]),
                .init("DTEND", departure, parameters: ["VALUE": "DATE"]),
                .init("SUMMARY", ICalendar.escape("Stay in \(townName)" + (confirmed ? "" : " (offered)"))),
                .init("LOCATION", ICalendar.escape("\(stay["accommodation_name"]?.stringValue ?? stay.text("accommodation")), \(townName)")),
                .init("DESCRIPTION", ICalendar.escape(description.joined(separator: "\n"))),
                .init("STATUS", confirmed ? "CONFIRMED" : "TENTATIVE"),
                .init("TRANSP", "OPAQUE"),
            ]))
        }
        return calendar
    }

    static func icsText(freelancer: String, stays: [JSONNode], stamp: Date) -> String {
        ICalendar.write(calendar(freelancer: freelancer, stays: stays, stamp: stamp))
    }

    /// UTC date-time in the basic form RFC 5545 wants: `20260601T090000Z`.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return String(format: "%04d", parts.year ?? 0) + two(parts.month) + two(parts.day) + "T"
            + two(parts.hour) + two(parts.minute) + two(parts.second) + "Z"
    }
}
