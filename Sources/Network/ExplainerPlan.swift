// The explainer's records (SPEC §1): a U-Net of three encoder levels, three decoder levels with
// additive skips, and a head 1×1 conv → batch norm → tanh → ReLU giving E. Each record declares its
// own parameters and activations, so its shape is written here once.
// Letters: S side, f a level's filters.

/// Encoder level L (1 = full side): two 3×3 convs with ReLU, then 2×2 max pooling.
struct EncoderLevel {
    let convs: ConvPair
    /// [f, side/2, side/2]: the next level's input.
    let pooled: ActivationBuffer

    init(_ level: Int, from input: ActivationBuffer, filters: Int, _ b: inout PlanBuilder) {
        let name = "explainer.enc\(level)"
        let side = input.shape[1]
        convs = ConvPair(name, from: input, filters: filters, &b)
        pooled = b.activation(name + ".pool", [filters, side / 2, side / 2])
    }
}

/// Decoder level L: a 2×2 transposed conv up from the level below, plus the skip (encoder level L's
/// second conv), then two 3×3 convs with ReLU.
struct DecoderLevel {
    /// Writes "explainer.decL.sum", to which the skip is added in place.
    let up: UpLayer
    let skip: ActivationBuffer
    let convs: ConvPair
    var sum: ActivationBuffer { up.output }

    init(_ level: Int, from input: ActivationBuffer, skip: ActivationBuffer, _ b: inout PlanBuilder) {
        let name = "explainer.dec\(level)"
        let filters = skip.channels
        up = b.up(name + ".up", from: input, filters: filters, outputName: name + ".sum")
        self.skip = skip
        convs = ConvPair(name, from: up.output, filters: filters, &b)
    }
}

/// The head: E = ReLU(tanh(BN(conv1×1(x)))), one channel. BN uses batch statistics in training (kept
/// per batch for the backward) and the running ones, held outside the arena, in inference.
struct ExplainerHead {
    let conv: ConvLayer
    /// Offsets of the batch norm's γ and β in the parameter buffer.
    let gamma: Int, beta: Int
    /// Offset of the running mean [1] in the model's BN buffers; the running variance follows it.
    let running: Int
    /// Per-batch mean and biased variance of `conv`'s output, [1] each.
    let batchMean: ActivationBuffer, batchVariance: ActivationBuffer
    let normalised: ActivationBuffer, tanh: ActivationBuffer
    /// E [1, S, S].
    let explanation: ActivationBuffer

    init(from input: ActivationBuffer, _ b: inout PlanBuilder) {
        let s = input.shape[1]
        conv = b.conv("explainer.head.conv", from: input, filters: 1, kernel: 1, relu: false)
        gamma = b.parameter("explainer.head.bn.weight", [1], .constant(b.configuration.explainerInitScale))
        beta = b.parameter("explainer.head.bn.bias", [1], .constant(b.configuration.explainerInitBias))
        running = b.buffer("explainer.head.bn.running_mean", count: 1, initial: 0)
        _ = b.buffer("explainer.head.bn.running_var", count: 1, initial: 1)
        batchMean = b.activation("explainer.head.bn.batch_mean", [1], gradient: false, perBatch: true)
        batchVariance = b.activation("explainer.head.bn.batch_var", [1], gradient: false, perBatch: true)
        normalised = b.activation("explainer.head.bn", [1, s, s])
        tanh = b.activation("explainer.head.tanh", [1, s, s], gradient: false)
        explanation = b.activation("explainer.E", [1, s, s])
    }
}
