import SasuraiCore

/// The store's tables, in the order they were introduced; never reorder or rename a shipped step.
///
/// Design notes that apply throughout:
/// - Tables are `STRICT`, so a value of the wrong type is refused instead of silently stored.
/// - Ids are the model's text ids, not surrogate integers: they are what files, the protocol and
///   the audit log name, and MODEL.md already makes them unique per entity.
/// - Dates are `YYYY-MM-DD` text, which sorts like the days it names and reads well in a shell;
///   timestamps are UTC ISO 8601 text with milliseconds (`2026-07-01T09:30:00.000Z`).
/// - CHECK constraints repeat `ModelLimits` where that is one comparison per row, so a bug in a
///   writer cannot store what no reader would accept. Name lengths are not checked: SQLite counts
///   code points and the model counts characters, and the two disagree on combining marks.
/// - Plans keep plain text ids without foreign keys: a plan records a past run, and a later
///   import may replace the towns and applications it names.
public enum Schema {
    /// Every migration, oldest first; a database at version `n` has run the first `n`.
    public static let migrations: [Migration] = [
        Migration(name: "create_scenario_tables", sql: scenarioTables),
        Migration(name: "create_plans", sql: planTables),
        Migration(name: "create_placements", sql: placementTables),
        Migration(name: "create_audit_log", sql: auditTables),
        Migration(name: "create_tokens", sql: tokenTables),
        Migration(name: "create_request_keys", sql: requestKeyTables),
        Migration(name: "count_applications_by_state", sql: applicationStateCounts),
        Migration(name: "index_applications_by_freelancer_and_state", sql: applicationsByFreelancerAndState),
        Migration(name: "request_keys_in_arrival_order", sql: requestKeysInArrivalOrder),
        Migration(name: "audit_log_without_sequence_table", sql: auditLogWithoutSequenceTable),
        Migration(name: "applications_checks_without_in_lists", sql: applicationsChecksWithoutInLists,
                  rebuildsReferencedTable: true),
    ]

    /// The tables a fully migrated store has, besides the migrator's own `schema_migrations`.
    public static let tableNames: [String] = [
        "towns", "accommodations", "accommodation_open_ranges", "slots", "slot_skills", "freelancers",
        "freelancer_skills", "applications", "application_towns", "application_kinds", "scenario_weights",
        "state_version", "plans", "plan_assignments", "plan_unplaced", "placements", "audit_log", "tokens",
        "request_keys", "application_state_counts",
    ]

    // MARK: Reusable checks

    /// MODEL.md's id rule: 1 to 64 characters of `a-z A-Z 0-9 . _ -`.
    private static func identifierCheck(_ column: String) -> String {
        "CHECK (length(\(column)) BETWEEN 1 AND 64 AND \(column) NOT GLOB '*[^A-Za-z0-9._-]*')"
    }

    /// A real calendar date in `YYYY-MM-DD` form.
    ///
    /// A modifier makes `date()` normalize (plain `date('2026-02-30')` echoes its input), so any
    /// other form or an impossible day comes back different.
    private static func dayCheck(_ column: String) -> String {
        "CHECK (date(\(column), '+0 days') IS \(column))"
    }

    private static func rangeCheck(_ column: String, _ range: ClosedRange<Int>) -> String {
        "CHECK (\(column) BETWEEN \(range.lowerBound) AND \(range.upperBound))"
    }

    private static let skillCheck =
        "CHECK (length(skill) BETWEEN 1 AND 64 AND skill NOT GLOB '*[^a-z0-9-]*')"

    private static let kindList = "('shared_house', 'guesthouse', 'vacant_house', 'homestay', 'coworking_stay')"


    /// `(column IN ('a', 'b', ...))`, as the first schema wrote its lists of allowed values.
    private static func inList(_ column: String, _ values: [String]) -> String {
        "(\(column) IN (" + values.map { "'\($0)'" }.joined(separator: ", ") + "))"
    }

