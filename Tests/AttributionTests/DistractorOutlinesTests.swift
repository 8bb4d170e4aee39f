// The distractors' outlines read from a synthetic image, counted by hand on 8×8 images: what is
// drawn, what belongs to the target, both polarities, and the scores built on it.
import Attribution
import Testing

@Suite struct DistractorOutlinesTests {
    static let side = 8

    /// A planar [3, 8, 8] image of one colour with some pixels drawn in another.
    static func image(background: Float, ink: (Float, Float, Float), at pixels: [(x: Int, y: Int)]) -> [Float] {
        let plane = side * side
        var x = [Float](repeating: background, count: 3 * plane)
        for (px, py) in pixels {
            x[py * side + px] = ink.0
            x[plane + py * side + px] = ink.1
            x[2 * plane + py * side + px] = ink.2
        }
        return x
    }

    static func mask(_ pixels: [(x: Int, y: Int)]) -> [Float] {
        var m = [Float](repeating: 0, count: side * side)
        for (x, y) in pixels { m[y * side + x] = 1 }
        return m
    }

    static func set(_ region: [Float]) -> Set<Int> { Set(region.indices.filter { region[$0] > 0.5 }) }

    @Test func aDistractorsOutlineIsItsDrawnPixelsDilatedByOne() throws {
        // White background, a black vertical line at x = 0, rows 0–2.
        let line = [(x: 0, y: 0), (x: 0, y: 1), (x: 0, y: 2)]
        let region = try #require(
            DistractorOutlines.region(
                image: Self.image(background: 1, ink: (0, 0, 0), at: line), side: 8, targetMask: nil))
        // Dilated by one pixel: columns 0–1, rows 0–3.
        let expected = Set((0...3).flatMap { y in (0...1).map { x in y * 8 + x } })
        #expect(Self.set(region) == expected)
    }

    @Test func theTargetAndTwoPixelsAroundItAreNotADistractor() throws {
        // A green target pixel at (6, 6) with its filled mask there, a black distractor pixel at (1, 1).
        var x = Self.image(background: 1, ink: (0, 0, 0), at: [(x: 1, y: 1)])
        for (c, value) in [Float(0), 1, 0].enumerated() { x[c * 64 + 6 * 8 + 6] = value }
        let region = try #require(
            DistractorOutlines.region(image: x, side: 8, targetMask: Self.mask([(x: 6, y: 6)])))
        #expect(Self.set(region) == Set((0...2).flatMap { y in (0...2).map { x in y * 8 + x } }))
        // Only the target drawn: nothing to score.
        let alone = Self.image(background: 1, ink: (0, 1, 0), at: [(x: 6, y: 6)])
        #expect(DistractorOutlines.region(image: alone, side: 8, targetMask: Self.mask([(x: 6, y: 6)])) == nil)
        #expect(
            DistractorOutlines.region(
                image: Self.image(background: 1, ink: (0, 0, 0), at: []), side: 8, targetMask: nil) == nil)
    }

    @Test func eitherPolarityAndFaintAntiAliasingAreRead() throws {
        // White outlines on black, and a grey pixel 0.1 from the background that does not count.
        var x = Self.image(background: 0, ink: (1, 1, 1), at: [(x: 7, y: 7)])
        for c in 0..<3 { x[c * 64 + 0] = 0.1 }
        let region = try #require(DistractorOutlines.region(image: x, side: 8, targetMask: nil))
        #expect(Self.set(region) == [6 * 8 + 6, 6 * 8 + 7, 7 * 8 + 6, 7 * 8 + 7])
    }

    @Test func scoresGiveTheShareOfEOnTheOutlinesBesideAUniformMap() throws {
        let line = [(x: 0, y: 0), (x: 0, y: 1), (x: 0, y: 2)]
        let region = try #require(
            DistractorOutlines.region(
                image: Self.image(background: 1, ink: (0, 0, 0), at: line), side: 8, targetMask: nil))
        var e = [Float](repeating: 0, count: 64)
        e[0] = 0.5  // on the line
        e[63] = 1.5  // far from it
        let scores = MapScores.score(explanation: e, side: 8, targetMask: nil, boxMask: nil, distractors: region)
        #expect(scores.energyOnDistractors == 0.25)
        #expect(scores.uniformOnDistractors == 8.0 / 64)
        let blank = MapScores.score(
            explanation: [Float](repeating: 0, count: 64), side: 8, targetMask: nil, boxMask: nil, distractors: region)
        #expect(blank.energyOnDistractors == 0, "a map that is zero everywhere points nowhere")
        #expect(MapScores.score(explanation: e, side: 8, targetMask: nil, boxMask: nil).energyOnDistractors == nil)
        // The summary averages over the images with the target that have distractors only.
        let withoutTarget = scores
        var (a, b) = (scores, blank)
        a.hasTarget = true
        b.hasTarget = true
        let images = [a, b, withoutTarget, MapScores.score(explanation: e, side: 8, targetMask: nil, boxMask: nil)]
            .enumerated().map {
                ImageEvaluation(index: $0.offset, label: 0, predicted: 0, probability: 1, scores: [$0.element])
            }
        let summary = EvaluationReport(classes: ["a", "b"], methods: ["m"], images: images).summaries[0]
        #expect(summary.distractorImages == 2)
        #expect(summary.energyOnDistractors == 0.125 && summary.uniformOnDistractors == 0.125)
    }
}
