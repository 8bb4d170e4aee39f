// Every attribution method against the reference libraries' own output (Captum 0.9, zennit 0.5 for LRP) on
// the golden cases of scripts/golden-attribution.py, for the phase-1 classifier (E = 1) and the joint one.
import Foundation
import Kernels
import Network
import XCTest

@testable import Attribution

final class GoldenAttributionTests: XCTestCase {
    static let cases = ["s32-w3-avg", "s32-w4-max-k3"]

    /// Worst |ours − golden| allowed, as a fraction of the golden map's largest |value|.
    /// The golden maps are float64 runs of the float32-rounded weights and inputs; ours run in float32. A float32
    /// forward and backward through 8 convolutions (sums of ≤ 9·32 products) and 3 dense layers lands within a
    /// few 1e-6 of the largest value in every case measured (printed below), so 1e-4 leaves a 10× margin for
    /// BLAS summation orders, yet any wrong rule, missed mask, sign or scale moves values by far more.
    /// LRP divides by z + ε at every layer: where z nearly cancels, float32's error in z is amplified by
    /// R/(z + ε), so its bound is 1e-3. SmoothGrad adds σ·η in float32 to x (η stored in float32 from Captum's
    /// draws, divided by σ in float64), so its inputs differ from Captum's by ~1e-7: 1e-4 still applies.
    /// Occlusion's values are differences of two logits some 20–50× larger than the map (|logit| ≈ 0.2–1.7
    /// here, maps ≈ 0.02–0.3), so the logits' float32 error (≤ 5e-7 printed) is a larger share of them: 3e-4.
    static func tolerance(_ method: String) -> Double {
        switch method {
        case "lrp-epsilon", "lrp-alpha1beta0": 1e-3
        case "occlusion": 3e-4
        default: 1e-4
        }
    }

    func testEveryMethodMatchesTheReferenceLibrariesOnTheGoldenCases() throws {
        for name in Self.cases {
            let golden = try AttributionGolden(name: name)
            let model = try golden.model()
            let input = try golden.tensor("input")
            let targets = try golden.tensor("targets").storage.map { Int($0) }
            let n = input.shape[0]
            let s = golden.int("side")

            // The joint model's E, computed by xcnn's explainer in inference mode, against PyTorch's.
            let joint = try Attributor(model: model, classifier: .joint, batchSize: 2)
            let e = try XCTUnwrap(joint.explanation(for: input))
            let eError = worstError(e.storage, try golden.tensor("E").storage)
            print("\(name) E: worst error \(eError.worst) (max |E| \(eError.scale))")
            // E passes through 18 convolutions in float32; 1e-4 of its range [0, 1) bounds that roundoff.
            XCTAssertLessThan(eError.worst, 1e-4, "\(name): explainer E")

            for (variant, classifier) in [("phase1", ExplainedClassifier.phaseOne), ("joint", .joint)] {
                let attributor = try Attributor(model: model, classifier: classifier, batchSize: 2)
                let eUsed = attributor.explanation(for: input)
                let logits = attributor.graph.forward(input.storage, n: n, e: eUsed?.storage).logits
                let logitError = worstError(logits, try golden.tensor("\(variant)/logits").storage)
                print("\(name) \(variant) logits: worst error \(logitError.worst)")
                XCTAssertLessThan(logitError.worst, 1e-5 * max(1, logitError.scale), "\(name) \(variant) logits")

                for method in methods(golden) {
                    let key = "\(variant)/\(method.name)"
                    var reference = try golden.tensor(key)
                    let ours: Tensor
                    if case .smoothGrad(let samples, let fraction, _) = method {
                        // Captum's own normal draws: [N, samples, 3, S, S], divided by each image's σ.
                        let noise = try golden.tensor(key + ".noise")
                        let per = 3 * s * s
                        ours = Tensor(
                            shape: [n, 3, s, s],
                            storage: try attributor.smoothGrad(
                                input.storage, n: n, e: eUsed?.storage, targets: targets, samples: samples,
                                noiseFraction: fraction,
                                noise: { image, j in
                                    Array(
                                        noise.storage[((image * samples + j) * per)..<((image * samples + j + 1) * per)]
                                    )
                                }))
                    } else {
                        ours = try attributor.attributions(method, input: input, targets: targets, explanation: eUsed)
                    }
                    if case .occlusion = method {
                        // Captum's window spans the three channels, so they are equal; ours is one of them.
                        let plane = s * s
                        for image in 0..<n {
                            for c in 1..<3 {
                                for j in 0..<plane {
                                    XCTAssertEqual(
                                        reference.storage[(image * 3 + c) * plane + j],
                                        reference.storage[image * 3 * plane + j], "\(key): golden channels differ")
                                }
                            }
                        }
                        reference = Tensor(
                            shape: [n, 1, s, s],
                            storage: (0..<n).flatMap { image in
                                reference.storage[(image * 3 * plane)..<(image * 3 * plane + plane)]
                            })
                    }
                    XCTAssertEqual(ours.shape, reference.shape, key)
                    let error = worstError(ours.storage, reference.storage)
                    let relative = error.worst / max(error.scale, 1e-30)
                    print(
                        String(
                            format: "%@ %@: worst error %.3e (max |golden| %.3e, relative %.2e, bound %.0e)",
                            name, key, error.worst, error.scale, relative, Self.tolerance(method.name)))
                    XCTAssertGreaterThan(error.scale, 0, "\(name) \(key): an all-zero golden map proves nothing")
                    XCTAssertLessThanOrEqual(relative, Self.tolerance(method.name), "\(name) \(key)")
                }
            }

            // The public entry point: one [N, S, S] map per image, the channel sum of the attributions.
            let attributor = try Attributor(model: model, classifier: .phaseOne)
            let map = try attributor.maps(.inputTimesGradient, input: input, targets: targets)
            XCTAssertEqual(map.shape, [n, s, s])
            let summed = Attributor.reduceChannels(try golden.tensor("phase1/input-x-gradient"))
            let mapError = worstError(map.storage, summed.storage)
            XCTAssertLessThanOrEqual(mapError.worst, 1e-4 * mapError.scale, "\(name): maps(.inputTimesGradient)")
        }
    }

    /// The methods with the parameters the golden script used (its "config" metadata).
    func methods(_ golden: AttributionGolden) -> [AttributionMethod] {
        [
            .saliency, .inputTimesGradient,
            .smoothGrad(samples: golden.int("smooth_samples"), noiseFraction: golden.float("smooth_fraction"), seed: 0),
            .integratedGradients(steps: golden.int("ig_steps")), .guidedBackprop, .deconvnet,
            .lrpEpsilon(epsilon: golden.float("lrp_epsilon")), .lrpAlpha1Beta0, .gradCAM,
            .occlusion(patch: golden.int("occlusion_patch"), stride: golden.int("occlusion_stride")),
        ]
    }
}
