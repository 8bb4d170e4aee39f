// Opening root/<class>/**/*.{png,jpg,jpeg} as torchvision's ImageFolder does: classes are the sorted
// subfolder names, files are listed in sorted order, so every rank builds the same list.
import Foundation

extension Dataset {
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]
    /// The rest of torchvision's IMG_EXTENSIONS: a user expects ImageFolder to read these, so they
    /// are named as unsupported rather than counted as stray files.
    static let otherImageExtensions: Set<String> = ["bmp", "pgm", "ppm", "tif", "tiff", "webp"]

    /// Scans an image folder. Hidden entries are ignored; directory links are followed once (see
    /// ImageFolderWalk) and what is not followed is listed in `warnings`. Without `skipBad`, the first
    /// problem (a file that is not a PNG/JPEG by extension or signature) throws; files are fully
    /// decoded only when loaded. With `skipBad`, every file is decoded once here and bad ones are left
    /// out and listed in `skipped` — the same decision on every rank. A class left without a usable
    /// image stops the scan naming it either way: a class the model can never see is not a dataset.
    public static func imageFolder(
        root: String, seed: UInt64 = 0, skipBad: Bool = false,
        limits: ImageLimits = .standard
    ) throws -> Dataset {
        let classes = try subdirectories(of: root)
        if classes.isEmpty { throw DatasetError(path: root, reason: "no class folders") }
        var walk = try ImageFolderWalk(root: root, classNames: classes)
        var entries: [FileEntry] = []
        var skipped: [DatasetError] = []
        for (label, name) in classes.enumerated() {
            let folder = (root as NSString).appendingPathComponent(name)
            var found = 0
            var classSkipped: [DatasetError] = []
            for file in try walk.files(ofClass: label) {
                let path = (folder as NSString).appendingPathComponent(file)
                do {
                    try checkExtension(path)
                    if skipBad {
                        _ = try ImageCodec.decode(path: path, limits: limits)
                    } else {
                        _ = try ImageCodec.format(of: path)
                    }
                    entries.append(FileEntry(imagePath: path, label: label))
                    found += 1
                } catch let error as DatasetError {
                    guard skipBad else { throw error }
                    classSkipped.append(error)
                }
            }
            if found == 0 {
                guard classSkipped.isEmpty else { throw emptyClass(name, at: folder, leftOut: classSkipped) }
                let notFollowed = walk.warnings.filter { $0.path.hasPrefix(folder + "/") }
                throw DatasetError(
                    path: folder,
                    reason: "class '\(name)' has no images "
                        + (notFollowed.isEmpty
                            ? "(the folder holds no visible files)"
                            : "of its own: the \(notFollowed.count) link(s) in it were not followed (\(SkipCounts(notFollowed)))")
                )
            }
            skipped += classSkipped
        }
        let labels = entries.map(\.label)
        return Dataset(
            source: .files(entries), classes: classes, labels: labels,
            split: StratifiedSplit(labels: labels, seed: seed), skipped: skipped, warnings: walk.warnings,
            limits: limits)
    }

    /// Refuses a file by its extension before reading it: images xcnn cannot decode are named as such.
    static func checkExtension(_ path: String) throws {
        let fileExtension = (path as NSString).pathExtension.lowercased()
        if imageExtensions.contains(fileExtension) { return }
        if otherImageExtensions.contains(fileExtension) {
            throw DatasetError(
                path: path,
                reason: "unsupported image format '.\(fileExtension)': xcnn reads PNG and JPEG (convert "
                    + "the file, or leave such files out with --skip-bad)",
                summary: "unsupported image format .\(fileExtension)")
        }
        let shown = fileExtension.isEmpty ? "no extension" : "extension '.\(fileExtension)'"
        throw DatasetError(
            path: path, reason: "not an image file (\(shown); expected .png, .jpg or .jpeg)",
            summary: "not an image file (\(shown))")
    }

    /// Visible subdirectories, sorted by code point as Python's sorted() does.
    static func subdirectories(of root: String) throws -> [String] {
        try listing(root).filter { isDirectory((root as NSString).appendingPathComponent($0)) }
    }

    static func listing(_ directory: String) throws -> [String] {
        guard isDirectory(directory) else { throw DatasetError(path: directory, reason: "not a directory") }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }.sorted(
                by: codePointOrder)
        } catch {
            throw DatasetError(path: directory, reason: "cannot list directory (\(error.localizedDescription))")
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    static func codePointOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }
}
