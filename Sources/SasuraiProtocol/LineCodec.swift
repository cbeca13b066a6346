/// What the line framer found next in a connection's bytes.
public enum LineEvent: Hashable, Sendable {
    /// A complete line without its LF (and without a CR right before the LF).
    case line([UInt8])
    /// A line over the limit. Reported once per line; its bytes up to the next LF are
    /// dropped, and the connection stays usable for the lines after it.
    case tooLong
}

/// Splits a byte stream into request lines: LF ends a line, CRLF is accepted.
///
/// A value type that the server feeds with whatever each read returned, then drains with
/// `nextEvent()`. It never holds more than `maximumLineBytes + 1` bytes of an unfinished
/// line, so a client cannot grow its memory by omitting the LF: once a line is known to be
/// too long, its bytes are discarded as they come. Complete lines wait in a queue until
/// taken; the server bounds that queue by not feeding a connection that has
/// `ProtocolLimits.maximumPipelinedRequests` unanswered requests. A CR that is not right
/// before the LF stays in the line so the request parser can reject it with its column.
public struct LineCodec: Sendable {
    /// Longest line accepted, in bytes before the LF (a CR before the LF not counted).
    /// Changing it applies to the line in progress too: AUTH raises it for the next line.
    public var maximumLineBytes: Int

    private var partialLine: [UInt8] = []
    private var discarding = false
    private var events: [LineEvent] = []
    private var eventsHead = 0

    public init(maximumLineBytes: Int = ProtocolLimits.maximumLineBytes) {
        precondition(maximumLineBytes > 0, "a line limit must be positive")
        self.maximumLineBytes = maximumLineBytes
    }

    /// True while a line has started and its LF has not arrived: the line deadline runs.
    public var isInsideLine: Bool { discarding || !partialLine.isEmpty }

    /// Bytes of the unfinished line held now; bounded by `maximumLineBytes + 1`.
    public var bufferedByteCount: Int { partialLine.count }

    /// Lines and over-long line reports waiting to be taken.
    public var pendingEventCount: Int { events.count - eventsHead }

    /// Adds bytes as they came from the socket, in any split.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            feedContiguous(buffer)
        }
        if handled == nil {
            // One copy per call, not per byte: Data and other non-contiguous collections.
            Array(bytes).withUnsafeBufferPointer { feedContiguous($0) }
        }
    }

    /// The next event, oldest first; nil when more bytes are needed.
    public mutating func nextEvent() -> LineEvent? {
        guard eventsHead < events.count else { return nil }
        let event = events[eventsHead]
        eventsHead += 1
        if eventsHead == events.count {
            events.removeAll(keepingCapacity: events.capacity <= 64)
            eventsHead = 0
        }
        return event
    }

    private mutating func feedContiguous(_ bytes: UnsafeBufferPointer<UInt8>) {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let segment = UnsafeBufferPointer(rebasing: bytes[start..<end])
            if end < bytes.count {
                finishLine(with: segment)
                start = end + 1
            } else {
                extendLine(with: segment)
                start = end
            }
        }
    }

    /// Keeps bytes of a line whose LF has not come yet, or drops them once it is too long.
    private mutating func extendLine(with segment: UnsafeBufferPointer<UInt8>) {
        guard !discarding else { return }
        // One byte of slack: the last byte may be the CR of a CRLF, which does not count.
        if partialLine.count + segment.count > maximumLineBytes + 1 {
            partialLine.removeAll(keepingCapacity: false)
            discarding = true
            events.append(.tooLong)
            return
        }
        partialLine.append(contentsOf: segment)
    }

    private mutating func finishLine(with segment: UnsafeBufferPointer<UInt8>) {
        if discarding {
            discarding = false
            return
        }
        var line: [UInt8]
        if partialLine.isEmpty {
            line = Array(segment)
        } else {
            line = partialLine
            line.append(contentsOf: segment)
            partialLine.removeAll(keepingCapacity: partialLine.capacity <= 4_096)
        }
        if line.last == 0x0D { line.removeLast() }
        events.append(line.count > maximumLineBytes ? .tooLong : .line(line))
    }
}
