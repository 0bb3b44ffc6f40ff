import RoundsImaging

/// The benchmark's ground truth for one image: every criterion of its condition measured from the
/// pixels with no judge noise, no uncertainty and no position bias.
///
/// The simulator judge answers from these same readings and then makes them fallible on purpose
/// (`SimulatorSettings`). A report that wants to know whether images *are* better, not whether a
/// noisy judge says so, reads this. Even a perfect image passes the default simulator on every
/// criterion only about 0.93^n of the time, so a judged share saturates near 0.7 while this one
/// reaches 1.
public struct GroundTruth: Sendable, Hashable {
    public var condition: SyntheticCondition
    public var readings: [CriterionReading]

    /// True when the image meets every criterion of its condition.
    public var meetsAll: Bool { readings.allSatisfy(\.met) }

    public init(condition: SyntheticCondition, readings: [CriterionReading]) {
        self.condition = condition
        self.readings = readings
    }

    /// Measures a decoded image.
    public init(_ image: RGBImage, as condition: SyntheticCondition) {
        let canvas = Canvas(width: image.width, height: image.height, bytes: image.pixels)
        self.init(condition: condition, readings: CriterionMeter().read(canvas, as: condition))
    }

    /// Loads and measures an image file (PNG or JPEG).
    ///
    /// - Throws: `SimulatorError.unreadableImage` naming the file when it cannot be decoded.
    public static func measure(path: String, as condition: SyntheticCondition) throws(SimulatorError) -> GroundTruth {
        do {
            return GroundTruth(try ImageFile.load(path: path).image, as: condition)
        } catch {
            throw SimulatorError(.unreadableImage, "\(path): the image could not be decoded", cause: error)
        }
    }
}
