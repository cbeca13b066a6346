import Testing
@testable import SasuraiProtocol

/// Framing must not depend on how TCP split the bytes, so every input is fed whole, one
/// byte at a time and in uneven chunks, and the events must match (swift-nio's approach).
@Suite struct LineCodecTests {
    static func events(_ bytes: [UInt8], limit: Int, chunk: Int) -> [LineEvent] {
        var codec = LineCodec(maximumLineBytes: limit)
        var result: [LineEvent] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            codec.feed(bytes[start..<end])
            while let event = codec.nextEvent() { result.append(event) }
            #expect(codec.bufferedByteCount <= limit + 1)
            start = end
        }
        return result
    }

    static func allSplits(_ bytes: [UInt8], limit: Int = 8) -> [LineEvent] {
        let whole = events(bytes, limit: limit, chunk: max(1, bytes.count))
        for chunk in [1, 2, 3, 5, 7, 64] {
            #expect(events(bytes, limit: limit, chunk: chunk) == whole, "chunk \(chunk) of \(bytes)")
        }
        return whole
    }

    static func line(_ text: String) -> LineEvent { .line(Array(text.utf8)) }

    @Test func splitsOnLineFeedAndAcceptsCRLF() {
        #expect(Self.allSplits(Array("PING\nWHOAMI\r\nQUIT\n".utf8)) == [Self.line("PING"), Self.line("WHOAMI"), Self.line("QUIT")])
    }

    @Test func emptyLinesAreLines() {
        #expect(Self.allSplits(Array("\n\r\n\n".utf8)) == [.line([]), .line([]), .line([])])
    }

    @Test func bareCarriageReturnStaysInTheLine() {
        #expect(Self.allSplits(Array("A\rB\n\r\r\n".utf8)) == [Self.line("A\rB"), .line([0x0D])])
    }

    @Test func nulAndInvalidUTF8PassThroughUnchanged() {
        let bytes: [UInt8] = [0x41, 0x00, 0xFF, 0x0A, 0xC3, 0x0A]
        #expect(Self.allSplits(bytes) == [.line([0x41, 0x00, 0xFF]), .line([0xC3])])
    }

    @Test func unterminatedLineWaits() {
        var codec = LineCodec(maximumLineBytes: 8)
        codec.feed(Array("PIN".utf8))
        #expect(codec.nextEvent() == nil)
        #expect(codec.isInsideLine)
        codec.feed(Array("G\n".utf8))
        #expect(codec.nextEvent() == Self.line("PING"))
        #expect(!codec.isInsideLine)
    }

    @Test func lineAtTheLimitIsAcceptedAndOneMoreByteIsTooLong() {
        let limit = 8
        let atLimit = [UInt8](repeating: 0x61, count: limit)
        let overLimit = [UInt8](repeating: 0x61, count: limit + 1)
        #expect(Self.allSplits(atLimit + [0x0A], limit: limit) == [.line(atLimit)])
        #expect(Self.allSplits(atLimit + [0x0D, 0x0A], limit: limit) == [.line(atLimit)])
        #expect(Self.allSplits(overLimit + [0x0A], limit: limit) == [.tooLong])
        #expect(Self.allSplits(overLimit + [0x0D, 0x0A], limit: limit) == [.tooLong])
    }

    @Test func overLongLineIsReportedOnceAndTheNextLineWorks() {
        let long = [UInt8](repeating: 0x62, count: 100)
        let bytes = long + Array("\nPING\n".utf8) + long + long + Array("\r\n\n".utf8)
        #expect(Self.allSplits(bytes) == [.tooLong, Self.line("PING"), .tooLong, .line([])])
    }

    @Test func bufferStaysBoundedWhileDiscarding() {
        var codec = LineCodec(maximumLineBytes: 16)
        for _ in 0..<10_000 { codec.feed(CollectionOfOne(UInt8(0x78))) }
        #expect(codec.bufferedByteCount == 0)
        #expect(codec.isInsideLine)
        #expect(codec.nextEvent() == .tooLong)
        #expect(codec.nextEvent() == nil)
        codec.feed(Array("\nOK\n".utf8))
        #expect(codec.nextEvent() == Self.line("OK"))
    }

    @Test func productionLimitAtNAndNPlusOne() {
        let limit = ProtocolLimits.maximumLineBytes
        for (count, expected) in [(limit, true), (limit + 1, false)] {
            var codec = LineCodec()
            codec.feed([UInt8](repeating: 0x61, count: count) + [0x0A])
            let event = codec.nextEvent()
            if expected { #expect(event == .line([UInt8](repeating: 0x61, count: count))) } else { #expect(event == .tooLong) }
        }
    }

    @Test func manyGeneratedInputsAgreeAcrossSplits() {
        var generator = SplitMix(seed: 42)
        let alphabet: [UInt8] = [0x0A, 0x0D, 0x41, 0x42, 0x20, 0x00, 0xFF]
        for _ in 0..<300 {
            let length = Int(generator.next() % 40)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            _ = Self.allSplits(bytes, limit: 5)
        }
    }

    @Test func anonymousLimitCanBeRaisedForTheNextLine() {
        var codec = LineCodec(maximumLineBytes: ProtocolLimits.maximumAnonymousLineBytes)
        codec.feed([UInt8](repeating: 0x61, count: ProtocolLimits.maximumAnonymousLineBytes + 1) + [0x0A])
        #expect(codec.nextEvent() == .tooLong)
        codec.maximumLineBytes = ProtocolLimits.maximumLineBytes
        codec.feed([UInt8](repeating: 0x61, count: ProtocolLimits.maximumAnonymousLineBytes + 1) + [0x0A])
        #expect(codec.nextEvent() == .line([UInt8](repeating: 0x61, count: ProtocolLimits.maximumAnonymousLineBytes + 1)))
    }
}

/// A tiny deterministic generator for test inputs.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
