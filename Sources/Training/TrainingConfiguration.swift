// Everything a training run is made of, resolved from defaults, a JSON file and flags, and saved
// in the run directory. Field names are the flags' names in camel case.
import Foundation

public struct TrainingConfiguration: Codable, Equatable, Sendable {
    /// `synthetic:<preset>` (generated in memory), or a path to a VOC directory or image folder.
    public var dataset = "synthetic:paper-no-colour"
    /// Number of images to generate for a synthetic dataset (the preset's count when nil).
    public var imageCount: Int?
    /// For VOC directories: the object name whose presence is the positive class.
    public var targetClass = "triangle"
    public var skipBad = false

    public var side = 224
    public var baseWidth = 32
    public var hidden = 128
    public var dropout = 0.3
    /// "avg" or "max": how E is downsampled between classifier stages.
    public var ePooling = "avg"
    /// Batch-norm momentum of the explainer head, Keras' convention (running ← m·running + (1 − m)·batch).
    public var bnMomentum = 0.99
    /// Initial shift β of the explainer head's batch norm.
    public var explainerInitBias = 0.0
    /// Inference statistics of the explainer head's batch norm: "population" recomputes them before
    /// each validation and checkpoint over `bnBatches` fixed training batches per rank, averaged
    /// across ranks (BatchNormPopulation); "running" keeps the momentum average alone (Keras, the paper).
    public var bnStatistics = "population"
    public var bnBatches = 8

    /// Epochs of phases 1, 2, 3 (classifier only, explainer only, both).
    public var epochs = [50, 50, 50]
    public var stepsPerEpoch = 50
    /// Images per rank per step.
    public var batch = 8

    public var lambdaL1 = 1e-6
    public var lambdaTV = 0.0
    public var lambdaBox = 0.0

    /// "adadelta" (Keras defaults) or "sgd" (with momentum).
    public var optimizer = "adadelta"
    public var learningRate = 1.0
    public var momentum = 0.9

    public var seed: UInt64 = 1
    /// Write the latest checkpoint every N steps (0: only at the end of each epoch).
    public var checkpointEvery = 50
    /// Compare a checksum of the parameters across ranks every N steps (0: never).
    public var verifyEvery = 0

    public init() {}

    /// Refuses values that cannot work, naming the flag, before any work starts.
    public func validate() throws {
        func require(_ condition: Bool, _ flag: String, _ reason: String) throws {
            if !condition { throw TrainingError("invalid --\(flag): \(reason)") }
        }
        try require(!dataset.isEmpty, "dataset", "empty")
        try require(side >= 16 && side % 16 == 0 && side <= 4096, "side", "\(side) is not a multiple of 16 between 16 and 4096")
        try require(baseWidth >= 1 && baseWidth <= 1024, "base-width", "\(baseWidth) is not between 1 and 1024")
        try require(hidden >= 1 && hidden <= 65536, "hidden", "\(hidden) is not between 1 and 65536")
        try require(dropout >= 0 && dropout < 1, "dropout", "\(dropout) is not in [0, 1)")
        try require(explainerInitBias.isFinite && abs(explainerInitBias) <= 100, "explainer-init-bias", "\(explainerInitBias) is not in [-100, 100]")
        try require(bnMomentum >= 0 && bnMomentum < 1, "bn-momentum", "\(bnMomentum) is not in [0, 1)")
        try require(["avg", "max"].contains(ePooling), "e-pooling", "\(ePooling) is neither avg nor max")
        try require(["population", "running"].contains(bnStatistics), "bn-statistics", "\(bnStatistics) is neither population nor running")
        try require(bnBatches >= 1 && bnBatches <= 10_000, "bn-batches", "\(bnBatches) is not between 1 and 10000")
        try require(epochs.count == 3, "epochs", "give three comma-separated counts (phases 1, 2, 3), got \(epochs.count)")
        try require(epochs.allSatisfy { $0 >= 0 } && epochs.contains { $0 > 0 }, "epochs",
                    "counts must be non-negative and not all zero, got \(epochs.map(String.init).joined(separator: ","))")
        try require(stepsPerEpoch >= 1, "steps-per-epoch", "\(stepsPerEpoch) is below 1")
        try require(batch >= 1 && batch <= 4096, "batch", "\(batch) is not between 1 and 4096")
        for (flag, value) in [("lambda-l1", lambdaL1), ("lambda-tv", lambdaTV), ("lambda-box", lambdaBox)] {
            try require(value >= 0 && value.isFinite, flag, "\(value) is not a finite non-negative number")
        }
        try require(["adadelta", "sgd"].contains(optimizer), "optimizer", "\(optimizer) is neither adadelta nor sgd")
        try require(learningRate > 0 && learningRate.isFinite, "learning-rate", "\(learningRate) is not positive")
        try require(momentum >= 0 && momentum < 1, "momentum", "\(momentum) is not in [0, 1)")
        try require(checkpointEvery >= 0, "checkpoint-every", "\(checkpointEvery) is negative")
        try require(verifyEvery >= 0, "verify-every", "\(verifyEvery) is negative")
        if let imageCount { try require(imageCount >= 4, "image-count", "\(imageCount) is below 4") }
    }

    /// Total optimizer steps of the run.
    public var totalSteps: Int { epochs.reduce(0, +) * stepsPerEpoch }

    /// Applies the keys present in a JSON object over `self`; unknown keys are refused so a typo
    /// in a config file never silently falls back to a default.
    public func merging(json data: Data, source: String) throws -> TrainingConfiguration {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw TrainingError("\(source): not valid JSON (\(error.localizedDescription))")
        }
        guard let overrides = object as? [String: Any] else { throw TrainingError("\(source): expected a JSON object") }
        var base = try JSONSerialization.jsonObject(with: JSONEncoder.sorted.encode(self)) as! [String: Any]
        for (key, value) in overrides {
            guard base.keys.contains(key) || Self.optionalKeys.contains(key) else {
                throw TrainingError("\(source): unknown key \"\(key)\"; known keys: \(base.keys.sorted().joined(separator: ", "))")
            }
            base[key] = value
        }
        do {
            return try JSONDecoder().decode(TrainingConfiguration.self, from: JSONSerialization.data(withJSONObject: base))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw TrainingError("\(source): key \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type")
        } catch {
            throw TrainingError("\(source): \(error)")
        }
    }

    /// Keys that encode to nothing when nil, so they are absent from an encoded default.
    static let optionalKeys: Set<String> = ["imageCount"]

    public func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
