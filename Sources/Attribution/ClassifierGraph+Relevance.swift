// Layer-wise relevance propagation (Bach et al. 2015) through the classifier graph, with the rules and
// stabiliser of zennit 0.5 (`zennit.rules.Epsilon`, `AlphaBeta(alpha=1, beta=0)`, `Pass`): Captum's LRP has
// no rule for the dense layers' sigmoids nor for the product by E, so zennit is the reference.
// Letters as in ClassifierGraph.swift.
import Kernels

/// The rule LRP applies to every convolution and dense layer; the other layers' rules are fixed (see
/// `ClassifierGraph.relevance`).
public enum LRPRule: Sendable, Equatable {
    /// R_i = x_i · Σ_j w_ij · R_j / (z_j + ε·sign(z_j)), z_j = Σ_i x_i w_ij + b_j (the layer's own bias
    /// included), sign(0) = +1: zennit `Epsilon(epsilon: ε)`.
    case epsilon(Float)
    /// R_i = Σ_j (x_i⁺ w_ij⁺ + x_i⁻ w_ij⁻) · R_j / (z_j⁺ + 10⁻⁶·sign), z_j⁺ = Σ_i (x_i⁺ w_ij⁺ + x_i⁻ w_ij⁻) + b_j⁺
    /// (only the positive bias): zennit `AlphaBeta(alpha=1, beta=0)` with its default stabiliser 10⁻⁶. Every
    /// input of this classifier is ≥ 0 (image in [0, 1], ReLU, max, E ≥ 0, sigmoid), where it is the z⁺ rule.
    case alpha1Beta0
}

extension ClassifierGraph {
    /// zennit's stabiliser: z + ε·sign(z) with sign(0) = +1, so zero denominators become ε.
    private static func stabilised(_ z: Float, _ epsilon: Float) -> Float { z >= 0 ? z + epsilon : z - epsilon }

    /// Relevance at the input [N, 3, S, S] of the logit of each image's target, starting from R = that logit
    /// (Bach et al.; Captum and iNNvestigate start there too). Rules per layer kind:
    /// - 3×3 convolutions and the three dense layers: `rule`;
    /// - ReLU and sigmoid: pass-through (zennit `Pass`: relevance of the output is that of the input);
    /// - the product by E (a constant per pixel): pass-through, exact since R = 0 wherever E or a is 0;
    /// - 2×2 max pooling and the global max: winner takes all (zennit leaves pooling to the gradient);
    /// - batch norm: none in the classifier; the explainer's BN is upstream of E, which is held fixed, so there
    ///   is nothing to fold.
    func relevance(_ acts: Activations, targets: [Int], rule: LRPRule) -> [Float] {
        let n = acts.n
        var r = oneHot(targets)
        for j in r.indices { r[j] *= acts.logits[j] }
        r = denseRelevance(r, input: acts.s2, preActivation: acts.logits, n: n, out, rule: rule)
        r = denseRelevance(r, input: acts.s1, preActivation: acts.y2, n: n, fc2, rule: rule)
        r = denseRelevance(r, input: acts.gmp, preActivation: acts.y1, n: n, fc1, rule: rule)
        let width = stages[3].1.outputs
        let last = side(ofStage: 3) / 2
        var rPool = [Float](repeating: 0, count: acts.lastPool.count)
        Pooling.globalMaxBackward(
            input: acts.lastPool, dOutput: r, planes: n * width, size: last * last, dInput: &rPool)
        for k in stride(from: 3, through: 0, by: -1) {
            let (conv1, conv2) = stages[k]
            let s = side(ofStage: k)
            var rA2 = [Float](repeating: 0, count: acts.scaled[k].count)
            Pooling.maxBackward(
                input: acts.scaled[k], dOutput: rPool, planes: n * conv2.outputs, height: s, width: s,
                dInput: &rA2)
            let rA1 = convRelevance(rA2, input: acts.a1[k], preActivation: acts.z2[k], n: n, conv2, side: s, rule: rule)
            rPool = convRelevance(
                rA1, input: acts.stageInput[k], preActivation: acts.z1[k], n: n, conv1, side: s, rule: rule)
        }
        return rPool
    }

    /// One layer's relevance rule, given how the layer runs forward (`apply(x, W, b)`) and backward
    /// (`transpose(s, W)`, the input gradient).
    private func layerRelevance(
        _ r: [Float], input x: [Float], preActivation z: [Float], weight: [Float], bias: [Float],
        rule: LRPRule, apply: ([Float], [Float], [Float]) -> [Float],
        transpose: ([Float], [Float]) -> [Float]
    ) -> [Float] {
        switch rule {
        case .epsilon(let epsilon):
            var s = r
            for j in s.indices { s[j] = r[j] / Self.stabilised(z[j], epsilon) }
            var c = transpose(s, weight)
            for i in c.indices { c[i] *= x[i] }
            return c
        case .alpha1Beta0:
            let positive = x.map { max($0, 0) }
            let wPositive = weight.map { max($0, 0) }
            var zPositive = apply(positive, wPositive, bias.map { max($0, 0) })
            let hasNegative = x.contains { $0 < 0 }
            let negative = x.map { min($0, 0) }
            let wNegative = weight.map { min($0, 0) }
            if hasNegative {
                let part = apply(negative, wNegative, [Float](repeating: 0, count: bias.count))
                for j in zPositive.indices { zPositive[j] += part[j] }
            }
            var s = r
            for j in s.indices { s[j] = r[j] / Self.stabilised(zPositive[j], 1e-6) }
            var c = transpose(s, wPositive)
            for i in c.indices { c[i] *= positive[i] }
            if hasNegative {
                let cNegative = transpose(s, wNegative)
                for i in c.indices { c[i] += negative[i] * cNegative[i] }
            }
            return c
        }
    }

    private func denseRelevance(
        _ r: [Float], input x: [Float], preActivation z: [Float], n: Int, _ l: GraphLayer,
        rule: LRPRule
    ) -> [Float] {
        layerRelevance(
            r, input: x, preActivation: z, weight: weights(l, area: 1), bias: biases(l), rule: rule,
            apply: { dense($0, n: n, l, weight: $1, bias: $2) },
            transpose: { denseBackward($0, n: n, l, weight: $1) })
    }

    private func convRelevance(
        _ r: [Float], input x: [Float], preActivation z: [Float], n: Int, _ l: GraphLayer,
        side s: Int, rule: LRPRule
    ) -> [Float] {
        layerRelevance(
            r, input: x, preActivation: z, weight: weights(l, area: 9), bias: biases(l), rule: rule,
            apply: { convolve($0, n: n, l, side: s, weight: $1, bias: $2) },
            transpose: { convolveBackward($0, n: n, l, side: s, weight: $1) })
    }
}
