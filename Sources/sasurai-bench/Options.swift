/// `--flag value` / `--flag=value` / `--switch` arguments, checked as they are taken.
struct Arguments {
    private var values: [String: String] = [:]
    private var switches: Set<String> = []
    private(set) var positional: [String] = []

    /// Parses `arguments`; `switchNames` take no value, every other `--name` takes one.
    init(_ arguments: [String], switches switchNames: Set<String>) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                positional.append(contentsOf: arguments[(index + 1)...])
                break
            }
            if argument.hasPrefix("--") {
                var name = String(argument.dropFirst(2))
                var value: String?
                if let equals = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                if switchNames.contains(name) {
                    guard value == nil else { throw BenchError("--\(name) takes no value") }
                    switches.insert(name)
                } else {
                    if value == nil {
                        index += 1
                        guard index < arguments.count else { throw BenchError("--\(name) needs a value") }
                        value = arguments[index]
                    }
                    values[name] = value
                }
            } else {
                positional.append(argument)
            }
            index += 1
        }
    }

    /// Refuses options this subcommand does not know.
    func allow(_ names: Set<String>) throws {
        for name in Set(values.keys).union(switches) where !names.contains(name) {
            throw BenchError("unknown option --\(name); see sasurai-bench --help")
        }
    }

    func has(_ name: String) -> Bool { switches.contains(name) }

    func string(_ name: String) -> String? { values[name] }

    func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), range.contains(value) else {
            throw BenchError("--\(name): \"\(text)\" is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func seconds(_ name: String) throws -> Double? {
        guard let text = values[name] else { return nil }
        guard let value = Double(text), value > 0, value <= 86_400 else {
            throw BenchError("--\(name): \"\(text)\" is not a number of seconds above 0")
        }
        return value
    }

    func port() throws -> UInt16 {
        guard let text = values["port"] else { throw BenchError("--port is required") }
        guard let port = UInt16(text), port > 0 else { throw BenchError("--port: \"\(text)\" is not a port") }
        return port
    }

    /// The token from --token or --token-file, if either is given.
    func token() throws -> String? {
        if let token = values["token"] { return token }
        if let path = values["token-file"] { return try readToken(path: path) }
        return nil
    }
}
