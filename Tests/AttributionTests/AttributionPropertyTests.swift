// Each method's defining property on random models and images, against the classifier's forward as direct
// loops in Double (AttributionTestSupport.referenceLogits): completeness of integrated gradients, conservation
// of LRP, gradient × input as a directional derivative; plus the pieces (quadrature, sharing across ranks).
import Foundation
import Kernels
import Network
import XCTest

@testable import Attribution

final class AttributionPropertyTests: XCTestCase {
    let configuration = ModelConfiguration(
        side: 32, baseWidth: 4, classes: 3, hidden: 16, dropout: 0, ePooling: .average)

    /// A random E [N, 1, S, S] in [0, 1) with a fifth of it exactly 0 (as the explainer's ReLU makes it).
    func randomE(_ n: Int, seed: UInt64) -> Tensor {
        var g = SplitMix64(seed: seed)
        let s = configuration.side
        return Tensor(
            shape: [n, 1, s, s],
            storage: (0..<(n * s * s)).map { _ in
                let u = g.nextUnitFloat()
                return u < 0.2 ? 0 : u
            })
    }

    func image(_ x: Tensor, _ i: Int) -> [Double] {
        let per = x.count / x.shape[0]
        return x.storage[(i * per)..<((i + 1) * per)].map(Double.init)
    }

    func eImage(_ e: Tensor?, _ i: Int) -> [Double]? {
        guard let e else { return nil }
        let per = e.count / e.shape[0]
        return e.storage[(i * per)..<((i + 1) * per)].map(Double.init)
    }

    func testForwardMatchesTheDoubleReference() throws {
        let model = try randomModel(configuration, seed: 3, biasRange: 0.1)
        let attributor = try Attributor(model: model, classifier: .phaseOne)
        let x = randomImages(3, side: 32, seed: 4)
        let e = randomE(3, seed: 5)
        for eUsed in [nil, e] {
            let logits = attributor.graph.forward(x.storage, n: 3, e: eUsed?.storage).logits
            for i in 0..<3 {
                let reference = referenceLogits(model, image(x, i), e: eImage(eUsed, i))
                for k in 0..<3 {
                    // float32 through 11 layers against Double: a few 1e-7 of |logit| ≲ 2.
                    XCTAssertEqual(Double(logits[i * 3 + k]), reference[k], accuracy: 1e-5, "image \(i) class \(k)")
                }
            }
        }
    }

    /// With batch norm in the classifier the graph folds each (frozen) BN into its convolution: its logits
    /// equal the Double reference that applies BN unfolded, and the model's own inference probabilities.
    func testForwardWithClassifierBatchNormFoldsIntoTheConvolutions() throws {
        var withNorm = configuration
        withNorm.classifierBatchNorm = true
        let model = try randomModel(withNorm, seed: 13, biasRange: 0.1)
        var g = SplitMix64(seed: 14)
        for entry in model.layout.entries where entry.name.hasSuffix("bn.weight") && entry.name.hasPrefix("classifier")
        {
            for i in entry.range { model.parameters[i] = 1 + g.nextSymmetric(0.3) }
        }
        for entry in model.bufferLayout where entry.name.hasPrefix("classifier") {
            let variance = entry.name.hasSuffix("running_var")
            for i in entry.range { model.buffers[i] = variance ? 0.2 + g.nextUnitFloat() : g.nextSymmetric(0.3) }
        }
        let attributor = try Attributor(model: model, classifier: .joint)
        let x = randomImages(3, side: 32, seed: 15)
        let e = try XCTUnwrap(attributor.explanation(for: x))
        let logits = attributor.graph.forward(x.storage, n: 3, e: e.storage).logits
        let probabilities = model.explain(input: x).probabilities.storage
        for i in 0..<3 {
            let reference = referenceLogits(model, image(x, i), e: eImage(e, i))
            let row = (0..<3).map { Double(logits[i * 3 + $0]) }
            let total = row.map { exp($0 - row.max()!) }.reduce(0, +)
            for k in 0..<3 {
                XCTAssertEqual(row[k], reference[k], accuracy: 1e-5, "image \(i) class \(k)")
                XCTAssertEqual(
                    exp(row[k] - row.max()!) / total, Double(probabilities[i * 3 + k]), accuracy: 1e-5,
                    "image \(i) class \(k): the model's inference")
            }
        }
    }

