// Faithfulness by deletion: the most-explained patches of an image are replaced step by step and
// the classifier's probability of the class it predicted is followed down (Samek et al., "Evaluating
// the visualization of what a deep neural network has learned", IEEE TNNLS 2017: MoRF order, AOPC).
// Letters: S the image side, P the patch side, L the number of steps; images are planar [3, S, S].

/// One image's deletion curve and the two numbers read from it.
public struct DeletionCurve: Sendable, Equatable, Codable {
    /// p_k, the probability of the class predicted on the original image after step k, k = 0…L
    /// (p_0: the original image); L + 1 values.
    public var probabilities: [Double]
    /// Patches replaced after step k (0 for k = 0, all patches for k = L); L + 1 values.
    public var deletedPatches: [Int]

    public init(probabilities: [Double], deletedPatches: [Int]) {
        precondition(
            probabilities.count == deletedPatches.count && probabilities.count >= 2, "a curve needs at least two points"
        )
        self.probabilities = probabilities
        self.deletedPatches = deletedPatches
    }

    /// Area under p against the share of patches replaced (x_k = deleted_k ÷ all patches, from 0 to
    /// 1), by the trapezoid rule. Lower is more faithful: the probability falls early.
    public var areaUnderCurve: Double {
        let all = Double(deletedPatches.last!)
        var area = 0.0
        for k in 1..<probabilities.count {
            let width = Double(deletedPatches[k] - deletedPatches[k - 1]) / all
            area += width * (probabilities[k - 1] + probabilities[k]) / 2
        }
        return area
    }

    /// This image's term of AOPC (Samek et al. 2017, eq. 12): 1/(L+1) · Σ_{k=0}^{L} (p_0 − p_k).
    /// Averaged over images it is the AOPC; higher is more faithful.
    public var perturbationCurveArea: Double {
        let p0 = probabilities[0]
        return probabilities.reduce(0) { $0 + (p0 - $1) } / Double(probabilities.count)
    }
}

public enum Deletion {
    /// Patch side of the deletion metric, in pixels at the evaluated side.
    public static let patchSide = 8

    /// Patches (row-major index over the (S/P)×(S/P) grid) from most to least explained: by Σ E over
    /// the patch, descending; equal sums keep grid order, so the order is deterministic.
    /// explanation [S, S]; S must be a multiple of P.
    public static func order(explanation e: [Float], side: Int, patch: Int = patchSide) -> [Int] {
        precondition(
            e.count == side * side && patch >= 1 && side % patch == 0,
            "map is not \(side)×\(side) or \(side) is not a multiple of \(patch)")
        let grid = side / patch
        var sums = [Double](repeating: 0, count: grid * grid)
        for y in 0..<side {
            for x in 0..<side { sums[(y / patch) * grid + x / patch] += Double(e[y * side + x]) }
        }
        return sums.indices.sorted { sums[$0] > sums[$1] || (sums[$0] == sums[$1] && $0 < $1) }
    }

    /// Patches deleted after each step k = 0…L: round(k · N ÷ L) of the N patches (so step L
    /// deletes them all). L is capped at N.
    public static func schedule(patches: Int, steps: Int) -> [Int] {
        precondition(patches >= 1 && steps >= 1, "need at least one patch and one step")
        let l = min(steps, patches)
        return (0...l).map { k in Int((Double(k * patches) / Double(l)).rounded()) }
    }

    /// The image's per-channel mean: what a deleted patch is filled with. On the polygon sets this
    /// is close to the background colour, so a deletion erases the outlines under the patch
    /// without adding an edge of a foreign colour. [3, S, S] → 3 values.
    public static func fill(image: [Float], side: Int) -> [Float] {
        let plane = side * side
        precondition(image.count == 3 * plane, "image is not [3, \(side), \(side)]")
        return (0..<3).map { c in
            Float(image[(c * plane)..<((c + 1) * plane)].reduce(0.0) { $0 + Double($1) } / Double(plane))
        }
    }

    /// A copy of the image with the first `count` patches of `order` set to `fill` in every channel.
    public static func delete(
        image: [Float], side: Int, patch: Int = patchSide, order: [Int], count: Int, fill: [Float]
    ) -> [Float] {
        let plane = side * side
        let grid = side / patch
        var out = image
        for index in order.prefix(count) {
            let top = (index / grid) * patch
            let left = (index % grid) * patch
            for c in 0..<3 {
                for y in top..<(top + patch) {
                    for x in left..<(left + patch) { out[c * plane + y * side + x] = fill[c] }
                }
            }
        }
        return out
    }

    /// The deletion curve of one image. `probability0` is p_0, the predicted class's probability on
    /// the original image. `classify` receives `n` perturbed images stacked as [n, 3, S, S] and
    /// returns the probability of `predicted` for each (n values); it is called with at most
    /// `batch` images at a time, always in the same groups, so the result does not depend on what
    /// else the caller is doing.
    public static func curve(
        image: [Float], explanation: [Float], side: Int, patch: Int = patchSide, steps: Int,
        probability0: Double, batch: Int,
        classify: (_ stacked: [Float], _ n: Int) throws -> [Double]
    ) rethrows -> DeletionCurve {
        let order = order(explanation: explanation, side: side, patch: patch)
        let counts = schedule(patches: order.count, steps: steps)
        let fill = fill(image: image, side: side)
        var probabilities = [probability0]
        var k = 1
        while k < counts.count {
            let group = Array(counts[k..<min(k + max(batch, 1), counts.count)])
            let stacked = group.flatMap {
                delete(image: image, side: side, patch: patch, order: order, count: $0, fill: fill)
            }
            let values = try classify(stacked, group.count)
            precondition(
                values.count == group.count, "classify returned \(values.count) values for \(group.count) images")
            probabilities += values
            k += group.count
        }
        return DeletionCurve(probabilities: probabilities, deletedPatches: counts)
    }
}