    /// `(column = 'a' OR column = 'b' ...)`: the same test as `inList`, and far cheaper.
    ///
    /// In a CHECK, SQLite evaluates an IN list of more than two constants by building a
    /// temporary b-tree of the list for every row written (open, fill, probe, close), which was
    /// a twentieth of the writer's time for an APPLY; comparisons cost next to nothing.
    private static func oneOf(_ column: String, _ values: [String]) -> String {
        "(" + values.map { "\(column) = '\($0)'" }.joined(separator: " OR ") + ")"
    }

    /// The applications table, `allowing` writing the checks of its columns with fixed values.
    private static func applicationsTable(named name: String, allowing: (String, [String]) -> String) -> String {
        """
        CREATE TABLE \(name) (
            id TEXT PRIMARY KEY \(identifierCheck("id")),
            freelancer_id TEXT NOT NULL REFERENCES freelancers (id) ON DELETE RESTRICT,
            earliest TEXT NOT NULL \(dayCheck("earliest")),
            latest TEXT NOT NULL \(dayCheck("latest")),
            nights INTEGER NOT NULL \(rangeCheck("nights", ModelLimits.nights)),
            budget_per_night INTEGER NOT NULL \(rangeCheck("budget_per_night", ModelLimits.money)),
            labor TEXT NOT NULL CHECK \(allowing("labor", ["required", "preferred", "none"])),
            team TEXT CHECK (team IS NULL OR (length(team) BETWEEN 1 AND 64 AND team NOT GLOB '*[^A-Za-z0-9._-]*')),
            state TEXT NOT NULL DEFAULT 'pending' CHECK \(allowing("state", states)),
            state_changed_at TEXT NOT NULL,
            offer_expires_at TEXT,
            requeued_at TEXT,
            CHECK (earliest < latest),
            CHECK (date(earliest, '+' || nights || ' days') <= latest),
            CHECK (offer_expires_at IS NULL OR state = 'offered')
        ) STRICT, WITHOUT ROWID;
        """
    }

    private static let states = ["pending", "offered", "confirmed", "declined", "withdrawn", "expired", "cancelled"]

    // MARK: Migrations

