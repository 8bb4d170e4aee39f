// Every option of the synthetic polygon generator (SPEC §3), the paper's presets, and validation.

/// What the generator draws. Defaults are the paper's dataset without the colour cue, drawn as the
/// authors' generator draws it (icrto/xML, `Synthetic Dataset/`): black 1-px anti-aliased outlines
/// on a white (255) background. Codable, so a run's configuration can record exactly which set it
/// trained on.
public struct GeneratorOptions: Hashable, Codable, Sendable {
    /// Width and height of every image, in pixels.
    public var side = 224
    /// Number of images in the set.
    public var count = 1000
    /// Shapes per image, drawn uniformly from this range (a single value for a fixed count).
    /// Without overlap a shape that finds no free place after `placementAttempts` is left out.
    public var shapesPerImage: ClosedRange<Int> = 3...19
    /// Outline radius (centre to vertex) in pixels, uniform in [lower, upper).
    public var radius: Range<Double> = 7..<20
    /// Draw the radius as a whole number of pixels in [lower, upper), as the authors' `randint`
    /// does (7..<20 gives 7–19 inclusive); otherwise any real number in the range.
    public var wholeRadius = true
    /// The polygon whose presence is the label.
    public var target: ShapeKind = .triangle
    /// Shapes the other slots are drawn from outside simplified mode (the target is added to them
    /// in positive images; negatives never contain it).
    public var distractors: [ShapeKind] = [.circle, .square, .pentagram]
    /// Random rotation of each polygon; without it a vertex points straight up.
    public var rotate = true
    /// The polarity is these two colours: the authors draw black on white; `.black` and `.white`
    /// swapped give white outlines on black.
    public var background: Colour = .white
    public var shapeColour: Colour = .black
    /// The colour cue: the target drawn in its own colour (nil draws it like the others; the
    /// authors' colour-cue set draws it pure green).
    public var targetColour: Colour? = nil
    /// Whether shapes may overlap (their bounding circles, with a pixel of margin).
    public var allowOverlap = true
    /// Whether shapes may be cut by the image border (otherwise they lie fully inside).
    public var allowBorderOcclusion = false
    /// Standard deviation of Gaussian noise added to every channel, in units of full intensity.
    public var noise = 0.0
    /// The paper's mode: the first shape is the target with probability ½, all others circles.
    public var simplified = true
    /// Exact number of positive images (chosen by a seeded shuffle); nil draws each label with
    /// probability ½ from the image's own stream.
    public var positives: Int? = nil
    public var seed: UInt64 = 0
    /// Tries per shape to find a free place when overlap is not allowed.
    public var placementAttempts = 100

    public init() {}

    /// The paper's dataset (§2.3) as the authors' generator draws it: 1000 images 224², black
    /// outlines on white, triangle target, 3–19 shapes, whole radius 7–19 (`randint(7, 20)`),
    /// overlap allowed, simplified mode; with `colourCue` the triangle is pure green.
    public static func paper(colourCue: Bool, seed: UInt64 = 0) -> GeneratorOptions {
        var options = GeneratorOptions()
        options.seed = seed
        options.targetColour = colourCue ? .green : nil
        return options
    }

    /// A small set for quick runs (the demo), in the authors' polarity: 800 images 64², 1–4
    /// shapes of whole radius 7–14 (a triangle's side is then at least 12 px, clearly three
    /// corners at 64²), simplified mode, with or without the green colour cue. The paper's sets
    /// at 224² need thousands of steps per phase; these show learning within minutes on two cores.
    public static func small(colourCue: Bool = true, seed: UInt64 = 0) -> GeneratorOptions {
        var options = paper(colourCue: colourCue, seed: seed)
        options.side = 64
        options.count = 800
        options.shapesPerImage = 1...4
        options.radius = 7..<15
        return options
    }

    /// Names accepted by `preset(named:)`.
    public static let presetNames = ["paper-colour", "paper-no-colour", "small-colour-64", "small-no-colour-64"]

    public static func preset(named name: String, seed: UInt64 = 0) -> GeneratorOptions? {
        switch name {
        case "paper-colour": return paper(colourCue: true, seed: seed)
        case "paper-no-colour": return paper(colourCue: false, seed: seed)
        case "small-colour-64": return small(colourCue: true, seed: seed)
        case "small-no-colour-64": return small(colourCue: false, seed: seed)
        default: return nil
        }
    }

    /// Throws a `DatasetError` naming the first inconsistent option.
    public func validate() throws {
        func check(_ condition: Bool, _ option: String, _ reason: String) throws {
            if !condition { throw DatasetError(path: "option \(option)", reason: reason) }
        }
        try check(side >= 8 && side <= 16384, "side", "must be in 8...16384, got \(side)")
        try check(count >= 1 && count <= 100_000_000, "count", "must be in 1...100000000, got \(count)")
        try check(
            shapesPerImage.lowerBound >= 1 && shapesPerImage.upperBound <= 10_000, "shapesPerImage",
            "must lie in 1...10000, got \(shapesPerImage)")
        try check(
            radius.lowerBound >= 1 && !radius.isEmpty, "radius",
            "must be a non-empty range from at least 1, got \(radius)")
        try check(
            !wholeRadius || radius.lowerBound.rounded(.up) < radius.upperBound, "radius",
            "holds no whole number of pixels, got \(radius)")
        let largest = wholeRadius ? radius.upperBound.rounded(.up) - 1 : radius.upperBound
        let widest = 2 * (largest + 1)
        try check(
            allowBorderOcclusion || widest <= Double(side), "radius",
            "shapes up to radius \(largest) do not fit inside \(side) px without border occlusion")
        try check(
            !target.isCircle || !simplified, "target",
            "a circle cannot be the target in simplified mode (all distractors are circles)")
        try check(!distractors.isEmpty || simplified, "distractors", "needs at least one shape outside simplified mode")
        try check(!distractors.contains(target) || simplified, "distractors", "must not contain the target \(target)")
        try check(noise >= 0 && noise.isFinite, "noise", "must be a finite standard deviation ≥ 0")
        if let positives {
            try check(positives >= 0 && positives <= count, "positives", "must be in 0...\(count), got \(positives)")
        }
        try check(placementAttempts >= 1, "placementAttempts", "must be at least 1")
    }
}
