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

/// Two 3×3 convolutions with ReLU: the unit of every encoder level, decoder level and classifier stage.
struct ConvPair {
    let first: ConvLayer, second: ConvLayer
    var output: ActivationBuffer { second.output }

    /// Declares "<name>.conv1" and "<name>.conv2", both with `filters` outputs.
    init(_ name: String, from input: ActivationBuffer, filters: Int, _ b: inout PlanBuilder) {
        first = b.conv(name + ".conv1", from: input, filters: filters)
        second = b.conv(name + ".conv2", from: first.output, filters: filters)
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