    static let scenarioTables = """
        CREATE TABLE towns (
            id TEXT PRIMARY KEY \(identifierCheck("id")),
            name TEXT NOT NULL CHECK (name <> ''),
            prefecture TEXT NOT NULL CHECK (prefecture <> ''),
            nightly_cap INTEGER NOT NULL \(rangeCheck("nightly_cap", ModelLimits.nightlyCap)),
            min_nights INTEGER NOT NULL \(rangeCheck("min_nights", ModelLimits.nights)),
            max_nights INTEGER NOT NULL \(rangeCheck("max_nights", ModelLimits.nights)),
            subsidy_per_night INTEGER NOT NULL \(rangeCheck("subsidy_per_night", ModelLimits.money)),
            CHECK (min_nights <= max_nights)
        ) STRICT;

        -- always_open = 1 is MODEL.md's missing `open`; 0 with no ranges is a house that never opens.
        CREATE TABLE accommodations (
            id TEXT PRIMARY KEY \(identifierCheck("id")),
            town_id TEXT NOT NULL REFERENCES towns (id) ON DELETE RESTRICT,
            name TEXT NOT NULL CHECK (name <> ''),
            kind TEXT NOT NULL CHECK (kind IN \(kindList)),
            beds INTEGER NOT NULL \(rangeCheck("beds", ModelLimits.beds)),
            price_per_night INTEGER NOT NULL \(rangeCheck("price_per_night", ModelLimits.money)),
            always_open INTEGER NOT NULL CHECK (always_open IN (0, 1)),
            -- Lets placements prove that their accommodation lies in their town (rule 1).
            UNIQUE (id, town_id)
        ) STRICT;
        CREATE INDEX accommodations_by_town ON accommodations (town_id);

        CREATE TABLE accommodation_open_ranges (
            accommodation_id TEXT NOT NULL REFERENCES accommodations (id) ON DELETE CASCADE,
            position INTEGER NOT NULL CHECK (position >= 0 AND position < \(ModelLimits.maximumOpenRanges)),
            from_day TEXT NOT NULL \(dayCheck("from_day")),
            to_day TEXT NOT NULL \(dayCheck("to_day")),
            PRIMARY KEY (accommodation_id, position),
            CHECK (from_day < to_day)
        ) STRICT, WITHOUT ROWID;

        -- Ranges under an always-open house would be silently ignored by every reader.
        CREATE TRIGGER accommodation_open_ranges_need_limited_house
        BEFORE INSERT ON accommodation_open_ranges
        WHEN (SELECT always_open FROM accommodations WHERE id = NEW.accommodation_id) = 1
        BEGIN
            SELECT RAISE(ABORT, 'an always-open accommodation has no open ranges');
        END;
        CREATE TRIGGER accommodations_always_open_without_ranges
        BEFORE UPDATE OF always_open ON accommodations
        WHEN NEW.always_open = 1
            AND EXISTS (SELECT 1 FROM accommodation_open_ranges WHERE accommodation_id = NEW.id)
        BEGIN
            SELECT RAISE(ABORT, 'remove the open ranges before marking an accommodation always open');
        END;

        CREATE TABLE slots (
            id TEXT PRIMARY KEY \(identifierCheck("id")),
            town_id TEXT NOT NULL REFERENCES towns (id) ON DELETE RESTRICT,
            title TEXT NOT NULL CHECK (title <> ''),
            from_day TEXT NOT NULL \(dayCheck("from_day")),
            to_day TEXT NOT NULL \(dayCheck("to_day")),
            seats INTEGER NOT NULL \(rangeCheck("seats", ModelLimits.seats)),
            min_days INTEGER NOT NULL \(rangeCheck("min_days", ModelLimits.nights)),
            CHECK (from_day < to_day),
            -- Lets placements prove that their slot lies in their town (rule 1).
            UNIQUE (id, town_id)
        ) STRICT;
        CREATE INDEX slots_by_town ON slots (town_id);

        CREATE TABLE slot_skills (
            slot_id TEXT NOT NULL REFERENCES slots (id) ON DELETE CASCADE,
            skill TEXT NOT NULL \(skillCheck),
            PRIMARY KEY (slot_id, skill)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE freelancers (
            id TEXT PRIMARY KEY \(identifierCheck("id")),
            name TEXT NOT NULL CHECK (name <> ''),
            relocation TEXT NOT NULL CHECK (relocation IN ('none', 'considering', 'planning'))
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE freelancer_skills (
            freelancer_id TEXT NOT NULL REFERENCES freelancers (id) ON DELETE CASCADE,
            skill TEXT NOT NULL \(skillCheck),
            PRIMARY KEY (freelancer_id, skill)
        ) STRICT, WITHOUT ROWID;

        -- requeued_at: set when a cancelled application returns to pending, so that it is first in
        -- line (earliest requeue first) ahead of applications that never held a place.
        \(applicationsTable(named: "applications", allowing: inList))
        CREATE INDEX applications_by_freelancer ON applications (freelancer_id);
        CREATE INDEX applications_by_state ON applications (state, requeued_at);
        CREATE INDEX applications_by_team ON applications (team) WHERE team IS NOT NULL;

        -- rank is 1 for the first choice; the order of preference is the order of rank.
        CREATE TABLE application_towns (
            application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
            rank INTEGER NOT NULL CHECK (rank BETWEEN 1 AND \(ModelLimits.maximumTownPreferences)),
            town_id TEXT NOT NULL REFERENCES towns (id) ON DELETE RESTRICT,
            PRIMARY KEY (application_id, rank),
            UNIQUE (application_id, town_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX application_towns_by_town ON application_towns (town_id);

        CREATE TABLE application_kinds (
            application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN \(kindList)),
            PRIMARY KEY (application_id, kind)
        ) STRICT, WITHOUT ROWID;

        -- One row: the scenario's score weights. rank is a JSON array of integers.
        CREATE TABLE scenario_weights (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            place INTEGER NOT NULL \(rangeCheck("place", ModelLimits.weight)),
            rank TEXT NOT NULL CHECK (json_valid(rank) AND json_type(rank) = 'array'
                AND json_array_length(rank) <= \(ModelLimits.maximumRankWeights)),
            rank_any INTEGER NOT NULL \(rangeCheck("rank_any", ModelLimits.weight)),
            labor_day INTEGER NOT NULL \(rangeCheck("labor_day", ModelLimits.weight)),
            relocation_none INTEGER NOT NULL \(rangeCheck("relocation_none", ModelLimits.weight)),
            relocation_considering INTEGER NOT NULL \(rangeCheck("relocation_considering", ModelLimits.weight)),
            relocation_planning INTEGER NOT NULL \(rangeCheck("relocation_planning", ModelLimits.weight))
        ) STRICT;
        INSERT INTO scenario_weights VALUES (1, 1000, '[300,200,100]', 300, 10, 0, 100, 200);

        -- One row: bumped by every write that changes what a plan relies on, so a plan computed
        -- from an older version is known to be stale without comparing content.
        CREATE TABLE state_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL CHECK (version >= 0)
        ) STRICT;
        INSERT INTO state_version VALUES (1, 0);
        """

