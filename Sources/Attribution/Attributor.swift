// Runs the attribution methods on a trained model's classifier: E = 1 (the phase-1 classifier, as the paper
// compared) or the joint model's E, computed once per image and held fixed. Many-pass methods batch their
// passes and, under mpirun, share them across ranks (pass p on rank p mod size, sums reduced in Double).
// Letters: N images, S side, K classes.
import Foundation
import Kernels
import MessagePassing
import Network

/// Which classifier the methods explain.
public enum ExplainedClassifier: String, Sendable, CaseIterable {
    /// The classifier with E = 1 everywhere (how phase 1 trains it; the paper's post-hoc baselines).
    case phaseOne = "phase1"
    /// The joint model's classifier fed the explainer's inference-mode E of each image, held fixed.
    case joint
}

public final class Attributor {
    public let configuration: ModelConfiguration
    public let classifier: ExplainedClassifier
    /// Ranks that share the passes of many-pass methods; nil or size 1: this process does them all.
    public let communicator: Communicator?
    /// Images per forward/backward of the many-pass methods' perturbed copies.
    public let batchSize: Int
    let graph: ClassifierGraph
    private let model: JointModel
    /// Runs only the passes of this (rank, size) share, without reducing: tests split the work of a world of
    /// several ranks inside one process. nil: the communicator's share.
    var passShare: (rank: Int, size: Int)?

    /// Reads the model's current parameters (and BN running statistics, for the joint E). `batchSize` ≥ 1;
    /// nil: `defaultBatchSize`.
    public init(
        model: JointModel, classifier: ExplainedClassifier, communicator: Communicator? = nil,
        batchSize: Int? = nil
    ) throws {
        let batchSize = batchSize ?? Self.defaultBatchSize(model.configuration)
        guard batchSize >= 1 else { throw AttributionError("batchSize", "\(batchSize) is below 1") }
        self.model = model
        self.configuration = model.configuration
        self.classifier = classifier
        self.communicator = communicator
        self.batchSize = batchSize
        graph = ClassifierGraph(
            configuration: model.configuration, parameters: model.parameters, buffers: model.buffers,
            bufferLayout: model.bufferLayout)
    }

    /// Images per batch such that the activations a pass keeps (five maps per stage: z1, a1, z2, a2, a2·E, about
    /// 4·5·w·S²·(1 + ½ + ¼ + ⅛) bytes per image) stay near 256 MB: 32 at 64², 4 at 224² (base width 32).
    public static func defaultBatchSize(_ c: ModelConfiguration) -> Int {
        let bytesPerImage = 37.5 * Double(c.baseWidth) * Double(c.side * c.side)
        return max(1, min(32, Int(256e6 / bytesPerImage)))
    }

    /// E [N, 1, S, S] the classifier sees for `input` [N, 3, S, S]: nil for the phase-1 classifier (E = 1),
    /// else the explainer's inference-mode output, in chunks of the model's batch capacity.
    public func explanation(for input: Tensor) -> Tensor? {
        guard classifier == .joint else { return nil }
        let n = input.shape[0]
        let s = configuration.side
        let per = 3 * s * s
        var e: [Float] = []
        e.reserveCapacity(n * s * s)
        var start = 0
        while start < n {
            let end = min(n, start + model.batchCapacity)
            let chunk = Tensor(
                shape: [end - start, 3, s, s], storage: Array(input.storage[(start * per)..<(end * per)]))
            e += model.explain(input: chunk).E.storage
            start = end
        }
        return Tensor(shape: [n, 1, s, s], storage: e)
    }

    /// The classifier's class probabilities [N, K] (softmax of its logits) for `input` [N, 3, S, S] seen through
    /// `explanation` [N, 1, S, S] (nil: E = 1 everywhere), inference mode: what it answers when shown only
    /// part of an image, or nothing (E = 0).
    public func probabilities(input: Tensor, explanation e: Tensor?) -> Tensor {
        let n = input.shape[0]
        let k = configuration.classes
        var p: [Float] = []
        p.reserveCapacity(n * k)
        forEachChunk(n: n) { range in
            let x = slice(input.storage, range, per: 3)
            let part = e.map { slice($0.storage, range, per: 1) }
            let logits = graph.logits(x, n: range.count, e: part)
            for row in 0..<range.count {
                let z = logits[(row * k)..<((row + 1) * k)]
                let top = z.max()!
                let exps = z.map { Foundation.exp(Double($0 - top)) }
                let sum = exps.reduce(0, +)
                p += exps.map { Float($0 / sum) }
            }
        }
        return Tensor(shape: [n, k], storage: p)
    }

    /// One map per image, [N, S, S], for input [N, 3, S, S] (values in [0, 1]) and one target class per image.
    /// Channel reduction, as Captum's `visualize_image_attr` does (it sums attributions over channels): the
    /// sum over the three input channels of `attributions`; Grad-CAM and occlusion have one value per pixel
    /// already (occlusion's three channels are equal: its window spans them), which is the map.
    public func maps(_ method: AttributionMethod, input: Tensor, targets: [Int]) throws -> Tensor {
        let raw = try attributions(method, input: input, targets: targets, explanation: explanation(for: input))
        return Self.reduceChannels(raw)
    }