    /// Σ IG = f(x) − f(0) (Sundararajan et al.'s completeness), to 1e-3 of |f(x) − f(0)|, with Captum's default
    /// 50 Gauss–Legendre nodes. The network is bias-free: its convolution part is then positively homogeneous
    /// (ReLU, max and the product by a fixed E all commute with x → αx), so along the path αx no ReLU or max
    /// switches and the integrand is smooth (sigmoids only), where the quadrature converges fast. With biases
    /// every ReLU or max that switches along the path is a jump in the integrand and Gauss–Legendre converges
    /// only like 1/steps (measured on a 16² model with biases ±0.1: gaps of 4% at 16 nodes, 0.1–20% at 256).
    func testIntegratedGradientsAreComplete() throws {
        let model = try randomModel(configuration, seed: 7, biasRange: 0)
        let attributor = try Attributor(model: model, classifier: .phaseOne, batchSize: 64)
        let x = randomImages(2, side: 32, seed: 8)
        let e = randomE(2, seed: 9)
        let targets = [1, 2]
        for eUsed in [nil, e] {
            let ig = try attributor.attributions(
                .integratedGradients(steps: 50), input: x, targets: targets, explanation: eUsed)
            let per = ig.count / 2
            for i in 0..<2 {
                let total = ig.storage[(i * per)..<((i + 1) * per)].reduce(0.0) { $0 + Double($1) }
                let difference =
                    referenceLogits(model, image(x, i), e: eImage(eUsed, i))[targets[i]]
                    - referenceLogits(model, [Double](repeating: 0, count: per), e: eImage(eUsed, i))[targets[i]]
                print(
                    String(
                        format: "IG completeness (E %@) image %d: Σ IG %.6f, f(x) − f(0) %.6f, gap %.2e of it",
                        eUsed == nil ? "= 1" : "random", i, total, difference, abs(total - difference) / abs(difference)
                    ))
                XCTAssertGreaterThan(abs(difference), 1e-3, "the test needs a logit that depends on the image")
                XCTAssertLessThanOrEqual(abs(total - difference), 1e-3 * abs(difference), "image \(i)")
            }
        }
    }

    /// With zero biases, LRP-ε and LRP-α1β0 conserve relevance: Σ R(input) = the target logit, but for what ε
    /// absorbs (R_j·ε/(z_j + ε) at each unit). ε = 10⁻⁹ (Captum's default) makes that share negligible; with
    /// zennit's 10⁻⁶ and the random E below it is ~1% (units with z ~ 1e-5 where E is small). Bound 1e-3 of
    /// |logit|: float32 cancellation in each layer's z.
    func testLRPConservesTheTargetLogitWithoutBiases() throws {
        let model = try randomModel(configuration, seed: 11, biasRange: 0)
        let attributor = try Attributor(model: model, classifier: .phaseOne)
        let x = randomImages(3, side: 32, seed: 12)
        let e = randomE(3, seed: 13)
        let targets = [0, 1, 2]
        for eUsed in [nil, e] {
            for method in [AttributionMethod.lrpEpsilon(epsilon: 1e-9), .lrpAlpha1Beta0] {
                let r = try attributor.attributions(method, input: x, targets: targets, explanation: eUsed)
                let per = r.count / 3
                for i in 0..<3 {
                    let total = r.storage[(i * per)..<((i + 1) * per)].reduce(0.0) { $0 + Double($1) }
                    let logit = referenceLogits(model, image(x, i), e: eImage(eUsed, i))[targets[i]]
                    print(
                        String(
                            format: "%@ conservation (E %@) image %d: Σ R %.6f, logit %.6f", method.name,
                            eUsed == nil ? "= 1" : "random", i, total, logit))
                    XCTAssertGreaterThan(abs(logit), 1e-2)
                    XCTAssertEqual(total, logit, accuracy: 1e-3 * abs(logit), "\(method.name) image \(i)")
                }
            }
        }
    }

