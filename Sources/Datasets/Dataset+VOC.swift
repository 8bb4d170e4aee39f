// Opening a PASCAL VOC directory as a binary dataset: label 1 when the annotation names the target
// class. Order and split come from ImageSets/Main/{train,val}.txt when present.
import Foundation

extension Dataset {
    /// Scans `root` (Annotations/, JPEGImages/, optional ImageSets/Main and Masks/). Every annotation
    /// is parsed and validated here and its image must exist; with `skipBad` the image is also
    /// decoded, and bad examples are left out and listed in `skipped` instead of throwing.
    ///
    /// The image of annotation `<id>.xml` is `JPEGImages/<id>.<ext>`, as torchvision's and
    /// mmdetection's VOC readers take it; a `<filename>` that names another image is reported in
    /// `warnings` (a stale name left after renaming or copying). Only when no image has the id is
    /// `<filename>` used, and then two annotations may not claim one image.
    /// A target class that occurs in no annotation stops the scan naming the names found.
    public static func voc(
        root: String, targetClass: String = "triangle", seed: UInt64 = 0, skipBad: Bool = false,
        limits: ImageLimits = .standard
    ) throws -> Dataset {
        func path(_ parts: String...) -> String { parts.reduce(root) { ($0 as NSString).appendingPathComponent($1) } }
        let (ids, trainCount) = try listedIDs(root: root, path: path("ImageSets", "Main"))
        var entries: [FileEntry] = []
        var inTrain: [Bool] = []
        var skipped: [DatasetError] = []
        var warnings: [DatasetError] = []
        var claimedBy: [String: String] = [:]
        var objectCounts: [String: Int] = [:]
        var skippedByLabel: [Int: [DatasetError]] = [:]
        for (position, id) in ids.enumerated() {
            var parsedLabel: Int?
            do {
                guard !id.contains("/"), !id.contains("\\"), !id.hasPrefix("..") else {
                    throw DatasetError(path: path("ImageSets", "Main"), reason: "id '\(id)' is not a plain file name")
                }
                let annotationPath = path("Annotations", id + ".xml")
                let annotation = try VOCAnnotation.read(path: annotationPath)
                parsedLabel = annotation.contains(targetClass) ? 1 : 0
                let (imagePath, warning) = try imageOf(
                    id: id, annotation: annotation, annotationPath: annotationPath, images: path("JPEGImages"))
                if let other = claimedBy[imagePath] {
                    // Not skippable: which of the two annotations is right cannot be told from the files.
                    throw StopScan(
                        DatasetError(
                            path: annotationPath,
                            reason: "uses image \(imagePath), which \(other) also uses: "
                                + "one image would carry two annotations' labels; correct the <filename> of one of them"
                        ))
                }
                if skipBad {
                    let image = try ImageCodec.decode(path: imagePath, limits: limits)
                    if image.width != annotation.width || image.height != annotation.height {
                        throw DatasetError(
                            path: imagePath,
                            reason:
                                "image is \(image.width)x\(image.height) but its annotation says \(annotation.width)x\(annotation.height)",
                            summary: "image size differs from its annotation")
                    }
                } else {
                    _ = try ImageCodec.format(of: imagePath)
                }
                claimedBy[imagePath] = annotationPath
                if let warning { warnings.append(warning) }
                for object in annotation.objects { objectCounts[object.name, default: 0] += 1 }
                let maskPath = path("Masks", id + ".png")
                entries.append(
                    FileEntry(
                        imagePath: imagePath, label: annotation.contains(targetClass) ? 1 : 0,
                        annotatedSize: (annotation.width, annotation.height),
                        targetBoxes: annotation.objects.filter { $0.name == targetClass }.map(\.box),
                        maskPath: FileManager.default.fileExists(atPath: maskPath) ? maskPath : nil))
                inTrain.append(trainCount.map { position < $0 } ?? false)
            } catch let stop as StopScan {
                throw stop.error
            } catch var error as DatasetError {
                guard skipBad else { throw error }
                if error.summary == nil {
                    error.summary = error.path.hasSuffix(".xml") ? "bad annotation" : "bad image"
                }
                skipped.append(error)
                if let parsedLabel { skippedByLabel[parsedLabel, default: []].append(error) }
            }
        }
        if entries.isEmpty { throw DatasetError(path: root, reason: "no usable annotated images") }
        let labels = entries.map(\.label)
        // A class the model can never see stops the scan, named, whether --skip-bad emptied it or not.
        if let leftOut = skippedByLabel[1], !labels.contains(1) {
            throw emptyClass(targetClass, at: root, leftOut: leftOut)
        }
        warnings += try checkTargetClass(targetClass, objectCounts: objectCounts, root: root)
        if !labels.contains(0) {
            guard let leftOut = skippedByLabel[0] else {
                throw DatasetError(
                    path: root,
                    reason: "class 'no-\(targetClass)' has no images: every annotation names '\(targetClass)'")
            }
            throw emptyClass("no-\(targetClass)", at: root, leftOut: leftOut)
        }
        let split =
            trainCount == nil
            ? StratifiedSplit(labels: labels, seed: seed)
            : StratifiedSplit(
                train: inTrain.indices.filter { inTrain[$0] }, validation: inTrain.indices.filter { !inTrain[$0] })
        return Dataset(
            source: .files(entries), classes: ["no-\(targetClass)", targetClass], labels: labels,
            split: split, skipped: skipped, warnings: warnings, limits: limits)
    }

    /// An error that --skip-bad must not turn into a skipped file.
    private struct StopScan: Error {
        let error: DatasetError
        init(_ error: DatasetError) { self.error = error }
    }

