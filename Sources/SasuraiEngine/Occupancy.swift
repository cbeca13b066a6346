/// Guests, workers and stays per resource per night, with a bitset of full nights.
///
/// "Does this stay fit?" is the question the search asks millions of times; with one bit
/// per night set when a resource is full, it is answered by testing one or two 64-bit
/// words, whatever the length of the stay.
final class Occupancy {
    let resourceCount: Int
    let nightCount: Int
    let wordCount: Int
    let capacity: UnsafeMutablePointer<Int32>
    let counts: UnsafeMutablePointer<Int32>
    let fullBits: UnsafeMutablePointer<UInt64>

    init(capacities: [Int32], nightCount: Int) {
        resourceCount = capacities.count
        self.nightCount = nightCount
        wordCount = (nightCount + 63) / 64
        capacity = .allocate(capacity: max(1, resourceCount))
        counts = .allocate(capacity: max(1, resourceCount * nightCount))
        fullBits = .allocate(capacity: max(1, resourceCount * wordCount))
        for (index, value) in capacities.enumerated() { capacity[index] = value }
        counts.initialize(repeating: 0, count: max(1, resourceCount * nightCount))
        fullBits.initialize(repeating: 0, count: max(1, resourceCount * wordCount))
        for resource in 0..<resourceCount where capacity[resource] <= 0 {
            for night in 0..<nightCount { setFull(resource, night) }
        }
    }

    deinit {
        capacity.deallocate()
        counts.deallocate()
        fullBits.deallocate()
    }

    /// Makes this occupancy equal to `other` (same dimensions).
    func copy(from other: Occupancy) {
        counts.update(from: other.counts, count: max(1, resourceCount * nightCount))
        fullBits.update(from: other.fullBits, count: max(1, resourceCount * wordCount))
    }

    @inline(__always)
    private func setFull(_ resource: Int, _ night: Int) {
        fullBits[resource * wordCount + night >> 6] |= 1 << UInt64(night & 63)
    }

    @inline(__always)
    private func clearFull(_ resource: Int, _ night: Int) {
        fullBits[resource * wordCount + night >> 6] &= ~(1 << UInt64(night & 63))
    }

    /// True when the resource has room on every night of `[from, to)`.
    @inline(__always)
    func fits(_ resource: Int, from: Int, to: Int) -> Bool {
        if from >= to { return true }
        let base = resource * wordCount
        let firstWord = from >> 6
        let lastWord = (to - 1) >> 6
        let firstMask: UInt64 = ~0 << UInt64(from & 63)
        let lastMask: UInt64 = ~0 >> UInt64(63 - ((to - 1) & 63))
        if firstWord == lastWord {
            return fullBits[base + firstWord] & firstMask & lastMask == 0
        }
        if fullBits[base + firstWord] & firstMask != 0 { return false }
        var word = firstWord + 1
        while word < lastWord {
            if fullBits[base + word] != 0 { return false }
            word += 1
        }
        return fullBits[base + lastWord] & lastMask == 0
    }

    /// Adds one unit (or removes it, with -1) on every night of `[from, to)`.
    @inline(__always)
    func add(_ resource: Int, from: Int, to: Int, delta: Int32) {
        let row = resource * nightCount
        let limit = capacity[resource]
        var night = from
        while night < to {
            let value = counts[row + night] + delta
            counts[row + night] = value
            if value >= limit { setFull(resource, night) } else { clearFull(resource, night) }
            night += 1
        }
    }

    @inline(__always)
    func count(_ resource: Int, _ night: Int) -> Int32 {
        counts[resource * nightCount + night]
    }

    /// True when the count is over capacity on some night: never allowed outside a move.
    func isOverfull(_ resource: Int) -> Bool {
        let row = resource * nightCount
        for night in 0..<nightCount where counts[row + night] > capacity[resource] { return true }
        return false
    }
}
