// Test support: golden cases written by scripts/golden-attribution.py (safetensors, PyTorch names), a
// model built from them, random models, and the classifier's forward as direct loops in Double (the
// reference the finite differences run on). Letters: N images, S side, K classes.
import Foundation
import Kernels
import Network
import Training

struct AttributionGolden {
    let name: String
    let tensors: [String: NamedTensor]
    let config: [String: Any]

    init(name: String) throws {
        guard let url = Bundle.module.url(forResource: "Golden/\(name)", withExtension: "safetensors") else {
            throw AttributionTestError("Golden/\(name).safetensors is not in the test bundle")
        }
        let bytes = [UInt8](try Data(contentsOf: url))
        let decoded = try Safetensors.decode(bytes, source: url.path)
        self.name = name
        tensors = Dictionary(uniqueKeysWithValues: decoded.tensors.map { ($0.name, $0) })
        let json = decoded.metadata["config"] ?? "{}"
        config = (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]) ?? [:]
    }

    func int(_ key: String) -> Int { (config[key] as? NSNumber)?.intValue ?? -1 }
    func float(_ key: String) -> Float { (config[key] as? NSNumber)?.floatValue ?? .nan }

    func tensor(_ key: String) throws -> Tensor {
        guard let t = tensors[key] else { throw AttributionTestError("\(name): no tensor \(key)") }
        return Tensor(shape: t.shape, storage: t.values)
    }

    var configuration: ModelConfiguration {
        ModelConfiguration(
            side: int("side"), baseWidth: int("width"), classes: int("classes"), hidden: int("hidden"),
            dropout: 0, ePooling: (config["e_pool"] as? String) == "max" ? .max : .average)
    }

    /// The golden model's parameters and BN running statistics in a JointModel.
    func model() throws -> JointModel {
        let model = try JointModel(configuration: configuration, batchCapacity: 4)
        for entry in model.layout.entries {
            let t = try tensor(entry.name)
            guard t.shape == entry.shape else {
                throw AttributionTestError("\(name): \(entry.name) is \(t.shape), the layout says \(entry.shape)")
            }
            model.parameters.replaceSubrange(entry.range, with: t.storage)
        }
        model.buffers = try model.bufferLayout.flatMap { try tensor($0.name).storage }
        return model
    }
}

struct AttributionTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Worst |a − b| and the largest |b|, over all values.
func worstError(_ a: [Float], _ b: [Float]) -> (worst: Double, scale: Double) {
    precondition(a.count == b.count, "sizes differ: \(a.count) vs \(b.count)")
    var worst = 0.0
    var scale = 0.0
    for i in a.indices {
        worst = max(worst, abs(Double(a[i]) - Double(b[i])))
        scale = max(scale, abs(Double(b[i])))
    }
    return (worst, scale)
}

/// A random model whose classifier depends on its input enough for properties to be measured in float32:
/// Keras initialisation, then the gains scripts/golden-attribution.py applies (√2 on convolutions, 4 on the
/// dense layers) and biases uniform in ±`biasRange`.
func randomModel(_ configuration: ModelConfiguration, seed: UInt64, biasRange: Float) throws -> JointModel {
    let model = try JointModel(configuration: configuration, batchCapacity: 4)
    model.initialize(seed: seed)
    var generator = SplitMix64(seed: seed ^ 0xB1A5)
    for entry in model.layout.entries where entry.name.hasPrefix("classifier.") {
        for i in entry.range {
            if entry.shape.count == 1 {
                model.parameters[i] = generator.nextSymmetric(biasRange)
            } else {
                model.parameters[i] *= entry.shape.count == 4 ? Float(2).squareRoot() : 4
            }
        }
    }
    return model
}

/// Uniform [0, 1) images [N, 3, S, S].
func randomImages(_ n: Int, side s: Int, seed: UInt64) -> Tensor {
    var generator = SplitMix64(seed: seed)
    return Tensor(shape: [n, 3, s, s], storage: (0..<(n * 3 * s * s)).map { _ in generator.nextUnitFloat() })
}

