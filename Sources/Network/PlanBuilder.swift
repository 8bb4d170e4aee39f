// Declares the model once, in forward order: each layer's parameters append to the parameter layout,
// each activation to the arena's value block (and, when it has one, its gradient block), so the
// checkpoint order, the arena and the records forward/backward iterate all come from one walk
// (ModelPlan.init). The arena then holds: values | gradients | col | dcol | kept Winograd transforms.
// Letters: N batch capacity.
import Kernels

struct PlanBuilder {
    let configuration: ModelConfiguration
    let batchCapacity: Int
    /// Which part the parameters declared next belong to (explainer first, then classifier).
    var part = ModelPart.explainer
    private(set) var parameters: [ParameterEntry] = []
    private(set) var parameterCount = 0
    private(set) var activations: [ActivationBuffer] = []
    private(set) var valueCount = 0, gradientCount = 0
    /// Floats each of `col` and `dcol` holds: the most any convolution of the model asks for.
    private(set) var workspaceCount = 0
    private(set) var keptTransformCount = 0
    /// The BN running statistics, in declaration order (JointModel.buffers).
    private(set) var buffers: [BufferEntry] = []
    private(set) var bufferCount = 0
    /// The batch's image [3, S, S] and box mask [1, S, S], the arena's first two buffers.
    var image: ActivationBuffer { activations[0] }
    var boxMask: ActivationBuffer { activations[1] }

    init(configuration: ModelConfiguration, batchCapacity: Int) {
        self.configuration = configuration
        self.batchCapacity = batchCapacity
        let s = configuration.side
        _ = activation("input", [3, s, s])
        _ = activation("input.box_mask", [1, s, s], gradient: false)
    }

    /// Appends a parameter tensor (PyTorch name and layout); returns its offset in the parameter buffer.
    mutating func parameter(_ name: String, _ shape: [Int], _ initialization: ParameterInitialization) -> Int {
        let entry = ParameterEntry(
            name: name, shape: shape, offset: parameterCount, part: part,
            initialization: initialization)
        parameters.append(entry)
        parameterCount += entry.count
        return entry.offset
    }

    /// Appends an activation of `shape` per image (per batch when `perBatch`), with a gradient unless
    /// the backward never needs one.
    mutating func activation(_ name: String, _ shape: [Int], gradient: Bool = true, perBatch: Bool = false)
        -> ActivationBuffer
    {
        let count = shape.reduce(1, *) * (perBatch ? 1 : batchCapacity)
        let buffer = ActivationBuffer(
            name: name, shape: shape, perBatch: perBatch, value: valueCount,
            gradient: gradient ? gradientCount : nil)
        valueCount += count
        if gradient { gradientCount += count }
        activations.append(buffer)
        return buffer
    }

    /// Appends a BN statistic of `count` channels starting at `initial` (a running mean at 0, a running
    /// variance at 1); returns its offset in the model's buffers.
    mutating func buffer(_ name: String, count: Int, initial: Float) -> Int {
        buffers.append(BufferEntry(name: name, shape: [count], offset: bufferCount, initial: initial))
        bufferCount += count
        return bufferCount - count
    }

    /// A convolution named `name` (its parameters "<name>.weight"/".bias" and its output `outputName`,
    /// default "<name>") from `input` [C, side, side] to [filters, side, side].
    mutating func conv(
        _ name: String, from input: ActivationBuffer, filters: Int, kernel: Int = 3,
        relu: Bool = true, outputName: String? = nil
    ) -> ConvLayer {
        let cin = input.channels
        let side = input.shape[1]
        let weight = parameter(name + ".weight", [filters, cin, kernel, kernel], .glorotUniform)
        let bias = parameter(name + ".bias", [filters], .constant(0))
        let output = activation(outputName ?? name, [filters, side, side])
        let algorithm =
            kernel == 3
            ? configuration.convolution3x3
                ?? Convolution.algorithm(channels: cin, filters: filters, height: side, width: side)
            : .im2col
        workspaceCount = max(
            workspaceCount,
            Convolution.workspaceCount(
                channels: cin, filters: filters, height: side,
                width: side, kernel: kernel, algorithm: algorithm))
        return ConvLayer(
            weight: weight, bias: bias, cin: cin, cout: filters, side: side, kernel: kernel,
            algorithm: algorithm, input: input, output: output, relu: relu,
            readsImage: input.value == image.value,
            keptTransforms: keepTransforms(cin: cin, cout: filters, side: side, kernel: kernel, algorithm: algorithm))
    }

    /// The batch norm of `conv` (relu: false): parameters "<name>.bn.weight"/".bias" (γ 1, β 0), buffers
    /// "<name>.bn.running_mean"/".running_var", and the rectified output "<name>".
    mutating func batchNorm(_ name: String, after conv: ConvLayer) -> ConvBatchNorm {
        let c = conv.cout
        let gamma = parameter(name + ".bn.weight", [c], .constant(1))
        let beta = parameter(name + ".bn.bias", [c], .constant(0))
        let running = buffer(name + ".bn.running_mean", count: c, initial: 0)
        _ = buffer(name + ".bn.running_var", count: c, initial: 1)
        return ConvBatchNorm(
            gamma: gamma, beta: beta, running: running, channels: c,
            batchMean: activation(name + ".bn.batch_mean", [c], gradient: false, perBatch: true),
            batchVariance: activation(name + ".bn.batch_var", [c], gradient: false, perBatch: true),
            input: conv.output, output: activation(name, [c, conv.side, conv.side]))
    }

    private mutating func keepTransforms(cin: Int, cout: Int, side: Int, kernel: Int, algorithm: Algorithm3x3) -> Int? {
        let count = Convolution.inputTransformCount(
            channels: cin, filters: cout, height: side, width: side,
            kernel: kernel, batch: batchCapacity, algorithm: algorithm)
        guard count > 0, keptTransformCount + count <= ModelPlan.keptTransformBudget else { return nil }
        defer { keptTransformCount += count }
        return keptTransformCount
    }

    /// A 2×2 stride-2 transposed convolution with parameters "<name>.weight"/".bias", from `input`
    /// [C, h, h] to a new buffer `outputName` [filters, 2h, 2h].
    mutating func up(_ name: String, from input: ActivationBuffer, filters: Int, outputName: String) -> UpLayer {
        let cin = input.channels
        let inSide = input.shape[1]
        let weight = parameter(name + ".weight", [cin, filters, 2, 2], .glorotUniform)
        let bias = parameter(name + ".bias", [filters], .constant(0))
        let output = activation(outputName, [filters, 2 * inSide, 2 * inSide])
        workspaceCount = max(
            workspaceCount,
            TransposedConvolution.workspaceCount(
                outputChannels: filters, height: inSide,
                width: inSide))
        return UpLayer(
            weight: weight, bias: bias, cin: cin, cout: filters, inSide: inSide, input: input, output: output)
    }

    /// A dense layer with parameters "<name>.weight"/".bias" from the vector `input` to a new buffer
    /// `outputName` (default `name`) of `outputs` values.
    mutating func dense(_ name: String, from input: ActivationBuffer, outputs: Int, outputName: String? = nil)
        -> DenseLayer
    {
        let inputs = input.perImage
        let weight = parameter(name + ".weight", [outputs, inputs], .glorotUniform)
        let bias = parameter(name + ".bias", [outputs], .constant(0))
        let output = activation(outputName ?? name, [outputs])
        return DenseLayer(weight: weight, bias: bias, inputs: inputs, outputs: outputs, input: input, output: output)
    }
}
