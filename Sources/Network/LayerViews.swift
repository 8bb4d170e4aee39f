// The model's layers as views: where a layer's weight and bias sit in the parameter buffer, and which
// arena buffers it reads and writes. PlanBuilder makes them; forward and backward only read them.
// Letters: k kernel side.
import Kernels

/// A stride-1 "same" convolution (3×3 or 1×1): weight [cout, cin, k, k], bias [cout]; input and output
/// are [cin or cout, side, side].
struct ConvLayer {
    let weight: Int, bias: Int, cin: Int, cout: Int, side: Int, kernel: Int
    /// How the layer is computed, chosen once when the plan is built (im2col for 1×1).
    let algorithm: Algorithm3x3
    let input: ActivationBuffer, output: ActivationBuffer
    /// Whether a ReLU follows (applied inside the convolution's forward, masked inside its backward).
    let relu: Bool
    /// Whether `input` is the image: its gradient is computed only when attribution asks for it.
    let readsImage: Bool
    /// Offset in the arena's kept-transform block where the forward keeps its Winograd input transforms
    /// for the weight gradient; nil for layers that recompute them (im2col layers, or over the budget).
    let keptTransforms: Int?
}

/// Batch norm between a convolution (declared without ReLU) and the ReLU that follows it:
/// output = ReLU(γ·(x − μ)/sqrt(σ² + ε) + β) per channel, x the convolution's output [C, side, side].
struct ConvBatchNorm {
    /// Offsets of γ and β [C] in the parameter buffer.
    let gamma: Int, beta: Int
    /// Offset of the running mean [C] in the model's BN buffers; the running variance follows it.
    let running: Int
    let channels: Int
    /// Per-batch mean and biased variance of `input`, [C] each.
    let batchMean: ActivationBuffer, batchVariance: ActivationBuffer
    /// The convolution's output, and the normalised, rectified result (rectified in place).
    let input: ActivationBuffer, output: ActivationBuffer
}

/// Two 3×3 convolutions with ReLU: the unit of every encoder level, decoder level and classifier stage,
/// with a batch norm before each ReLU when `batchNorm` is set (the classifier's option).
struct ConvPair {
    let first: ConvLayer, second: ConvLayer
    /// Each convolution's batch norm, or nil when the ReLU is fused into the convolution.
    let firstNorm: ConvBatchNorm?, secondNorm: ConvBatchNorm?
    var output: ActivationBuffer { secondNorm?.output ?? second.output }

    /// Declares "<name>.conv1" and "<name>.conv2", both with `filters` outputs. With batch norm each
    /// convolution writes "<name>.convK.pre_bn" and the rectified BN output takes the name "<name>.convK".
    init(_ name: String, from input: ActivationBuffer, filters: Int, batchNorm: Bool = false, _ b: inout PlanBuilder) {
        if batchNorm {
            first = b.conv(
                name + ".conv1", from: input, filters: filters, relu: false, outputName: name + ".conv1.pre_bn")
            let norm1 = b.batchNorm(name + ".conv1", after: first)
            second = b.conv(
                name + ".conv2", from: norm1.output, filters: filters, relu: false, outputName: name + ".conv2.pre_bn")
            (firstNorm, secondNorm) = (norm1, b.batchNorm(name + ".conv2", after: second))
        } else {
            first = b.conv(name + ".conv1", from: input, filters: filters)
            second = b.conv(name + ".conv2", from: first.output, filters: filters)
            (firstNorm, secondNorm) = (nil, nil)
        }
    }
}

/// A 2×2 stride-2 transposed convolution: weight [cin, cout, 2, 2], bias [cout]; input [cin, inSide,
/// inSide], output [cout, 2·inSide, 2·inSide].
struct UpLayer {
    let weight: Int, bias: Int, cin: Int, cout: Int, inSide: Int
    let input: ActivationBuffer, output: ActivationBuffer
}

/// A dense layer y = x·Wᵀ + b: weight [outputs, inputs], bias [outputs]; input and output are vectors.
struct DenseLayer {
    let weight: Int, bias: Int, inputs: Int, outputs: Int
    let input: ActivationBuffer, output: ActivationBuffer
}
