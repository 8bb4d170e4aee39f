// Writes a generated set as PASCAL VOC: JPEGImages/<id>.png, Annotations/<id>.xml, Masks/<id>.png
// and ImageSets/Main lists; every byte is a function of the options (no dates, no host names), so
// any split of the images over ranks and threads writes the same files.
import Dispatch
import Foundation
import Glibc
import Synchronization

public struct VOCWriter: Sendable {
    public let generator: SyntheticGenerator
    public let directory: String

    public init(generator: SyntheticGenerator, directory: String) {
        self.generator = generator
        self.directory = directory
    }

    /// Writes every image (on `threads` threads) and the image sets; returns the set's counts.
    @discardableResult
    public func write(threads: Int = 1) throws -> DatasetCounts {
        let counts = try writeImages(0..<generator.count, threads: threads)
        try writeImageSets()
        return counts
    }

    /// Writes the images, annotations and masks of `range` only, so ranks can share the work;
    /// the image sets are written once, by `writeImageSets`. `threads` workers take the images in
    /// blocks of `block` from a shared counter (a worker slowed by other jobs takes fewer). On
    /// failure the error of the lowest image index that failed is thrown.
    @discardableResult
    public func writeImages(_ range: Range<Int>, threads: Int = 1) throws -> DatasetCounts {
        for folder in ["JPEGImages", "Annotations", "Masks"] { try makeDirectory(folder) }
        let workers = max(1, min(threads, (range.count + Self.block - 1) / Self.block))
        let next = Atomic<Int>(range.lowerBound)
        let outcome = Mutex<(counts: DatasetCounts, failure: (index: Int, error: any Error)?)>((DatasetCounts(), nil))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var counts = DatasetCounts()
            var failure: (index: Int, error: any Error)?
            claiming: while true {
                let start = next.add(Self.block, ordering: .relaxed).oldValue
                guard start < range.upperBound else { break }
                for index in start..<min(start + Self.block, range.upperBound) {
                    do {
                        let image = generator.image(at: index)
                        try write(image)
                        counts.add(image)
                    } catch {
                        failure = (index, error)
                        next.store(range.upperBound, ordering: .relaxed)  // the others stop after their block
                        break claiming
                    }
                }
            }
            outcome.withLock { total in
                total.counts.add(counts)
                if let failure, failure.index < total.failure?.index ?? Int.max { total.failure = failure }
            }
        }
        return try outcome.withLock { total in
            if let failure = total.failure { throw failure.error }
            return total.counts
        }
    }

    /// Images a worker takes at a time: few enough that two workers end close together, enough
    /// that the shared counter is touched rarely.
    static let block = 8

    /// Writes one rendered image's PNG, annotation and mask (a 1-bit greyscale PNG).
    public func write(_ image: SyntheticImage) throws {
        let id = image.id
        try ImageCodec.writePNG(
            path: path("JPEGImages/\(id).png"), width: image.side, height: image.side, channels: 3, pixels: image.rgb,
            compression: .dataset)
        try ImageCodec.writePNG(
            path: path("Masks/\(id).png"), width: image.side, height: image.side, channels: 1, bitDepth: 1,
            pixels: image.targetMask, compression: .dataset)
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

    /// Creates (or truncates) the file and writes `text`. Not FileManager.createFile: that writes a
    /// temporary file, fsyncs and renames it, a tenth of the time of a generated image.
    private func writeText(_ text: String, to relative: String) throws {
        let file = path(relative)
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DatasetError(path: file, reason: "cannot create file (\(Self.lastError))") }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let reason = Self.lastError
                close(descriptor)
                throw DatasetError(path: file, reason: "cannot write file (\(reason))")
            }
            written += count
        }
        guard close(descriptor) == 0 else {
            throw DatasetError(path: file, reason: "cannot finish writing file (\(Self.lastError))")
        }
    }

    private static var lastError: String { String(cString: strerror(errno)) }
}
