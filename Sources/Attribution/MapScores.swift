// Every score of one explanation map of one image, as `xcnn evaluate` reports it (SPEC §5). Maps and
// masks are [S, S] row-major; E in [0, 1]. nil means "not defined for this image" (no target, no
// mask in the dataset, or E zero everywhere), never a silent 0.

public struct MapScores: Sendable, Equatable, Codable {
    /// Whether the image holds the target; nil when the dataset has neither masks nor boxes.
    public var hasTarget: Bool?
    /// Energy-based pointing game in the target's bounding box(es) (Score-CAM): Σ E in box ÷ Σ E.
    public var energyInBox: Double?
    /// What a uniform map scores there: the boxes' share of the image.
    public var uniformInBox: Double?
    /// The same inside the filled target polygon dilated by the outline's width (one pixel).
    public var energyInMask: Double?
    public var uniformInMask: Double?
    /// Pointing game with tolerance (Zhang et al. 2018: 15 px at 224², scaled): 1 hit, 0 miss, a
    /// share when maxima tie. Against the polygon mask, or the boxes when there is no mask.
    public var pointingHit: Double?
    /// IoU of {E ≥ 0.75} with the filled polygon mask.
    public var iou: Double?
    /// POMPOM (Rio-Torto et al., 2020): share of meaningful pixels (E ≥ 0.75) outside the mask.
    public var pompom: Double?
    /// Energy on the other shapes' outlines (DistractorOutlines: synthetic images only), Σ E there ÷
    /// Σ E, and what a uniform map scores there; nil without distractors or for other datasets.
    public var energyOnDistractors: Double?
    public var uniformOnDistractors: Double?
    /// Share of pixels with E ≥ 0.75, and mean E, over the whole image.
    public var activeShare: Double
    public var meanE: Double
    /// Deletion of the most-explained patches (Samek et al. 2017); nil when not measured.
    public var deletion: DeletionCurve?

    /// The outline is 1 px wide and its anti-aliasing reaches one pixel past the filled polygon's
    /// edge; one pixel at the evaluated side is also the least dilation there is when the set was
    /// drawn larger and resized down.
    public static let maskDilation = 1

    /// Scores a map against whatever ground truth the image has. targetMask: the filled target
    /// shape(s) (nil when the dataset has no masks); boxMask: 1 inside the target boxes (nil when
    /// it has no boxes). Both [S, S]. distractors: DistractorOutlines.region of the image (nil:
    /// not scored).
    public static func score(
        explanation e: [Float], side: Int, targetMask: [Float]?, boxMask: [Float]?,
        distractors: [Float]? = nil, deletion: DeletionCurve? = nil
    ) -> MapScores {
        precondition(e.count == side * side, "explanation is not \(side)×\(side)")
        let (active, mean) = ExplanationMetrics.activity(explanation: e)
        var s = MapScores(activeShare: active, meanE: mean, deletion: deletion)
        if let distractors {
            s.energyOnDistractors = ExplanationMetrics.energyShare(explanation: e, region: distractors) ?? 0
            s.uniformOnDistractors = ExplanationMetrics.areaShare(distractors)
        }
        guard let truth = targetMask ?? boxMask else { return s }
        let present = truth.contains { $0 > 0.5 }
        s.hasTarget = present
        guard present else { return s }
        if let boxMask {
            s.energyInBox = ExplanationMetrics.energyShare(explanation: e, region: boxMask)
            s.uniformInBox = ExplanationMetrics.areaShare(boxMask)
        }
        if let targetMask {
            let dilated = ExplanationMetrics.dilate(targetMask, side: side, radius: maskDilation)
            s.energyInMask = ExplanationMetrics.energyShare(explanation: e, region: dilated)
            s.uniformInMask = ExplanationMetrics.areaShare(dilated)
            let plain = ExplanationMetrics.score(explanation: e, targetMask: targetMask)
            s.iou = plain.iou
            s.pompom = plain.pompom
        }
        s.pointingHit = ExplanationMetrics.pointingHit(
            explanation: e, target: truth, side: side,
            tolerance: ExplanationMetrics.pointingTolerance(side: side))
        return s
    }

    public init(
        hasTarget: Bool? = nil, energyInBox: Double? = nil, uniformInBox: Double? = nil, energyInMask: Double? = nil,
        uniformInMask: Double? = nil, pointingHit: Double? = nil, iou: Double? = nil, pompom: Double? = nil,
        activeShare: Double, meanE: Double, deletion: DeletionCurve? = nil
    ) {
        self.hasTarget = hasTarget
        self.energyInBox = energyInBox
        self.uniformInBox = uniformInBox
        self.energyInMask = energyInMask
        self.uniformInMask = uniformInMask
        self.pointingHit = pointingHit
        self.iou = iou
        self.pompom = pompom
        self.activeShare = activeShare
        self.meanE = meanE
        self.deletion = deletion
    }
}

/// One evaluated image: the model's decision and the scores of every method's map.
public struct ImageEvaluation: Sendable, Equatable, Codable {
    /// Index in the dataset.
    public var index: Int
    public var label: Int
    public var predicted: Int
    /// The model's probability of `predicted`.
    public var probability: Double
    /// `label` and `predicted` by class name; filled in by the report.
    public var labelName: String?
    public var predictedName: String?
    /// One entry per method, in the order of the report's `methods`.
    public var scores: [MapScores]

    public init(index: Int, label: Int, predicted: Int, probability: Double, scores: [MapScores]) {
        self.index = index
        self.label = label
        self.predicted = predicted
        self.probability = probability
        self.scores = scores
    }
}
