// Scores of many images folded into the figures `xcnn explain` prints: over images with a target,
// mean energy inside it beside what a uniform map would score, pointing game and IoU; over images
// without one, how much of E is still switched on.

public struct ExplanationSummary: Sendable, Equatable {
    /// Images with a non-empty target mask.
    public private(set) var targets = 0
    /// Σ energy inside the target; an all-zero map counts 0 (it points nowhere).
    public private(set) var energyInside = 0.0
    /// Σ target area ÷ image area: the energy inside that a uniform map would score.
    public private(set) var targetArea = 0.0
    /// Σ pointing hits; an all-zero map counts as a miss.
    public private(set) var pointingHits = 0.0
    /// Σ IoU of the thresholded map with the target.
    public private(set) var iou = 0.0
    /// Images without a target, and Σ of their active share (E ≥ threshold).
    public private(set) var empties = 0
    public private(set) var emptyActiveShare = 0.0

    public init() {}

    /// Adds one image; `mask` nil or all zero means an image without the target.
    public mutating func add(explanation e: [Float], targetMask mask: [Float]?) {
        if let mask, mask.contains(where: { $0 > 0.5 }) {
            add(ExplanationMetrics.score(explanation: e, targetMask: mask), targetArea: Self.targetArea(mask))
        } else {
            add(
                activeShareWithoutTarget: Double(e.filter { $0 >= ExplanationMetrics.threshold }.count)
                    / Double(e.count))
        }
    }

    /// Adds an image with a target, already scored (`targetArea`: the mask's share of the image).
    public mutating func add(_ scores: ExplanationScores, targetArea area: Double) {
        targets += 1
        energyInside += scores.energyInside ?? 0
        targetArea += area
        pointingHits += scores.pointingHit ?? 0
        iou += scores.iou ?? 0
    }

    /// Adds an image without a target by the share of its map that is active.
    public mutating func add(activeShareWithoutTarget share: Double) {
        empties += 1
        emptyActiveShare += share
    }

    /// The share of the image a target mask covers.
    public static func targetArea(_ mask: [Float]) -> Double {
        Double(mask.filter { $0 > 0.5 }.count) / Double(mask.count)
    }

    public var meanEnergyInside: Double? { targets > 0 ? energyInside / Double(targets) : nil }
    public var meanTargetArea: Double? { targets > 0 ? targetArea / Double(targets) : nil }
    public var pointingGame: Double? { targets > 0 ? pointingHits / Double(targets) : nil }
    public var meanIoU: Double? { targets > 0 ? iou / Double(targets) : nil }
    public var meanEmptyActiveShare: Double? { empties > 0 ? emptyActiveShare / Double(empties) : nil }
}
