// The polygon generator: places shapes and renders 1-pixel anti-aliased outlines for image i from
// its own random stream (seed, i), so any image can be made alone and always the same.

public struct SyntheticGenerator: Sendable {
    public let options: GeneratorOptions
    /// Label of every image (1 = target present), known without rendering.
    public let labels: [Int]

    public init(options: GeneratorOptions) throws {
        try options.validate()
        self.options = options
        if let positives = options.positives {
            // An exact count: the positives are the first `positives` entries of a seeded shuffle.
            var random = SeededRandom(seed: options.seed, stream: [RandomStream.labels.rawValue])
            var labels = [Int](repeating: 0, count: options.count)
            for index in random.permutation(options.count).prefix(positives) { labels[index] = 1 }
            self.labels = labels
        } else {
            labels = (0..<options.count).map { index in
                var random = SeededRandom(seed: options.seed, stream: [RandomStream.image.rawValue, UInt64(index)])
                return random.unit() < 0.5 ? 1 : 0
            }
        }
    }

    public var count: Int { options.count }

    /// VOC id of image `index`: zero-padded to at least six digits, as VOC ids are.
    public func id(of index: Int) -> String {
        let digits = max(6, String(max(0, options.count - 1)).count)
        let text = String(index)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    public func image(at index: Int) -> SyntheticImage {
        var random = stream(of: index)
        let positive = labels[index] == 1
        let shapes = place(positive: positive, random: &random)
        return render(index: index, shapes: shapes, positive: positive, random: &random)
    }

    /// The kinds of the shapes image `index` holds, in drawing order, without rendering it.
    public func shapeKinds(at index: Int) -> [ShapeKind] {
        var random = stream(of: index)
        return place(positive: labels[index] == 1, random: &random).map(\.kind)
    }

    /// The radius of each shape image `index` holds, in drawing order, in pixels.
    public func radii(at index: Int) -> [Double] {
        var random = stream(of: index)
        return place(positive: labels[index] == 1, random: &random).map(\.radius)
    }

    private func stream(of index: Int) -> SeededRandom {
        precondition(index >= 0 && index < options.count, "image index \(index) outside 0..<\(options.count)")
        var random = SeededRandom(seed: options.seed, stream: [RandomStream.image.rawValue, UInt64(index)])
        // The first draw is the label in the Bernoulli case; it is drawn either way so that
        // the rest of the stream does not depend on how labels were chosen.
        _ = random.unit()
        return random
    }

    private func kinds(positive: Bool, count: Int, random: inout SeededRandom) -> [ShapeKind] {
        (0..<count).map { slot in
            if positive && slot == 0 { return options.target }
            if options.simplified { return .circle }
            let pool = positive ? [options.target] + options.distractors : options.distractors
            return pool[random.below(pool.count)]
        }
    }

    private func place(positive: Bool, random: inout SeededRandom) -> [PlacedShape] {
        let side = Double(options.side)
        let count = random.integer(in: options.shapesPerImage)
        var placed: [PlacedShape] = []
        for kind in kinds(positive: positive, count: count, random: &random) {
            let radius =
                options.wholeRadius
                ? Double(
                    random.integer(
                        in: Int(
                            options.radius.lowerBound.rounded(.up))...(Int(options.radius.upperBound.rounded(.up)) - 1))
                )
                : random.uniform(options.radius.lowerBound, options.radius.upperBound)
            // Turning a p-gon by 2π/p maps it onto itself, so that range covers every pose.
            let rotation =
                options.rotate && !kind.isCircle ? random.uniform(0, 2 * Double.pi / Double(kind.vertices)) : 0
            let margin = options.allowBorderOcclusion ? 0 : radius + 1
            for _ in 0..<options.placementAttempts {
                let x = random.uniform(margin, side - margin)
                let y = random.uniform(margin, side - margin)
                // Bounding circles plus one pixel of anti-aliasing on each outline.
                let free =
                    options.allowOverlap
                    || placed.allSatisfy { other in
                        let dx = other.centreX - x
                        let dy = other.centreY - y
                        return (dx * dx + dy * dy).squareRoot() >= other.radius + radius + 2
                    }
                if free {
                    placed.append(PlacedShape(kind: kind, centreX: x, centreY: y, radius: radius, rotation: rotation))
                    break
                }
            }
        }
        return placed
    }

    private func render(index: Int, shapes: [PlacedShape], positive: Bool, random: inout SeededRandom) -> SyntheticImage
    {
        let side = options.side
        let background = options.background.unit
        var canvas = [Double](unsafeUninitializedCapacity: side * side * 3) { buffer, initialised in
            for p in 0..<(side * side) {
                buffer[3 * p] = background.0
                buffer[3 * p + 1] = background.1
                buffer[3 * p + 2] = background.2
            }
            initialised = side * side * 3
        }
        var mask = [UInt8](repeating: 0, count: side * side)
        // 1 where an outline changed the canvas; everywhere else it still holds the background.
        var changed = [UInt8](repeating: 0, count: side * side)
        var objects: [AnnotatedObject] = []
        for shape in shapes {
            let isTarget = shape.kind == options.target
            let colour = (isTarget ? options.targetColour : nil) ?? options.shapeColour
            let box = draw(
                shape, colour: colour.unit, into: &canvas, changed: &changed, mask: &mask, marksMask: isTarget)
            let (x0, y0, x1, y1) = shape.extent
            let cut = x0 - 0.5 < 0 || y0 - 0.5 < 0 || x1 + 0.5 > Double(side) || y1 + 0.5 > Double(side)
            objects.append(AnnotatedObject(name: shape.kind.name, box: box, truncated: cut))
        }
        let rgb: [UInt8]
        if options.noise > 0 {
            // Every sample draws its noise in order, so the whole canvas is converted.
            rgb = canvas.map { value in Self.byte(value + options.noise * random.normal()) }
        } else {
            // Pixels no outline changed hold the background exactly, which converts to the same
            // bytes everywhere: fill those, then convert the changed pixels (each once).
            let fill = [Self.byte(background.0), Self.byte(background.1), Self.byte(background.2)]
            var bytes = [UInt8](unsafeUninitializedCapacity: side * side * 3) { buffer, initialised in
                for p in 0..<(side * side) {
                    buffer[3 * p] = fill[0]
                    buffer[3 * p + 1] = fill[1]
                    buffer[3 * p + 2] = fill[2]
                }
                initialised = side * side * 3
            }
            canvas.withUnsafeBufferPointer { canvas in
                bytes.withUnsafeMutableBufferPointer { bytes in
                    for shape in shapes {
                        let range = shape.pixelRange(side: side)
                        for y in range.y {
                            for p in (y * side + range.x.lowerBound)..<(y * side + range.x.upperBound)
                            where changed[p] != 0 {
                                changed[p] = 0
                                bytes[3 * p] = Self.byte(canvas[3 * p])
                                bytes[3 * p + 1] = Self.byte(canvas[3 * p + 1])
                                bytes[3 * p + 2] = Self.byte(canvas[3 * p + 2])
                            }
                        }
                    }
                }
            }
            rgb = bytes
        }
        return SyntheticImage(
            index: index, id: id(of: index), side: side, rgb: rgb, label: positive ? 1 : 0,
            objects: objects, targetMask: mask, targetName: options.target.name)
    }

    /// One canvas value (nominally in [0, 1]) as an 8-bit level, clamped and rounded to nearest.
    private static func byte(_ value: Double) -> UInt8 { UInt8((min(1, max(0, value)) * 255).rounded()) }

    /// Blends one outline over the canvas with coverage max(0, 1 − distance): the area a 1-pixel
    /// line covers of a pixel whose centre is that far away. Returns the tight box of the pixels
    /// it changed by at least one 8-bit level (coverage ≥ 1/255), which it also marks in `changed`.
    /// A target also marks its filled area (interior or coverage ≥ ½) in `mask`.
    private func draw(
        _ shape: PlacedShape, colour: (Double, Double, Double), into canvas: inout [Double],
        changed: inout [UInt8], mask: inout [UInt8], marksMask: Bool
    ) -> PixelBox {
        let side = options.side
        let range = shape.pixelRange(side: side)
        var box = (minX: Int.max, minY: Int.max, maxX: Int.min, maxY: Int.min)
        for y in range.y {
            for x in range.x {
                let cx = Double(x) + 0.5
                let cy = Double(y) + 0.5
                let coverage = max(0, 1 - shape.outlineDistance(cx, cy))
                if marksMask, coverage >= 0.5 || shape.contains(cx, cy) { mask[y * side + x] = 255 }
                guard coverage >= 1.0 / 255 else { continue }
                let p = 3 * (y * side + x)
                canvas[p] += coverage * (colour.0 - canvas[p])
                canvas[p + 1] += coverage * (colour.1 - canvas[p + 1])
                canvas[p + 2] += coverage * (colour.2 - canvas[p + 2])
                changed[y * side + x] = 1
                box = (min(box.minX, x), min(box.minY, y), max(box.maxX, x), max(box.maxY, y))
            }
        }
        if box.minX == Int.max {
            // Nothing visible (possible only for a shape almost entirely outside): use its clipped extent.
            box = (
                range.x.lowerBound, range.y.lowerBound, max(range.x.lowerBound, range.x.upperBound - 1),
                max(range.y.lowerBound, range.y.upperBound - 1)
            )
        }
        return PixelBox(xmin: box.minX + 1, ymin: box.minY + 1, xmax: box.maxX + 1, ymax: box.maxY + 1)
    }
}
