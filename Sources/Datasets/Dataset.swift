// The one dataset type the trainer sees, over three sources: the generator in memory, an image
// folder (root/<class>/*.png|jpg) and a VOC directory. Scanning is in Dataset+ImageFolder.swift
// and Dataset+VOC.swift.

/// One training example at the model's side S.
public struct Sample: Sendable {
    /// Planar RGB in [0, 1], [3, S, S] (one NCHW image).
    public var pixels: [Float]
    public var label: Int
    /// 1 inside the target's annotated boxes, [S, S]; nil when the source has no boxes.
    public var boxMask: [Float]?
    /// 1 on the filled target shape(s), [S, S]; nil when the source has no masks.
    public var targetMask: [Float]?

    public init(pixels: [Float], label: Int, boxMask: [Float]? = nil, targetMask: [Float]? = nil) {
        self.pixels = pixels
        self.label = label
        self.boxMask = boxMask
        self.targetMask = targetMask
    }
}

public struct Dataset: Sendable {
    /// Where examples come from. File entries were scanned (and, with skipBad, decoded) once at open.
    enum Source: Sendable {
        case generator(SyntheticGenerator)
        case files([FileEntry])
    }

    struct FileEntry: Sendable {
        var imagePath: String
        var label: Int
        /// VOC only: the annotation's image size and target boxes, and the mask file if present.
        var annotatedSize: (width: Int, height: Int)?
        var targetBoxes: [PixelBox]?
        var maskPath: String?
    }

    let source: Source
    /// Class names; label i is `classes[i]`.
    public let classes: [String]
    public let labels: [Int]
    /// The train/validation partition (stratified 75/25 from the seed, or a VOC directory's lists).
    public let split: StratifiedSplit
    /// Files left out because they were bad (only with skipBad), each with its reason.
    public let skipped: [DatasetError]
    /// What was read differently from what the files say, or not read twice (a directory link that
    /// closes a cycle, a VOC `<filename>` that disagrees with its id): nothing is dropped silently.
    public let warnings: [DatasetError]
    /// Decoding limits applied to every file.
    public let limits: ImageLimits

    public var count: Int { labels.count }

    init(
        source: Source, classes: [String], labels: [Int], split: StratifiedSplit, skipped: [DatasetError],
        warnings: [DatasetError] = [], limits: ImageLimits
    ) {
        self.source = source
        self.classes = classes
        self.labels = labels
        self.split = split
        self.skipped = skipped
        self.warnings = warnings
        self.limits = limits
    }

    /// A generated set held in memory: nothing touches the disk; sample i is rendered on demand.
    /// Labels: 0 = no target, 1 = target present; the split is stratified from the options' seed.
    public static func synthetic(_ options: GeneratorOptions) throws -> Dataset {
        let generator = try SyntheticGenerator(options: options)
        return Dataset(
            source: .generator(generator), classes: ["no-\(options.target.name)", options.target.name],
            labels: generator.labels, split: StratifiedSplit(labels: generator.labels, seed: options.seed),
            skipped: [], limits: .standard)
    }

    /// The file behind example `index`, if it has one.
    public func path(of index: Int) -> String? {
        if case .files(let entries) = source { return entries[index].imagePath }
        return nil
    }

    /// Example `index` resized (bilinear) to side × side. Throws a DatasetError naming the file when it
    /// cannot be decoded.
    public func load(index: Int, side: Int) throws -> Sample {
        precondition(index >= 0 && index < count, "sample index \(index) outside 0..<\(count)")
        switch source {
        case .generator(let generator):
            let image = generator.image(at: index)
            let targetMask =
                side == image.side
                ? image.targetMaskValues
                : ImageResize.nearestMask(
                    rgb: image.targetMask.flatMap { [$0, $0, $0] }, width: image.side, height: image.side, side: side)
            return Sample(
                pixels: ImageResize.bilinear(rgb: image.rgb, width: image.side, height: image.side, side: side),
                label: image.label,
                boxMask: ImageResize.boxMask(image.targetBoxes, width: image.side, height: image.side, side: side),
                targetMask: targetMask)
        case .files(let entries):
            let entry = entries[index]
            let image = try ImageCodec.decode(path: entry.imagePath, limits: limits)
            var sample = Sample(
                pixels: ImageResize.bilinear(rgb: image.rgb, width: image.width, height: image.height, side: side),
                label: entry.label)
            if let size = entry.annotatedSize, size.width != image.width || size.height != image.height {
                throw DatasetError(
                    path: entry.imagePath,
                    reason:
                        "image is \(image.width)x\(image.height) but its annotation says \(size.width)x\(size.height)")
            }
            if let boxes = entry.targetBoxes {
                sample.boxMask = ImageResize.boxMask(boxes, width: image.width, height: image.height, side: side)
            }
            if let maskPath = entry.maskPath {
                let mask = try ImageCodec.decode(path: maskPath, limits: limits)
                sample.targetMask = ImageResize.nearestMask(
                    rgb: mask.rgb, width: mask.width, height: mask.height, side: side)
            }
            return sample
        }
    }
}
