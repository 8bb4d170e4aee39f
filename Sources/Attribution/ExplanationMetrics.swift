// How well an explanation map points at the target, against the generator's ground-truth mask
// (SPEC §5): active share, energy inside the target, pointing game, POMPOM, IoU.
// Maps are S×S row-major; E in [0, 1]; the mask is 1 on target pixels and 0 elsewhere.

public struct ExplanationScores: Sendable, Equatable {
    /// Share of pixels whose explanation reaches the threshold.
    public var activeShare: Double
    /// Σ E over target pixels ÷ Σ E (energy-based pointing game); nil when E is all zero.
    public var energyInside: Double?
    /// 1 when the most explained pixel lies on the target, else 0; when several pixels share the
    /// maximum (E saturates at tanh's 1), the share of them on the target. nil when E is all zero.
    public var pointingHit: Double?
    /// Share of active pixels outside the target (percentage of meaningful pixels outside the
    /// mask); nil when no pixel is active.
    public var pompom: Double?
    /// Intersection over union of the thresholded map and the mask; nil when both are empty.
    public var iou: Double?
}

public enum ExplanationMetrics {
    /// The paper's figure thresholds explanations at 0.75; the metrics use the same cut.
    public static let threshold: Float = 0.75

    public static func score(explanation e: [Float], targetMask mask: [Float], threshold: Float = threshold)
        -> ExplanationScores
    {
        precondition(
            e.count == mask.count && !e.isEmpty, "explanation and mask sizes differ: \(e.count) vs \(mask.count)")
        var total = 0.0
        var inside = 0.0
        var active = 0
        var activeOutside = 0
        var intersection = 0
        var union = 0
        var best: Float = -1
        for i in e.indices {
            let value = max(e[i], 0)
            let onTarget = mask[i] > 0.5
            total += Double(value)
            if onTarget { inside += Double(value) }
            best = max(best, value)
            let isActive = value >= threshold
            if isActive {
                active += 1
                if !onTarget { activeOutside += 1 }
            }
            if isActive && onTarget { intersection += 1 }
            if isActive || onTarget { union += 1 }
        }
        // Ties at the maximum are common once tanh saturates; taking the first in raster order would
        // score a plateau by its top-left pixel, so every tied pixel gets an equal share of the vote.
        var tied = 0
        var tiedOnTarget = 0
        if total > 0 {
            for i in e.indices where max(e[i], 0) == best {
                tied += 1
                if mask[i] > 0.5 { tiedOnTarget += 1 }
            }
        }
        return ExplanationScores(
            activeShare: Double(active) / Double(e.count),
            energyInside: total > 0 ? inside / total : nil,
            pointingHit: total > 0 ? Double(tiedOnTarget) / Double(tied) : nil,
            pompom: active > 0 ? Double(activeOutside) / Double(active) : nil,
            iou: union > 0 ? Double(intersection) / Double(union) : nil)
    }
}

// Region shares, dilation and the pointing game with tolerance, on square maps. Letters: S is the
// map's side; a map or region is [S, S] row-major, a region 1 on its pixels (> 0.5) and 0 elsewhere.
extension ExplanationMetrics {
    /// Energy-based pointing game: Σ E inside the region ÷ Σ E over the image (Wang et al., "Score-CAM",
    /// CVPR-W 2020, §5.2, with the region the target's bounding box). Negative values count as 0.
    /// nil when E is zero everywhere. A uniform map scores the region's share of the image.
    public static func energyShare(explanation e: [Float], region: [Float]) -> Double? {
        precondition(
            e.count == region.count && !e.isEmpty, "explanation and region sizes differ: \(e.count) vs \(region.count)")
        var total = 0.0
        var inside = 0.0
        for i in e.indices {
            let value = Double(max(e[i], 0))
            total += value
            if region[i] > 0.5 { inside += value }
        }
        return total > 0 ? inside / total : nil
    }

    /// The share of the image a region covers: what a uniform map scores in `energyShare` (chance).
    public static func areaShare(_ region: [Float]) -> Double {
        Double(region.filter { $0 > 0.5 }.count) / Double(region.count)
    }

    /// Morphological dilation by a (2r+1)×(2r+1) square: a pixel joins the region when a region
    /// pixel lies within `radius` pixels in x and in y. [S, S] → [S, S], values 0/1.
    public static func dilate(_ region: [Float], side: Int, radius: Int) -> [Float] {
        precondition(region.count == side * side && radius >= 0, "region is not \(side)×\(side) or radius < 0")
        // Separable: rows, then columns.
        var rows = [Float](repeating: 0, count: region.count)
        for y in 0..<side {
            for x in 0..<side where region[y * side + x] > 0.5 {
                for xx in max(0, x - radius)...min(side - 1, x + radius) { rows[y * side + xx] = 1 }
            }
        }
        var out = [Float](repeating: 0, count: region.count)
        for y in 0..<side {
            for x in 0..<side where rows[y * side + x] > 0.5 {
                for yy in max(0, y - radius)...min(side - 1, y + radius) { out[yy * side + x] = 1 }
            }
        }
        return out
    }

    /// The pointing game's tolerance at side S: 15 pixels at 224² (Zhang et al., "Top-down neural
    /// attention by excitation backprop", IJCV 2018, §5.1), scaled to the side: 15 · S / 224 pixels.
    public static func pointingTolerance(side: Int) -> Double { 15 * Double(side) / 224 }

    /// Pointing game with tolerance (Zhang et al. 2018): a hit when the map's maximum lies within
    /// `tolerance` pixels (Euclidean, between pixel centres) of a target pixel. When several pixels
    /// share the maximum (tanh saturates at 1), each gets an equal share of the vote, so the score is
    /// the share of tied maxima that hit. nil when E is zero everywhere (it points nowhere).
    public static func pointingHit(explanation e: [Float], target: [Float], side: Int, tolerance: Double) -> Double? {
        precondition(
            e.count == side * side && target.count == e.count, "explanation and target are not \(side)×\(side)")
        let best = e.max() ?? 0
        guard best > 0 else { return nil }
        let reach = Int(tolerance.rounded(.down))
        var tied = 0
        var hits = 0
        for y in 0..<side {
            for x in 0..<side where e[y * side + x] == best {
                tied += 1
                var hit = false
                search: for yy in max(0, y - reach)...min(side - 1, y + reach) {
                    for xx in max(0, x - reach)...min(side - 1, x + reach) where target[yy * side + xx] > 0.5 {
                        let dx = Double(xx - x)
                        let dy = Double(yy - y)
                        if dx * dx + dy * dy <= tolerance * tolerance {
                            hit = true
                            break search
                        }
                    }
                }
                if hit { hits += 1 }
            }
        }
        return Double(hits) / Double(tied)
    }

    /// Share of pixels with E ≥ threshold, and mean E: how much of a map is switched on.
    public static func activity(explanation e: [Float], threshold: Float = threshold) -> (
        activeShare: Double, meanE: Double
    ) {
        precondition(!e.isEmpty, "empty explanation")
        var active = 0
        var total = 0.0
        for value in e {
            if value >= threshold { active += 1 }
            total += Double(value)
        }
        return (Double(active) / Double(e.count), total / Double(e.count))
    }
}
