// Everything a training run is made of, resolved from defaults, a JSON file and flags, and saved
// in the run directory. Field names are the flags' names in camel case; choices are typed values that
// encode as the words the flags take ("avg", "adam").
import Foundation
import Network

/// Encodable only: a configuration is read through TrainingSettings (init(json:source:), merging),
/// never decoded around its rules.
public struct TrainingConfiguration: Encodable, Equatable, Sendable {
    /// `synthetic:<preset>` (generated in memory), or a path to a VOC directory or image folder.
    public var dataset = "synthetic:paper-no-colour"
    /// Number of images to generate for a synthetic dataset (the preset's count when nil).
    public var imageCount: Int?
    /// For VOC directories: the object name whose presence is the positive class.
    public var targetClass = "triangle"
    public var skipBad = false
    /// Most pixels decoded per image file (nil: ImageLimits.forModel's default for `side`).
    public var maxImagePixels: Int?

    public var side = 224
    public var baseWidth = 32
    public var hidden = 128
    public var dropout = 0.3
    /// How E is downsampled between classifier stages.
    public var ePooling = EPooling.average
    /// Batch-norm momentum of the explainer head, Keras' convention (running ← m·running + (1 − m)·batch).
    public var bnMomentum = 0.99
    /// Initial shift β of the explainer head's batch norm.
    public var explainerInitBias = 0.0
    /// Initial scale γ of the explainer head's batch norm (ModelConfiguration.explainerInitScale).
    public var explainerInitScale = 1.0
    /// ε of the explainer head's batch norm (ModelConfiguration.bnEpsilon). The recipe's 0.01, not
    /// Keras' 1e-3: the head's input varies with σ² ≈ 0.0016, so at 1e-3 BN stretches it past tanh's
    /// range and a saturated patch of E never gets a gradient again (docs/explanations.md, session 9).
    public var bnEpsilon = 0.01
    /// Batch norm between each classifier convolution and its ReLU (ModelConfiguration.classifierBatchNorm):
    /// the recipe's, not the paper's. Without it the classifier alone sits at chance for a random number
    /// of steps, or for good on the no-colour set (docs/explanations.md, sessions 11 and 12).
    public var classifierBatchNorm = true
    /// Inference statistics of the batch norms; population ones over `bnBatches` fixed training
    /// batches per rank (the classifier's in phase 1, the explainer head's after).
    public var bnStatistics = BatchNormStatistics.population
    public var bnBatches = 8

    /// Epochs of phases 1, 2, 3 (classifier only, explainer only, both).
    public var epochs = [50, 50, 50]
    public var stepsPerEpoch = 50
    /// Images per rank per step.
    public var batch = 8

    /// Weight of the L1 term in Keras' form: λ·Σ over the image's pixels |E| (the paper's 1e-6 is
    /// this form at 224²), so the same λ is 12× weaker at 64². Nil unless given; giving it clears
    /// `lambdaL1PerPixel`.
    public var lambdaL1: Double?
    /// Weight of the L1 term per pixel: λ·mean over the image's pixels |E|, the same strength at
    /// every side. λ_per-pixel = λ_Keras·S². The paper's best (1e-6 at 224², Rio-Torto et al. 2019,
    /// Fig. 5) is 1e-6 × 224² = 0.050176 in this form; the default, 0.2 (λ_Keras 4e-6 at 224²), is
    /// the recipe measured with Adam over seeds 1–5 (docs/explanations.md, session 10): at the
    /// paper's strength E also lights up distractors' edges and misses the pointing game. Giving it
    /// clears `lambdaL1`.
    public var lambdaL1PerPixel: Double? = Self.recipeLambdaL1PerPixel
    public static let paperLambdaL1PerPixel = 1e-6 * 224 * 224
    public static let recipeLambdaL1PerPixel = 0.2
    public var lambdaTV = 0.0
    public var lambdaBox = 0.0
    /// The authors' later loss (icrto/xML): α·CE + (1 − α)·(the λ terms) with α per phase 1, 2, 3;
    /// nil: CE + the λ terms (the paper). Their unsupervised recipe: α 1, 0.25, 0.9 with λ_L1 per
    /// pixel 0.9 and λ_TV 0.1 (their β = 0.9).
    public var alpha: [Double]?

    /// Adam (the authors' later code), not the paper's Adadelta: with Adadelta or SGD the classifier
    /// alone stays at chance on the colour cue; with Adam it learns it (docs/explanations.md, session 9).
    public var optimizer = OptimizerKind.adam
    /// Learning rate of phases 1, 2, 3 (one value given applies to all three).
    public var learningRate = OptimizerKind.adam.defaultLearningRates
    public var momentum = 0.9

    /// The authors' rule to end phase 1 early (icrto/xML): after the first epoch whose mean training
    /// loss is at most this fraction of the first epoch's, phase 1 ends and phase 2 starts from its
    /// best weights. 0: off (phase 1 runs all its epochs). The authors used 0.25.
    public var phase1StopLossRatio = 0.0

    public var seed: UInt64 = 1
    /// Write the latest checkpoint every N steps (0: only at the end of each epoch).
    public var checkpointEvery = 50
    /// Compare a checksum of the parameters across ranks every N steps (0: never).
    public var verifyEvery = 0

    /// The recipe (docs/explanations.md): Adam 1e-3, 1e-4, 1e-4, λ_L1 per pixel 0.2, BN ε 0.01, batch
    /// norm in the classifier's conv stages, otherwise the paper's architecture and schedule. The paper's own configuration is `configs/paper.json`.
    public init() {}

    /// What a key absent from a stored configuration (a checkpoint or config.json) means: the
    /// defaults before the recipe (until 2026-11-29), since only keys added later can be absent and
    /// runs written then trained with these values. Stored configurations hold every other key.
    public static var storedDefaults: TrainingConfiguration {
        var c = TrainingConfiguration()
        c.optimizer = .adadelta
        c.learningRate = OptimizerKind.adadelta.defaultLearningRates
        c.lambdaL1PerPixel = paperLambdaL1PerPixel
        c.bnEpsilon = 1e-3
        c.classifierBatchNorm = false
        return c
    }

    /// Refuses values that cannot work, naming the flag, before any work starts: the rules of
    /// ConfigurationKey, for configurations built in code (flags and files are checked as read).
    public func validate() throws {
        for key in ConfigurationKey.all where !key.holds(self) {
            throw TrainingError.usage("--\(key.flag) must be \(key.requirement), got \(key.shown(self))")
        }
    }

    /// A configuration as stored in a run's config.json or a checkpoint: every key through the
    /// same rules as flags and --config files, over the defaults.
    public init(json: Data, source: String) throws {
        self = try TrainingSettings(json: [UInt8](json), origin: .checkpoint(source)).applied(
            to: Self.storedDefaults)
    }

    /// The L1 weight in Keras' sum form that the loss uses, from whichever form was given.
    public var lambdaL1Sum: Double {
        lambdaL1 ?? (lambdaL1PerPixel ?? 0) / Double(side * side)
    }

    /// The keys of a JSON object (a --config file) over `self`; unknown keys, keys given twice and
    /// invalid values are refused by name, so a typo never silently falls back to a default.
    public func merging(json data: Data, source: String) throws -> TrainingConfiguration {
        try TrainingSettings(json: [UInt8](data), origin: .file(source)).applied(to: self)
    }

    public func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
