// Every file of Fixtures/bad gives a DatasetError naming it (never a trap or a huge allocation),
// and with skipBad a dataset leaves it out and counts it.
import Datasets
import Foundation
import Testing

@Suite struct BadInputTests {
    /// Bad image files and a word the reason must contain.
    static let images: [(String, String)] = [
        ("empty.png", "empty"), ("truncated.png", "libpng"), ("truncated.jpg", "truncated"),
        ("text.png", "not a PNG or JPEG"), ("garbage.jpg", "libjpeg"), ("cmyk.jpg", "CMYK"),
        ("huge-header.png", "100000x100000"), ("huge-header.jpg", "60000x60000"), ("bad-crc.png", "CRC"),
        ("notes.txt", "not a PNG or JPEG"),
    ]

    /// Bad annotations and a word the reason must contain.
    static let annotations: [(String, String)] = [
        ("malformed.xml", "malformed XML"), ("doctype-xxe.xml", "DOCTYPE"), ("entity-bomb.xml", "DOCTYPE"),
        ("traversal.xml", "not a plain file name"), ("box-outside.xml", "xmax"), ("box-inverted.xml", "xmax"),
        ("no-filename.xml", "missing <filename>"), ("wrong-root.xml", "root element"), ("zero-size.xml", "width"),
        ("empty.xml", "empty"),
    ]

    /// `read` must throw a DatasetError naming `path` with `reason` in its text.
    static func expectError(at path: String, containing reason: String, _ read: (String) throws -> Void) {
        let error = #expect(throws: DatasetError.self) { try read(path) }
        #expect(error?.path == path)
        #expect(error?.reason.contains(reason) == true, "reason was: \(error?.reason ?? "")")
    }

    @Test(arguments: images)
    func badImageFilesGiveAnErrorNamingThem(file: String, reason: String) {
        Self.expectError(at: TestSupport.bad(file), containing: reason) { _ = try ImageCodec.decode(path: $0) }
    }

    @Test(arguments: annotations)
    func badAnnotationsGiveAnErrorNamingThem(file: String, reason: String) {
        Self.expectError(at: TestSupport.bad(file), containing: reason) { _ = try VOCAnnotation.read(path: $0) }
    }

    @Test func oversizedAnnotationIsRefusedBeforeParsing() throws {
        let directory = try TestSupport.scratch("big-xml")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/big.xml"
        FileManager.default.createFile(
            atPath: path, contents: Data(repeating: 0x20, count: VOCAnnotation.maxFileBytes + 1))
        let error = #expect(throws: DatasetError.self) { try VOCAnnotation.read(path: path) }
        #expect(error?.reason.contains("limit") == true)
    }

    @Test func limitsAreCheckedAgainstTheHeader() {
        // A valid 7×5 file is refused under a 6-pixel side limit: the check uses the header.
        let error = #expect(throws: DatasetError.self) {
            try ImageCodec.decode(path: TestSupport.good("rgb.png"), limits: ImageLimits(maxSide: 6))
        }
        #expect(error?.reason.contains("7x5") == true)
    }

    /// root/good/{rgb.png, gray.jpeg}, root/other/<bad files>, root/empty/ (a hidden file only).
    static func folderWithBadFiles() throws -> String {
        let root = try TestSupport.scratch("bad-folder")
        let manager = FileManager.default
        for folder in ["good", "other", "empty"] {
            try manager.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        try manager.copyItem(atPath: TestSupport.good("rgb.png"), toPath: root + "/good/rgb.png")
        try manager.copyItem(atPath: TestSupport.good("gray.jpeg"), toPath: root + "/good/gray.jpeg")
        try manager.copyItem(atPath: TestSupport.good("palette.png"), toPath: root + "/other/fine.png")
        for (file, _) in images { try manager.copyItem(atPath: TestSupport.bad(file), toPath: root + "/other/" + file) }
        manager.createFile(atPath: root + "/empty/.keep", contents: Data())
        return root
    }

    @Test func imageFolderStopsAtTheFirstBadFileOrSkipsAndCountsThem() throws {
        let root = try Self.folderWithBadFiles()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A class folder without images stops the scan with or without skipBad: the model could never
        // see that class.
        for skipBad in [false, true] {
            let error = #expect(throws: DatasetError.self) { try Dataset.imageFolder(root: root, skipBad: skipBad) }
            #expect(error?.path == root + "/empty")
            #expect(error?.reason == "class 'empty' has no images (the folder holds no visible files)")
        }
        try FileManager.default.removeItem(atPath: root + "/empty")
        // Without skipBad the scan checks signatures; in sorted order the first problem is other/empty.png.
        let error = #expect(throws: DatasetError.self) { try Dataset.imageFolder(root: root) }
        #expect(error?.path == root + "/other/empty.png")
        let dataset = try Dataset.imageFolder(root: root, skipBad: true)
        #expect(dataset.classes == ["good", "other"])
        #expect(dataset.count == 3)
        #expect(dataset.labels == [0, 0, 1])
        // Every bad image, each named, and counted per reason.
        #expect(dataset.skipped.count == Self.images.count)
        #expect(Set(dataset.skipped.map(\.path)) == Set(Self.images.map { root + "/other/" + $0.0 }))
        #expect(
            SkipCounts(dataset.skipped).description == "4 × cannot decode image (damaged or truncated), "
                + "2 × image too large, 1 × empty file, 1 × not a PNG or JPEG file, "
                + "1 × not an image file (extension '.txt'), 1 × unsupported image content")
        // The same decision on every open (every rank).
        #expect(try Dataset.imageFolder(root: root, skipBad: true).skipped == dataset.skipped)
    }

    @Test func truncatedFileFailsAtLoadNamingItWhenNotSkipped() throws {
        let root = try TestSupport.scratch("truncated-folder")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/a", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestSupport.bad("truncated.png"), toPath: root + "/a/x.png")
        let dataset = try Dataset.imageFolder(root: root)
        let error = #expect(throws: DatasetError.self) { try dataset.load(index: 0, side: 8) }
        #expect(error?.path == root + "/a/x.png")
    }

    @Test(arguments: ["missing-image.xml", "traversal.xml", "doctype-xxe.xml", "malformed.xml"])
    func badAnnotationInAVOCDirectoryIsNamedOrSkipped(file: String) throws {
        let root = try TestSupport.scratch("bad-voc")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let generator = try SyntheticGenerator(
            options: TestSupport.smallOptions(count: 4, side: 32).with { $0.radius = 3..<6 })
        try VOCWriter(generator: generator, directory: root).write()
        try FileManager.default.copyItem(atPath: TestSupport.bad(file), toPath: root + "/Annotations/bad.xml")
        let train = root + "/ImageSets/Main/train.txt"
        try (String(contentsOfFile: train, encoding: .utf8) + "bad\n").write(
            toFile: train, atomically: false, encoding: .utf8)
        let error = #expect(throws: DatasetError.self) { try Dataset.voc(root: root) }
        #expect(error?.path == root + "/Annotations/bad.xml")
        let dataset = try Dataset.voc(root: root, skipBad: true)
        #expect(dataset.count == 4 && dataset.skipped.count == 1)
    }
}

extension GeneratorOptions {
    func with(_ change: (inout GeneratorOptions) -> Void) -> GeneratorOptions {
        var copy = self
        change(&copy)
        return copy
    }
}
