// Fuzz target `codec`: LineCodec framing. Run with `scripts/fuzz.sh codec SECONDS`.
//
// Input layout: byte 0 picks the line limit (1...256, small so the over-long paths are
// reached), byte 1 seeds how the rest is split into reads; the rest is the byte stream.
// The stream is fed whole, one byte at a time and in random splits (some as a
// non-contiguous collection, with events drained at random moments), and each run must
// give exactly the events of a plain reference framer.
import SasuraiProtocol

/// What the codec must report for `stream`: LF ends a line, one CR right before the LF is
/// dropped, a line over `limit` is `.tooLong`, and an unfinished line over `limit + 1`
/// bytes (one byte of slack for a CR) is reported `.tooLong` before its LF arrives.
func referenceEvents(_ stream: [UInt8], limit: Int) -> (events: [LineEvent], unfinished: Int) {
    var events: [LineEvent] = []
    var current: [UInt8] = []
    for byte in stream {
        if byte == 0x0A {
            if current.last == 0x0D { current.removeLast() }
            events.append(current.count > limit ? .tooLong : .line(current))
            current = []
        } else {
            current.append(byte)
        }
    }
    if current.count > limit + 1 { events.append(.tooLong) }
    return (events, current.count)
}

/// Checks what holds after every feed, whatever the split.
func checkCodecState(_ codec: LineCodec, limit: Int) {
    require(codec.bufferedByteCount <= limit + 1,
            "buffered \(codec.bufferedByteCount) bytes with limit \(limit)")
    require(codec.pendingEventCount >= 0, "negative pending count \(codec.pendingEventCount)")
}

func drain(_ codec: inout LineCodec, into events: inout [LineEvent], limit: Int) {
    let pending = codec.pendingEventCount
    var taken = 0
    while let event = codec.nextEvent() {
        if case .line(let bytes) = event {
            require(bytes.count <= limit, "line of \(bytes.count) bytes with limit \(limit)")
            require(!bytes.contains(0x0A), "line holds an LF")
        }
        events.append(event)
        taken += 1
    }
    require(taken == pending, "pendingEventCount said \(pending), \(taken) events came")
    require(codec.pendingEventCount == 0, "events left after nextEvent() returned nil")
}

/// Feeds `stream` in the chunks `split` chooses and returns every event, in order.
func run(_ stream: [UInt8], limit: Int, split: (inout FuzzRandom) -> (size: Int, lazy: Bool, drain: Bool),
         seed: UInt64) -> (events: [LineEvent], codec: LineCodec) {
    var codec = LineCodec(maximumLineBytes: limit)
    var random = FuzzRandom(seed: seed)
    var events: [LineEvent] = []
    var start = 0
    while start < stream.count {
        let choice = split(&random)
        let end = min(stream.count, start + max(1, choice.size))
        if choice.lazy {
            // Not contiguous: takes the copying path of feed(_:).
            codec.feed(stream[start..<end].lazy.map { $0 })
        } else {
            codec.feed(stream[start..<end])
        }
        checkCodecState(codec, limit: limit)
        if choice.drain { drain(&codec, into: &events, limit: limit) }
        start = end
    }
    drain(&codec, into: &events, limit: limit)
    return (events, codec)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLineCodec(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let input = fuzzInput(start, count)
    guard input.count >= 2 else { return 0 }
    let limit = 1 + Int(input[0])
    let seed = UInt64(input[1]) &+ UInt64(input.count) << 8
    let stream = Array(input[2...])
    let expected = referenceEvents(stream, limit: limit)

    let whole = run(stream, limit: limit, split: { _ in (stream.count, false, true) }, seed: seed)
    let bytewise = run(stream, limit: limit, split: { _ in (1, false, false) }, seed: seed)
    let random = run(stream, limit: limit, split: { random in
        (1 + random.below(random.below(4) == 0 ? 300 : 9), random.below(5) == 0, random.below(3) != 0)
    }, seed: seed)

    for (name, result) in [("whole", whole), ("byte by byte", bytewise), ("random splits", random)] {
        require(result.events == expected.events,
                "\(name): events \(result.events) differ from \(expected.events), limit \(limit)")
        let inside = expected.unfinished > 0
        require(result.codec.isInsideLine == inside,
                "\(name): isInsideLine \(result.codec.isInsideLine) with \(expected.unfinished) unfinished bytes")
        let buffered = expected.unfinished > limit + 1 ? 0 : expected.unfinished
        require(result.codec.bufferedByteCount == buffered,
                "\(name): \(result.codec.bufferedByteCount) bytes buffered, expected \(buffered)")
    }

    // The limit may change between lines (AUTH raises it): a codec whose limit is raised
    // after a complete line must frame the rest as a new codec with that limit would.
    if let firstLF = stream.firstIndex(of: 0x0A) {
        var codec = LineCodec(maximumLineBytes: limit)
        codec.feed(stream[...firstLF])
        var events: [LineEvent] = []
        drain(&codec, into: &events, limit: limit)
        let raised = limit * 2
        codec.maximumLineBytes = raised
        codec.feed(stream[(firstLF + 1)...])
        drain(&codec, into: &events, limit: raised)
        checkCodecState(codec, limit: raised)
        let head = referenceEvents(Array(stream[...firstLF]), limit: limit).events
        let tail = referenceEvents(Array(stream[(firstLF + 1)...]), limit: raised).events
        require(events == head + tail, "after raising the limit to \(raised): \(events) differ from \(head + tail)")
    }
    return 0
}