    static let planTables = """
        -- seed holds the run's UInt64 seed as the signed integer with the same bits.
        CREATE TABLE plans (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            seed INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'committed', 'stale', 'failed')),
            score INTEGER NOT NULL,
            upper_bound INTEGER,
            summary TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(summary)),
            based_on_version INTEGER NOT NULL CHECK (based_on_version >= 0)
        ) STRICT;
        CREATE INDEX plans_by_status ON plans (status);

        CREATE TABLE plan_assignments (
            plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
            application_id TEXT NOT NULL,
            town_id TEXT NOT NULL,
            accommodation_id TEXT NOT NULL,
            arrival TEXT NOT NULL \(dayCheck("arrival")),
            nights INTEGER NOT NULL \(rangeCheck("nights", ModelLimits.nights)),
            slot_id TEXT,
            labor_days INTEGER NOT NULL CHECK (labor_days BETWEEN 0 AND nights),
            PRIMARY KEY (plan_id, application_id)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE plan_unplaced (
            plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
            application_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (plan_id, application_id)
        ) STRICT, WITHOUT ROWID;
        """

    static let placementTables = """
        -- The places currently held: a row exists exactly while its application is offered or
        -- confirmed. source says who made it: a scenario booking, a committed plan, or a host.
        CREATE TABLE placements (
            application_id TEXT PRIMARY KEY REFERENCES applications (id) ON DELETE RESTRICT,
            town_id TEXT NOT NULL REFERENCES towns (id) ON DELETE RESTRICT,
            accommodation_id TEXT NOT NULL,
            arrival TEXT NOT NULL \(dayCheck("arrival")),
            nights INTEGER NOT NULL \(rangeCheck("nights", ModelLimits.nights)),
            slot_id TEXT,
            labor_days INTEGER NOT NULL CHECK (labor_days BETWEEN 0 AND nights),
            source TEXT NOT NULL CHECK (source IN ('booking', 'plan', 'host')),
            plan_id INTEGER REFERENCES plans (id) ON DELETE RESTRICT,
            placed_at TEXT NOT NULL,
            CHECK ((source = 'plan') = (plan_id IS NOT NULL)),
            CHECK (slot_id IS NOT NULL OR labor_days = 0),
            FOREIGN KEY (accommodation_id, town_id) REFERENCES accommodations (id, town_id) ON DELETE RESTRICT,
            FOREIGN KEY (slot_id, town_id) REFERENCES slots (id, town_id) ON DELETE RESTRICT
        ) STRICT;
        CREATE INDEX placements_by_town_arrival ON placements (town_id, arrival);
        CREATE INDEX placements_by_accommodation ON placements (accommodation_id, arrival);
        CREATE INDEX placements_by_slot ON placements (slot_id, town_id) WHERE slot_id IS NOT NULL;
        CREATE INDEX placements_by_plan ON placements (plan_id) WHERE plan_id IS NOT NULL;
        """

