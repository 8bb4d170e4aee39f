// Opening root/<class>/**/*.{png,jpg,jpeg} as torchvision's ImageFolder does: classes are the sorted
// subfolder names, files are listed in sorted order, so every rank builds the same list.
import Foundation

extension Dataset {
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Scans an image folder. Hidden entries are ignored. Without `skipBad`, the first problem
    /// (an empty class, a file that is not a PNG/JPEG by extension or signature) throws; files are
    /// fully decoded only when loaded. With `skipBad`, every file is decoded once here and bad
    /// ones are left out and listed in `skipped` — the same decision on every rank.
    public static func imageFolder(root: String, seed: UInt64 = 0, skipBad: Bool = false,
                                   limits: ImageLimits = .standard) throws -> Dataset {
        let classes = try subdirectories(of: root)
        if classes.isEmpty { throw DatasetError(path: root, reason: "no class folders") }
        var entries: [FileEntry] = []
        var skipped: [DatasetError] = []
        func problem(_ error: DatasetError) throws {
            guard skipBad else { throw error }
            skipped.append(error)
        }
        for (label, name) in classes.enumerated() {
            let folder = (root as NSString).appendingPathComponent(name)
            var found = 0
            for file in try files(under: folder) {
                let path = (folder as NSString).appendingPathComponent(file)
                let fileExtension = (file as NSString).pathExtension.lowercased()
                do {
                    guard imageExtensions.contains(fileExtension) else {
                        throw DatasetError(path: path, reason: "not an image file (extension '.\(fileExtension)'; expected .png, .jpg or .jpeg)")
                    }
                    if skipBad { _ = try ImageCodec.decode(path: path, limits: limits) } else { _ = try ImageCodec.format(of: path) }
                    entries.append(FileEntry(imagePath: path, label: label))
                    found += 1
                } catch let error as DatasetError {
                    try problem(error)
                }
            }
            if found == 0 { try problem(DatasetError(path: folder, reason: "class folder '\(name)' has no usable images")) }
        }
        if entries.isEmpty { throw DatasetError(path: root, reason: "no usable images in any class folder") }
        let labels = entries.map(\.label)
        return Dataset(source: .files(entries), classes: classes, labels: labels,
                       split: StratifiedSplit(labels: labels, seed: seed), skipped: skipped, limits: limits)
    }

    /// Visible subdirectories, sorted by code point as Python's sorted() does.
    static func subdirectories(of root: String) throws -> [String] {
        try listing(root).filter { isDirectory((root as NSString).appendingPathComponent($0)) }
    }

    /// Visible regular files below `folder` (recursively, as ImageFolder walks), as relative paths in
    /// code-point order.
    static func files(under folder: String) throws -> [String] {
        var result: [String] = []
        for name in try listing(folder) {
            let path = (folder as NSString).appendingPathComponent(name)
            if isDirectory(path) {
                result += try files(under: path).map { (name as NSString).appendingPathComponent($0) }
            } else {
                result.append(name)
            }
        }
        return result.sorted(by: codePointOrder)
    }

    static func listing(_ directory: String) throws -> [String] {
        guard isDirectory(directory) else { throw DatasetError(path: directory, reason: "not a directory") }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }.sorted(by: codePointOrder)
        } catch {
            throw DatasetError(path: directory, reason: "cannot list directory (\(error.localizedDescription))")
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    static func codePointOrder(_ a: String, _ b: String) -> Bool { a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) }
}
