// The polygon generator: determinism, every option's effect, tight boxes and target masks.
import Datasets
import Foundation
import Testing

@Suite struct SyntheticGeneratorTests {
    @Test func sameSeedGivesSameImagesAndOtherSeedsDiffer() throws {
        let a = try SyntheticGenerator(options: TestSupport.smallOptions(seed: 1))
        let b = try SyntheticGenerator(options: TestSupport.smallOptions(seed: 1))
        let c = try SyntheticGenerator(options: TestSupport.smallOptions(seed: 2))
        for i in 0..<a.count {
            #expect(a.image(at: i).rgb == b.image(at: i).rgb)
            #expect(a.image(at: i).objects == b.image(at: i).objects)
        }
        #expect((0..<a.count).contains { a.image(at: $0).rgb != c.image(at: $0).rgb })
        // Image i does not depend on which images were made before it.
        #expect(a.image(at: 5).rgb == b.image(at: 5).rgb)
        #expect(a.image(at: 3).rgb != a.image(at: 4).rgb)
    }

    @Test func exactPositivesGivesThatManyPositives() throws {
        var options = TestSupport.smallOptions(count: 40)
        options.positives = 13
        let generator = try SyntheticGenerator(options: options)
        #expect(generator.labels.reduce(0, +) == 13)
        for i in 0..<generator.count {
            #expect(generator.image(at: i).label == generator.labels[i])
        }
    }

    @Test func simplifiedModePutsTheTargetFirstAndCirclesElsewhere() throws {
        let generator = try SyntheticGenerator(options: TestSupport.smallOptions(count: 30))
        let labels = generator.labels
        #expect(labels.contains(0) && labels.contains(1))
        for i in 0..<generator.count {
            let names = generator.image(at: i).objects.map(\.name)
            #expect((2...5).contains(names.count))
            #expect(names.dropFirst().allSatisfy { $0 == "circle" })
            #expect((names.first == "triangle") == (labels[i] == 1))
        }
    }

    @Test func fullModeDrawsDistractorsAndKeepsTheTargetOutOfNegatives() throws {
        var options = TestSupport.smallOptions(count: 30, side: 64)
        options.simplified = false
        options.target = .pentagram
        options.distractors = [.circle, .triangle, .square]
        let generator = try SyntheticGenerator(options: options)
        var seen = Set<String>()
        for i in 0..<generator.count {
            let names = generator.image(at: i).objects.map(\.name)
            seen.formUnion(names)
            #expect(names.contains("star5-2") == (generator.labels[i] == 1))
        }
        #expect(seen == ["star5-2", "circle", "triangle", "square"])
    }

    @Test func boxesAreTightAroundTheDrawnOutline() throws {
        var options = TestSupport.smallOptions(count: 12)
        options.shapesPerImage = 1...1
        options.allowBorderOcclusion = true
        options.simplified = false
        options.distractors = [.circle, .pentagram]
        let generator = try SyntheticGenerator(options: options)
        for i in 0..<generator.count {
            let image = generator.image(at: i)
            let box = try #require(image.objects.first).box
            // Background is white (the authors' polarity): a pixel is drawn when any channel is below 255.
            var drawn = (xmin: Int.max, ymin: Int.max, xmax: Int.min, ymax: Int.min)
            for y in 0..<image.side {
                for x in 0..<image.side
                where image.rgb[3 * (y * image.side + x)..<3 * (y * image.side + x) + 3].contains(where: { $0 < 255 }) {
                    drawn = (
                        min(drawn.xmin, x + 1), min(drawn.ymin, y + 1), max(drawn.xmax, x + 1), max(drawn.ymax, y + 1)
                    )
                }
            }
            #expect(PixelBox(xmin: drawn.xmin, ymin: drawn.ymin, xmax: drawn.xmax, ymax: drawn.ymax) == box)
        }
    }

    @Test func borderOcclusionAndTruncationGoTogether() throws {
        var options = TestSupport.smallOptions(count: 40, side: 32)
        options.shapesPerImage = 6...6
        let inside = try SyntheticGenerator(options: options)
        #expect((0..<inside.count).allSatisfy { i in inside.image(at: i).objects.allSatisfy { !$0.truncated } })
        options.allowBorderOcclusion = true
        let cut = try SyntheticGenerator(options: options)
        let objects = (0..<cut.count).flatMap { cut.image(at: $0).objects }
        #expect(objects.contains { $0.truncated })
        #expect(objects.allSatisfy { $0.box.xmin >= 1 && $0.box.ymin >= 1 && $0.box.xmax <= 32 && $0.box.ymax <= 32 })
    }

