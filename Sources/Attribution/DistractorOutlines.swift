// Where the other shapes of a synthetic image are drawn, for the paper's weak-L1 finding (Rio-Torto
// et al. 2019, Fig. 5: at λ 1e-8 E also covers the circles): the share of E on the distractors'
// outlines. The outlines are read from the image itself (every pixel that is not the flat
// background), so no generator state is needed and a saved image scores the same.

public enum DistractorOutlines {
    /// How far a channel must be from the background's (in [0, 1]) for a pixel to count as drawn:
    /// an outline's anti-aliased edge fades out below one 8-bit level, its core is the full colour.
    public static let inkContrast: Float = 0.2
    /// Pixels within this many pixels of the target's filled mask are the target's, not a
    /// distractor's: the target's outline and its anti-aliased halo (MapScores.maskDilation) plus
    /// one pixel of the dilation given to the distractors.
    public static let targetMargin = 2

    /// The region of the distractors' outlines in a planar image x[3, S, S] with values in [0, 1]:
    /// pixels whose colour differs from the background (the most frequent colour) by more than
    /// `inkContrast` in some channel, dilated by one pixel (an outline's anti-aliasing reaches one
    /// pixel past it, as for the target), minus the target's mask dilated by `targetMargin`.
    /// [S, S] with 0/1; nil when nothing but the background and the target is drawn.
    public static func region(image x: [Float], side: Int, targetMask: [Float]?) -> [Float]? {
        let plane = side * side
        precondition(x.count == 3 * plane, "image is not [3, \(side), \(side)]")
        precondition(targetMask.map { $0.count == plane } ?? true, "target mask is not \(side)×\(side)")
        let background = mostFrequentColour(x, plane: plane)
        var ink = [Float](repeating: 0, count: plane)
        for p in 0..<plane {
            for c in 0..<3 where abs(x[c * plane + p] - background[c]) > inkContrast {
                ink[p] = 1
                break
            }
        }
        var drawn = ExplanationMetrics.dilate(ink, side: side, radius: 1)
        if let targetMask, targetMask.contains(where: { $0 > 0.5 }) {
            let target = ExplanationMetrics.dilate(targetMask, side: side, radius: targetMargin)
            for p in 0..<plane where target[p] > 0.5 { drawn[p] = 0 }
        }
        return drawn.contains { $0 > 0.5 } ? drawn : nil
    }

    /// The colour most pixels have, compared at 8-bit resolution (a generated background is flat).
    static func mostFrequentColour(_ x: [Float], plane: Int) -> [Float] {
        func level(_ v: Float) -> Int { Int((min(max(v, 0), 1) * 255).rounded()) }
        var counts: [Int: Int] = [:]
        for p in 0..<plane {
            let key = (level(x[p]) << 16) | (level(x[plane + p]) << 8) | level(x[2 * plane + p])
            counts[key, default: 0] += 1
        }
        // Ties go to the smaller key so that the choice does not depend on the dictionary's order.
        let key = counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }!.key
        return [Float(key >> 16), Float((key >> 8) & 255), Float(key & 255)].map { $0 / 255 }
    }
}
