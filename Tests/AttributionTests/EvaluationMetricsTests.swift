// The metrics of `xcnn evaluate` on maps small enough to count by hand: region energy, dilation,
// the pointing game with tolerance, deletion curves (order, schedule, fill, AUC, AOPC), and the
// per-method and per-class summaries.
import Attribution
import Testing

@Suite struct EvaluationMetricsTests {
    /// Exact for these sums of a few short decimals in Double; 1e-9 leaves room for Float → Double.
    static func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-6) -> Bool {
        a.map { abs($0 - b) <= tolerance } ?? false
    }

    @Test func energyShareIsTheMapsEnergyInsideTheRegion() {
        // 3×3; region: the left column.
        let region: [Float] = [
            1, 0, 0,
            1, 0, 0,
            1, 0, 0,
        ]
        let e: [Float] = [
            0.5, 0.0, 0.0,
            0.25, 0.0, 0.25,
            0.0, 0.0, 1.0,
        ]
        #expect(Self.close(ExplanationMetrics.energyShare(explanation: e, region: region), 0.75 / 2.0))
        #expect(ExplanationMetrics.areaShare(region) == 3.0 / 9)
        // A uniform map scores the region's area share: chance.
        #expect(
            Self.close(
                ExplanationMetrics.energyShare(explanation: [Float](repeating: 0.3, count: 9), region: region), 1.0 / 3)
        )
        #expect(ExplanationMetrics.energyShare(explanation: [Float](repeating: 0, count: 9), region: region) == nil)
        // Negative values (none from tanh∘ReLU, but post-hoc maps have them) count as 0.
        #expect(
            Self.close(ExplanationMetrics.energyShare(explanation: [1, -5, 0, 0, 0, 0, 0, 0, 1], region: region), 0.5))
    }

    @Test func dilationGrowsARegionByASquare() {
        var centre = [Float](repeating: 0, count: 25)
        centre[12] = 1  // (2, 2) of 5×5
        let grown = ExplanationMetrics.dilate(centre, side: 5, radius: 1)
        let expected = (0..<25).map { i -> Float in (1...3).contains(i / 5) && (1...3).contains(i % 5) ? 1 : 0 }
        #expect(grown == expected)
        var corner = [Float](repeating: 0, count: 25)
        corner[0] = 1
        #expect(
            ExplanationMetrics.dilate(corner, side: 5, radius: 1).enumerated().filter { $0.element == 1 }.map(\.offset)
                == [0, 1, 5, 6])
        #expect(ExplanationMetrics.dilate(centre, side: 5, radius: 0) == centre)
        #expect(ExplanationMetrics.dilate(centre, side: 5, radius: 2).allSatisfy { $0 == 1 })
    }

    @Test func pointingGameToleranceIsFifteenPixelsAt224Scaled() {
        #expect(ExplanationMetrics.pointingTolerance(side: 224) == 15)
        #expect(abs(ExplanationMetrics.pointingTolerance(side: 64) - 15.0 * 64 / 224) < 1e-12)
    }

    @Test func pointingGameCountsAMaximumWithinTheToleranceAsAHit() {
        // 8×8, target pixel (x 1, y 1); the maximum at (x 4, y 5): distance √(9 + 16) = 5.
        var target = [Float](repeating: 0, count: 64)
        target[1 * 8 + 1] = 1
        var e = [Float](repeating: 0.1, count: 64)
        e[5 * 8 + 4] = 0.9
        #expect(ExplanationMetrics.pointingHit(explanation: e, target: target, side: 8, tolerance: 5) == 1)
        #expect(ExplanationMetrics.pointingHit(explanation: e, target: target, side: 8, tolerance: 4.99) == 0)
        // Two tied maxima, one within 1 px of the target and one far: half a hit.
        var tied = [Float](repeating: 0, count: 64)
        tied[1 * 8 + 2] = 1
        tied[7 * 8 + 7] = 1
        #expect(ExplanationMetrics.pointingHit(explanation: tied, target: target, side: 8, tolerance: 1) == 0.5)
        #expect(
            ExplanationMetrics.pointingHit(
                explanation: [Float](repeating: 0, count: 64), target: target, side: 8, tolerance: 3) == nil)
    }

    @Test func activityIsTheActiveShareAndMeanE() {
        let (active, mean) = ExplanationMetrics.activity(explanation: [0.75, 0.74, 1, 0.01])
        #expect(active == 0.5)
        #expect(Self.close(mean, 2.5 / 4))
    }

    // MARK: deletion

    /// 4×4 image, 2×2 patches (grid 2×2: patch 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right).
    static let map: [Float] = [
        0.1, 0.1, 0.9, 0.9,
        0.1, 0.1, 0.9, 0.9,
        0.5, 0.5, 0.1, 0.1,
        0.5, 0.5, 0.1, 0.1,
    ]

    @Test func deletionOrderIsByPatchEnergyWithTiesInGridOrder() {
        #expect(Deletion.order(explanation: Self.map, side: 4, patch: 2) == [1, 2, 0, 3])
        #expect(Deletion.order(explanation: [Float](repeating: 0.2, count: 16), side: 4, patch: 2) == [0, 1, 2, 3])
    }

    @Test func deletionScheduleSpreadsPatchesOverTheSteps() {
        #expect(Deletion.schedule(patches: 4, steps: 2) == [0, 2, 4])
        #expect(Deletion.schedule(patches: 4, steps: 8) == [0, 1, 2, 3, 4])  // capped at one patch per step
        #expect(Deletion.schedule(patches: 64, steps: 16) == (0...16).map { 4 * $0 })
        #expect(Deletion.schedule(patches: 5, steps: 2) == [0, 3, 5])  // round(2.5) = 3
    }

    @Test func deletedPatchesTakeTheImagesMeanColour() {
        // Channel c of pixel i is c + i/16; means: 7.5/16, 1 + 7.5/16, 2 + 7.5/16.
        let image = (0..<3).flatMap { c in (0..<16).map { Float(c) + Float($0) / 16 } }
        let fill = Deletion.fill(image: image, side: 4)
        let expected: [Float] = [7.5 / 16, 1 + 7.5 / 16, 2 + 7.5 / 16]
        #expect(fill == expected)
        let out = Deletion.delete(image: image, side: 4, patch: 2, order: [1, 2, 0, 3], count: 1, fill: fill)
        for c in 0..<3 {
            for i in 0..<16 {
                let inPatch1 = i / 4 < 2 && i % 4 >= 2
                #expect(out[c * 16 + i] == (inPatch1 ? fill[c] : image[c * 16 + i]))
            }
        }
    }

    @Test func deletionCurveAreaAndAOPCByHand() {
        // Channel 0 holds the evidence: 1 in patch 1 (the most explained), 0 elsewhere; the fill
        // is then 4/16 = 0.25. The stand-in classifier's p is the brightest channel-0 value.
        var image = [Float](repeating: 0, count: 48)
        for i in [2, 3, 6, 7] { image[i] = 1 }
        var calls: [Int] = []
        let curve = Deletion.curve(
            image: image, explanation: Self.map, side: 4, patch: 2, steps: 4, probability0: 1, batch: 3
        ) { stacked, n in
            calls.append(n)
            return (0..<n).map { k in Double(stacked[(k * 48)..<(k * 48 + 16)].max()!) }
        }
        #expect(calls == [3, 1])
        #expect(curve.deletedPatches == [0, 1, 2, 3, 4])
        #expect(curve.probabilities == [1, 0.25, 0.25, 0.25, 0.25])
        // Trapezoids of width 1/4: (1 + 0.25)/2 + 3 · 0.25, times 1/4.
        #expect(Self.close(curve.areaUnderCurve, 0.25 * (0.625 + 0.75)))
        // AOPC term: (0 + 4 · 0.75) / 5.
        #expect(Self.close(curve.perturbationCurveArea, 0.6))
        // Unequal steps are weighted by the share of patches they delete.
        let uneven = DeletionCurve(probabilities: [1, 0, 0], deletedPatches: [0, 1, 4])
        #expect(Self.close(uneven.areaUnderCurve, 0.25 * 0.5))
    }

    // MARK: one image, all scores

    @Test func mapScoresUseTheBoxForEnergyAndTheDilatedMaskBesideIt() {
        // 4×4: target pixel (1, 1); its box covers the top-left 2×2; the dilated mask the top-left 3×3.
        var mask = [Float](repeating: 0, count: 16)
        mask[5] = 1
        let box: [Float] = [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        var e = [Float](repeating: 0, count: 16)
        e[5] = 0.8  // on the target
        e[10] = 0.2  // (2, 2): in the dilated mask, outside the box
        e[15] = 1.0  // far corner: the maximum
        let s = MapScores.score(explanation: e, side: 4, targetMask: mask, boxMask: box)
        #expect(s.hasTarget == true)
        #expect(Self.close(s.energyInBox, 0.8 / 2.0) && s.uniformInBox == 4.0 / 16)
        #expect(Self.close(s.energyInMask, 1.0 / 2.0) && s.uniformInMask == 9.0 / 16)
        #expect(s.pointingHit == 0)  // tolerance at 4 px is 15·4/224 < 1 px: (3, 3) is far from (1, 1)
        #expect(s.iou == 0.5)  // active {5, 15}, mask {5}
        #expect(s.pompom == 0.5)
        #expect(s.activeShare == 2.0 / 16 && Self.close(s.meanE, 2.0 / 16))
        // A negative image: only activity.
        let negative = MapScores.score(
            explanation: e, side: 4, targetMask: [Float](repeating: 0, count: 16),
            boxMask: [Float](repeating: 0, count: 16))
        #expect(
            negative.hasTarget == false && negative.energyInBox == nil && negative.pointingHit == nil
                && negative.iou == nil)
        // No annotations at all: presence unknown.
        #expect(MapScores.score(explanation: e, side: 4, targetMask: nil, boxMask: nil).hasTarget == nil)
        // Boxes only (a VOC set without masks): box energy and pointing, no mask scores.
        let boxOnly = MapScores.score(explanation: e, side: 4, targetMask: nil, boxMask: box)
        #expect(
            boxOnly.energyInBox != nil && boxOnly.energyInMask == nil && boxOnly.iou == nil && boxOnly.pointingHit == 0)
    }

    @Test func summaryAveragesOverTargetsAndNegativesAndCountsAZeroMapAsAMiss() {
        let hit = MapScores(
            hasTarget: true, energyInBox: 0.6, uniformInBox: 0.1, energyInMask: 0.5, uniformInMask: 0.05,
            pointingHit: 1, iou: 0.4, pompom: 0.2, activeShare: 0.02, meanE: 0.1,
            deletion: DeletionCurve(probabilities: [1, 0.5, 0], deletedPatches: [0, 2, 4]))
        let zero = MapScores(
            hasTarget: true, energyInBox: nil, uniformInBox: 0.3, energyInMask: nil, uniformInMask: 0.15,
            pointingHit: nil, iou: 0, pompom: nil, activeShare: 0, meanE: 0,
            deletion: DeletionCurve(probabilities: [0.8, 0.8, 0.8], deletedPatches: [0, 2, 4]))
        let negative = MapScores(
            hasTarget: false, activeShare: 0.1, meanE: 0.3,
            deletion: DeletionCurve(probabilities: [0.9, 0.6, 0.3], deletedPatches: [0, 2, 4]))
        let images = [
            ImageEvaluation(index: 4, label: 1, predicted: 1, probability: 1, scores: [hit]),
            ImageEvaluation(index: 7, label: 1, predicted: 0, probability: 0.8, scores: [zero]),
            ImageEvaluation(index: 9, label: 0, predicted: 0, probability: 0.9, scores: [negative]),
        ]
        let report = EvaluationReport(classes: ["no-triangle", "triangle"], methods: ["explainer"], images: images)
        #expect(Self.close(report.accuracy, 2.0 / 3))
        #expect(report.perClass.map(\.name) == ["no-triangle", "triangle"])
        #expect(report.perClass.map(\.correct) == [1, 1] && report.perClass.map(\.images) == [1, 2])
        #expect(report.perImage.map(\.predictedName) == ["triangle", "no-triangle", "no-triangle"])
        let s = report.summaries[0]
        #expect(s.targetImages == 2 && s.negativeImages == 1)
        #expect(Self.close(s.energyInBox, 0.3) && Self.close(s.uniformInBox, 0.2))
        #expect(Self.close(s.energyInMask, 0.25) && Self.close(s.uniformInMask, 0.1))
        #expect(Self.close(s.pointingGame, 0.5) && Self.close(s.iou, 0.2))
        #expect(Self.close(s.pompom, 0.2) && s.pompomImages == 1)
        #expect(Self.close(s.negativesActiveShare, 0.1) && Self.close(s.negativesMeanE, 0.3))
        #expect(Self.close(s.activeShare, 0.04) && Self.close(s.meanE, 0.4 / 3))
        // AUCs 0.5, 0.8, 0.6; AOPC terms 0.5, 0, 0.3; mean curve by step.
        #expect(s.deletionImages == 3 && Self.close(s.deletionAUC, 1.9 / 3) && Self.close(s.aopc, 0.8 / 3))
        #expect(zip(s.deletionCurve ?? [], [2.7 / 3, 1.9 / 3, 1.1 / 3]).allSatisfy { abs($0 - $1) < 1e-12 })
    }
}
