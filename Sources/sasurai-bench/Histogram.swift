/// A log-linear latency histogram in nanoseconds: exact below 512 ns, then 256 buckets per
/// power of two (at most 0.4% error), up to about 2^40 ns (18 minutes). Recording is an index
/// computation and an increment, so it costs nothing next to a system call.
struct LatencyHistogram {
    static let subBucketBits = 8
    static let subBucketCount = 1 << subBucketBits
    static let bucketCount = 34 * subBucketCount

    private(set) var counts: [UInt64]
    private(set) var total: UInt64 = 0
    private(set) var sum: UInt64 = 0
    private(set) var maximum: UInt64 = 0
    private(set) var minimum: UInt64 = .max

    init() { counts = [UInt64](repeating: 0, count: Self.bucketCount) }

    @inline(__always)
    static func index(_ value: UInt64) -> Int {
        if value < UInt64(2 * subBucketCount) { return Int(value) }
        let highest = 63 - value.leadingZeroBitCount
        let shift = highest - subBucketBits
        let index = shift * subBucketCount + Int(value >> UInt64(shift))
        return min(index, bucketCount - 1)
    }

    /// The middle of a bucket's range.
    static func value(at index: Int) -> UInt64 {
        if index < 2 * subBucketCount { return UInt64(index) }
        let shift = index / subBucketCount - 1
        let base = UInt64(index - shift * subBucketCount) << UInt64(shift)
        return base + (UInt64(1) << UInt64(shift)) / 2
    }

    @inline(__always)
    mutating func record(_ nanoseconds: UInt64) {
        counts[Self.index(nanoseconds)] &+= 1
        total &+= 1
        sum &+= nanoseconds
        if nanoseconds > maximum { maximum = nanoseconds }
        if nanoseconds < minimum { minimum = nanoseconds }
    }

    mutating func merge(_ other: LatencyHistogram) {
        for index in 0..<counts.count { counts[index] &+= other.counts[index] }
        total &+= other.total
        sum &+= other.sum
        maximum = max(maximum, other.maximum)
        minimum = min(minimum, other.minimum)
    }

    /// The smallest recorded value with at least `fraction` of the samples at or below it.
    func percentile(_ fraction: Double) -> UInt64 {
        guard total > 0 else { return 0 }
        let wanted = max(1, UInt64((Double(total) * fraction).rounded(.up)))
        var seen: UInt64 = 0
        for index in 0..<counts.count where counts[index] > 0 {
            seen += counts[index]
            if seen >= wanted { return min(Self.value(at: index), maximum) }
        }
        return maximum
    }

    var mean: Double { total == 0 ? 0 : Double(sum) / Double(total) }
}