    /// The image file of annotation `id` and, when `<filename>` names another one, a warning.
    private static func imageOf(
        id: String, annotation: VOCAnnotation, annotationPath: String,
        images: String
    ) throws -> (String, DatasetError?) {
        func file(_ name: String) -> String? {
            let candidate = (images as NSString).appendingPathComponent(name)
            return FileManager.default.fileExists(atPath: candidate) && !isDirectory(candidate) ? candidate : nil
        }
        let named = annotation.filename
        let namedStem = (named as NSString).deletingPathExtension
        let namedExtension = (named as NSString).pathExtension
        if namedStem == id, let image = file(named) { return (image, nil) }
        var candidates = [namedExtension, "jpg", "jpeg", "png", "JPG", "JPEG", "PNG"].filter { !$0.isEmpty }.map {
            id + "." + $0
        }
        candidates = candidates.enumerated().filter { !candidates[..<$0.offset].contains($0.element) }.map(\.element)
        if let byID = candidates.lazy.compactMap(file).first {
            let used = (byID as NSString).lastPathComponent
            let what =
                namedStem == id
                ? "<filename> says '\(named)', which does not exist in JPEGImages/"
                : "<filename> says '\(named)' but the annotation's id is '\(id)'"
            return (
                byID,
                DatasetError(
                    path: annotationPath,
                    reason: what + "; using JPEGImages/\(used) (the image is taken from the id, as "
                        + "torchvision's and mmdetection's VOC readers do)",
                    summary: "<filename> differs from the annotation's id")
            )
        }
        if let image = file(named) { return (image, nil) }
        throw DatasetError(
            path: annotationPath,
            reason: "names image '\(named)', which does not exist in JPEGImages/, and no image "
                + "there has its id '\(id)' (tried \(candidates.joined(separator: ", ")))", summary: "image missing")
    }

    /// Refuses a target class that no annotation names, listing the names found and the near ones;
    /// warns about names close to a target that does occur. Near names are suggested, never taken:
    /// VOC object names are exact identifiers (merged sets hold both "Person" and "person" as
    /// different classes), and a guess would change labels silently, while the refusal costs one
    /// rerun with the right --target-class.
    static func checkTargetClass(_ target: String, objectCounts: [String: Int], root: String) throws -> [DatasetError] {
        let annotations = (root as NSString).appendingPathComponent("Annotations")
        let found = objectCounts.sorted { $0.value != $1.value ? $0.value > $1.value : codePointOrder($0.key, $1.key) }
        let near = found.map(\.key).filter { $0 != target && isNearName($0, target) }
        guard objectCounts[target] != nil else {
            var reason =
                "target class '\(target)' occurs in no annotation; object names found: "
                + (found.isEmpty ? "none" : found.prefix(20).map { "\($0.key) (\($0.value))" }.joined(separator: ", "))
                + (found.count > 20 ? ", … (\(found.count) names in all)" : "")
            if !near.isEmpty {
                reason +=
                    "; did you mean " + near.map { "'\($0)'" }.joined(separator: " or ")
                    + "? (names are matched exactly, case included: pass --target-class \(near[0]))"
            }
            throw DatasetError(path: annotations, reason: reason)
        }
        return near.map { name in
            DatasetError(
                path: annotations,
                reason: "object name '\(name)' (\(objectCounts[name]!) object(s)) is close to the target class "
                    + "'\(target)' (\(objectCounts[target]!)) but a different class: images holding only '\(name)' are labelled "
                    + "no-\(target)", summary: "object name close to the target class")
        }
    }

    /// Equal ignoring case, or within a small edit distance (insertions, deletions, substitutions
    /// and swaps of neighbours, ignoring case): 1 for names up to 5 characters, 2 beyond.
    static func isNearName(_ a: String, _ b: String) -> Bool {
        let x = Array(a.lowercased().unicodeScalars)
        let y = Array(b.lowercased().unicodeScalars)
        let allowed = max(x.count, y.count) <= 5 ? 1 : 2
        guard abs(x.count - y.count) <= allowed else { return false }
        // Optimal string alignment distance, rows i-2, i-1 and i.
        var before = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        var current = previous
        if x.isEmpty { return y.count <= allowed }
        for i in 1...x.count {
            current[0] = i
            for j in stride(from: 1, through: y.count, by: 1) {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    current[j] = min(current[j], before[j - 2] + 1)
                }
            }
            (before, previous) = (previous, current)
        }
        return previous[y.count] <= allowed
    }

    /// Ids from train.txt then val.txt (and how many came from train.txt); without those lists, every
    /// Annotations/*.xml in code-point order and nil.
    private static func listedIDs(root: String, path lists: String) throws -> ([String], Int?) {
        let train = (lists as NSString).appendingPathComponent("train.txt")
        let validation = (lists as NSString).appendingPathComponent("val.txt")
        if FileManager.default.fileExists(atPath: train) && FileManager.default.fileExists(atPath: validation) {
            let trainIDs = try ids(in: train)
            let validationIDs = try ids(in: validation)
            for (list, listed) in [(train, trainIDs), (validation, validationIDs)] {
                var seen: [String: Int] = [:]
                for (line, id) in listed.enumerated() {
                    if let first = seen[id] {
                        throw DatasetError(
                            path: list,
                            reason:
                                "id '\(id)' is listed twice (entries \(first + 1) and \(line + 1)): its image would be used twice"
                        )
                    }
                    seen[id] = line
                }
            }
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
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(path: path, reason: "cannot read file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DatasetError(path: path, reason: "not UTF-8 text")
        }
        return text.split(whereSeparator: \.isNewline).compactMap {
            $0.split(whereSeparator: \.isWhitespace).first.map(String.init)
        }
    }
}
