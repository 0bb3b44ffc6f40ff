import Foundation
import RoundsCore

/// `broker rft --format imagefolder`: a folder `datasets`' imagefolder loader reads, as diffusers'
/// `train_text_to_image` scripts take it with `--train_data_dir`: the images copied in, and
/// `metadata.jsonl` with one `{"file_name", "text", "weight"}` line per image (`text` is the scripts'
/// default caption column).
enum ImageFolderExport {
    static let metadataName = "metadata.jsonl"

    /// Copies the images and writes `metadata.jsonl` last, so a folder with metadata is complete.
    /// Files of a previous export into the same folder (those its metadata names) are replaced; a folder
    /// holding anything else is refused rather than mixed into the dataset.
    static func write(_ entries: [RFTWeight], to folder: String, context: RFTExportContext) throws -> Int {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: folder)
        do {
            try fm.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw BrokerError(.io, "cannot create \(folder)", cause: error)
        }
        try clearPreviousExport(in: root)
        var lines = ""
        var taken = Set<String>()
        for e in entries {
            let ext = (e.image.path as NSString).pathExtension.lowercased()
            // The image id makes names unique and stable across exports; 16 hex digits are plenty.
            var name = String(e.image.imageID.prefix(16)) + (ext.isEmpty ? "" : "." + ext)
            if taken.contains(name) { name = e.image.imageID + (ext.isEmpty ? "" : "." + ext) }
            taken.insert(name)
            let target = root.appendingPathComponent(name)
            do {
                if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
                try fm.copyItem(at: URL(fileURLWithPath: e.image.path), to: target)
            } catch {
                throw BrokerError(.io, "cannot copy \(e.image.path) to \(target.path)", cause: error)
            }
            let line: JSONValue = [
                "file_name": .string(name), "text": .string(context.prompt(e.image.condition)), "weight": .number(e.weight),
            ]
            lines += line.canonicalString + "\n"
        }
        try BrokerFile.write(Data(lines.utf8), to: root.appendingPathComponent(metadataName).path)
        return entries.count
    }

    /// Removes what a previous export's `metadata.jsonl` lists (and the metadata itself).
    ///
    /// - Throws: `BrokerError.invalidParameter` when the folder holds files that no previous export made.
    static func clearPreviousExport(in root: URL) throws {
        let fm = FileManager.default
        let present = Set((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).subtracting([".DS_Store"])
        guard !present.isEmpty else { return }
        var ours: Set<String> = [metadataName]
        if let data = fm.contents(atPath: root.appendingPathComponent(metadataName).path) {
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                if let name = (try? JSONValue(parsing: String(line)))?["file_name"]?.stringValue { ours.insert(name) }
            }
        }
        let foreign = present.subtracting(ours)
        guard foreign.isEmpty else {
            let sample = foreign.sorted().prefix(3).joined(separator: ", ")
            throw BrokerError(
                .invalidParameter,
                "--out \(root.path): the folder holds files no previous export made (\(sample)\(foreign.count > 3 ? ", …" : "")); "
                    + "an image folder dataset must hold only its images and metadata.jsonl, so choose an empty or new folder")
        }
        for name in present {
            do {
                try fm.removeItem(at: root.appendingPathComponent(name))
            } catch {
                throw BrokerError(.io, "cannot remove \(root.appendingPathComponent(name).path) of the previous export", cause: error)
            }
        }
    }
}
