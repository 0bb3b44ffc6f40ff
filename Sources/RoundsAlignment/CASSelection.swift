import Foundation
import RoundsCore
import RoundsStore

/// Which stored images `rounds cas` scores and which real images it measures them against.
public enum CASSelection {
    /// The images named by id or stored path, in the order given.
    ///
    /// - Throws: `AlignmentError.invalidArgument` naming every reference that matches no stored image.
    public static func images(_ references: [String], store: Store) throws -> [ImageRecord] {
        var found = [ImageRecord]()
        var unknown = [String]()
        for r in references {
            if let image = try store.findImage(r) { found.append(image) } else { unknown.append(r) }
        }
        guard unknown.isEmpty else {
            throw AlignmentError(
                .invalidArgument, "not in the store: \(unknown.joined(separator: ", ")) (add them with `rounds images add`)")
        }
        return found
    }

    /// The images with at least one successful judgment in `run`.
    ///
    /// - Throws: `AlignmentError.invalidArgument` when the run is not stored or judged nothing.
    public static func images(judgedIn run: Int64, store: Store) throws -> [ImageRecord] {
        let images = try store.imagesJudged(inRun: run)
        guard let images else { throw AlignmentError(.invalidArgument, "judge run \(run) is not in the store") }
        guard !images.isEmpty else { throw AlignmentError(.invalidArgument, "judge run \(run) has no successful judgments") }
        return images
    }

    /// Stored real images of `split`.
    public static func reference(split: DataSplit, store: Store) throws -> [ImageRecord] {
        let all = try store.images(origin: .real).filter { $0.split == split }
        guard !all.isEmpty else {
            throw AlignmentError(
                .invalidArgument, "no stored real images in split '\(split.rawValue)' (add them with `rounds images add --origin real --split \(split.rawValue)`)")
        }
        return all
    }

    /// Stored real images whose file lies under `folder`.
    public static func reference(folder: String, store: Store) throws -> [ImageRecord] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw AlignmentError(.unreadableFile, "reference folder \(folder) does not exist or is not a folder")
        }
        let root = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath().path
        let prefix = root.hasSuffix("/") ? root : root + "/"
        let all = try store.images(origin: .real).filter {
            URL(fileURLWithPath: $0.path).standardizedFileURL.resolvingSymlinksInPath().path.hasPrefix(prefix)
        }
        guard !all.isEmpty else {
            throw AlignmentError(
                .invalidArgument, "no stored real images under \(folder) (add them with `rounds images add --origin real`)")
        }
        return all
    }
}
