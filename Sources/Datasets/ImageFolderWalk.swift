// Lists the files of an image folder's classes, following links as torchvision's ImageFolder does
// (os.walk(followlinks=True)), but walking each directory once: a link back to an ancestor (a
// cycle), a second way into a directory already walked, or a link into another class's folder is
// not followed and is reported instead, so every image is read once, under its own class.
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct ImageFolderWalk {
    /// A directory or file as the kernel knows it, whatever path leads to it.
    struct Identity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    let root: String
    let classNames: [String]
    /// Real paths (links resolved) of the class folders, by label.
    private let classRealPaths: [String]
    private let rootIdentity: Identity
    /// Directories walked so far (class folders from the start), with the path they were walked as.
    private var walkedDirectories: [Identity: String] = [:]
    private var usedFiles: [Identity: String] = [:]
    /// Links not followed and files not taken twice, each naming the path and why.
    private(set) var warnings: [DatasetError] = []

    init(root: String, classNames: [String]) throws {
        self.root = root
        self.classNames = classNames
        guard let rootIdentity = Self.identity(root) else {
            throw DatasetError(path: root, reason: "cannot read directory")
        }
        self.rootIdentity = rootIdentity
        var realPaths: [String] = []
        for name in classNames {
            let folder = (root as NSString).appendingPathComponent(name)
            guard let identity = Self.identity(folder), let real = Self.realPath(folder) else {
                throw DatasetError(path: folder, reason: "cannot read class folder")
            }
            if let other = walkedDirectories[identity] {
                throw DatasetError(
                    path: folder,
                    reason: "class folders '\((other as NSString).lastPathComponent)' and '\(name)' are the same "
                        + "directory (\(real)): every image would have two labels")
            }
            walkedDirectories[identity] = folder
            realPaths.append(real)
        }
        classRealPaths = realPaths
    }

    /// Visible files below the class folder of `label`, as paths relative to it in code-point order.
    /// Entries that are neither directories nor found (dangling links) are listed, so that reading
    /// them fails naming them.
    mutating func files(ofClass label: Int) throws -> [String] {
        let folder = (root as NSString).appendingPathComponent(classNames[label])
        guard let identity = Self.identity(folder) else {
            throw DatasetError(path: folder, reason: "cannot read class folder")
        }
        var result: [String] = []
        try walk(
            folder, relative: "", label: label, throughLink: false, ancestors: [rootIdentity, identity], into: &result)
        return result.sorted(by: Dataset.codePointOrder)
    }

    private mutating func walk(
        _ directory: String, relative: String, label: Int, throughLink: Bool,
        ancestors: [Identity], into result: inout [String]
    ) throws {
        for name in try Dataset.listing(directory) {
            let path = (directory as NSString).appendingPathComponent(name)
            let relativePath = relative.isEmpty ? name : (relative as NSString).appendingPathComponent(name)
            let viaLink = throughLink || Self.isLink(path)
            guard let (identity, isDirectory) = Self.status(path) else {
                result.append(relativePath)
                continue
            }
            if viaLink, let owner = owningClass(of: path), owner != label {
                let what =
                    isDirectory
                    ? "a directory of class '\(classNames[owner])' (\(Self.realPath(path) ?? "?")): its images keep"
                    : "an image of class '\(classNames[owner])' (\(Self.realPath(path) ?? "?")): it keeps"
                warn(
                    path,
                    "links to \(what) that label and \(isDirectory ? "are" : "is") not also taken as '\(classNames[label])'; not followed",
                    summary: "link into another class")
                continue
            }
            if isDirectory {
                if let ancestor = ancestors.firstIndex(of: identity) {
                    let target = ancestor == 0 ? root : walkedDirectories[identity] ?? "?"
                    warn(
                        path, "links to \(target), which contains it: a directory cycle; not followed",
                        summary: "directory cycle")
                    continue
                }
                if let first = walkedDirectories[identity] {
                    warn(
                        path, "is the same directory as \(first), already walked; not walked twice",
                        summary: "directory reached twice")
                    continue
                }
                walkedDirectories[identity] = path
                try walk(
                    path, relative: relativePath, label: label, throughLink: viaLink, ancestors: ancestors + [identity],
                    into: &result)
            } else {
                if let first = usedFiles[identity] {
                    warn(path, "is the same file as \(first); used once", summary: "file reached twice")
                    continue
                }
                usedFiles[identity] = path
                result.append(relativePath)
            }
        }
    }

    private mutating func warn(_ path: String, _ reason: String, summary: String) {
        warnings.append(DatasetError(path: path, reason: reason, summary: summary))
    }

    /// The class whose folder really holds `path` (links resolved; the deepest class folder wins),
    /// or nil when it lies outside every class folder.
    private func owningClass(of path: String) -> Int? {
        guard let real = Self.realPath(path) else { return nil }
        var best: Int?
        for (label, folder) in classRealPaths.enumerated() where real == folder || real.hasPrefix(folder + "/") {
            if best == nil || folder.count > classRealPaths[best!].count { best = label }
        }
        return best
    }

    static func identity(_ path: String) -> Identity? { status(path)?.identity }

    /// Identity and kind of what `path` leads to (links followed); nil when it cannot be reached.
    static func status(_ path: String) -> (identity: Identity, isDirectory: Bool)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)), (info.st_mode & S_IFMT) == S_IFDIR)
    }

    static func isLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
