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

    public static func score(explanation e: [Float], targetMask mask: [Float], threshold: Float = threshold) -> ExplanationScores {
        precondition(e.count == mask.count && !e.isEmpty, "explanation and mask sizes differ: \(e.count) vs \(mask.count)")
        var total = 0.0, inside = 0.0
        var active = 0, activeOutside = 0, intersection = 0, union = 0
        var best: Float = -1
        for i in e.indices {
            let value = max(e[i], 0)
            let onTarget = mask[i] > 0.5
            total += Double(value)
            if onTarget { inside += Double(value) }
            best = max(best, value)
            let isActive = value >= threshold
            if isActive { active += 1; if !onTarget { activeOutside += 1 } }
            if isActive && onTarget { intersection += 1 }
            if isActive || onTarget { union += 1 }
        }
        // Ties at the maximum are common once tanh saturates; taking the first in raster order would
        // score a plateau by its top-left pixel, so every tied pixel gets an equal share of the vote.
        var tied = 0, tiedOnTarget = 0
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