    @Test func withoutOverlapCirclesKeepApart() throws {
        var options = TestSupport.smallOptions(count: 20, side: 64)
        options.shapesPerImage = 8...8
        options.allowOverlap = false
        let generator = try SyntheticGenerator(options: options)
        for i in 0..<generator.count {
            let circles = generator.image(at: i).objects.filter { $0.name == "circle" }.map(\.box)
            for a in circles.indices {
                for b in circles.indices where a < b {
                    let (p, q) = (circles[a], circles[b])
                    let dx = Double(p.xmin + p.xmax - q.xmin - q.xmax) / 2
                    let dy = Double(p.ymin + p.ymax - q.ymin - q.ymax) / 2
                    // Outline boxes are 2r + ~2 wide: centres at least r1 + r2 + 2 apart means this,
                    // less a pixel of rounding on each box.
                    let reach = Double(p.xmax - p.xmin + q.xmax - q.xmin) / 2
                    #expect((dx * dx + dy * dy).squareRoot() >= reach - 1)
                }
            }
        }
    }

    @Test func colourCueDrawsOnlyTheTargetInItsColour() throws {
        var options = TestSupport.smallOptions(count: 10)
        options.targetColour = .green
        let generator = try SyntheticGenerator(options: options)
        for i in 0..<generator.count {
            let image = generator.image(at: i)
            // Black outlines on white stay grey (r = g = b); only green blended over white has g > r.
            let greenish = stride(from: 0, to: image.rgb.count, by: 3).filter { image.rgb[$0 + 1] > image.rgb[$0] }
            #expect(greenish.isEmpty == (image.label == 0))
            for p in greenish {
                let x = (p / 3) % image.side + 1
                let y = (p / 3) / image.side + 1
                #expect(image.targetBoxes.contains { $0.xmin <= x && x <= $0.xmax && $0.ymin <= y && y <= $0.ymax })
            }
        }
    }

    @Test func targetMaskFillsTheTargetAndIsEmptyInNegatives() throws {
        let generator = try SyntheticGenerator(options: TestSupport.smallOptions(count: 16))
        for i in 0..<generator.count {
            let image = generator.image(at: i)
            let marked = image.targetMask.indices.filter { image.targetMask[$0] != 0 }
            #expect(marked.isEmpty == (image.label == 0))
            let boxes = image.targetBoxes
            for p in marked {
                let x = p % image.side + 1
                let y = p / image.side + 1
                #expect(boxes.contains { $0.xmin <= x && x <= $0.xmax && $0.ymin <= y && y <= $0.ymax })
            }
            // Filled, not just an outline: more pixels than the box's perimeter would hold.
            if let box = boxes.first { #expect(marked.count > (box.xmax - box.xmin) * 2) }
        }
    }

    @Test func noiseChangesTheBackgroundDeterministically() throws {
        var options = TestSupport.smallOptions(count: 2)
        options.noise = 0.05
        let a = try SyntheticGenerator(options: options).image(at: 0)
        let b = try SyntheticGenerator(options: options).image(at: 0)
        #expect(a.rgb == b.rgb)
        #expect(a.rgb.filter { $0 < 255 }.count > a.rgb.count / 4)
        options.noise = 0
        #expect(try SyntheticGenerator(options: options).image(at: 0).rgb.filter { $0 < 255 }.count < a.rgb.count / 4)
    }

    /// Drawn pixels (ink, 255 − red channel, above `threshold`: outlines are dark on white) in row
    /// `y` between columns `xs` (0-based).
    static func drawn(_ image: SyntheticImage, row y: Int, columns xs: ClosedRange<Int>, threshold: UInt8 = 127) -> Int
    {
        xs.filter { 255 - image.rgb[3 * (y * image.side + $0)] > threshold }.count
    }

    @Test func rotationOffPointsAVertexUpAndRotationOnTurnsShapes() throws {
        var options = TestSupport.smallOptions(count: 8, side: 64)
        options.rotate = false
        options.positives = 8
        options.shapesPerImage = 1...1
        options.radius = 12..<16
        // Upright: a vertex (a few pixels) on the top row of the box, a full edge at the bottom.
        func upright(_ image: SyntheticImage) throws -> Bool {
            let box = try #require(image.targetBoxes.first)
            let columns = (box.xmin - 1)...(box.xmax - 1)
            // The flat edge falls between two rows, so the brighter of the last two is the edge.
            let edge = max(
                Self.drawn(image, row: box.ymax - 1, columns: columns),
                Self.drawn(image, row: box.ymax - 2, columns: columns))
            return Self.drawn(image, row: box.ymin - 1, columns: columns, threshold: 0) <= 3
                && edge >= columns.count / 2
        }
        let fixed = try SyntheticGenerator(options: options)
        #expect(try (0..<8).allSatisfy { try upright(fixed.image(at: $0)) })
        options.rotate = true
        let turned = try SyntheticGenerator(options: options)
        #expect(try (0..<8).filter { try upright(turned.image(at: $0)) }.count < 4)
    }

    @Test func shapeNamesParseBack() {
        #expect(ShapeKind(name: "triangle") == .triangle)
        #expect(ShapeKind(name: "star5-2") == .pentagram)
        #expect(ShapeKind(name: "5/2") == .pentagram)
        #expect(ShapeKind(name: "circle") == .circle)
        #expect(ShapeKind(vertices: 7, step: 3)?.name == "star7-3")
        #expect(ShapeKind(name: "polygon12")?.vertices == 12)
        #expect(ShapeKind(name: "star4-2") == nil)
        #expect(ShapeKind(name: "blob") == nil)
        #expect(Colour("#ff8000") == Colour(red: 255, green: 128, blue: 0))
        #expect(Colour("#ff8000")?.description == "#ff8000")
    }

    @Test func presetsAreThePapersDatasetAsTheAuthorsDrawIt() throws {
        for name in GeneratorOptions.presetNames where name.hasPrefix("paper") {
            let options = try #require(GeneratorOptions.preset(named: name))
            #expect(options.count == 1000 && options.side == 224 && options.target == .triangle)
            // randint(7, 20): whole radii 7–19.
            #expect(options.shapesPerImage == 3...19 && options.radius == 7..<20 && options.wholeRadius)
            #expect(options.allowOverlap && options.simplified)
            #expect(options.background == .white && options.shapeColour == .black)
            #expect(options.targetColour == (name == "paper-colour" ? .green : nil))
        }
        #expect(GeneratorOptions.preset(named: "paper") == nil)
    }

    @Test func smallPresetsDifferOnlyInTheColourCue() throws {
        let colour = try #require(GeneratorOptions.preset(named: "small-colour-64"))
        let plain = try #require(GeneratorOptions.preset(named: "small-no-colour-64"))
        for options in [colour, plain] {
            #expect(options.side == 64 && options.count == 800 && options.target == .triangle)
            #expect(
                options.shapesPerImage == 1...4 && options.radius == 7..<15 && options.wholeRadius && options.simplified
            )
            #expect(options.background == .white && options.shapeColour == .black)
            try options.validate()
        }
        #expect(colour.targetColour == .green && plain.targetColour == nil)
        var same = colour
        same.targetColour = nil
        #expect(same == plain)
    }

