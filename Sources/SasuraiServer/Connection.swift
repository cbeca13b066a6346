import SasuraiCore
import SasuraiProtocol

/// One client's connection, owned by the I/O thread.
///
/// Requests are answered strictly in order, one at a time: the next line is resolved only when
/// the previous reply is queued, so replies can never overtake each other, while a pipelining
/// client still keeps the server busy with no round trip between requests.
final class Connection {
    let id: UInt64
    let descriptor: Int32
    let peer: String
    var codec: LineCodec
    var principal: Principal = .anonymous
    var tokenID: Int64?
    var failedAuthentications = 0

    /// A request handed to a store thread and not answered yet.
    var isWaitingForReply = false
    /// Replies not yet taken by the socket, and how far the socket has taken the first.
    var outgoing: [UInt8] = []
    var outgoingOffset = 0
    /// The peer shut its side: answer what was read, then close.
    var peerClosedInput = false
    /// Set by QUIT and by errors that end the connection: close once `outgoing` is sent.
    var closeAfterFlush = false
    /// True while the socket is watched for input (paused when too many requests wait).
    var isReading = true
    var isWatchingOutput = false

    /// When the last byte arrived or the last reply left.
    var lastActivity: ContinuousClock.Instant
    /// When the line in progress got its first byte; the line deadline counts from here.
    var lineStarted: ContinuousClock.Instant?

    init(id: UInt64, descriptor: Int32, peer: String, now: ContinuousClock.Instant) {
        self.id = id
        self.descriptor = descriptor
        self.peer = peer
        // The codec frames with the largest limit; the stricter limit before AUTH is applied when
        // a line is answered (EventLoop.process), because lines pipelined behind an AUTH are
        // framed before the AUTH's reply says who the client is.
        self.codec = LineCodec(maximumLineBytes: ProtocolLimits.maximumLineBytes)
        self.lastActivity = now
    }

    var session: Session { Session(connectionID: id, principal: principal, tokenID: tokenID, peer: peer) }

    var pendingOutgoingBytes: Int { outgoing.count - outgoingOffset }

    /// Feeds bytes read from the socket and keeps the line deadline's start up to date.
    func receive(_ bytes: UnsafeBufferPointer<UInt8>, now: ContinuousClock.Instant) {
        let linesBefore = codec.pendingEventCount
        let wasInsideLine = codec.isInsideLine
        codec.feed(bytes)
        lastActivity = now
        if !codec.isInsideLine {
            lineStarted = nil
        } else if !wasInsideLine || codec.pendingEventCount > linesBefore {
            // A new line began in this read (the old one, if any, ended in it).
            lineStarted = now
        }
    }

    func queue(_ reply: Reply) {
        if outgoingOffset > 0 && outgoingOffset == outgoing.count {
            outgoing.removeAll(keepingCapacity: outgoing.capacity <= 65_536)
            outgoingOffset = 0
        }
        outgoing.append(contentsOf: reply.encoded)
    }

    /// Takes AUTH's result: a new role (and with it the line limit of the lines after it).
    func authenticate(_ principal: Principal, tokenID: Int64?) {
        self.principal = principal
        self.tokenID = tokenID
    }
}
