// The options that fix the model's shape (SPEC §1): input side, widths, classes, dropout, E pooling,
// and the head's batch-norm momentum; and how its 3×3 convolutions are computed.
import Kernels

public struct ModelConfiguration: Codable, Sendable, Equatable {
    /// ε of the classifier's batch norms (PyTorch's BatchNorm2d default, as in the probe that found
    /// them: scripts/probe-phase1.py --conv-norm bn).
    public static let classifierBatchNormEpsilon = 1e-5

    /// Input side S (images are S×S RGB); a positive multiple of 16.
    public var side: Int
    /// Filters of the first stage w; stages use w, 2w, 4w (explainer) and up to 8w (classifier).
    public var baseWidth: Int
    public var classes: Int
    /// Width H of the classifier's two hidden dense layers.
    public var hidden: Int
    /// Dropout rate after each hidden dense layer, in training only.
    public var dropout: Float
    public var ePooling: EPooling
    /// Keras' batch-norm momentum of the explainer head: running ← m·running + (1 − m)·batch.
    public var bnMomentum: Float
    /// Initial shift β of the explainer head's batch norm: with β₀ = 2, E starts near tanh(2) ≈ 0.96
    /// everywhere (the "white" explanation of phase 1), as the authors' code initialises it.
    public var explainerInitBias: Float
    /// Initial scale γ of the explainer head's batch norm (1 as Keras and PyTorch initialise it). On
    /// images of mostly uniform background the head's input varies little, so BN divides by a small
    /// standard deviation and a slight deviation (a corner, through zero padding) lands beyond tanh's
    /// saturation, where no gradient reaches it; a smaller γ₀ keeps E's start inside tanh's slope.
    public var explainerInitScale: Float
    /// ε of the explainer head's batch norm, y = γ·(x − μ)/sqrt(σ² + ε) + β (Keras' 1e-3). On
    /// near-uniform images σ² is small (0.0016 measured at 64²), so ε bounds how far BN stretches a
    /// small deviation toward tanh's flat part.
    public var bnEpsilon: Double
    /// Batch norm between each classifier 3×3 convolution and its ReLU (VGG-BN's form; not in the paper).
    /// It uses batch statistics only in phase 1, where the classifier learns alone; from phase 2 on it
    /// is frozen to its population statistics, a fixed affine map per channel, because a batch-statistics
    /// BN after E's product would undo any global scale of E and leave the L1 term unopposed. Without it
    /// the classifier alone sits at chance for a random number of steps or forever (its conv features
    /// grow by orders of magnitude and saturate the sigmoids; docs/explanations.md, session 11).
    public var classifierBatchNorm: Bool
    /// One algorithm for every 3×3 convolution (A/B runs, benchmarks, the golden test); nil: each
    /// layer takes Convolution.algorithm's measured rule. The results agree to rounding, not bits.
    public var convolution3x3: Algorithm3x3?

    public init(
        side: Int = 224, baseWidth: Int = 32, classes: Int = 2, hidden: Int = 128,
        dropout: Float = 0.3, ePooling: EPooling = .average, bnMomentum: Float = 0.99,
        explainerInitBias: Float = 0, explainerInitScale: Float = 1,
        bnEpsilon: Double = 1e-3, classifierBatchNorm: Bool = false, convolution3x3: Algorithm3x3? = nil
    ) {
        self.side = side
        self.baseWidth = baseWidth
        self.classes = classes
        self.hidden = hidden
        self.dropout = dropout
        self.ePooling = ePooling
        self.bnMomentum = bnMomentum
        self.explainerInitBias = explainerInitBias
        self.explainerInitScale = explainerInitScale
        self.bnEpsilon = bnEpsilon
        self.classifierBatchNorm = classifierBatchNorm
        self.convolution3x3 = convolution3x3
    }

    /// Throws naming the first option out of range.
    public func validate() throws(NetworkError) {
        if side <= 0 || side % 16 != 0 {
            throw NetworkError("configuration.side", "\(side) is not a positive multiple of 16")
        }
        if baseWidth < 1 { throw NetworkError("configuration.baseWidth", "\(baseWidth) is below 1") }
        if classes < 2 { throw NetworkError("configuration.classes", "\(classes) is below 2") }
        if hidden < 1 { throw NetworkError("configuration.hidden", "\(hidden) is below 1") }
        if !(dropout >= 0 && dropout < 1) { throw NetworkError("configuration.dropout", "\(dropout) is not in [0, 1)") }
        if !explainerInitBias.isFinite {
            throw NetworkError("configuration.explainerInitBias", "\(explainerInitBias) is not finite")
        }
        if !(explainerInitScale.isFinite && explainerInitScale > 0) {
            throw NetworkError("configuration.explainerInitScale", "\(explainerInitScale) is not a positive number")
        }
        if !(bnEpsilon.isFinite && bnEpsilon > 0) {
            throw NetworkError("configuration.bnEpsilon", "\(bnEpsilon) is not a positive number")
        }
        if !(bnMomentum >= 0 && bnMomentum < 1) {
            throw NetworkError("configuration.bnMomentum", "\(bnMomentum) is not in [0, 1)")
        }
    }
}
