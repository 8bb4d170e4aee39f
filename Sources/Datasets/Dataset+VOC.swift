// Opening a PASCAL VOC directory as a binary dataset: label 1 when the annotation names the target
// class. Order and split come from ImageSets/Main/{train,val}.txt when present.
import Foundation

extension Dataset {
    /// Scans `root` (Annotations/, JPEGImages/, optional ImageSets/Main and Masks/). Every annotation
    /// is parsed and validated here and its image must exist; with `skipBad` the image is also
    /// decoded, and bad examples are left out and listed in `skipped` instead of throwing.
    public static func voc(root: String, targetClass: String = "triangle", seed: UInt64 = 0, skipBad: Bool = false,
                           limits: ImageLimits = .standard) throws -> Dataset {
        func path(_ parts: String...) -> String { parts.reduce(root) { ($0 as NSString).appendingPathComponent($1) } }
        let (ids, trainCount) = try listedIDs(root: root, path: path("ImageSets", "Main"))
        var entries: [FileEntry] = []
        var inTrain: [Bool] = []
        var skipped: [DatasetError] = []
        for (position, id) in ids.enumerated() {
            do {
                guard !id.contains("/"), !id.contains("\\"), !id.hasPrefix("..") else {
                    throw DatasetError(path: path("ImageSets", "Main"), reason: "id '\(id)' is not a plain file name")
                }
                let annotation = try VOCAnnotation.read(path: path("Annotations", id + ".xml"))
                let imagePath = path("JPEGImages", annotation.filename)
                guard FileManager.default.fileExists(atPath: imagePath), !isDirectory(imagePath) else {
                    throw DatasetError(path: path("Annotations", id + ".xml"),
                                       reason: "names image '\(annotation.filename)', which does not exist in JPEGImages/")
                }
                if skipBad {
                    let image = try ImageCodec.decode(path: imagePath, limits: limits)
                    if image.width != annotation.width || image.height != annotation.height {
                        throw DatasetError(path: imagePath, reason: "image is \(image.width)x\(image.height) but its annotation says \(annotation.width)x\(annotation.height)")
                    }
                } else {
                    _ = try ImageCodec.format(of: imagePath)
                }
                let maskPath = path("Masks", id + ".png")
                entries.append(FileEntry(imagePath: imagePath, label: annotation.contains(targetClass) ? 1 : 0,
                                         annotatedSize: (annotation.width, annotation.height),
                                         targetBoxes: annotation.objects.filter { $0.name == targetClass }.map(\.box),
                                         maskPath: FileManager.default.fileExists(atPath: maskPath) ? maskPath : nil))
                inTrain.append(trainCount.map { position < $0 } ?? false)
            } catch let error as DatasetError {
                guard skipBad else { throw error }
                skipped.append(error)
            }
        }
        if entries.isEmpty { throw DatasetError(path: root, reason: "no usable annotated images") }
        let labels = entries.map(\.label)
        let split = trainCount == nil ? StratifiedSplit(labels: labels, seed: seed)
            : StratifiedSplit(train: inTrain.indices.filter { inTrain[$0] }, validation: inTrain.indices.filter { !inTrain[$0] })
        return Dataset(source: .files(entries), classes: ["no-\(targetClass)", targetClass], labels: labels,
                       split: split, skipped: skipped, limits: limits)
    }

    /// Ids from train.txt then val.txt (and how many came from train.txt); without those lists, every
    /// Annotations/*.xml in code-point order and nil.
    private static func listedIDs(root: String, path lists: String) throws -> ([String], Int?) {
        let train = (lists as NSString).appendingPathComponent("train.txt")
        let validation = (lists as NSString).appendingPathComponent("val.txt")
        if FileManager.default.fileExists(atPath: train) && FileManager.default.fileExists(atPath: validation) {
            let trainIDs = try ids(in: train), validationIDs = try ids(in: validation)
            if let shared = Set(trainIDs).intersection(validationIDs).sorted().first {
                throw DatasetError(path: validation, reason: "id '\(shared)' is in both train.txt and val.txt")
            }
            return (trainIDs + validationIDs, trainIDs.count)
        }
        let annotations = (root as NSString).appendingPathComponent("Annotations")
        let names = try listing(annotations).filter { $0.hasSuffix(".xml") }.map { String($0.dropLast(4)) }
        return (names, nil)
    }

    /// First token of each non-empty line (VOC lists may carry a flag after the id).
    private static func ids(in path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw DatasetError(path: path, reason: "cannot read file") }
        guard let text = String(data: data, encoding: .utf8) else { throw DatasetError(path: path, reason: "not UTF-8 text") }
        return text.split(whereSeparator: \.isNewline).compactMap { $0.split(whereSeparator: \.isWhitespace).first.map(String.init) }
    }
}
