#if canImport(Glibc)
import Glibc
#endif
import Foundation

// sasurai-bench: a load generator for the Sasurai line protocol (one epoll loop per thread,
// non-blocking sockets, per-request latency), an idle-connection holder, and a line sender.

let usage = """
    sasurai-bench: load and connection tests for sasurai-server

    Usage:
      sasurai-bench load --port P [--host 127.0.0.1] [--token T | --token-file F]
                         [--connections 50] [--requests 100000] [--duration S] [--pipeline 1]
                         [--threads 1] [--first-number 0] [--json] --command 'LINE'
      sasurai-bench idle --port P [--host 127.0.0.1] [--token T | --token-file F]
                         [--connections 1000] [--hold 10] [--server-pid PID] [--json]
      sasurai-bench exec --port P [--host 127.0.0.1] [--token T | --token-file F]
                         [--allow-errors] [--quiet] [LINE...]   (lines from stdin when none given)

    load: every connection sends AUTH first when a token is given (not measured), then keeps
      --pipeline requests in flight until --requests replies (the total over all connections)
      have come back or --duration seconds have passed. In the command, {n} becomes a number
      unique to the request in the run (starting at --first-number) and {c} the connection's
      index (0 to connections-1). Latency is from the write of a request to the read that
      completed its reply line. ERR replies are counted, and the first one is printed.
      Lines starting "ERR" (or "-" for a Redis server) are errors; each reply must be one line.
    idle: opens the connections, PINGs each once, prints a "ready" line, stays silent for
      --hold seconds, then PINGs every connection again to check they are all still served.
      With --server-pid, also reports that process's VmRSS before and with the connections.
    exec: sends each line and prints its reply; exits 1 at the first ERR unless --allow-errors.

    The soft open-file limit is raised to fit the connections (up to the hard limit).
    """

func jsonString(_ text: String?) -> String {
    guard let text else { return "null" }
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        default:
            if scalar.value < 0x20 { result += String(format: "\\u%04x", scalar.value) } else { result.unicodeScalars.append(scalar) }
        }
    }
    return result + "\""
}

func milliseconds(_ nanoseconds: UInt64) -> String { String(format: "%.3f", Double(nanoseconds) / 1e6) }

func runLoad(_ arguments: Arguments) throws -> Int32 {
    try arguments.allow(["host", "port", "token", "token-file", "connections", "requests", "duration", "pipeline",
                         "threads", "first-number", "json", "command", "stall-timeout"])
    guard let command = arguments.string("command") ?? arguments.positional.first else {
        throw BenchError("load needs --command 'LINE'")
    }
    let address = try socketAddress(host: arguments.string("host") ?? "127.0.0.1", port: try arguments.port())
    var settings = LoadSettings(address: address, template: CommandTemplate(command))
    settings.connections = try arguments.integer("connections", default: 50, range: 1...100_000)
    let duration = try arguments.seconds("duration")
    settings.durationNanoseconds = duration.map { UInt64($0 * 1e9) }
    settings.requests = try arguments.integer("requests", default: duration == nil ? 100_000 : Int.max, range: 1...Int.max)
    settings.pipeline = try arguments.integer("pipeline", default: 1, range: 1...10_000)
    settings.threads = try arguments.integer("threads", default: 1, range: 1...64)
    settings.firstNumber = try arguments.integer("first-number", default: 0, range: 0...(Int.max / 2))
    if let stall = try arguments.seconds("stall-timeout") { settings.stallNanoseconds = UInt64(stall * 1e9) }
    settings.token = try arguments.token()
    let summary = try LoadRun(settings: settings).run()
    let histogram = summary.histogram
    if arguments.has("json") {
        print("""
            {"command": \(jsonString(command)), "connections": \(settings.connections), "pipeline": \(settings.pipeline), \
            "threads": \(min(settings.threads, settings.connections)), "replies": \(summary.replies), \
            "seconds": \(String(format: "%.4f", summary.seconds)), "requests_per_second": \(String(format: "%.1f", summary.requestsPerSecond)), \
            "p50_ms": \(milliseconds(histogram.percentile(0.50))), "p99_ms": \(milliseconds(histogram.percentile(0.99))), \
            "p999_ms": \(milliseconds(histogram.percentile(0.999))), "max_ms": \(milliseconds(histogram.maximum)), \
            "mean_ms": \(String(format: "%.3f", histogram.mean / 1e6)), "errors": \(summary.errors), \
            "first_error": \(jsonString(summary.firstError)), "unsolicited": \(summary.unsolicited), \
            "lost": \(summary.lost), "closed_connections": \(summary.closedConnections), "failure": \(jsonString(summary.failure))}
            """)
    } else {
        print("\(command)")
        print("  \(summary.replies) replies in \(String(format: "%.3f", summary.seconds)) s: \(String(format: "%.0f", summary.requestsPerSecond)) requests/s "
              + "(\(settings.connections) connections, pipeline \(settings.pipeline), \(min(settings.threads, settings.connections)) thread(s))")
        print("  latency ms: p50 \(milliseconds(histogram.percentile(0.50))), p99 \(milliseconds(histogram.percentile(0.99))), "
              + "p99.9 \(milliseconds(histogram.percentile(0.999))), max \(milliseconds(histogram.maximum)), mean \(String(format: "%.3f", histogram.mean / 1e6))")
        print("  errors: \(summary.errors)" + (summary.firstError.map { " (first: \($0))" } ?? ""))
        if summary.unsolicited > 0 { print("  replies nobody asked for: \(summary.unsolicited)") }
        if summary.closedConnections > 0 { print("  connections closed by the server: \(summary.closedConnections), requests lost: \(summary.lost)") }
    }
    if let failure = summary.failure { printError(failure); return 1 }
    return summary.errors > 0 || summary.lost > 0 ? 3 : 0
}