    /// Σ over channels of [N, C, S, S] → [N, S, S].
    public static func reduceChannels(_ t: Tensor) -> Tensor {
        let n = t.shape[0]
        let c = t.shape[1]
        let hw = t.shape[2] * t.shape[3]
        var out = [Float](repeating: 0, count: n * hw)
        for i in 0..<n {
            for ch in 0..<c {
                let base = (i * c + ch) * hw
                for j in 0..<hw { out[i * hw + j] += t.storage[base + j] }
            }
        }
        return Tensor(shape: [n, t.shape[2], t.shape[3]], storage: out)
    }

    /// The method's attributions as its reference library returns them: [N, 3, S, S] per input value
    /// (Grad-CAM and occlusion: [N, 1, S, S]), with E given ([N, 1, S, S]) or nil for E = 1.
    public func attributions(_ method: AttributionMethod, input: Tensor, targets: [Int], explanation e: Tensor?) throws
        -> Tensor
    {
        let s = configuration.side
        let n = input.shape.first ?? 0
        guard input.shape == [n, 3, s, s], n >= 1 else {
            throw AttributionError("input", "must be [N, 3, \(s), \(s)] with N ≥ 1, got \(input.shape)")
        }
        guard targets.count == n, targets.allSatisfy({ (0..<configuration.classes).contains($0) }) else {
            throw AttributionError("targets", "need \(n) classes in 0..<\(configuration.classes), got \(targets)")
        }
        if let e, e.shape != [n, 1, s, s] {
            throw AttributionError("explanation", "must be [\(n), 1, \(s), \(s)], got \(e.shape)")
        }
        let x = input.storage
        let eValues = e?.storage
        let full = [n, 3, s, s]
        switch method {
        case .saliency, .inputTimesGradient, .guidedBackprop, .deconvnet:
            let rule: ReLURule = method == .guidedBackprop ? .guided : method == .deconvnet ? .deconvnet : .gradient
            var g = gradient(x, n: n, e: eValues, targets: targets, rule: rule).dInput
            if method == .saliency { g = g.map { abs($0) } }
            if method == .inputTimesGradient { for j in g.indices { g[j] *= x[j] } }
            return Tensor(shape: full, storage: g)
        case .smoothGrad(let samples, let fraction, let seed):
            guard samples >= 1, fraction >= 0 else {
                throw AttributionError(
                    "smoothgrad", "needs samples ≥ 1 and a noise fraction ≥ 0, got \(samples), \(fraction)")
            }
            let noise = GaussianNoise(seed: seed, count: 3 * s * s)
            return Tensor(
                shape: full,
                storage: try smoothGrad(
                    x, n: n, e: eValues, targets: targets, samples: samples,
                    noiseFraction: fraction, noise: noise.sample))
        case .integratedGradients(let steps):
            guard steps >= 1 else { throw AttributionError("integrated-gradients", "needs steps ≥ 1, got \(steps)") }
            return Tensor(
                shape: full, storage: try integratedGradients(x, n: n, e: eValues, targets: targets, steps: steps))
        case .lrpEpsilon(let epsilon):
            guard epsilon >= 0 else { throw AttributionError("lrp-epsilon", "needs ε ≥ 0, got \(epsilon)") }
            return Tensor(
                shape: full, storage: relevance(x, n: n, e: eValues, targets: targets, rule: .epsilon(epsilon)))
        case .lrpAlpha1Beta0:
            return Tensor(shape: full, storage: relevance(x, n: n, e: eValues, targets: targets, rule: .alpha1Beta0))
        case .gradCAM:
            return Tensor(shape: [n, 1, s, s], storage: gradCAM(x, n: n, e: eValues, targets: targets))
        case .occlusion(let patch, let stride):
            guard patch >= 1, patch <= s, stride >= 1, stride <= patch else {
                throw AttributionError(
                    "occlusion", "needs 1 ≤ stride ≤ patch ≤ \(s), got patch \(patch), stride \(stride)")
            }
            return Tensor(
                shape: [n, 1, s, s],
                storage: try occlusion(
                    x, n: n, e: eValues, targets: targets, patch: patch,
                    stride: stride))
        }
    }

    /// Forward and backward of the target logits in chunks of `batchSize` images.
    func gradient(_ x: [Float], n: Int, e: [Float]?, targets: [Int], rule: ReLURule) -> ClassifierGraph.Backward {
        var result = ClassifierGraph.Backward(dInput: [], dLastConv: [])
        forEachChunk(n: n) { range in
            let acts = graph.forward(slice(x, range, per: 3), n: range.count, e: e.map { slice($0, range, per: 1) })
            let b = graph.backward(acts, seed: graph.oneHot(Array(targets[range])), rule: rule)
            result.dInput += b.dInput
            result.dLastConv += b.dLastConv
        }
        return result
    }

    func relevance(_ x: [Float], n: Int, e: [Float]?, targets: [Int], rule: LRPRule) -> [Float] {
        var r: [Float] = []
        forEachChunk(n: n) { range in
            let acts = graph.forward(slice(x, range, per: 3), n: range.count, e: e.map { slice($0, range, per: 1) })
            r += graph.relevance(acts, targets: Array(targets[range]), rule: rule)
        }
        return r
    }

    func forEachChunk(n: Int, _ body: (Range<Int>) -> Void) {
        var start = 0
        while start < n {
            let end = min(n, start + batchSize)
            body(start..<end)
            start = end
        }
    }

    /// Images `range` of a tensor with `per` planes of S×S per image.
    func slice(_ t: [Float], _ range: Range<Int>, per planes: Int) -> [Float] {
        let size = planes * configuration.side * configuration.side
        return Array(t[(range.lowerBound * size)..<(range.upperBound * size)])
    }
}