/// The classifier's logits of one image as direct loops in Double (model_exact.Classifier read line by line):
/// x [3, S, S], E [1, S, S] or nil (E = 1). Independent of the Kernels ops the attribution code runs on.
func referenceLogits(_ model: JointModel, _ x: [Double], e: [Double]?) -> [Double] {
    let c = model.configuration
    let p = model.parameters
    func values(_ name: String) -> [Double] { model.layout.entry(named: name)!.range.map { Double(p[$0]) } }
    var h = x
    var channels = 3
    var s = c.side
    var ek = e ?? [Double](repeating: 1, count: s * s)
    for stage in 1...4 {
        if stage > 1 {
            let t = s * 2
            var pooled = [Double](repeating: 0, count: s * s)
            for i in 0..<s {
                for j in 0..<s {
                    let w = [
                        ek[(2 * i) * t + 2 * j], ek[(2 * i) * t + 2 * j + 1], ek[(2 * i + 1) * t + 2 * j],
                        ek[(2 * i + 1) * t + 2 * j + 1],
                    ]
                    pooled[i * s + j] = c.ePooling == .average ? w.reduce(0, +) / 4 : w.max()!
                }
            }
            ek = pooled
        }
        for conv in ["conv1", "conv2"] {
            let weight = values("classifier.stage\(stage).\(conv).weight")
            let bias = values("classifier.stage\(stage).\(conv).bias")
            let filters = bias.count
            var y = [Double](repeating: 0, count: filters * s * s)
            for o in 0..<filters {
                for i in 0..<s {
                    for j in 0..<s {
                        var sum = bias[o]
                        for ch in 0..<channels {
                            for u in 0..<3 {
                                for v in 0..<3 {
                                    let r = i + u - 1
                                    let q = j + v - 1
                                    if r >= 0 && r < s && q >= 0 && q < s {
                                        sum += weight[((o * channels + ch) * 3 + u) * 3 + v] * h[(ch * s + r) * s + q]
                                    }
                                }
                            }
                        }
                        y[(o * s + i) * s + j] = sum
                    }
                }
            }
            let name = "classifier.stage\(stage).\(conv)"
            for o in 0..<filters {
                // Inference-mode batch norm, unfolded: γ·(z − μ)/sqrt(σ² + ε) + β.
                var (scale, shift) = (1.0, 0.0)
                if c.classifierBatchNorm {
                    let mean = buffer(model, name + ".bn.running_mean")[o]
                    let variance = buffer(model, name + ".bn.running_var")[o]
                    scale =
                        values(name + ".bn.weight")[o]
                        / (variance + ModelConfiguration.classifierBatchNormEpsilon).squareRoot()
                    shift = values(name + ".bn.bias")[o] - mean * scale
                }
                for j in 0..<(s * s) { y[o * s * s + j] = max(y[o * s * s + j] * scale + shift, 0) }
            }
            h = y
            channels = filters
        }
        for ch in 0..<channels { for j in 0..<(s * s) { h[ch * s * s + j] *= ek[j] } }
        let half = s / 2
        var pooled = [Double](repeating: 0, count: channels * half * half)
        for ch in 0..<channels {
            for i in 0..<half {
                for j in 0..<half {
                    let base = ch * s * s
                    pooled[(ch * half + i) * half + j] = max(
                        max(h[base + 2 * i * s + 2 * j], h[base + 2 * i * s + 2 * j + 1]),
                        max(h[base + (2 * i + 1) * s + 2 * j], h[base + (2 * i + 1) * s + 2 * j + 1]))
                }
            }
        }
        h = pooled
        s = half
    }
    var features = (0..<channels).map { ch in h[(ch * s * s)..<((ch + 1) * s * s)].max()! }
    for (name, sigmoid) in [("fc1", true), ("fc2", true), ("out", false)] {
        let weight = values("classifier.\(name).weight")
        let bias = values("classifier.\(name).bias")
        let inputs = features.count
        features = (0..<bias.count).map { o in
            var sum = bias[o]
            for i in 0..<inputs { sum += weight[o * inputs + i] * features[i] }
            return sigmoid ? 1 / (1 + exp(-sum)) : sum
        }
    }
    return features
}

/// A BN buffer of the model by name, in Double.
func buffer(_ model: JointModel, _ name: String) -> [Double] {
    model.bufferLayout.first { $0.name == name }!.range.map { Double(model.buffers[$0]) }
}
