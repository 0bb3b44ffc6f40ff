import Foundation
import RoundsCore

/// What the imaging module tells the store about one image file.
public struct ImageFileFacts: Sendable, Hashable {
    /// CLI.md image id: SHA-256 of `"<w>x<h>x3\n"` + RGB8 pixels.
    public var imageID: String
    /// SHA-256 of the file's bytes.
    public var fileSHA256: String
    public var format: ImageFormat
    public var width: Int
    public var height: Int

    public init(imageID: String, fileSHA256: String, format: ImageFormat, width: Int, height: Int) {
        self.imageID = imageID
        self.fileSHA256 = fileSHA256
        self.format = format
        self.width = width
        self.height = height
    }
}

/// Decodes an image file into its identity; the imaging module supplies the real one.
public typealias ImageFileLoader = @Sendable (_ path: String) throws -> ImageFileFacts

/// The `rounds images add` operation: finds image files, decodes each through a loader, and stores them.
///
/// The store never decodes pixels itself; it takes an `ImageFileLoader`. An unreadable file is reported
/// with its path and skipped while the rest go in; images are committed in batches, so an interrupted
/// run keeps what it had committed and a rerun recognises those images.
public struct ImageImport: Sendable {
    /// Options of `rounds images add` (CLI.md).
    public struct Options: Sendable {
        public var origin: ImageOrigin
        /// The condition of every file, unless the manifest names one.
        public var condition: String?
        /// Take each file's condition from its immediate parent folder's name.
        public var conditionFromFolder = false
        public var split: DataSplit = .none
        public var generator: String?
        public var manifest: ImageManifest?
        public init(
            origin: ImageOrigin, condition: String? = nil, conditionFromFolder: Bool = false, split: DataSplit = .none,
            generator: String? = nil, manifest: ImageManifest? = nil
        ) {
            self.origin = origin
            self.condition = condition
            self.conditionFromFolder = conditionFromFolder
            self.split = split
            self.generator = generator
            self.manifest = manifest
        }
    }

    /// What happened to one file.
    public enum Outcome: Sendable {
        case added(ImageRecord)
        /// Already stored (possibly under another path); `note` says when the metadata given differs.
        case existing(ImageRecord, note: String?)
        case failed(path: String, error: StoreError)
    }

    /// The outcome for every file, in input order.
    public struct Report: Sendable {
        public var outcomes: [Outcome] = []
        public var addedCount: Int { outcomes.filter { if case .added = $0 { true } else { false } }.count }
        public var existingCount: Int { outcomes.filter { if case .existing = $0 { true } else { false } }.count }
        public var failures: [(path: String, error: StoreError)] {
            outcomes.compactMap { if case .failed(let p, let e) = $0 { (p, e) } else { nil } }
        }
    }

    public let store: Store
    public let loader: ImageFileLoader
    public let conditions: ConditionCatalogue
    /// Images per transaction.
    public var batchSize = 64

    public init(store: Store, loader: @escaping ImageFileLoader, conditions: ConditionCatalogue) {
        self.store = store
        self.loader = loader
        self.conditions = conditions
    }

    /// Adds the image files at `paths` (files, or folders searched recursively for .png/.jpg/.jpeg).
    ///
    /// With no paths, the manifest's rows are the files. `progress(done, total)` is called after each file.
    /// - Throws: `StoreError` only for errors that stop the whole run (bad options, the database);
    ///   problems with single files are in the report.
    public func run(paths: [String], options: Options, progress: (Int, Int) -> Void = { _, _ in }) throws -> Report {
        if options.condition != nil, options.conditionFromFolder {
            throw StoreError(.invalidInput, "--condition and --condition-from-folder exclude each other")
        }
        let fixedCondition = try options.condition.map { try conditions.resolve($0, context: "--condition") }
        var files: [String] = []
        var report = Report()
        if paths.isEmpty {
            guard let manifest = options.manifest else {
                throw StoreError(.invalidInput, "no image paths given (and no --manifest)")
            }
            files = manifest.entries.map { $0.path }
        } else {
            for path in paths {
                let found = try Self.expand(path)
                // A folder without a single image is a mistake worth a non-zero exit (a wrong path, or
                // scans in a format Rounds does not read), not a silent "0 added".
                if found.isEmpty { report.outcomes.append(.failed(path: path, error: Self.emptyFolderProblem(path))) }
                files += found
            }
        }
        var batch: [(index: Int, record: ImageRecord)] = []
        var seen: [String: ImageRecord] = [:]
        func flush() throws {
            guard !batch.isEmpty else { return }
            let result = try store.addImages(batch.map(\.record))
            var existingByID: [String: ImageRecord] = [:]
            for (_, stored) in result.existing { existingByID[stored.id] = stored }
            for (index, record) in batch {
                if let stored = existingByID[record.id] {
                    report.outcomes[index] = .existing(stored, note: Self.difference(given: record, stored: stored))
                } else {
                    report.outcomes[index] = .added(record)
                    seen[record.id] = record
                }
            }
            batch.removeAll()
        }
        for (n, file) in files.enumerated() {
            do {
                let record = try makeRecord(file: file, options: options, fixedCondition: fixedCondition)
                if let earlier = seen[record.id] ?? batch.first(where: { $0.record.id == record.id })?.record {
                    report.outcomes.append(.existing(earlier, note: "same picture as \(earlier.path)"))
                } else {
                    // A placeholder at this file's place in the report; flush() puts the real outcome there.
                    report.outcomes.append(.failed(path: file, error: StoreError(.io, "\(file): not stored yet")))
                    batch.append((report.outcomes.count - 1, record))
                }
            } catch let error as StoreError {
                report.outcomes.append(.failed(path: file, error: error))
            } catch {
                report.outcomes.append(.failed(path: file, error: StoreError(.io, "\(file): \(error)", cause: error)))
            }
            if batch.count >= batchSize { try flush() }
            progress(n + 1, files.count)
        }
        try flush()
        return report
    }

