#if canImport(Glibc)
import Glibc
import CLinuxEvents
#endif
import Foundation

/// Opens many connections, answers one PING on each, and holds them open and silent.
///
/// Prints `ready` (flushed) once every connection has its PING reply, so a script can then
/// measure the server; after `hold` seconds it PINGs every connection again to show they are
/// all still served, and reports.
struct IdleRun {
    var address: sockaddr_in
    var connections = 1_000
    var token: String?
    var holdSeconds = 10.0
    var serverPID: Int?
    /// Connections are opened in waves of this many, so the listen backlog never overflows.
    var wave = 200

    struct Summary {
        var opened = 0
        var answered = 0
        var errors = 0
        var firstError: String?
        var closedByServer = 0
        var answeredAfterHold = 0
        var residentBeforeKiB: Int?
        var residentWithKiB: Int?
        var openFileLimit = 0
    }

    private final class Slot {
        let descriptor: Int32
        var connected = false
        var buffer: [UInt8] = []
        var repliesWanted = 0
        var repliesSeen = 0
        var closed = false
        init(descriptor: Int32) { self.descriptor = descriptor }
    }

    func run(onReady: (Summary) -> Void) throws -> Summary {
        var summary = Summary()
        summary.openFileLimit = raiseOpenFileLimit(to: connections + 64)
        if summary.openFileLimit < connections + 16 {
            throw BenchError("open-file limit is \(summary.openFileLimit), too low for \(connections) connections (hard limit reached; raise it with ulimit -Hn)")
        }
        if let serverPID { summary.residentBeforeKiB = residentKiB(pid: serverPID) }
        let poller = try EventPoller(capacity: 1_024)
        var slots: [Slot] = []
        let firstRequests = Array(((token.map { "AUTH \($0)\n" } ?? "") + "PING\n").utf8)
        let repliesPerConnection = token == nil ? 1 : 2
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 65_536)
        defer { buffer.deallocate() }

        /// Reads replies; returns false once the connection is closed.
        func drain(_ slot: Slot, _ summary: inout Summary) {
            while true {
                let count = read(slot.descriptor, buffer, 65_536)
                if count > 0 {
                    for byte in UnsafeBufferPointer(start: buffer, count: count) {
                        if byte == 0x0A {
                            if let first = slot.buffer.first, isErrorReplyStart(first) {
                                summary.errors += 1
                                if summary.firstError == nil { summary.firstError = String(decoding: slot.buffer, as: UTF8.self) }
                            }
                            slot.repliesSeen += 1
                            slot.buffer.removeAll(keepingCapacity: true)
                        } else if slot.buffer.count < 1_024 {
                            slot.buffer.append(byte)
                        }
                    }
                    continue
                }
                if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
                if count < 0 && errno == EINTR { continue }
                if !slot.closed {
                    slot.closed = true
                    poller.remove(slot.descriptor)
                    close(slot.descriptor)
                }
                return
            }
        }

        /// Runs the loop until every open connection has all the replies it asked for.
        func settle(timeoutSeconds: Double, _ summary: inout Summary) throws {
            let limit = monotonicNanoseconds() + UInt64(timeoutSeconds * 1e9)
            while slots.contains(where: { !$0.closed && $0.repliesSeen < $0.repliesWanted }) {
                if monotonicNanoseconds() > limit {
                    let waiting = slots.filter { !$0.closed && $0.repliesSeen < $0.repliesWanted }.count
                    throw BenchError("\(waiting) connections got no reply within \(Int(timeoutSeconds)) s (is the server at its open-file limit?)")
                }
                let count = poller.wait(milliseconds: 100)
                for index in 0..<count {
                    let event = poller.events[index]
                    let slot = slots[Int(event.data.u64)]
                    if slot.closed { continue }
                    if !slot.connected {
                        let error = connectionError(slot.descriptor)
                        if error != 0 { throw BenchError("connect: \(errnoText(error))") }
                        slot.connected = true
                        poller.modify(slot.descriptor, tag: event.data.u64, readable: true, writable: false)
                        let sent = firstRequests.withUnsafeBytes { sendSome(slot.descriptor, $0) }
                        guard sent == firstRequests.count else { throw BenchError("send failed") }
                        slot.repliesWanted = repliesPerConnection
                        continue
                    }
                    drain(slot, &summary)
                }
            }
        }

        var opened = 0
        while opened < connections {
            let end = min(connections, opened + wave)
            for _ in opened..<end {
                let descriptor = try startConnection(to: address)
                let slot = Slot(descriptor: descriptor)
                slot.repliesWanted = repliesPerConnection
                try poller.add(descriptor, tag: UInt64(slots.count), readable: true, writable: true)
                slots.append(slot)
            }
            opened = end
            try settle(timeoutSeconds: 30, &summary)
        }
        summary.opened = slots.count
        summary.answered = slots.filter { !$0.closed && $0.repliesSeen >= $0.repliesWanted }.count
        summary.closedByServer = slots.filter(\.closed).count
        if let serverPID {
            usleep(200_000)
            summary.residentWithKiB = residentKiB(pid: serverPID)
        }
        onReady(summary)

        // Hold: stay silent, but notice connections the server closes.
        let holdEnd = monotonicNanoseconds() + UInt64(holdSeconds * 1e9)
        while monotonicNanoseconds() < holdEnd {
            let count = poller.wait(milliseconds: 100)
            for index in 0..<count {
                let slot = slots[Int(poller.events[index].data.u64)]
                if !slot.closed { drain(slot, &summary) }
            }
        }
        // Every connection that is still open should still be served.
        let ping = Array("PING\n".utf8)
        for slot in slots where !slot.closed {
            slot.repliesWanted = slot.repliesSeen + 1
            if ping.withUnsafeBytes({ sendSome(slot.descriptor, $0) }) != ping.count { slot.closed = true }
        }
        try settle(timeoutSeconds: 30, &summary)
        summary.answeredAfterHold = slots.filter { !$0.closed && $0.repliesSeen >= $0.repliesWanted }.count
        summary.closedByServer = slots.filter(\.closed).count
        for slot in slots where !slot.closed { close(slot.descriptor) }
        return summary
    }
}
