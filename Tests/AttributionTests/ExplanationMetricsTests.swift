// Explanation metrics on hand-made 4×4 maps whose scores can be counted by eye.
import Attribution
import Testing

@Suite struct ExplanationMetricsTests {
    // Target: the top-left 2×2 block.
    static let mask: [Float] = [1, 1, 0, 0,
                                1, 1, 0, 0,
                                0, 0, 0, 0,
                                0, 0, 0, 0]

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
        let e: [Float] = [0.8, 0.8, 0.8, 0.0,
                          0.1, 0.1, 0.0, 0.0,
                          0.0, 0.0, 0.0, 0.0,
                          0.0, 0.0, 0.0, 0.9]
        let s = ExplanationMetrics.score(explanation: e, targetMask: Self.mask)
        #expect(s.activeShare == 4.0 / 16)
        #expect(abs(s.energyInside! - 1.8 / 3.5) < 1e-6)   // (0.8+0.8+0.1+0.1) / total 3.5
        #expect(s.pointingHit == 0)                          // the maximum 0.9 is outside
        #expect(s.pompom == 0.5)                             // 2 of 4 active pixels outside
        #expect(s.iou == 2.0 / 6)                            // 2 shared; 4 target + 2 outside active
    }

    @Test func emptyMapHasUndefinedRatios() {
        let s = ExplanationMetrics.score(explanation: [Float](repeating: 0, count: 16), targetMask: Self.mask)
        #expect(s.activeShare == 0 && s.energyInside == nil && s.pointingHit == nil && s.pompom == nil)
        #expect(s.iou == 0)
    }
}
