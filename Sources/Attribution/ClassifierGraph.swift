// The joint model's classifier (SPEC §1) as a graph for post-hoc attribution: a forward on the Kernels ops
// that keeps every activation (pre- and post-ReLU), with the explanation E held fixed (a constant scale
// per stage, never differentiated), and a backward whose ReLU rule is chosen (gradient, guided backprop,
// deconvnet). LRP's backward lives in ClassifierGraph+Relevance.swift.
// Letters: N images, S side, w base width, F_k = w·2^k filters of stage k (0-based), K classes, H hidden.
// Layout: NCHW row-major throughout, as the rest of xcnn.
import Kernels
import Network

/// How a backward pass treats the classifier's ReLUs (the only layers the three methods disagree on).
enum ReLURule {
    /// d(in) = d(out)·[a > 0]: the ordinary gradient.
    case gradient
    /// d(in) = max(d(out), 0)·[a > 0] (Springenberg et al. 2015; Captum GuidedBackprop).
    case guided
    /// d(in) = max(d(out), 0), the forward mask ignored (Zeiler & Fergus 2014; Captum Deconvolution).
    case deconvnet
}

/// One convolution or dense layer: offsets of its weight and bias in the model's parameter buffer.
struct GraphLayer {
    let weight: Int, bias: Int, inputs: Int, outputs: Int
}

struct ClassifierGraph {
    let configuration: ModelConfiguration
    /// The whole model's parameter buffer (explainer and classifier, ParameterLayout order).
    let parameters: [Float]
    /// stages[k] = (conv1, conv2); `inputs`/`outputs` are channels.
    let stages: [(GraphLayer, GraphLayer)]
    let fc1: GraphLayer, fc2: GraphLayer, out: GraphLayer

    /// `buffers` laid out as `bufferLayout` (JointModel's) are read only with classifier batch norm, which
    /// is folded into its convolution here: in inference mode BN is y = γ·(z − μ)/sqrt(σ² + ε) + β per
    /// channel, so W' = W·γ/sqrt(σ² + ε) and b' = (b − μ)·γ/sqrt(σ² + ε) + β give the same map, and every
    /// method (LRP's rules included) sees one convolution per layer, as zennit's and iNNvestigate's
    /// canonizers merge a batch norm into the layer before it.
    init(
        configuration: ModelConfiguration, parameters: [Float], buffers: [Float] = [],
        bufferLayout: [BufferEntry] = []
    ) {
        let layout = ParameterLayout(configuration: configuration)
        precondition(parameters.count == layout.count, "need \(layout.count) parameters, got \(parameters.count)")
        func layer(_ name: String) -> GraphLayer {
            let w = layout.entry(named: name + ".weight")!
            let b = layout.entry(named: name + ".bias")!
            return GraphLayer(weight: w.offset, bias: b.offset, inputs: w.shape[1], outputs: w.shape[0])
        }
        let convNames = (1...4).flatMap { ["classifier.stage\($0).conv1", "classifier.stage\($0).conv2"] }
        var folded = parameters
        if configuration.classifierBatchNorm {
            for name in convNames {
                let running = bufferLayout.first { $0.name == name + ".bn.running_mean" }!.offset
                Self.foldBatchNorm(
                    into: &folded, conv: layer(name), gamma: layout.entry(named: name + ".bn.weight")!.offset,
                    beta: layout.entry(named: name + ".bn.bias")!.offset, buffers: buffers, running: running)
            }
        }
        self.configuration = configuration
        self.parameters = folded
        stages = (1...4).map { (layer("classifier.stage\($0).conv1"), layer("classifier.stage\($0).conv2")) }
        fc1 = layer("classifier.fc1")
        fc2 = layer("classifier.fc2")
        out = layer("classifier.out")
    }

