// Explanation metrics on hand-made 4×4 maps whose scores can be counted by eye.
import Attribution
import Testing

@Suite struct ExplanationMetricsTests {
    // Target: the top-left 2×2 block.
    static let mask: [Float] = [
        1, 1, 0, 0,
        1, 1, 0, 0,
        0, 0, 0, 0,
        0, 0, 0, 0,
    ]

    @Test func perfectMapScoresPerfectly() {
        let s = ExplanationMetrics.score(explanation: Self.mask.map { $0 * 0.9 }, targetMask: Self.mask)
        #expect(s.activeShare == 4.0 / 16)
        #expect(s.energyInside == 1)
        #expect(s.pointingHit == 1)
        #expect(s.pompom == 0)
        #expect(s.iou == 1)
    }

    @Test func mapSpillingOutsideIsPenalised() {
        // Active on the target's top row and two pixels outside; weak energy elsewhere on target.
        let e: [Float] = [
            0.8, 0.8, 0.8, 0.0,
            0.1, 0.1, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.9,
        ]
        let s = ExplanationMetrics.score(explanation: e, targetMask: Self.mask)
        #expect(s.activeShare == 4.0 / 16)
        #expect(abs(s.energyInside! - 1.8 / 3.5) < 1e-6)  // (0.8+0.8+0.1+0.1) / total 3.5
        #expect(s.pointingHit == 0)  // the maximum 0.9 is outside
        #expect(s.pompom == 0.5)  // 2 of 4 active pixels outside
        #expect(s.iou == 2.0 / 6)  // 2 shared; 4 target + 2 outside active
    }

    @Test func emptyMapHasUndefinedRatios() {
        let s = ExplanationMetrics.score(explanation: [Float](repeating: 0, count: 16), targetMask: Self.mask)
        #expect(s.activeShare == 0 && s.energyInside == nil && s.pointingHit == nil && s.pompom == nil)
        #expect(s.iou == 0)
    }
}

@Suite struct PointingGameTieTests {
    @Test func tiedMaximaShareTheVote() {
        // A saturated plateau (E = 1) over the whole top half: 4 of its 8 pixels are on the
        // top-left 2×2 target. Taking the first maximum in raster order would score a hit (pixel 0
        // is on the target) and moving the target right would score a miss for the same map.
        let mask: [Float] = [
            1, 1, 0, 0,
            1, 1, 0, 0,
            0, 0, 0, 0,
            0, 0, 0, 0,
        ]
        let e: [Float] = [
            1, 1, 1, 1,
            1, 1, 1, 1,
            0.2, 0, 0, 0,
            0, 0, 0, 0,
        ]
        #expect(ExplanationMetrics.score(explanation: e, targetMask: mask).pointingHit == 0.5)
        let shifted: [Float] = [
            0, 0, 1, 1,
            0, 0, 1, 1,
            0, 0, 0, 0,
            0, 0, 0, 0,
        ]
        #expect(ExplanationMetrics.score(explanation: e, targetMask: shifted).pointingHit == 0.5)
    }
}

@Suite struct ExplanationSummaryTests {
    @Test func summaryAveragesOverTargetsAndCountsEmptyMapsAsMisses() {
        let mask: [Float] = [
            1, 1, 0, 0,
            1, 1, 0, 0,
            0, 0, 0, 0,
            0, 0, 0, 0,
        ]
        var summary = ExplanationSummary()
        summary.add(explanation: mask.map { $0 * 0.9 }, targetMask: mask)  // perfect
        summary.add(explanation: [Float](repeating: 0, count: 16), targetMask: mask)  // E zero everywhere
        var outside = [Float](repeating: 0, count: 16)
        outside[15] = 0.8
        summary.add(explanation: outside, targetMask: [Float](repeating: 0, count: 16))  // no target
        #expect(summary.targets == 2 && summary.empties == 1)
        #expect(summary.meanEnergyInside == 0.5)  // (1 + 0) / 2
        #expect(summary.meanTargetArea == 0.25)  // 4 of 16 pixels: a uniform map's score
        #expect(summary.pointingGame == 0.5)
        #expect(summary.meanIoU == 0.5)
        #expect(summary.meanEmptyActiveShare == 1.0 / 16)
    }
}
