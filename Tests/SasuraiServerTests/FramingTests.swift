import Foundation
import Testing
import SasuraiProtocol
@testable import SasuraiServer

/// Framing, limits and connection handling over real sockets, with exact reply lines.
@Suite(.serialized) struct FramingTests {
    @Test func anyoneCommandsAnswerExactly() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let client = try running.connect()
        #expect(try client.send("PING") == #"OK {"pong": true}"#)
        #expect(try client.send("  PING  ") == #"OK {"pong": true}"#)
        #expect(try client.send("PING{}") == #"OK {"pong": true}"#)
        #expect(try client.send("WHOAMI") == #"OK {"role": "anyone"}"#)
        #expect(try client.send(#"HELLO {"protocol": 1}"#) == #"OK {"server": "sasurai", "protocol": 1, "protocols": [1], "role": "anyone", "limits": {"line_bytes": 65536, "anonymous_line_bytes": 4096, "json_depth": 16, "pipeline": 64, "idle_timeout_seconds": 300, "line_deadline_seconds": 10}}"#)
        #expect(try client.send(#"HELLO {"protocol": 2}"#) == "ERR INVALID protocol: 2 is out of range 1 to 1")
        #expect(try client.send("ping") == #"ERR UNKNOWN_COMMAND unknown command "ping"; commands are upper-case: PING"#)
        #expect(try client.send("TOWN") == "ERR UNAUTHORIZED TOWN needs a host or planner token; send AUTH first")
        #expect(try client.send("PING {\"x\": 1}") == "ERR INVALID x: unknown field; PING takes no parameters")
        #expect(try client.send("QUIT") == #"OK {"bye": true}"#)
        #expect(client.isClosedByServer())
    }

    @Test func crlfAndPipelinedRequestsAreAnsweredInOrder() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let client = try running.connect()
        try client.write("PING\r\nWHOAMI\nHELLO {\"protocol\": 3}\r\nPING\n")
        #expect(try client.readLine() == #"OK {"pong": true}"#)
        #expect(try client.readLine() == #"OK {"role": "anyone"}"#)
        #expect(try client.readLine() == "ERR INVALID protocol: 3 is out of range 1 to 1")
        #expect(try client.readLine() == #"OK {"pong": true}"#)
    }

    @Test func manyPipelinedRequestsBeyondTheCapAllGetReplies() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let client = try running.connect(token: nil)
        let count = ProtocolLimits.maximumPipelinedRequests * 8
        try client.write(String(repeating: "PLAN LIST\nPING\n", count: count))
        for _ in 0..<count {
            #expect(try client.readLine() == #"OK {"plans": []}"#)
            #expect(try client.readLine() == #"OK {"pong": true}"#)
        }
    }

    @Test func overLongLinesAreRefusedAndTheConnectionStaysUsable() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let anonymous = try running.connect()
        // At the anonymous limit the line is read (and judged); one byte more is too large.
        let atLimit = "PING" + String(repeating: " ", count: ProtocolLimits.maximumAnonymousLineBytes - 4)
        #expect(try anonymous.send(atLimit) == #"OK {"pong": true}"#)
        #expect(try anonymous.send(atLimit + " ") == "ERR TOO_LARGE line exceeds 4096 bytes")
        #expect(try anonymous.send("PING") == #"OK {"pong": true}"#)

        let planner = try running.connect(token: nil)
        let big = "PING" + String(repeating: " ", count: ProtocolLimits.maximumLineBytes - 4)
        #expect(try planner.send(big) == #"OK {"pong": true}"#)
        #expect(try planner.send(big + " ") == "ERR TOO_LARGE line exceeds 65536 bytes")
        try planner.write(Array(repeating: UInt8(ascii: "x"), count: 1_000_000) + Array("\nPING\n".utf8))
        #expect(try planner.readLine() == "ERR TOO_LARGE line exceeds 65536 bytes")
        #expect(try planner.readLine() == #"OK {"pong": true}"#)
    }

    @Test func binaryGarbageGetsOneErrorPerLine() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let client = try running.connect()
        try client.write([0x50, 0x00, 0x4E, 0x0A, 0xFF, 0xFE, 0x0A, 0x50, 0x0D, 0x49, 0x0A, 0x01, 0x0A])
        #expect(try client.readLine() == "ERR BAD_REQUEST column 2: NUL byte")
        #expect(try client.readLine() == "ERR BAD_REQUEST column 1: invalid UTF-8 byte 0xFF")
        #expect(try client.readLine() == "ERR BAD_REQUEST column 2: carriage return inside the line; end lines with LF or CRLF")
        #expect(try client.readLine() == "ERR BAD_REQUEST column 1: control character 0x01")
        #expect(try client.send("PING") == #"OK {"pong": true}"#)
    }

    @Test func anHTTPRequestIsToldOffAndClosed() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let client = try running.connect()
        try client.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readLine() == "ERR BAD_REQUEST this is a Sasurai line-protocol server, not an HTTP server")
        #expect(client.isClosedByServer())
    }

    @Test func aClientThatLeavesMidLineIsDroppedQuietly() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let leaving = try running.connect()
        try leaving.write("PING\nPIN")
        #expect(try leaving.readLine() == #"OK {"pong": true}"#)
        leaving.shutdownWrite()
        #expect(leaving.isClosedByServer())
        let other = try running.connect()
        #expect(try other.send("PING") == #"OK {"pong": true}"#)
    }

    @Test func halfClosedClientStillGetsEveryReply() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let client = try running.connect()
        try client.write("PING\nWHOAMI\n")
        client.shutdownWrite()
        #expect(try client.readLine() == #"OK {"pong": true}"#)
        #expect(try client.readLine() == #"OK {"role": "anyone"}"#)
        #expect(client.isClosedByServer())
    }

    @Test func connectionsBeyondTheLimitGetOneBusyLine() throws {
        let running = try RunningServer { $0.maximumConnections = 3 }
        defer { running.stop() }
        let clients = try (0..<3).map { _ in try running.connect() }
        for client in clients { #expect(try client.send("PING") == #"OK {"pong": true}"#) }
        let refused = try running.connect()
        #expect(try refused.readLine() == "ERR BUSY too many connections (limit 3); try again later")
        #expect(refused.isClosedByServer())
        clients[0].close()
        Thread.sleep(forTimeInterval: 0.2)
        let again = try running.connect()
        #expect(try again.send("PING") == #"OK {"pong": true}"#)
    }

    @Test func aTricklingLineIsCutOffAtTheDeadline() throws {
        let running = try RunningServer { $0.lineDeadlineSeconds = 1 }
        defer { running.stop() }
        let client = try running.connect()
        let start = Date()
        var closed = false
        for byte in Array("PING PING PING PING".utf8) {
            do { try client.write([byte]) } catch { break }
            Thread.sleep(forTimeInterval: 0.2)
            if Date().timeIntervalSince(start) > 3 { break }
        }
        #expect(try client.readLine() == "ERR BAD_REQUEST line not finished within 1 seconds")
        closed = client.isClosedByServer()
        #expect(closed)
        #expect(Date().timeIntervalSince(start) < 3)
    }

    @Test func idleConnectionsAreClosedSilently() throws {
        let running = try RunningServer { $0.idleTimeoutSeconds = 1 }
        defer { running.stop() }
        let client = try running.connect()
        #expect(try client.send("PING") == #"OK {"pong": true}"#)
        #expect(client.isClosedByServer())
    }

    @Test func fiveFailedAuthenticationsCloseTheConnection() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let client = try running.connect()
        let wrong = String(repeating: "0", count: 64)
        for _ in 0..<3 { #expect(try client.send("AUTH " + wrong) == "ERR UNAUTHORIZED unknown or revoked token") }
        #expect(try client.send("AUTH nothex") == "ERR INVALID token: expected 64 lower-case hex digits")
        #expect(try client.send("AUTH " + wrong) == "ERR UNAUTHORIZED too many failed AUTH attempts; closing")
        #expect(client.isClosedByServer())
        #expect(!running.log.contains { $0.contains(wrong) || $0.contains(running.plannerToken) })
    }

    @Test func aRevokedTokenStopsWorkingAtTheNextRequest() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let second = try running.issueToken(role: "planner", subject: nil)
        let user = try running.connect(token: second)
        #expect(try user.send("WHOAMI") == #"OK {"role": "planner"}"#)
        let admin = try running.connect(token: nil)
        let reply = try admin.send(#"TOKEN REVOKE {"id": 2}"#)
        #expect(reply.hasPrefix(#"OK {"id": 2, "revoked_at": ""#))
        #expect(try admin.send(#"TOKEN REVOKE {"id": 2}"#) == reply)
        #expect(try user.send("WHOAMI") == #"OK {"role": "anyone"}"#)
        #expect(try user.send("AUTH " + second) == "ERR UNAUTHORIZED unknown or revoked token")
        #expect(try admin.send(#"TOKEN REVOKE {"id": 99}"#) == "ERR NOT_FOUND token 99")
    }
}
