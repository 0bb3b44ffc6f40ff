import Foundation
import RoundsChecklists
import RoundsCore

/// How `broker rft` writes its weights.
public enum RFTExportFormat: String, Sendable, Hashable, CaseIterable {
    /// CLI.md's `path,image_id,condition,weight`.
    case csv
    /// One JSON object per image with `path`, `image_id`, `condition`, `weight`, `score`.
    case jsonl
    /// MAGIC's LoRA script input: a JSON array of `{"image_path", "label", "prompt"}`.
    case magic
    /// A folder for diffusers' `train_text_to_image` scripts: the images and `metadata.jsonl` with
    /// `file_name`, `text`, `weight`.
    case imagefolder

    /// The format of `--format`, or the one `out`'s extension names.
    ///
    /// - Throws: `BrokerError.invalidParameter` naming `--out` when neither gives a format, or when an
    ///   image folder's `--out` is an existing file.
    public static func resolve(out: String, format: RFTExportFormat?) throws(BrokerError) -> RFTExportFormat {
        let ext = (out as NSString).pathExtension.lowercased()
        if let format {
            if format == .imagefolder {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
                    throw BrokerError(.invalidParameter, "--out \(out): --format imagefolder writes a folder, and this is a file")
                }
            }
            return format
        }
        switch ext {
        case "csv": return .csv
        case "jsonl": return .jsonl
        default:
            throw BrokerError(
                .invalidParameter,
                "--out \(out): RFT weights are written as .csv or .jsonl, got '.\(ext)'; "
                    + "--format magic writes MAGIC's JSON and --format imagefolder a folder")
        }
    }
}

/// What an export needs beyond the weights: each condition's display name and generation prompt.
public struct RFTExportContext: Sendable {
    /// Display name per condition (MAGIC's `label`); the condition's name when absent.
    public var labels: [ConditionID: String]
    /// Generation prompt per condition (MAGIC's `prompt`, the image folder's `text`).
    public var prompts: [ConditionID: String]

    public init(labels: [ConditionID: String] = [:], prompts: [ConditionID: String] = [:]) {
        self.labels = labels
        self.prompts = prompts
    }

    /// Labels and prompts for every checklist of the catalog.
    public init(catalog: ChecklistCatalog) {
        var labels: [ConditionID: String] = [:], prompts: [ConditionID: String] = [:]
        for checklist in catalog.checklists.values {
            labels[checklist.condition] = checklist.name
            prompts[checklist.condition] = Self.prompt(name: checklist.name, modality: catalog.domain(checklist.condition.domain)?.modality)
        }
        self.init(labels: labels, prompts: prompts)
    }

    func label(_ condition: ConditionID) -> String { labels[condition] ?? condition.name }
    func prompt(_ condition: ConditionID) -> String {
        prompts[condition] ?? Self.prompt(name: label(condition), modality: nil)
    }

    /// The prompt a text-to-image model is trained with for a condition: what the image is and what it
    /// shows, in the words of the checklist's display name ("a clinical photograph of Acne").
    static func prompt(name: String, modality: Modality?) -> String {
        switch modality {
        case .photograph?: return "a clinical photograph of \(name)"
        case .dermoscopy?: return "a dermoscopy image of \(name)"
        case .microscopy?: return "a microscopy image of \(name)"
        case .radiograph?: return "a radiograph showing \(name)"
        case .procedural?, nil: return "an image of \(name)"
        }
    }
}

extension RFTWeightSet {
    /// The images an export without weights (MAGIC, image folder) trains on: weight above 0.
    var trainedEntries: [RFTWeight] { entries.filter { $0.weight > 0 } }

    /// MAGIC's JSON: `[{"image_path", "label", "prompt"}]` for every image with a weight above 0, keys
    /// in that order (the LoRA script takes `--caption_column=prompt`).
    public func magicJSON(_ context: RFTExportContext) -> String {
        let items = trainedEntries.map { e in
            "  {\"image_path\": \(JSONValue.string(e.image.path).canonicalString), "
                + "\"label\": \(JSONValue.string(context.label(e.image.condition)).canonicalString), "
                + "\"prompt\": \(JSONValue.string(context.prompt(e.image.condition)).canonicalString)}"
        }
        return "[\n" + items.joined(separator: ",\n") + (items.isEmpty ? "]\n" : "\n]\n")
    }

    /// Writes the weights in `format` to `out` (a file, or a folder for `.imagefolder`).
    ///
    /// - Returns: how many images were written.
    /// - Throws: `BrokerError` `.emptyInput` when a format without weights has no image above weight 0,
    ///   `.io` naming the path when reading or writing fails, `.invalidParameter` for a folder that holds
    ///   files other than a previous image-folder export.
    @discardableResult
    public func write(to out: String, format: RFTExportFormat, context: RFTExportContext) throws -> Int {
        switch format {
        case .csv:
            try BrokerFile.write(Data(csv().utf8), to: out)
            return entries.count
        case .jsonl:
            try BrokerFile.write(Data(jsonl().utf8), to: out)
            return entries.count
        case .magic:
            try requireTrained(out)
            try BrokerFile.write(Data(magicJSON(context).utf8), to: out)
            return trainedEntries.count
        case .imagefolder:
            try requireTrained(out)
            return try ImageFolderExport.write(trainedEntries, to: out, context: context)
        }
    }

    private func requireTrained(_ out: String) throws(BrokerError) {
        guard !trainedEntries.isEmpty else {
            throw BrokerError(
                .emptyInput,
                "\(out): every one of the \(entries.count) image(s) has weight 0, so there is nothing to train on; "
                    + "lower --threshold or use another --weighting")
        }
    }
}
