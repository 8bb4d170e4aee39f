// Every option of the synthetic polygon generator (SPEC §3), the paper's presets, and validation.

/// What the generator draws. Defaults are the paper's dataset without the colour cue. Codable, so
/// a run's configuration (and a checkpoint) can record exactly which set it trained on.
public struct GeneratorOptions: Hashable, Codable, Sendable {
    /// Width and height of every image, in pixels.
    public var side = 224
    /// Number of images in the set.
    public var count = 1000
    /// Shapes per image, drawn uniformly from this range (a single value for a fixed count).
    /// Without overlap a shape that finds no free place after `placementAttempts` is left out.
    public var shapesPerImage: ClosedRange<Int> = 3...19
    /// Outline radius (centre to vertex), uniform in [lower, upper).
    public var radius: Range<Double> = 7..<19
    /// The polygon whose presence is the label.
    public var target: ShapeKind = .triangle
    /// Shapes the other slots are drawn from outside simplified mode (the target is added to them
    /// in positive images; negatives never contain it).
    public var distractors: [ShapeKind] = [.circle, .square, .pentagram]
    /// Random rotation of each polygon; without it a vertex points straight up.
    public var rotate = true
    public var background: Colour = .black
    public var shapeColour: Colour = .white
    /// The colour cue: the target drawn in its own colour (nil draws it like the others).
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

    /// The paper's dataset (§2.3): 1000 images 224², triangle target, 3–19 shapes, radius 7–19,
    /// overlap allowed, simplified mode; with `colourCue` the triangle is red.
    public static func paper(colourCue: Bool, seed: UInt64 = 0) -> GeneratorOptions {
        var options = GeneratorOptions()
        options.seed = seed
        options.targetColour = colourCue ? .red : nil
        return options
    }

    /// A small colour-cue set for quick runs (the demo): 800 images 64², 1–4 shapes of radius
    /// 6–14, a red triangle target, simplified mode. The paper's sets at 224² need thousands of
    /// steps per phase; this one shows learning within minutes on two cores.
    public static func small(seed: UInt64 = 0) -> GeneratorOptions {
        var options = paper(colourCue: true, seed: seed)
        options.side = 64
        options.count = 800
        options.shapesPerImage = 1...4
        options.radius = 6..<14
        return options
    }

    /// Names accepted by `preset(named:)`.
    public static let presetNames = ["paper-colour", "paper-no-colour", "small-colour-64"]

    public static func preset(named name: String, seed: UInt64 = 0) -> GeneratorOptions? {
        switch name {
        case "paper-colour": return paper(colourCue: true, seed: seed)
        case "paper-no-colour": return paper(colourCue: false, seed: seed)
        case "small-colour-64": return small(seed: seed)
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
        try check(shapesPerImage.lowerBound >= 1 && shapesPerImage.upperBound <= 10_000, "shapesPerImage",
                  "must lie in 1...10000, got \(shapesPerImage)")
        try check(radius.lowerBound >= 1 && !radius.isEmpty, "radius", "must be a non-empty range from at least 1, got \(radius)")
        let widest = 2 * (radius.upperBound + 1)
        try check(allowBorderOcclusion || widest <= Double(side), "radius",
                  "shapes up to radius \(radius.upperBound) do not fit inside \(side) px without border occlusion")
        try check(!target.isCircle || !simplified, "target", "a circle cannot be the target in simplified mode (all distractors are circles)")
        try check(!distractors.isEmpty || simplified, "distractors", "needs at least one shape outside simplified mode")
        try check(!distractors.contains(target) || simplified, "distractors", "must not contain the target \(target)")
        try check(noise >= 0 && noise.isFinite, "noise", "must be a finite standard deviation ≥ 0")
        if let positives { try check(positives >= 0 && positives <= count, "positives", "must be in 0...\(count), got \(positives)") }
        try check(placementAttempts >= 1, "placementAttempts", "must be at least 1")
    }
}
