import SasuraiCore
import Testing
@testable import SasuraiProtocol

@Suite struct ReplyTests {
    @Test func encodesOkAndError() {
        var writer = JSONWriter()
        writer.raw("{")
        writer.key("pong")
        writer.bool(true)
        writer.raw("}")
        #expect(Reply.ok(writer).encoded == Array("OK {\"pong\": true}\n".utf8))
        #expect(Reply.error(.invalid("beds", "20000 is out of range 0 to 10000")).text
                == "ERR INVALID beds: 20000 is out of range 0 to 10000")
    }

    @Test func repliesAreAlwaysOneLine() {
        let hostile = "a\nb\rc\u{0}d\u{1B}[31me\u{85}f\u{2028}g\u{7F}"
        let text = Reply.error(ProtocolError(.notFound, "no town " + hostile)).text
        #expect(text == #"ERR NOT_FOUND no town a\u000Ab\u000Dc\u0000d\u001B[31me\u0085f\u2028g\u007F"#)
        var writer = JSONWriter()
        writer.raw("{\n")
        writer.key("name")
        writer.string(hostile)
        writer.raw("\r\n}")
        let bytes = Reply.ok(writer).encoded
        #expect(bytes.last == 0x0A)
        #expect(!bytes.dropLast().contains(0x0A) && !bytes.contains(0x0D))
        #expect(String(decoding: bytes, as: UTF8.self).contains(#"a\nb\rc\u0000d"#))
    }

    @Test func messagesAreCappedAtTheLimit() {
        let limit = ProtocolLimits.maximumMessageCharacters
        let atLimit = String(repeating: "x", count: limit)
        #expect(ReplySanitizer.message(atLimit) == atLimit)
        // One character over: limit - 1 characters and the ellipsis, limit in all.
        #expect(ReplySanitizer.message(atLimit + "y") == String(atLimit.dropLast()) + "…")
        #expect(Reply.error(ProtocolError(.serverError, "")).text == "ERR SERVER_ERROR error")
    }

    @Test func faultsFollowTheSpec() {
        let client: Set<ErrorCode> = [.badRequest, .unknownCommand, .unauthorized, .forbidden, .invalid, .tooLarge]
        let state: Set<ErrorCode> = [.notFound, .conflict, .stale, .busy]
        for code in ErrorCode.allCases {
            let expected: ErrorFault = client.contains(code) ? .client : state.contains(code) ? .state : .server
            #expect(code.fault == expected)
        }
    }

    @Test func fixedErrorLines() {
        #expect(Reply.error(.lineTooLong(limit: ProtocolLimits.maximumLineBytes)).text == "ERR TOO_LARGE line exceeds 65536 bytes")
        #expect(Reply.error(.tooManyConnections()).text == "ERR BUSY too many connections (limit 1024); try again later")
        #expect(Reply.error(.tooManyConnections()).closesConnection)
        #expect(Reply.error(.lineDeadlineExceeded()).text == "ERR BAD_REQUEST line not finished within 10 seconds")
        #expect(Reply.error(.tooManyFailedAuthentications).text == "ERR UNAUTHORIZED too many failed AUTH attempts; closing")
        #expect(Reply.error(.replyTooLarge(bytes: 9_000_000)).text == "ERR TOO_LARGE reply would be 9000000 bytes, over 8388608; narrow the request")
    }

    @Test func principalReplies() {
        #expect(Principal.host("nanto").json.text == #"{"role": "host", "town": "nanto"}"#)
        #expect(Principal.anonymous.json.text == #"{"role": "anyone"}"#)
        #expect(Principal.anonymous.maximumLineBytes == ProtocolLimits.maximumAnonymousLineBytes)
        #expect(Principal.planner.maximumLineBytes == ProtocolLimits.maximumLineBytes)
    }
}