func runIdle(_ arguments: Arguments) throws -> Int32 {
    try arguments.allow(["host", "port", "token", "token-file", "connections", "hold", "server-pid", "json"])
    var run = IdleRun(address: try socketAddress(host: arguments.string("host") ?? "127.0.0.1", port: try arguments.port()))
    run.connections = try arguments.integer("connections", default: 1_000, range: 1...1_000_000)
    run.holdSeconds = try arguments.seconds("hold") ?? 10
    run.token = try arguments.token()
    if arguments.string("server-pid") != nil { run.serverPID = try arguments.integer("server-pid", default: 0, range: 1...Int(Int32.max)) }
    let json = arguments.has("json")
    func rss(_ kib: Int?) -> String { kib.map { String(format: "%.1f MiB", Double($0) / 1024) } ?? "-" }
    let summary = try run.run { ready in
        print("ready: \(ready.opened) connections open, \(ready.answered) answered PING, \(ready.errors) errors"
              + (ready.firstError.map { " (first: \($0))" } ?? "")
              + (run.serverPID != nil ? ", server RSS \(rss(ready.residentBeforeKiB)) before, \(rss(ready.residentWithKiB)) with them" : ""))
        fflush(nil)
    }
    if json {
        func number(_ value: Int?) -> String { value.map(String.init) ?? "null" }
        print("""
            {"connections": \(summary.opened), "answered": \(summary.answered), "errors": \(summary.errors), \
            "first_error": \(jsonString(summary.firstError)), "closed_by_server": \(summary.closedByServer), \
            "answered_after_hold": \(summary.answeredAfterHold), "hold_seconds": \(run.holdSeconds), \
            "rss_before_kib": \(number(summary.residentBeforeKiB)), "rss_with_kib": \(number(summary.residentWithKiB)), \
            "open_file_limit": \(summary.openFileLimit)}
            """)
    } else {
        print("after \(run.holdSeconds) s idle: \(summary.answeredAfterHold) of \(summary.opened) connections still answer PING, "
              + "\(summary.closedByServer) closed by the server")
    }
    return summary.answeredAfterHold == run.connections && summary.errors == 0 ? 0 : 3
}

func runExec(_ arguments: Arguments) throws -> Int32 {
    try arguments.allow(["host", "port", "token", "token-file", "allow-errors", "quiet"])
    var lines = arguments.positional
    if lines.isEmpty {
        while let line = readLine(strippingNewline: true) { lines.append(line) }
    }
    var run = ExecRun(address: try socketAddress(host: arguments.string("host") ?? "127.0.0.1", port: try arguments.port()),
                      token: try arguments.token(), lines: lines)
    run.allowErrors = arguments.has("allow-errors")
    run.quiet = arguments.has("quiet")
    return try run.run() > 0 ? 3 : 0
}

signal(SIGPIPE, SIG_IGN)
let commandLine = Array(CommandLine.arguments.dropFirst())
guard let subcommand = commandLine.first, !["-h", "--help", "help"].contains(subcommand) else {
    print(usage)
    exit(commandLine.isEmpty ? 2 : 0)
}
do {
    let arguments = try Arguments(Array(commandLine.dropFirst()), switches: ["json", "allow-errors", "quiet"])
    switch subcommand {
    case "load": exit(try runLoad(arguments))
    case "idle": exit(try runIdle(arguments))
    case "exec": exit(try runExec(arguments))
    default: throw BenchError("unknown subcommand \"\(subcommand)\"; use load, idle or exec")
    }
} catch {
    printError(String(describing: error))
    exit(1)
}