    @Test func authorsPolarityDrawsGreyAntiAliasedOutlinesOnWhite() throws {
        let generator = try SyntheticGenerator(
            options: GeneratorOptions.small(colourCue: false, seed: 3).with { $0.count = 6 })
        for i in 0..<generator.count {
            let rgb = generator.image(at: i).rgb
            let pixels = stride(from: 0, to: rgb.count, by: 3).map { (rgb[$0], rgb[$0 + 1], rgb[$0 + 2]) }
            // Black blended over white: grey levels only, mostly background, with full black and
            // intermediate (anti-aliased) levels on the outlines.
            #expect(pixels.allSatisfy { $0.0 == $0.1 && $0.1 == $0.2 })
            #expect(pixels.filter { $0.0 == 255 }.count > pixels.count * 3 / 4)
            #expect(pixels.contains { $0.0 < 32 } && pixels.contains { $0.0 > 64 && $0.0 < 192 })
        }
    }

    @Test func wholeRadiusDrawsTheAuthorsIntegerRadii() throws {
        var options = TestSupport.smallOptions(count: 40, side: 64)
        options.radius = 7..<10
        let whole = try SyntheticGenerator(options: options)
        let radii = (0..<whole.count).flatMap { whole.radii(at: $0) }
        #expect(Set(radii) == [7, 8, 9])
        options.wholeRadius = false
        let real = try SyntheticGenerator(options: options)
        let realRadii = (0..<real.count).flatMap { real.radii(at: $0) }
        #expect(realRadii.allSatisfy { $0 >= 7 && $0 < 10 } && realRadii.contains { $0 != $0.rounded() })
        options.wholeRadius = true
        options.radius = 7.2..<7.9
        #expect(throws: DatasetError.self) { try SyntheticGenerator(options: options) }
    }

    @Test func optionsRoundTripThroughJSONWithReadableShapesAndColours() throws {
        var options = GeneratorOptions.paper(colourCue: true, seed: 11)
        options.distractors = [.circle, ShapeKind(vertices: 7, step: 3)!]
        let json = try JSONEncoder().encode(options)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"star7-3\"") && text.contains("\"#00ff00\""))
        #expect(try JSONDecoder().decode(GeneratorOptions.self, from: json) == options)
        let broken = Data(text.replacingOccurrences(of: "\"triangle\"", with: "\"star4-2\"").utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(GeneratorOptions.self, from: broken) }
    }

    @Test func inconsistentOptionsAreRefusedByName() {
        var options = TestSupport.smallOptions()
        options.radius = 30..<40
        #expect(throws: DatasetError.self) { try SyntheticGenerator(options: options) }
        options = TestSupport.smallOptions()
        options.positives = 9
        let error = #expect(throws: DatasetError.self) { try SyntheticGenerator(options: options) }
        #expect(error?.path == "option positives")
    }
}