    /// LRP-ε with biases loses exactly what the biases and ε absorb, so Σ R ≠ logit in general: the
    /// conservation above is not a tautology of the implementation.
    func testLRPWithBiasesDoesNotConserve() throws {
        let model = try randomModel(configuration, seed: 11, biasRange: 0.3)
        let attributor = try Attributor(model: model, classifier: .phaseOne)
        let x = randomImages(1, side: 32, seed: 12)
        let r = try attributor.attributions(.lrpEpsilon(epsilon: 1e-6), input: x, targets: [0], explanation: nil)
        let logit = referenceLogits(model, image(x, 0), e: nil)[0]
        XCTAssertGreaterThan(abs(r.storage.reduce(0.0) { $0 + Double($1) } - logit), 1e-2 * abs(logit))
    }

    /// Σ x ⊙ ∇f = d/dt f(x + t·x) at t = 0 and Σ v ⊙ ∇f = d/dt f(x + t·v) for a random v: central differences
    /// of the Double reference with h = 1e-5 (truncation O(h²) ≈ 1e-10 unless a ReLU or max switches inside
    /// ±h, which random inputs make unlikely). Bound 1e-4 of the derivative plus 1e-6: float32 gradients.
    func testInputTimesGradientIsTheDirectionalDerivative() throws {
        try directionalDerivativeCheck(configuration, images: 2)
    }

    /// The same at base width 16 with max-pooled E, layers that training runs on Winograd and attribution on
    /// im2col (ClassifierGraph.algorithm): one image, the Double reference is slow.
    func testInputTimesGradientIsTheDirectionalDerivativeOnAWiderModel() throws {
        let wide = ModelConfiguration(side: 32, baseWidth: 16, classes: 2, hidden: 16, dropout: 0, ePooling: .max)
        try directionalDerivativeCheck(wide, images: 1)
    }

    func directionalDerivativeCheck(_ configuration: ModelConfiguration, images n: Int) throws {
        let model = try randomModel(configuration, seed: 17, biasRange: 0.1)
        let attributor = try Attributor(model: model, classifier: .joint)
        let s = configuration.side
        let x = randomImages(n, side: s, seed: 18)
        var g = SplitMix64(seed: 19)
        let e = Tensor(
            shape: [n, 1, s, s],
            storage: (0..<(n * s * s)).map { _ in
                let u = g.nextUnitFloat()
                return u < 0.2 ? 0 : u
            })
        let targets = (0..<n).map { ($0 + 1) % configuration.classes }
        for eUsed in [nil, e] {
            let ixg = try attributor.attributions(.inputTimesGradient, input: x, targets: targets, explanation: eUsed)
            let gradient = try attributor.attributions(.saliency, input: x, targets: targets, explanation: eUsed)
            let signed = attributor.gradient(x.storage, n: n, e: eUsed?.storage, targets: targets, rule: .gradient)
                .dInput
            XCTAssertEqual(gradient.storage, signed.map { abs($0) }, "saliency is |∂logit/∂x|")
            let per = ixg.count / n
            for i in 0..<n {
                let xi = image(x, i)
                let ei = eImage(eUsed, i)
                let v = (0..<per).map { _ in Double(g.nextSymmetric(1)) }
                for (label, direction, predicted) in [
                    ("x", xi, ixg.storage[(i * per)..<((i + 1) * per)].reduce(0.0) { $0 + Double($1) }),
                    ("random v", v, (0..<per).reduce(0.0) { $0 + v[$1] * Double(signed[i * per + $1]) }),
                ] {
                    let h = 1e-5
                    let plus = referenceLogits(model, zip(xi, direction).map { $0 + h * $1 }, e: ei)[targets[i]]
                    let minus = referenceLogits(model, zip(xi, direction).map { $0 - h * $1 }, e: ei)[targets[i]]
                    let derivative = (plus - minus) / (2 * h)
                    print(
                        String(
                            format:
                                "w %d: directional derivative along %@ (E %@) image %d: ours %.7f, differences %.7f",
                            configuration.baseWidth, label, eUsed == nil ? "= 1" : "random", i, predicted, derivative))
                    XCTAssertEqual(
                        predicted, derivative, accuracy: 1e-4 * abs(derivative) + 1e-6, "\(label), image \(i)")
                }
            }
        }
    }