    /// W'[o] = W[o]·s_o, b'[o] = (b[o] − μ_o)·s_o + β_o with s_o = γ_o/sqrt(σ²_o + ε), in Double.
    private static func foldBatchNorm(
        into p: inout [Float], conv l: GraphLayer, gamma: Int, beta: Int, buffers: [Float], running: Int
    ) {
        let perFilter = l.inputs * 9
        for o in 0..<l.outputs {
            let variance = Double(buffers[running + l.outputs + o])
            let scale = Double(p[gamma + o]) / (variance + ModelConfiguration.classifierBatchNormEpsilon).squareRoot()
            for j in 0..<perFilter {
                p[l.weight + o * perFilter + j] = Float(Double(p[l.weight + o * perFilter + j]) * scale)
            }
            p[l.bias + o] = Float((Double(p[l.bias + o]) - Double(buffers[running + o])) * scale + Double(p[beta + o]))
        }
    }

    var side: Int { configuration.side }
    var classes: Int { configuration.classes }
    /// Side of stage k's maps (0-based k).
    func side(ofStage k: Int) -> Int { side >> k }

    /// Everything one forward pass produced, for N images.
    struct Activations {
        var n: Int
        /// Stage inputs: x [N, 3, S, S], then each stage's pooled output.
        var stageInput: [[Float]] = []
        /// Pre-ReLU conv outputs z and ReLU outputs a, per stage: [N, F_k, S_k, S_k].
        var z1: [[Float]] = [], a1: [[Float]] = [], z2: [[Float]] = [], a2: [[Float]] = []
        /// a2·E_k (equal to a2 when E is absent, i.e. E = 1).
        var scaled: [[Float]] = []
        /// E_k [N, 1, S_k, S_k], or nil for E = 1.
        var e: [[Float]]? = nil
        /// The last stage's pooled map [N, 8w, S/16, S/16], its global max [N, 8w].
        var lastPool: [Float] = [], gmp: [Float] = []
        /// Dense pre-activations y and sigmoid outputs s: [N, H]; logits [N, K].
        var y1: [Float] = [], s1: [Float] = [], y2: [Float] = [], s2: [Float] = [], logits: [Float] = []
    }

    /// A layer's weight [O, I, k, k] (area = k²) and bias [O], copied out of the parameter buffer.
    func weights(_ l: GraphLayer, area: Int) -> [Float] {
        Array(parameters[l.weight..<(l.weight + l.outputs * l.inputs * area)])
    }

    func biases(_ l: GraphLayer) -> [Float] { Array(parameters[l.bias..<(l.bias + l.outputs)]) }

    /// Every convolution here runs im2col + sgemm, never Winograd: where a map is 0 over a 3×3 neighbourhood,
    /// im2col gives exactly the bias (as PyTorch does), so equal values stay exact ties for max pooling and the
    /// first of them is routed, as PyTorch routes it. Winograd's transforms leave ~1e-9 of rounding there,
    /// which breaks such ties at random; deconvnet, which ignores the ReLU masks, then sends its signal through
    /// other pixels (measured: 16% of the map on a golden case with every layer forced onto F(4×4)).
    static let algorithm = Algorithm3x3.im2col

    /// Workspace for one convolution call (im2col columns).
    static func workspace(_ l: GraphLayer, side s: Int) -> [Float] {
        [Float](
            repeating: 0,
            count: max(
                1,
                Convolution.workspaceCount(
                    channels: l.inputs, filters: l.outputs, height: s,
                    width: s, kernel: 3, algorithm: algorithm)))
    }

    /// z[N, O, s, s] = W ⋆ x + b (3×3, pad 1) with the layer's weights, or the given ones.
    func convolve(_ x: [Float], n: Int, _ l: GraphLayer, side s: Int, weight: [Float]? = nil, bias: [Float]? = nil)
        -> [Float]
    {
        var z = [Float](repeating: 0, count: n * l.outputs * s * s)
        var col = Self.workspace(l, side: s)
        Convolution.forward(
            input: x, batch: n, channels: l.inputs, height: s, width: s,
            weight: weight ?? weights(l, area: 9), bias: bias ?? biases(l), filters: l.outputs, kernel: 3,
            relu: false, output: &z, col: &col, algorithm: Self.algorithm)
        return z
    }

