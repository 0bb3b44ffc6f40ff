import GRDB

/// The store's schema, as named migrations.
///
/// Each migration is SQL text, written once and never edited after it ships (GRDB `Migrations.md`,
/// "Good Practices"): a change is a new migration appended to `migrations`. `schemaVersion` is written to
/// `PRAGMA user_version` after migrating, and `applicationID` to `PRAGMA application_id`, so that an
/// older Rounds can refuse a file a newer one wrote before it touches anything.
public enum StoreSchema {
    /// `PRAGMA application_id` of a Rounds store: the ASCII bytes "RNDS".
    public static let applicationID: Int32 = 0x524E_4453
    /// The number of migrations this build knows; written to `PRAGMA user_version`.
    public static var schemaVersion: Int { migrations.count }

    /// Skin-tone bands an image may carry: Fitzpatrick types and ITA° bands (Chardon et al. 1991).
    public static let skinToneBands = [
        "I", "II", "III", "IV", "V", "VI",
        "ita:very-light", "ita:light", "ita:intermediate", "ita:tan", "ita:brown", "ita:dark",
    ]

    /// The migrations in the order they run, by name.
    static let migrations: [(name: String, sql: String)] = [
        ("v1-provenance-schema", v1),
        ("v2-classifier-checkpoints", v2ClassifierCheckpoints),
        ("v3-judge-batches", v3JudgeBatches),
        ("v4-feedback-rounds", v4FeedbackRounds),
        ("v5-exactly-once-judging", v5ExactlyOnceJudging),
        ("v6-studio", v6Studio),
    ]

    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (name, sql) in migrations {
            migrator.registerMigration(name) { db in try db.execute(sql: sql) }
        }
        return migrator
    }

    private static let v1 = """
        CREATE TABLE checkpoint (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
            parentID INTEGER REFERENCES checkpoint(id),
            objective TEXT NOT NULL CHECK (objective IN ('pretrain', 'rft', 'dpo', 'reward', 'imported')),
            signalPath TEXT,
            hyperParameters TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(hyperParameters)),
            metrics TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics)),
            createdAt DATETIME NOT NULL,
            CHECK (parentID IS NULL OR parentID <> id)
        );
        CREATE INDEX checkpoint_on_parentID ON checkpoint(parentID);

        CREATE TABLE image (
            id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 64 AND id NOT GLOB '*[^0-9a-f]*'),
            fileSHA256 TEXT NOT NULL CHECK (length(fileSHA256) = 64 AND fileSHA256 NOT GLOB '*[^0-9a-f]*'),
            path TEXT NOT NULL CHECK (length(path) > 0),
            format TEXT NOT NULL CHECK (format IN ('png', 'jpeg')),
            width INTEGER NOT NULL CHECK (width > 0),
            height INTEGER NOT NULL CHECK (height > 0),
            byteCount INTEGER NOT NULL CHECK (byteCount >= 0),
            condition TEXT CHECK (condition IS NULL OR condition GLOB '?*/?*'),
            origin TEXT NOT NULL CHECK (origin IN ('real', 'synthetic')),
            split TEXT NOT NULL DEFAULT 'none' CHECK (split IN ('train', 'test', 'none')),
            generator TEXT,
            skinTone TEXT CHECK (skinTone IS NULL OR skinTone IN (
                'I', 'II', 'III', 'IV', 'V', 'VI',
                'ita:very-light', 'ita:light', 'ita:intermediate', 'ita:tan', 'ita:brown', 'ita:dark')),
            checkpointID INTEGER REFERENCES checkpoint(id),
            seed INTEGER,
            samplerParameters TEXT CHECK (samplerParameters IS NULL OR json_valid(samplerParameters)),
            parentImageID TEXT REFERENCES image(id) ON DELETE CASCADE,
            ownsFile BOOLEAN NOT NULL DEFAULT 0 CHECK (ownsFile IN (0, 1)),
            addedAt DATETIME NOT NULL,
            CHECK (origin = 'synthetic' OR (checkpointID IS NULL AND parentImageID IS NULL AND ownsFile = 0))
        );
        CREATE INDEX image_on_condition ON image(condition, origin, id);
        CREATE INDEX image_on_path ON image(path);
        CREATE INDEX image_on_parentImageID ON image(parentImageID);

        CREATE TABLE checklistVersion (
            id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 64),
            condition TEXT NOT NULL CHECK (condition GLOB '?*/?*'),
            yaml TEXT NOT NULL,
            createdAt DATETIME NOT NULL
        );

        CREATE TABLE promptVersion (
            id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 64),
            name TEXT NOT NULL,
            body TEXT NOT NULL,
            createdAt DATETIME NOT NULL
        );

        CREATE TABLE judgeRun (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            endpoint TEXT NOT NULL,
            baseURL TEXT NOT NULL,
            model TEXT NOT NULL CHECK (length(model) > 0),
            provider TEXT NOT NULL CHECK (provider IN ('openai', 'anthropic', 'simulator')),
            parameters TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(parameters)),
            startedAt DATETIME NOT NULL,
            endedAt DATETIME,
            status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
            requestCount INTEGER NOT NULL DEFAULT 0 CHECK (requestCount >= 0),
            succeededCount INTEGER NOT NULL DEFAULT 0 CHECK (succeededCount >= 0),
            failedCount INTEGER NOT NULL DEFAULT 0 CHECK (failedCount >= 0),
            costUSD REAL NOT NULL DEFAULT 0 CHECK (costUSD >= 0)
        );

        CREATE TABLE judgment (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            runID INTEGER NOT NULL REFERENCES judgeRun(id),
            imageID TEXT NOT NULL REFERENCES image(id) ON DELETE CASCADE,
            checklistVersionID TEXT NOT NULL REFERENCES checklistVersion(id),
            promptVersionID TEXT NOT NULL REFERENCES promptVersion(id),
            requestKey TEXT NOT NULL CHECK (length(requestKey) = 64),
            canonicalRequest TEXT NOT NULL,
            sampleIndex INTEGER NOT NULL DEFAULT 0 CHECK (sampleIndex >= 0),
            responseText TEXT,
            latencyMs REAL CHECK (latencyMs IS NULL OR latencyMs >= 0),
            promptTokens INTEGER CHECK (promptTokens IS NULL OR promptTokens >= 0),
            completionTokens INTEGER CHECK (completionTokens IS NULL OR completionTokens >= 0),
            costUSD REAL CHECK (costUSD IS NULL OR costUSD >= 0),
            attempts INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 1),
            error TEXT,
            createdAt DATETIME NOT NULL
        );
        CREATE INDEX judgment_on_image_versions ON judgment(imageID, checklistVersionID, promptVersionID);
        CREATE INDEX judgment_on_versions ON judgment(checklistVersionID, promptVersionID, runID, imageID) WHERE error IS NULL;
        CREATE INDEX judgment_on_runID ON judgment(runID);
        CREATE INDEX judgment_on_requestKey ON judgment(requestKey);

        CREATE TABLE criterionVerdict (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            judgmentID INTEGER NOT NULL REFERENCES judgment(id) ON DELETE CASCADE,
            criterionID TEXT NOT NULL CHECK (length(criterionID) > 0),
            verdict TEXT NOT NULL CHECK (verdict IN ('met', 'not_met', 'uncertain', 'indeterminate')),
            evidence TEXT,
            confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
            agreement REAL CHECK (agreement IS NULL OR (agreement >= 0 AND agreement <= 1)),
            UNIQUE (judgmentID, criterionID)
        );

        CREATE TABLE pairCandidate (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            imageA TEXT NOT NULL REFERENCES image(id) ON DELETE CASCADE,
            imageB TEXT NOT NULL REFERENCES image(id) ON DELETE CASCADE,
            condition TEXT NOT NULL CHECK (condition GLOB '?*/?*'),
            sameSource BOOLEAN NOT NULL DEFAULT 0 CHECK (sameSource IN (0, 1)),
            createdAt DATETIME NOT NULL,
            CHECK (imageA <> imageB),
            UNIQUE (imageA, imageB)
        );
        CREATE INDEX pairCandidate_on_imageB ON pairCandidate(imageB);
        CREATE INDEX pairCandidate_on_condition ON pairCandidate(condition);

        CREATE TABLE pairComparison (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            pairID INTEGER NOT NULL REFERENCES pairCandidate(id) ON DELETE CASCADE,
            runID INTEGER NOT NULL REFERENCES judgeRun(id),
            checklistVersionID TEXT NOT NULL REFERENCES checklistVersion(id),
            promptVersionID TEXT NOT NULL REFERENCES promptVersion(id),
            presentedOrder TEXT NOT NULL CHECK (presentedOrder IN ('ab', 'ba', 'both')),
            outcome TEXT NOT NULL CHECK (outcome IN ('a', 'b', 'tie', 'inconsistent', 'indeterminate')),
            judgmentID INTEGER REFERENCES judgment(id) ON DELETE CASCADE,
            createdAt DATETIME NOT NULL
        );
        CREATE INDEX pairComparison_on_pairID ON pairComparison(pairID);

        CREATE TABLE humanLabel (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            rater TEXT NOT NULL CHECK (length(trim(rater)) > 0),
            imageID TEXT NOT NULL REFERENCES image(id) ON DELETE CASCADE,
            plausible BOOLEAN CHECK (plausible IS NULL OR plausible IN (0, 1)),
            note TEXT,
            source TEXT,
            labeledAt DATETIME NOT NULL
        );
        CREATE INDEX humanLabel_on_rater ON humanLabel(rater, imageID);
        CREATE INDEX humanLabel_on_imageID ON humanLabel(imageID);

        CREATE TABLE humanCriterionLabel (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            labelID INTEGER NOT NULL REFERENCES humanLabel(id) ON DELETE CASCADE,
            criterionID TEXT NOT NULL CHECK (length(criterionID) > 0),
            verdict TEXT NOT NULL CHECK (verdict IN ('met', 'not_met', 'uncertain')),
            UNIQUE (labelID, criterionID)
        );

        CREATE TABLE preferenceSet (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('rft', 'dpo', 'reward')),
            rule TEXT NOT NULL,
            parameters TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(parameters)),
            runID INTEGER REFERENCES judgeRun(id),
            createdAt DATETIME NOT NULL
        );

        CREATE TABLE preferenceMember (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            setID INTEGER NOT NULL REFERENCES preferenceSet(id) ON DELETE CASCADE,
            imageID TEXT NOT NULL REFERENCES image(id) ON DELETE CASCADE,
            loserImageID TEXT REFERENCES image(id) ON DELETE CASCADE,
            weight REAL CHECK (weight IS NULL OR weight >= 0),
            CHECK (loserImageID IS NULL OR loserImageID <> imageID)
        );
        CREATE INDEX preferenceMember_on_setID ON preferenceMember(setID);
        CREATE INDEX preferenceMember_on_imageID ON preferenceMember(imageID);
        CREATE INDEX preferenceMember_on_loserImageID ON preferenceMember(loserImageID);

        CREATE TABLE alignmentScore (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            imageID TEXT NOT NULL REFERENCES image(id) ON DELETE CASCADE,
            dimension TEXT NOT NULL CHECK (length(dimension) > 0),
            score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
            computedBy TEXT NOT NULL CHECK (length(computedBy) > 0),
            reference TEXT,
            createdAt DATETIME NOT NULL
        );
        CREATE INDEX alignmentScore_on_imageID ON alignmentScore(imageID);

        CREATE TABLE purgeAudit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            imageID TEXT NOT NULL CHECK (length(imageID) = 64),
            purgedAt DATETIME NOT NULL,
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            removedRows INTEGER NOT NULL CHECK (removedRows >= 0),
            removedFiles TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(removedFiles))
        );
        """

    /// Lets `checkpoint.objective` be `classifier` (the condition classifier of `RoundsVision`).
    ///
    /// SQLite cannot change a CHECK in place, so this follows its 12-step ALTER TABLE procedure
    /// (sqlite.org/lang_altertable.html §7): GRDB runs the migration with foreign keys off and
    /// `PRAGMA foreign_key_check` before commit (`foreignKeyChecks: .deferred`); the table is rebuilt
    /// under a new name, its rows copied with their ids, the old table dropped, the new one renamed
    /// (which also carries its AUTOINCREMENT counter in `sqlite_sequence`), and the index recreated.
    /// References from `image.checkpointID` and `checkpoint.parentID` name the table, so they hold.
    static let v2ClassifierCheckpoints = """
        CREATE TABLE checkpoint_v2 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
            parentID INTEGER REFERENCES checkpoint(id),
            objective TEXT NOT NULL CHECK (objective IN ('pretrain', 'rft', 'dpo', 'reward', 'imported', 'classifier')),
            signalPath TEXT,
            hyperParameters TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(hyperParameters)),
            metrics TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics)),
            createdAt DATETIME NOT NULL,
            CHECK (parentID IS NULL OR parentID <> id)
        );
        INSERT INTO checkpoint_v2 (id, path, sha256, parentID, objective, signalPath, hyperParameters, metrics, createdAt)
            SELECT id, path, sha256, parentID, objective, signalPath, hyperParameters, metrics, createdAt FROM checkpoint;
        DROP TABLE checkpoint;
        ALTER TABLE checkpoint_v2 RENAME TO checkpoint;
        CREATE INDEX checkpoint_on_parentID ON checkpoint(parentID);
        """
}
