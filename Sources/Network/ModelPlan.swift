// Where every layer's parameters and every activation live: offsets into the parameter buffer and into
// the workspace arena, fixed once for a configuration and batch capacity so steps never allocate.
// Letters: N batch capacity, S side, w base width.
import Kernels

/// One activation of the batch: `value` and (when the backward needs it) `gradient` are arena offsets
/// of N·perImage floats; per-batch statistics have perImage = 1 and are not scaled by N.
struct ActivationBuffer {
    let name: String
    /// Per-image shape [C, H, W] (or [D] for vectors).
    let shape: [Int]
    let perBatch: Bool
    var value = 0
    var gradient: Int?
    var perImage: Int { shape.reduce(1, *) }
    func count(_ n: Int) -> Int { perBatch ? perImage : n * perImage }
}

struct ConvLayer {
    let weight: Int, bias: Int, cin: Int, cout: Int, side: Int, kernel: Int
    /// Arena offset where the forward keeps its Winograd input transforms for the weight gradient, if any.
    var transforms: Int? = nil
}
struct UpLayer { let weight: Int, bias: Int, cin: Int, cout: Int, inSide: Int }
struct DenseLayer { let weight: Int, bias: Int, inputs: Int, outputs: Int }

struct ModelPlan {
    private(set) var buffers: [ActivationBuffer] = []
    private(set) var arenaCount = 0
    /// The gradient half of the arena, zeroed as one block at the start of every backward.
    private(set) var gradientRange = 0..<0
    private(set) var col = 0, dcol = 0

    // Explainer: enc[k] and dec[k] hold (conv1, conv2), k = 0…2 top to bottom.
    var encoders: [(ConvLayer, ConvLayer)] = [], decoders: [(UpLayer, ConvLayer, ConvLayer)] = []
    var headConv: ConvLayer, bnGamma: Int, bnBeta: Int
    var stages: [(ConvLayer, ConvLayer)] = [], fc1: DenseLayer, fc2: DenseLayer, out: DenseLayer

    init(configuration c: ModelConfiguration, layout: ParameterLayout, batchCapacity n: Int) {
        let w = c.baseWidth, s = c.side
        func conv(_ name: String, _ cin: Int, _ cout: Int, _ side: Int, _ k: Int = 3) -> ConvLayer {
            ConvLayer(weight: layout.offset(name + ".weight"), bias: layout.offset(name + ".bias"),
                      cin: cin, cout: cout, side: side, kernel: k)
        }
        let widths = [w, 2 * w, 4 * w]
        var cin = 3
        for level in 0..<3 {
            let name = "explainer.enc\(level + 1)"
            encoders.append((conv(name + ".conv1", cin, widths[level], s >> level),
                             conv(name + ".conv2", widths[level], widths[level], s >> level)))
            cin = widths[level]
        }
        for level in [2, 1, 0] {
            let name = "explainer.dec\(level + 1)", cout = widths[level]
            let up = UpLayer(weight: layout.offset(name + ".up.weight"), bias: layout.offset(name + ".up.bias"),
                             cin: cin, cout: cout, inSide: s >> (level + 1))
            decoders.append((up, conv(name + ".conv1", cout, cout, s >> level), conv(name + ".conv2", cout, cout, s >> level)))
            cin = cout
        }
        headConv = conv("explainer.head.conv", w, 1, s, 1)
        bnGamma = layout.offset("explainer.head.bn.weight")
        bnBeta = layout.offset("explainer.head.bn.bias")
        cin = 3
        for stage in 0..<4 {
            let name = "classifier.stage\(stage + 1)", f = w << stage
            stages.append((conv(name + ".conv1", cin, f, s >> stage), conv(name + ".conv2", f, f, s >> stage)))
            cin = f
        }
        func dense(_ name: String, _ i: Int, _ o: Int) -> DenseLayer {
            DenseLayer(weight: layout.offset(name + ".weight"), bias: layout.offset(name + ".bias"), inputs: i, outputs: o)
        }
        fc1 = dense("classifier.fc1", 8 * w, c.hidden)
        fc2 = dense("classifier.fc2", c.hidden, c.hidden)
        out = dense("classifier.out", c.hidden, c.classes)
        declareActivations(configuration: c)
        place(batchCapacity: n)
    }

    private mutating func declare(_ name: String, _ shape: [Int], gradient: Bool = true, perBatch: Bool = false) {
        buffers.append(ActivationBuffer(name: name, shape: shape, perBatch: perBatch, value: 0, gradient: gradient ? 0 : nil))
    }

