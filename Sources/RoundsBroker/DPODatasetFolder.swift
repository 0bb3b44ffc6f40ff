import Foundation
import RoundsCore
import RoundsImaging

/// `broker dpo --out DIR`: a dataset folder that diffusers' `train_diffusion_dpo.py` loads with its
/// defaults, `load_dataset(DIR, split="validation")`.
///
/// `datasets` names splits after data files: `data/validation-00000-of-00001.parquet` is the split
/// `validation` (a file named `pairs.parquet` would be `train`, which the script does not read by
/// default). The dataset card's `configs` says the same explicitly, so a loader that reads the card
/// and one that infers from file names agree.
public enum DPODatasetFolder {
    /// The split diffusers' DPO scripts read by default (`--dataset_split_name`).
    public static let split = "validation"
    public static let dataFile = "data/validation-00000-of-00001.parquet"

    /// Whether `--out` names a folder: anything not ending in `.parquet` or `.jsonl`.
    public static func isFolder(_ out: String) -> Bool {
        !["parquet", "jsonl"].contains((out as NSString).pathExtension.lowercased())
    }

    /// The Parquet file inside the folder (created with its `data/` sub-folder), after checking that
    /// `folder` is not an existing file.
    static func prepare(_ folder: String) throws -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw BrokerError(.invalidParameter, "--out \(folder): an --out without .parquet or .jsonl is a dataset folder, and this is a file")
        }
        let data = URL(fileURLWithPath: folder).appendingPathComponent("data")
        do {
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        } catch {
            throw BrokerError(.io, "cannot create \(data.path)", cause: error)
        }
        return URL(fileURLWithPath: folder).appendingPathComponent(dataFile).path
    }

    /// The dataset card: what the folder holds and the `configs` that map the file to its split.
    static func card(pairs: Int, resolution: Int?) -> String {
        """
        ---
        configs:
        - config_name: default
          data_files:
          - split: \(split)
            path: \(dataFile)
        ---
        # Rounds DPO pairs

        \(pairs) one-winner pair(s) written by `rounds broker dpo`, in Pick-a-Pic's columns: `jpg_0`, `jpg_1`
        (encoded image bytes), `label_0` (1.0 when `jpg_0` won), `caption` (the condition's display name),
        plus `image_id_0`, `image_id_1`, `condition`. Images \(resolution.map { "are \($0)x\($0) PNG" } ?? "keep their stored encoding and size").
        The split is `\(split)`, the one diffusers' `train_diffusion_dpo.py` reads by default:

            accelerate launch train_diffusion_dpo.py --pretrained_model_name_or_path=MODEL --dataset_name=THIS_FOLDER ...

        """
    }

    /// An image's bytes at `resolution`: resized so the shorter side is `resolution`, centre-cropped to a
    /// square (as the DPO script's Resize + CenterCrop does), PNG-encoded. Without a resolution the
    /// stored bytes go as they are.
    static func bytes(_ stored: [UInt8], path: String, resolution: Int?) throws -> [UInt8] {
        guard let resolution else { return stored }
        let (image, _) = try ImageFile.decode(stored, source: path)
        let scale = Double(resolution) / Double(min(image.width, image.height))
        let w = max(resolution, Int((Double(image.width) * scale).rounded()))
        let h = max(resolution, Int((Double(image.height) * scale).rounded()))
        let resized = image.width == w && image.height == h ? image : image.resized(width: w, height: h)
        let x0 = (w - resolution) / 2, y0 = (h - resolution) / 2
        var pixels = [UInt8]()
        pixels.reserveCapacity(resolution * resolution * 3)
        for y in y0..<(y0 + resolution) {
            let start = (y * w + x0) * 3
            pixels += resized.pixels[start..<(start + resolution * 3)]
        }
        return try PNGCodec.encode(try RGBImage(width: resolution, height: resolution, pixels: pixels))
    }
}
