// The layer ops the explainer and classifier share, as forward/backward pairs over plan records, each
// charged to its kind in the profile. Every backward accumulates into arena gradients that the step
// zeroed once; `weights: false` (a frozen part) passes dInput on but computes no weight gradient.
import Kernels

extension JointModel {
    @inline(__always)
    func timed<T>(_ kind: LayerKind, layer: @autoclosure () -> String? = nil, _ body: () -> T) -> T {
        guard let profile else { return body() }
        return profile.measure(kind, layer: layer(), body)
    }

    /// The profile's name for one direction of a convolution: "explainer.enc1.conv2 32→32 64² forward".
    func profileName(_ l: ConvLayer, _ direction: String) -> String {
        "\(l.output.name) \(l.cin)→\(l.cout) \(l.side)² \(direction)"
    }

    func convForward(_ x: Pass, _ l: ConvLayer) {
        timed(l.kernel == 3 ? .conv3x3 : .conv1x1, layer: profileName(l, "forward")) {
            Convolution.forward(
                input: x.value(l.input), batch: x.n, channels: l.cin, height: l.side, width: l.side,
                weight: x.p + l.weight, bias: x.p + l.bias, filters: l.cout, kernel: l.kernel,
                relu: l.relu, output: x.value(l.output), col: x.col, algorithm: l.algorithm,
                keepInputTransforms: x.keptTransforms(l))
        }
    }

    func convBackward(_ x: Pass, _ l: ConvLayer, weights: Bool) {
        timed(l.kernel == 3 ? .conv3x3 : .conv1x1, layer: profileName(l, "backward")) {
            Convolution.backward(
                input: x.value(l.input), dOutput: x.grad(l.output),
                reluOutput: l.relu ? x.value(l.output) : nil, batch: x.n, channels: l.cin,
                height: l.side, width: l.side, weight: x.p + l.weight, filters: l.cout, kernel: l.kernel,
                dInput: l.readsImage && !computesInputGradient ? nil : x.grad(l.input),
                dWeight: weights ? x.g + l.weight : nil, dBias: weights ? x.g + l.bias : nil,
                col: x.col, dcol: x.dcol, algorithm: l.algorithm,
                keptInputTransforms: x.keptTransforms(l).map { UnsafePointer($0) })
        }
    }

    func convPairForward(_ x: Pass, _ pair: ConvPair) {
        convForward(x, pair.first)
        if let norm = pair.firstNorm { batchNormForward(x, norm) }
        convForward(x, pair.second)
        if let norm = pair.secondNorm { batchNormForward(x, norm) }
    }

    func convPairBackward(_ x: Pass, _ pair: ConvPair, weights: Bool) {
        if let norm = pair.secondNorm { batchNormBackward(x, norm, weights: weights) }
        convBackward(x, pair.second, weights: weights)
        if let norm = pair.firstNorm { batchNormBackward(x, norm, weights: weights) }
        convBackward(x, pair.first, weights: weights)
    }

    /// 2×2 max pooling of `input` [C, H, W] into `output` [C, H/2, W/2].
    func maxPoolForward(_ x: Pass, _ input: ActivationBuffer, _ output: ActivationBuffer) {
        timed(.pooling) {
            Pooling.maxForward(
                input: x.value(input), planes: x.n * input.channels, height: input.shape[1],
                width: input.shape[2], output: x.value(output))
        }
    }

    func maxPoolBackward(_ x: Pass, _ input: ActivationBuffer, _ output: ActivationBuffer) {
        timed(.pooling) {
            Pooling.maxBackward(
                input: x.value(input), dOutput: x.grad(output), planes: x.n * input.channels,
                height: input.shape[1], width: input.shape[2], dInput: x.grad(input))
        }
    }

    func upForward(_ x: Pass, _ l: UpLayer) {
        timed(.transposedConv) {
            TransposedConvolution.forward(
                input: x.value(l.input), batch: x.n, channels: l.cin, height: l.inSide,
                width: l.inSide, weight: x.p + l.weight, bias: x.p + l.bias,
                outputChannels: l.cout, output: x.value(l.output), col: x.col)
        }
    }

    func upBackward(_ x: Pass, _ l: UpLayer) {
        timed(.transposedConv) {
            TransposedConvolution.backward(
                input: x.value(l.input), dOutput: x.grad(l.output), batch: x.n, channels: l.cin,
                height: l.inSide, width: l.inSide, weight: x.p + l.weight,
                outputChannels: l.cout, dInput: x.grad(l.input), dWeight: x.g + l.weight,
                dBias: x.g + l.bias, col: x.col)
        }
    }

    /// Untimed: callers charge the dense layer together with its activation and dropout.
    func denseForward(_ x: Pass, _ l: DenseLayer) {
        Dense.forward(
            input: x.value(l.input), batch: x.n, inputs: l.inputs, weight: x.p + l.weight,
            bias: x.p + l.bias, outputs: l.outputs, output: x.value(l.output))
    }

    func denseBackward(_ x: Pass, _ l: DenseLayer, weights: Bool) {
        Dense.backward(
            input: x.value(l.input), dOutput: x.grad(l.output), batch: x.n, inputs: l.inputs,
            weight: x.p + l.weight, outputs: l.outputs, dInput: x.grad(l.input),
            dWeight: weights ? x.g + l.weight : nil, dBias: weights ? x.g + l.bias : nil)
    }
}