    private func makeRecord(file: String, options: Options, fixedCondition: ConditionID?) throws -> ImageRecord {
        let absolute = ImageIdentity.absolutePath(file)
        let entry = options.manifest?.entry(for: absolute)
        var condition = fixedCondition
        if let fromManifest = entry?.condition {
            condition = fromManifest
        } else if options.conditionFromFolder {
            let folder = URL(fileURLWithPath: absolute).deletingLastPathComponent().lastPathComponent
            condition = try conditions.resolve(folder, context: "\(file): folder name")
        }
        let facts: ImageFileFacts
        do { facts = try loader(absolute) } catch let e as StoreError { throw e } catch {
            throw StoreError(.io, "\(file): cannot read image: \(error)", cause: error)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: absolute)[.size] as? Int) ?? 0
        return ImageRecord(
            id: facts.imageID, fileSHA256: facts.fileSHA256, path: absolute, format: facts.format,
            width: facts.width, height: facts.height, byteCount: size, condition: condition, origin: options.origin,
            split: entry?.split ?? options.split, generator: options.generator, skinTone: entry?.skinTone
        )
    }

    private static func difference(given: ImageRecord, stored: ImageRecord) -> String? {
        var notes: [String] = []
        if given.condition != stored.condition {
            notes.append(
                "condition \(given.condition?.description ?? "none") given, \(stored.condition?.description ?? "none") stored"
            )
        }
        if given.origin != stored.origin {
            notes.append("origin \(given.origin.rawValue) given, \(stored.origin.rawValue) stored")
        }
        if given.split != stored.split {
            notes.append("split \(given.split.rawValue) given, \(stored.split.rawValue) stored")
        }
        if given.path != stored.path { notes.append("stored as \(stored.path)") }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }

    /// Why the folder at `path` gives nothing to add: it holds no .png/.jpg/.jpeg file (naming what it
    /// holds instead).
    static func emptyFolderProblem(_ path: String) -> StoreError {
        var others: [String: Int] = [:]
        for item in FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [] {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(item), isDirectory: &isFolder)
            if !isFolder.boolValue { others[(item as NSString).pathExtension.lowercased(), default: 0] += 1 }
        }
        let held = others.isEmpty
            ? "it holds no files"
            : "it holds " + others.sorted { $0.key < $1.key }
                .map { "\($0.value) \($0.key.isEmpty ? "file(s) without an extension" : ".\($0.key) file(s)")" }
                .joined(separator: ", ")
        return StoreError(.invalidInput, "\(path): no .png, .jpg or .jpeg images in this folder (\(held))")
    }

    /// A file as is; a folder as its image files (by extension, sorted, recursively).
    static func expand(_ path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [path]
        }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            throw StoreError(.io, "\(path): cannot list the folder")
        }
        var files: [String] = []
        while let item = enumerator.nextObject() as? String {
            let ext = (item as NSString).pathExtension.lowercased()
            if ["png", "jpg", "jpeg"].contains(ext) { files.append((path as NSString).appendingPathComponent(item)) }
        }
        return files.sorted()
    }
}

/// Which condition names are valid: the checklist catalogue's, or (with no catalogue) any well-formed
/// `domain/condition`.
public struct ConditionCatalogue: Sendable {
    /// `nil` accepts any well-formed `domain/condition` (a bare name then cannot be resolved).
    public var known: [ConditionID]?
    public init(known: [ConditionID]?) { self.known = known }

    /// Resolves `text` (`domain/condition`, or a bare name unique in the catalogue).
    /// - Throws: `StoreError.invalidInput` prefixed with `context` (the option, file and line, or folder).
    public func resolve(_ text: String, context: String) throws -> ConditionID {
        do {
            if let known { return try ConditionID.resolve(text, among: known) }
            if !text.contains("/") {
                throw StoreError(
                    .invalidInput,
                    "\(context): condition '\(text)' has no domain; write it as domain/\(text) (no checklist catalogue is loaded to resolve bare names)"
                )
            }
            return try ConditionID(parsing: text)
        } catch let error as CoreError {
            throw StoreError(.invalidInput, "\(context): \(error.message)", cause: error)
        }
    }
}