    /// SmoothGrad with σ = 0 is saliency averaged over identical copies.
    func testSmoothGradWithoutNoiseIsSaliency() throws {
        let model = try randomModel(configuration, seed: 23, biasRange: 0.1)
        let attributor = try Attributor(model: model, classifier: .phaseOne, batchSize: 5)
        let x = randomImages(2, side: 32, seed: 24)
        let smooth = try attributor.attributions(
            .smoothGrad(samples: 3, noiseFraction: 0, seed: 1), input: x,
            targets: [0, 1], explanation: nil)
        let saliency = try attributor.attributions(.saliency, input: x, targets: [0, 1], explanation: nil)
        let error = worstError(smooth.storage, saliency.storage)
        // Three equal float values summed in Double and divided by 3: exact up to one rounding.
        XCTAssertLessThanOrEqual(error.worst, 1e-6 * error.scale)
    }

    /// The passes of SmoothGrad, integrated gradients and occlusion split over 3 ranks add up to one rank's
    /// result (each rank's share run here in one process, without the allreduce). Batches of 4 passes: 10, 14
    /// and 32 passes per method leave ranks with uneven shares and a last, short batch.
    func testManyPassMethodsSplitAcrossRanksAddUp() throws {
        let model = try randomModel(configuration, seed: 29, biasRange: 0.1)
        let attributor = try Attributor(model: model, classifier: .phaseOne, batchSize: 4)
        let x = randomImages(2, side: 32, seed: 30)
        let e = randomE(2, seed: 31)
        for method in [
            AttributionMethod.smoothGrad(samples: 5, noiseFraction: 0.2, seed: 3), .integratedGradients(steps: 7),
            .occlusion(patch: 8, stride: 8),
        ] {
            attributor.passShare = nil
            let whole = try attributor.attributions(method, input: x, targets: [1, 2], explanation: e)
            var summed = [Float](repeating: 0, count: whole.count)
            for rank in 0..<3 {
                attributor.passShare = (rank, 3)
                let part = try attributor.attributions(method, input: x, targets: [1, 2], explanation: e)
                for j in summed.indices { summed[j] += part.storage[j] }
            }
            attributor.passShare = nil
            let error = worstError(summed, whole.storage)
            print("\(method.name): 3 shares vs one rank, worst error \(error.worst) of \(error.scale)")
            // Each pass runs in the same batch either way, so only the Double sums' split and three float32 partial
            // results added in float32 differ: a few units in the last place of the largest value.
            XCTAssertLessThanOrEqual(error.worst, 1e-6 * error.scale, method.name)
            XCTAssertGreaterThan(error.scale, 0, method.name)
        }
    }