    /// dx[N, I, s, s] = Wᵀ ⋆ dz: the input gradient of a 3×3 convolution (overwrites; dz is not changed).
    func convolveBackward(_ dz: [Float], n: Int, _ l: GraphLayer, side s: Int, weight: [Float]? = nil) -> [Float] {
        var dx = [Float](repeating: 0, count: n * l.inputs * s * s)
        var dy = dz
        var col = Self.workspace(l, side: s)
        var dcol = Self.workspace(l, side: s)
        // The input is only read for the weight gradient, which is not asked for.
        Convolution.backward(
            input: [0], dOutput: &dy, batch: n, channels: l.inputs, height: s, width: s,
            weight: weight ?? weights(l, area: 9), filters: l.outputs, kernel: 3, dInput: &dx, dWeight: nil,
            dBias: nil, col: &col, dcol: &dcol, algorithm: Self.algorithm)
        return dx
    }

    /// y[N, O] = x·Wᵀ + b with the layer's weights, or the given ones.
    func dense(_ x: [Float], n: Int, _ l: GraphLayer, weight: [Float]? = nil, bias: [Float]? = nil) -> [Float] {
        var y = [Float](repeating: 0, count: n * l.outputs)
        Dense.forward(
            input: x, batch: n, inputs: l.inputs, weight: weight ?? weights(l, area: 1), bias: bias ?? biases(l),
            outputs: l.outputs, output: &y)
        return y
    }

    /// dx[N, I] = dy·W (overwrites).
    func denseBackward(_ dy: [Float], n: Int, _ l: GraphLayer, weight: [Float]? = nil) -> [Float] {
        var dx = [Float](repeating: 0, count: n * l.inputs)
        // The input is only read for the weight gradient, which is not asked for.
        Dense.backward(
            input: [0], dOutput: dy, batch: n, inputs: l.inputs, weight: weight ?? weights(l, area: 1),
            outputs: l.outputs, dInput: &dx, dWeight: nil, dBias: nil)
        return dx
    }

    /// Inference forward of x [N, 3, S, S] with E [N, 1, S, S] (nil: E = 1, the phase-1 classifier). Dropout
    /// is the identity (inference), E_{k+1} is E_k pooled 2×2 as the model pools it (average or max).
    func forward(_ x: [Float], n: Int, e: [Float]?) -> Activations {
        precondition(x.count == n * 3 * side * side, "input must be [\(n), 3, \(side), \(side)]")
        var acts = Activations(n: n)
        if let e {
            precondition(e.count == n * side * side, "E must be [\(n), 1, \(side), \(side)]")
            var levels = [e]
            for k in 1..<4 {
                let s = side(ofStage: k - 1)
                var pooled = [Float](repeating: 0, count: n * (s / 2) * (s / 2))
                configuration.ePooling.forward(input: levels[k - 1], planes: n, side: s, output: &pooled)
                levels.append(pooled)
            }
            acts.e = levels
        }
        var h = x
        for (k, (conv1, conv2)) in stages.enumerated() {
            let s = side(ofStage: k)
            acts.stageInput.append(h)
            let z1 = convolve(h, n: n, conv1, side: s)
            let a1 = z1.map { max($0, 0) }
            let z2 = convolve(a1, n: n, conv2, side: s)
            let a2 = z2.map { max($0, 0) }
            var m = a2
            if let e = acts.e {
                Elementwise.channelMultiplyForward(
                    features: a2, scale: e[k], batch: n, channels: conv2.outputs,
                    size: s * s, output: &m)
            }
            var pooled = [Float](repeating: 0, count: m.count / 4)
            Pooling.maxForward(input: m, planes: n * conv2.outputs, height: s, width: s, output: &pooled)
            acts.z1.append(z1)
            acts.a1.append(a1)
            acts.z2.append(z2)
            acts.a2.append(a2)
            acts.scaled.append(m)
            h = pooled
        }
        let last = side(ofStage: 3) / 2
        let width = stages[3].1.outputs
        acts.lastPool = h
        acts.gmp = [Float](repeating: 0, count: n * width)
        Pooling.globalMaxForward(input: h, planes: n * width, size: last * last, output: &acts.gmp)
        acts.y1 = dense(acts.gmp, n: n, fc1)
        acts.s1 = acts.y1
        Activation.sigmoidForward(input: acts.y1, output: &acts.s1, count: acts.s1.count)
        acts.y2 = dense(acts.s1, n: n, fc2)
        acts.s2 = acts.y2
        Activation.sigmoidForward(input: acts.y2, output: &acts.s2, count: acts.s2.count)
        acts.logits = dense(acts.s2, n: n, out)
        return acts
    }

