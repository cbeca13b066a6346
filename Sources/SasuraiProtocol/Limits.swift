/// Every limit of the line protocol, in one place, each with the reason for its number.
///
/// docs/PROTOCOL.md section 5 lists the same values; the server reads them from here so the
/// two cannot drift apart. Limits a server operator may change (connections, idle timeout)
/// are defaults here and flags of `sasurai-server`.
public enum ProtocolLimits {
    /// The protocol version this module speaks; HELLO reports it.
    public static let protocolVersion = 1

    /// Longest request line, in bytes before the LF (a CR right before the LF not counted).
    /// Redis caps inline commands at 64 KiB; an IMPORT of a few hundred applications fits,
    /// larger scenarios go through a server-side path, and 1,024 connections each holding
    /// one partial line stay within 64 MiB.
    public static let maximumLineBytes = 65_536

    /// Longest request line before a successful AUTH. Anonymous commands (PING, HELLO,
    /// AUTH with its 64-digit token) are under 100 bytes; like Redis's cap before
    /// authentication, this keeps strangers from sending big requests. (The server still frames
    /// with `maximumLineBytes`, since lines pipelined behind an AUTH arrive before its answer.)
    public static let maximumAnonymousLineBytes = 4_096

    /// Deepest JSON nesting in a request. The deepest real request (IMPORT's scenario with
    /// an accommodation's open ranges) nests six levels; 16 leaves room and keeps every
    /// recursive walk over a request shallow, well under the JSON parser's own 64.
    public static let maximumJSONDepth = 16

    /// Connections served at once, memcached's default. Beyond it the server sends one
    /// `ERR BUSY` line and closes, so a client learns why instead of hanging.
    public static let maximumConnections = 1_024

    /// Seconds a connection may stay silent before it is closed. Long enough for a person
    /// at a terminal to think; short enough that abandoned connections free their slot.
    public static let idleTimeoutSeconds = 300

    /// Seconds a started line may take to arrive, counted from its first byte and not
    /// extended by further bytes (Apache mod_reqtimeout's rule, unlike Redis's idle timer
    /// that every byte restarts). 64 KiB at 64 kbit/s takes 8 s; a client trickling one
    /// byte a second to hold a connection (slowloris) is cut off after 10.
    public static let lineDeadlineSeconds = 10

    /// Requests read but not yet answered on one connection. Past it the server stops
    /// reading that socket (the kernel's buffer and TCP flow control hold the rest), so a
    /// pipelining client costs at most 64 lines of memory. redis-benchmark pipelines 16.
    public static let maximumPipelinedRequests = 64

    /// Bytes of replies waiting for a client that does not read them before the server
    /// closes it: two of the largest replies, so one slow reader cannot hold memory forever.
    public static let maximumPendingReplyBytes = 16 * 1_024 * 1_024

    /// Longest single reply line. A full EXPORT of a large scenario is bigger and goes to
    /// a file instead; 8 MiB is ample for any list a person or script reads in one go.
    public static let maximumReplyBytes = 8 * 1_024 * 1_024

    /// Failed AUTH attempts on one connection before it is closed. Tokens are 256 random
    /// bits, so guessing is hopeless anyway; closing stops a client spraying tokens from
    /// filling logs and keeps honest typos (a few) possible.
    public static let maximumFailedAuthentications = 5

    /// How long the reply to the first failed AUTH on a connection is held back; it doubles
    /// with each further failure (100, 200, 400, 800 ms), and the connection does nothing else
    /// meanwhile. A person who mistyped a token barely notices; a script trying tokens gets
    /// five tries in 1.5 s per connection, and at most `maximumConnections` connections.
    public static let failedAuthenticationDelayMilliseconds = 100

    /// The delay before the reply to failure number `failures` (1-based) on one connection.
    public static func failedAuthenticationDelay(after failures: Int) -> Duration {
        .milliseconds(failedAuthenticationDelayMilliseconds << min(max(failures - 1, 0), 10))
    }

    /// Longest error message, in characters. Messages quote user input (ids, paths);
    /// capping them keeps one reply line short whatever a client sends.
    public static let maximumMessageCharacters = 1_024

    /// Longest piece of client text quoted in a message (an unknown verb, an id).
    public static let maximumQuotedCharacters = 64

    /// Longest verb or subverb. The longest real one is 13 letters (ACCOMMODATION).
    public static let maximumWordBytes = 24

    /// Default number of rows a list command returns: a screenful and a half.
    public static let defaultListLimit = 100

    /// Most rows a list command returns; more would approach the reply size limit.
    public static let maximumListLimit = 1_000

    /// Allocation runs at once. The engine uses both cores of the target machines, so a
    /// second run would only slow the first and readers.
    public static let maximumConcurrentPlanRuns = 1

    /// Seconds a plan run may search: at least one, at most ten minutes (the engine's
    /// quality flattens well before that on 100,000 applications).
    public static let planSeconds = 1...600

    /// Default search time of a plan run.
    public static let defaultPlanSeconds = 30

    /// Default search time of a re-plan: it only fills capacity freed since the last run,
    /// which the engine's re-planner does in milliseconds; a few seconds of search polish it.
    public static let defaultReplanSeconds = 5

    /// Hours an offer stays open: at least one, at most 30 days.
    public static let offerHours = 1...720

    /// Default offer expiry: three days, time to read mail over a weekend.
    public static let defaultOfferHours = 72

    /// Hours a request key and its reply are remembered for retries. A client retrying after
    /// a lost reply does so within seconds; a day covers a laptop closed overnight.
    public static let requestKeyRetentionHours = 24

    /// Longest file path accepted, Linux's PATH_MAX.
    public static let maximumPathBytes = 4_096

    /// Largest integer id or seed a client may send: 2^53 - 1, the largest every JSON
    /// implementation (JavaScript included) reads exactly.
    public static let maximumSafeInteger = 9_007_199_254_740_991

    /// Random bytes in a token: 256 bits, beyond any guessing.
    public static let tokenBytes = 32
}