    /// SmoothGrad's drawn noise is standard normal (30,720 values: mean and standard deviation within 0.02,
    /// about 3.5 standard errors), and differs between samples and images.
    func testSmoothGradNoiseIsStandardNormal() {
        let noise = GaussianNoise(seed: 5, count: 3 * 32 * 32)
        let values = (0..<10).flatMap { noise.sample(image: $0 % 2, sample: $0 / 2) }.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let deviation = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.02)
        XCTAssertEqual(deviation, 1, accuracy: 0.02)
        XCTAssertEqual(noise.sample(image: 1, sample: 2), noise.sample(image: 1, sample: 2))
        XCTAssertNotEqual(noise.sample(image: 1, sample: 2), noise.sample(image: 2, sample: 1))
        XCTAssertNotEqual(
            noise.sample(image: 0, sample: 0), GaussianNoise(seed: 6, count: 3 * 32 * 32).sample(image: 0, sample: 0))
    }

    /// The Gauss–Legendre rule matches numpy.polynomial.legendre.leggauss and integrates x^k exactly for k < 2n.
    func testGaussLegendreRule() {
        let three = GaussLegendre.rule(3)
        let root = (3.0 / 5).squareRoot()
        for (got, want) in zip(three.nodes, [-root, 0, root]) { XCTAssertEqual(got, want, accuracy: 1e-15) }
        for (got, want) in zip(three.weights, [5.0 / 9, 8.0 / 9, 5.0 / 9]) {
            XCTAssertEqual(got, want, accuracy: 1e-15)
        }
        for n in [1, 2, 7, 50, 256] {
            let rule = GaussLegendre.rule(n)
            XCTAssertEqual(rule.nodes, rule.nodes.sorted(), "ascending, as numpy")
            for k in 0..<(2 * n) where k <= 40 {
                let integral = zip(rule.nodes, rule.weights).reduce(0.0) { $0 + $1.1 * pow($1.0, Double(k)) }
                XCTAssertEqual(integral, k % 2 == 1 ? 0 : 2 / Double(k + 1), accuracy: 1e-12, "n \(n), x^\(k)")
            }
        }
    }

    /// Occlusion's windows follow Captum: ceil((S − patch)/stride) + 1 starts, the last cut at the border.
    func testOcclusionWindowStarts() {
        XCTAssertEqual(Attributor.windowStarts(side: 32, patch: 6, stride: 4), [0, 4, 8, 12, 16, 20, 24, 28])
        XCTAssertEqual(Attributor.windowStarts(side: 32, patch: 8, stride: 8), [0, 8, 16, 24])
        XCTAssertEqual(Attributor.windowStarts(side: 32, patch: 32, stride: 5), [0])
    }

    /// The joint classifier's E comes from the explainer in inference mode, in chunks of the model's batch
    /// capacity (here 4, for 5 images), each image's E the same as explaining it alone; the phase-1 one has none.
    func testJointExplanationIsTheExplainersInferenceOutput() throws {
        let model = try randomModel(configuration, seed: 37, biasRange: 0.1)
        model.buffers = [0.01, 0.5]
        let x = randomImages(5, side: 32, seed: 38)
        XCTAssertNil(try Attributor(model: model, classifier: .phaseOne).explanation(for: x))
        let e = try XCTUnwrap(try Attributor(model: model, classifier: .joint).explanation(for: x))
        XCTAssertEqual(e.shape, [5, 1, 32, 32])
        let plane = 32 * 32
        for i in 0..<5 {
            let alone = model.explain(
                input: Tensor(
                    shape: [1, 3, 32, 32], storage: Array(x.storage[(i * 3 * plane)..<((i + 1) * 3 * plane)])))
            XCTAssertEqual(Array(e.storage[(i * plane)..<((i + 1) * plane)]), alone.E.storage, "image \(i)")
        }
    }

    func testRefusesBadArguments() throws {
        let model = try randomModel(configuration, seed: 1, biasRange: 0)
        let attributor = try Attributor(model: model, classifier: .phaseOne)
        let x = randomImages(1, side: 32, seed: 2)
        XCTAssertThrowsError(try attributor.maps(.saliency, input: x, targets: [3]))
        XCTAssertThrowsError(try attributor.maps(.saliency, input: x, targets: [0, 1]))
        XCTAssertThrowsError(try attributor.maps(.occlusion(patch: 4, stride: 5), input: x, targets: [0]))
        XCTAssertThrowsError(try attributor.maps(.integratedGradients(steps: 0), input: x, targets: [0]))
        XCTAssertThrowsError(try attributor.maps(.saliency, input: randomImages(1, side: 16, seed: 2), targets: [0]))
        XCTAssertEqual(
            AttributionMethod.all(side: 64).map(\.name),
            [
                "saliency", "input-x-gradient", "smoothgrad",
                "integrated-gradients", "guided-backprop", "deconvnet", "lrp-epsilon", "lrp-alpha1beta0", "grad-cam",
                "occlusion",
            ])
        XCTAssertEqual(AttributionMethod.named("occlusion", side: 64), .occlusion(patch: 8, stride: 4))
    }
}
