// The explanation methods `xcnn evaluate` and `xcnn report` run: the in-model explainer and the
// post-hoc methods of Sources/Attribution, each giving one raw map per image and the [0, 1] form the
// metrics score and the figures show.
import ArgumentParser
import Attribution
import Foundation
import Kernels

/// One explanation method: a name, the raw map it makes for one image, and how that map is brought to
/// [0, 1] for scoring and pictures. The explainer's entry returns the E already computed for the image;
/// post-hoc methods compute theirs.
struct ExplanationMethod {
    var name: String
    /// (input [1, 3, S, S], the explainer's E of it [S·S], the predicted class) → the raw map [S·S]
    /// (signed for input × gradient, integrated gradients, LRP-ε, deconvnet).
    var rawMap: (_ input: Tensor, _ modelExplanation: [Float], _ predicted: Int) throws -> [Float]
    /// The raw map in [0, 1].
    var normalised: ([Float]) -> [Float]

    /// The in-model explainer's E, scored as it is (already in [0, 1]).
    static var explainer: ExplanationMethod {
        ExplanationMethod(name: "explainer", rawMap: { _, e, _ in e }, normalised: { $0 })
    }

    /// A post-hoc method (Sources/Attribution) on the joint model's classifier with its E, explaining
    /// the predicted class's logit. Scored as |map| / max |map| per image: signed methods (input ×
    /// gradient, integrated gradients, LRP-ε, deconvnet) count evidence of either sign, as Captum's
    /// "absolute_value" view shows them, and the 0.75 threshold of IoU and active share then means the
    /// same fraction of the map's peak as it does for E. A map that is 0 everywhere stays 0.
    static func postHoc(_ method: AttributionMethod, attributor: Attributor) -> ExplanationMethod {
        ExplanationMethod(
            name: method.name,
            rawMap: { input, _, predicted in
                try attributor.maps(method, input: input, targets: [predicted]).storage
            }, normalised: peakNormalised)
    }

    /// |map| / max |map|; all zeros stay zeros.
    static func peakNormalised(_ raw: [Float]) -> [Float] {
        let peak = raw.reduce(Float(0)) { max($0, abs($1)) }
        return peak > 0 ? raw.map { abs($0) / peak } : raw.map { _ in 0 }
    }

    /// Methods named in a comma-separated list: "explainer", the post-hoc methods' names, or "all".
    static func parse(_ list: String, side: Int) throws -> [String] {
        let known = ["explainer"] + AttributionMethod.all(side: side).map(\.name)
        var names: [String] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false).map({
            $0.trimmingCharacters(in: .whitespaces)
        }) {
            if item == "all" {
                names += known.filter { !names.contains($0) }
                continue
            }
            guard known.contains(item) else {
                throw ValidationError(
                    "invalid --methods \(list): unknown method \"\(item)\"; methods: \(known.joined(separator: ", ")) or all"
                )
            }
            guard !names.contains(item) else {
                throw ValidationError("invalid --methods \(list): \(item) is named twice")
            }
            names.append(item)
        }
        return names
    }

    /// The methods called `names` (from `parse`) for a model whose post-hoc maps `attributor` makes.
    static func resolve(_ names: [String], side: Int, attributor: Attributor) -> [ExplanationMethod] {
        names.map { name in
            name == "explainer"
                ? .explainer : .postHoc(AttributionMethod.named(name, side: side)!, attributor: attributor)
        }
    }
}