    static let auditTables = """
        -- Append-only: the triggers below refuse every UPDATE and DELETE. actor names a person
        -- or process as role:name (planner:alice, host:nanto); it never holds a token.
        \(auditLogTable(named: "audit_log", id: "INTEGER PRIMARY KEY AUTOINCREMENT"))
        \(auditLogTriggers)
        """

    /// The audit log table; `id` is the declaration of its id column.
    private static func auditLogTable(named name: String, id: String) -> String {
        """
        CREATE TABLE \(name) (
            id \(id),
            at TEXT NOT NULL CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'),
            actor TEXT NOT NULL CHECK (length(actor) BETWEEN 3 AND 80 AND actor GLOB '[a-z]*:?*'),
            action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
            subject TEXT,
            detail TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
        ) STRICT;
        """
    }

    /// The audit log's guards, created with the table and again when it is rebuilt.
    private static let auditLogTriggers = """
        CREATE TRIGGER audit_log_refuses_update BEFORE UPDATE ON audit_log
        BEGIN
            SELECT RAISE(ABORT, 'audit log is append-only: rows cannot be changed');
        END;
        CREATE TRIGGER audit_log_refuses_delete BEFORE DELETE ON audit_log
        BEGIN
            SELECT RAISE(ABORT, 'audit log is append-only: rows cannot be deleted');
        END;
        """

    static let tokenTables = """
        -- Only the SHA-256 of a token is kept, so a copy of the file grants no access.
        -- subject: NULL for planners, the town id for hosts, the freelancer id for freelancers.
        CREATE TABLE tokens (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            role TEXT NOT NULL CHECK (role IN ('planner', 'host', 'freelancer')),
            subject TEXT CHECK (subject IS NULL OR (length(subject) BETWEEN 1 AND 64
                AND subject NOT GLOB '*[^A-Za-z0-9._-]*')),
            hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
            created_at TEXT NOT NULL,
            revoked_at TEXT,
            label TEXT NOT NULL DEFAULT '',
            CHECK ((role = 'planner') = (subject IS NULL))
        ) STRICT;
        """

    static let requestKeyTables = """
        -- The replies of mutating requests sent with a request key, so that a retry gets the same
        -- reply instead of doing the work twice. digest identifies the request (command and
        -- parameters) and reply holds the reply line; both are the server's bytes, opaque here.
        -- token_id is not a foreign key: tokens are revoked, never deleted, so it cannot dangle.
        CREATE TABLE request_keys (
            token_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            digest BLOB NOT NULL,
            reply BLOB NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (token_id, key)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX request_keys_by_creation ON request_keys (created_at);
        """

    static let applicationStateCounts = """
        -- How many applications are in each state, kept by triggers, so that STATS and the
        -- state counts of a busy season cost one small read instead of a scan of every
        -- application ever made (the table only grows: withdrawn and expired ones stay).
        CREATE TABLE application_state_counts (
            state TEXT PRIMARY KEY CHECK \(inList("state", states)),
            count INTEGER NOT NULL CHECK (count >= 0)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO application_state_counts (state, count)
            SELECT column1, (SELECT count(*) FROM applications WHERE state = column1)
            FROM (VALUES ('pending'), ('offered'), ('confirmed'), ('declined'), ('withdrawn'), ('expired'), ('cancelled'));
        \(applicationStateCountTriggers)
        """