    /// The logits [N, K] of x with E fixed (forward only).
    func logits(_ x: [Float], n: Int, e: [Float]?) -> [Float] { forward(x, n: n, e: e).logits }

    /// Seed d(output)/d(logits) [N, K]: one-hot at each image's target class.
    func oneHot(_ targets: [Int]) -> [Float] {
        var seed = [Float](repeating: 0, count: targets.count * classes)
        for (i, t) in targets.enumerated() {
            precondition((0..<classes).contains(t), "target \(t) is not a class in 0..<\(classes)")
            seed[i * classes + t] = 1
        }
        return seed
    }

    /// What a backward pass returns: d/d(input) [N, 3, S, S] and d/d(a2 of the last stage) [N, 8w, S/8, S/8]
    /// (the layer Grad-CAM weighs).
    struct Backward {
        var dInput: [Float]
        var dLastConv: [Float]
    }

    /// Backward of Σ_n seed[n]·logits[n] through the graph of `acts`, E fixed, with the given ReLU rule.
    /// With `.gradient` this is the exact gradient of the seeded logits.
    func backward(_ acts: Activations, seed dLogits: [Float], rule: ReLURule) -> Backward {
        let n = acts.n
        var d = denseBackward(dLogits, n: n, out)
        Activation.sigmoidBackward(output: acts.s2, gradient: &d, count: d.count)
        d = denseBackward(d, n: n, fc2)
        Activation.sigmoidBackward(output: acts.s1, gradient: &d, count: d.count)
        d = denseBackward(d, n: n, fc1)
        let width = stages[3].1.outputs
        let last = side(ofStage: 3) / 2
        var dPool = [Float](repeating: 0, count: acts.lastPool.count)
        Pooling.globalMaxBackward(
            input: acts.lastPool, dOutput: d, planes: n * width, size: last * last, dInput: &dPool)
        var dLastConv: [Float] = []
        for k in stride(from: 3, through: 0, by: -1) {
            let (conv1, conv2) = stages[k]
            let s = side(ofStage: k)
            var dScaled = [Float](repeating: 0, count: acts.scaled[k].count)
            Pooling.maxBackward(
                input: acts.scaled[k], dOutput: dPool, planes: n * conv2.outputs, height: s, width: s,
                dInput: &dScaled)
            var dA2 = dScaled
            if let e = acts.e {
                dA2 = [Float](repeating: 0, count: dScaled.count)
                Elementwise.channelMultiplyBackward(
                    features: acts.a2[k], scale: e[k], dOutput: dScaled, batch: n,
                    channels: conv2.outputs, size: s * s, dFeatures: &dA2, dScale: nil)
            }
            if k == 3 { dLastConv = dA2 }
            apply(rule, gradient: &dA2, output: acts.a2[k])
            var dA1 = convolveBackward(dA2, n: n, conv2, side: s)
            apply(rule, gradient: &dA1, output: acts.a1[k])
            dPool = convolveBackward(dA1, n: n, conv1, side: s)
        }
        return Backward(dInput: dPool, dLastConv: dLastConv)
    }

    /// d(in) from d(out) of a ReLU whose output is a, in place.
    private func apply(_ rule: ReLURule, gradient d: inout [Float], output a: [Float]) {
        switch rule {
        case .gradient: for j in d.indices { d[j] = a[j] > 0 ? d[j] : 0 }
        case .guided: for j in d.indices { d[j] = a[j] > 0 ? max(d[j], 0) : 0 }
        case .deconvnet: for j in d.indices { d[j] = max(d[j], 0) }
        }
    }
}
