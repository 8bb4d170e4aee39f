// Writes a generated set as PASCAL VOC: JPEGImages/<id>.png, Annotations/<id>.xml, Masks/<id>.png
// and ImageSets/Main lists; every byte is a function of the options (no dates, no host names).
import Foundation

public struct VOCWriter: Sendable {
    public let generator: SyntheticGenerator
    public let directory: String

    public init(generator: SyntheticGenerator, directory: String) {
        self.generator = generator
        self.directory = directory
    }

    /// Writes every image and the image sets; returns the set's counts.
    @discardableResult
    public func write() throws -> DatasetCounts {
        let counts = try writeImages(0..<generator.count)
        try writeImageSets()
        return counts
    }

    /// Writes the images, annotations and masks of `range` only, so ranks can share the work;
    /// the image sets are written once, by `writeImageSets`.
    @discardableResult
    public func writeImages(_ range: Range<Int>) throws -> DatasetCounts {
        for folder in ["JPEGImages", "Annotations", "Masks"] { try makeDirectory(folder) }
        var counts = DatasetCounts()
        for index in range {
            let image = generator.image(at: index)
            try write(image)
            counts.add(image)
        }
        return counts
    }

    /// Writes one rendered image's PNG, annotation and mask.
    public func write(_ image: SyntheticImage) throws {
        let id = image.id
        try ImageCodec.writePNG(
            path: path("JPEGImages/\(id).png"), width: image.side, height: image.side, channels: 3, pixels: image.rgb)
        try ImageCodec.writePNG(
            path: path("Masks/\(id).png"), width: image.side, height: image.side, channels: 1, pixels: image.targetMask)
        let annotation = VOCAnnotation(
            filename: "\(id).png", width: image.side, height: image.side, objects: image.objects)
        try writeText(annotation.xml, to: "Annotations/\(id).xml")
    }

    /// ImageSets/Main/{train,val,trainval}.txt (stratified 75/25 from the seed) and, per class,
    /// <class>_{train,val,trainval}.txt with VOC's " 1"/"-1" presence flags.
    public func writeImageSets() throws {
        try makeDirectory("ImageSets/Main")
        let split = StratifiedSplit(labels: generator.labels, seed: generator.options.seed)
        let present = (0..<generator.count).map { Set(generator.shapeKinds(at: $0).map(\.name)) }
        let options = generator.options
        let classes = Set([options.target.name] + (options.simplified ? ["circle"] : options.distractors.map(\.name)))
            .sorted()
        let parts = [
            ("train", split.train), ("val", split.validation), ("trainval", (split.train + split.validation).sorted()),
        ]
        for (part, indices) in parts {
            try writeText(indices.map { generator.id(of: $0) + "\n" }.joined(), to: "ImageSets/Main/\(part).txt")
            for name in classes {
                let lines = indices.map { generator.id(of: $0) + (present[$0].contains(name) ? "  1\n" : " -1\n") }
                try writeText(lines.joined(), to: "ImageSets/Main/\(name)_\(part).txt")
            }
        }
    }

    private func path(_ relative: String) -> String { (directory as NSString).appendingPathComponent(relative) }

    private func makeDirectory(_ relative: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
        } catch {
            throw DatasetError(path: path(relative), reason: "cannot create directory (\(error.localizedDescription))")
        }
    }

    private func writeText(_ text: String, to relative: String) throws {
        guard FileManager.default.createFile(atPath: path(relative), contents: Data(text.utf8)) else {
            throw DatasetError(path: path(relative), reason: "cannot write file")
        }
    }
}