    /// The triggers that keep application_state_counts, created with it and again whenever
    /// the applications table is rebuilt (dropping a table drops its triggers).
    private static let applicationStateCountTriggers = """
        CREATE TRIGGER applications_counted_on_insert AFTER INSERT ON applications BEGIN
            UPDATE application_state_counts SET count = count + 1 WHERE state = NEW.state;
        END;
        CREATE TRIGGER applications_counted_on_delete AFTER DELETE ON applications BEGIN
            UPDATE application_state_counts SET count = count - 1 WHERE state = OLD.state;
        END;
        CREATE TRIGGER applications_counted_on_state_change AFTER UPDATE OF state ON applications
            WHEN OLD.state <> NEW.state BEGIN
            UPDATE application_state_counts SET count = count - 1 WHERE state = OLD.state;
            UPDATE application_state_counts SET count = count + 1 WHERE state = NEW.state;
        END;
        """

    static let applicationsByFreelancerAndState = """
        -- A freelancer's applications of one state (APPLICATIONS with a state, the offered and
        -- confirmed ones behind ITINERARY) without reading the others: withdrawn and expired
        -- applications stay forever, so a regular's list only grows. The old index on
        -- freelancer_id alone is this one's prefix, so it goes.
        DROP INDEX applications_by_freelancer;
        CREATE INDEX applications_by_freelancer_and_state ON applications (freelancer_id, state, id);
        """

    static let requestKeysInArrivalOrder = """
        -- Rows in the order they came, each in a small unique index on (token_id, key). Keyed by
        -- (token_id, key) themselves, rows of a few hundred bytes (the stored reply) went into
        -- the middle of the table, at a random place for random keys: every remembered reply
        -- rewrote a page of its own and split one every few inserts, about half of all the
        -- pages a busy writer's commits wrote to the WAL. Appended by rowid, the rows of one
        -- commit share a page or two; only the index entries land at random, and they are
        -- small. Creation order is rowid order, so forgetting old keys needs no index either.
        CREATE TABLE request_keys_in_order (
            id INTEGER PRIMARY KEY,
            token_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            digest BLOB NOT NULL,
            reply BLOB NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT;
        INSERT INTO request_keys_in_order (token_id, key, digest, reply, created_at)
            SELECT token_id, key, digest, reply, created_at FROM request_keys ORDER BY created_at, token_id, key;
        DROP TABLE request_keys;
        ALTER TABLE request_keys_in_order RENAME TO request_keys;
        CREATE UNIQUE INDEX request_keys_by_token_and_key ON request_keys (token_id, key);
        """

    static let auditLogWithoutSequenceTable = """
        -- The same table without AUTOINCREMENT, which updated a row of sqlite_sequence on every
        -- insert (one more statement and one more page in every commit). Ids still never repeat:
        -- rows are never deleted (the triggers refuse it), so the next id, the largest plus one,
        -- only grows; only the ids of rows whose transaction rolled back are given again.
        \(auditLogTable(named: "audit_log_new", id: "INTEGER PRIMARY KEY"))
        INSERT INTO audit_log_new (id, at, actor, action, subject, detail)
            SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id;
        DROP TABLE audit_log;
        ALTER TABLE audit_log_new RENAME TO audit_log;
        \(auditLogTriggers)
        """

    static let applicationsChecksWithoutInLists = """
        -- The same table, its indexes and triggers, with the IN lists of its CHECKs written as
        -- comparisons (see oneOf). Rebuilt in SQLite's way: new table, copy, drop, rename.
        \(applicationsTable(named: "applications_new", allowing: oneOf))
        INSERT INTO applications_new (id, freelancer_id, earliest, latest, nights, budget_per_night, labor, team,
                                      state, state_changed_at, offer_expires_at, requeued_at)
            SELECT id, freelancer_id, earliest, latest, nights, budget_per_night, labor, team,
                   state, state_changed_at, offer_expires_at, requeued_at FROM applications ORDER BY id;
        DROP TABLE applications;
        ALTER TABLE applications_new RENAME TO applications;
        CREATE INDEX applications_by_freelancer_and_state ON applications (freelancer_id, state, id);
        CREATE INDEX applications_by_state ON applications (state, requeued_at);
        CREATE INDEX applications_by_team ON applications (team) WHERE team IS NOT NULL;
        \(applicationStateCountTriggers)
        """
}