    private mutating func declareActivations(configuration c: ModelConfiguration) {
        let w = c.baseWidth, s = c.side
        declare("input", [3, s, s])
        declare("input.box_mask", [1, s, s], gradient: false)
        for level in 0..<3 {
            let f = w << level, side = s >> level
            declare("explainer.enc\(level + 1).conv1", [f, side, side])
            declare("explainer.enc\(level + 1).conv2", [f, side, side])
            declare("explainer.enc\(level + 1).pool", [f, side / 2, side / 2])
        }
        for level in [2, 1, 0] {
            let f = w << level, side = s >> level
            for part in ["sum", "conv1", "conv2"] { declare("explainer.dec\(level + 1).\(part)", [f, side, side]) }
        }
        declare("explainer.head.conv", [1, s, s])
        declare("explainer.head.bn.batch_mean", [1], gradient: false, perBatch: true)
        declare("explainer.head.bn.batch_var", [1], gradient: false, perBatch: true)
        declare("explainer.head.bn", [1, s, s])
        declare("explainer.head.tanh", [1, s, s], gradient: false)
        declare("explainer.E", [1, s, s])
        for stage in 0..<4 {
            let f = w << stage, side = s >> stage
            if stage > 0 { declare("classifier.E\(stage + 1)", [1, side, side]) }
            for part in ["conv1", "conv2", "mul"] { declare("classifier.stage\(stage + 1).\(part)", [f, side, side]) }
            declare("classifier.stage\(stage + 1).pool", [f, side / 2, side / 2])
        }
        declare("classifier.gmp", [8 * w])
        for name in ["fc1", "fc2"] {
            declare("classifier.\(name)", [c.hidden])
            declare("classifier.\(name).drop", [c.hidden])
            declare("classifier.\(name).mask", [c.hidden], gradient: false)
        }
        declare("classifier.logits", [c.classes])
        declare("classifier.probabilities", [c.classes], gradient: false)
    }

    /// Values first, then every gradient in one block, then the im2col workspaces (sized for one image).
    private mutating func place(batchCapacity n: Int) {
        var cursor = 0
        for i in buffers.indices {
            buffers[i].value = cursor
            cursor += buffers[i].count(n)
        }
        let gradientStart = cursor
        for i in buffers.indices where buffers[i].gradient != nil {
            buffers[i].gradient = cursor
            cursor += buffers[i].count(n)
        }
        gradientRange = gradientStart..<cursor
        var workspace = 0
        for layer in encoders.flatMap({ [$0.0, $0.1] }) + decoders.flatMap({ [$0.1, $0.2] }) + stages.flatMap({ [$0.0, $0.1] }) {
            workspace = max(workspace, Convolution.workspaceCount(channels: layer.cin, filters: layer.cout, height: layer.side,
                                                                  width: layer.side, kernel: layer.kernel))
        }
        for (up, _, _) in decoders {
            workspace = max(workspace, TransposedConvolution.workspaceCount(outputChannels: up.cout, height: up.inSide,
                                                                            width: up.inSide))
        }
        col = cursor
        dcol = cursor + workspace
        cursor += 2 * workspace
        placeKeptTransforms(batchCapacity: n, cursor: &cursor)
        arenaCount = cursor
    }

    /// Floats of kept Winograd input transforms one model may hold: 128 M (512 MB). The weight gradient
    /// then skips one of its layer's three input transforms. At 64² (batch 8, w = 32) every layer's fit
    /// in 82 MB; at 224² they would take about 1 GB beside 1.6 GB of activations, so only the layers
    /// that fit, in forward order, keep theirs.
    static let keptTransformBudget = 1 << 27

    private mutating func placeKeptTransforms(batchCapacity n: Int, cursor: inout Int) {
        var used = 0
        func keep(_ layer: inout ConvLayer) {
            let count = Convolution.inputTransformCount(channels: layer.cin, filters: layer.cout, height: layer.side,
                                                        width: layer.side, kernel: layer.kernel, batch: n)
            guard count > 0, used + count <= Self.keptTransformBudget else { return }
            layer.transforms = cursor
            cursor += count
            used += count
        }
        for i in encoders.indices { keep(&encoders[i].0); keep(&encoders[i].1) }
        for i in decoders.indices { keep(&decoders[i].1); keep(&decoders[i].2) }
        for i in stages.indices { keep(&stages[i].0); keep(&stages[i].1) }
    }

    func buffer(_ name: String) -> ActivationBuffer {
        guard let b = buffers.first(where: { $0.name == name }) else { preconditionFailure("no activation named \(name)") }
        return b
    }
}
