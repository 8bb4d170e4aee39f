// Inputs from the field (../shared/field-cases, copied to Fixtures/field) and what a user must see:
// skipped files counted and named, a class left empty refused, directory cycles walked once, VOC
// target classes that never match refused with near names, stale VOC <filename>s, image bombs.
import Foundation
import Testing

@testable import Datasets

@Suite struct FieldCaseTests {
    static func field(_ name: String) -> String { TestSupport.fixtures + "/field/" + name }

    /// A writable copy of a field fixture (links and edits are made in the copy only).
    static func copy(_ name: String) throws -> String {
        let root = try TestSupport.scratch(name) + "/data"
        try FileManager.default.copyItem(atPath: field(name), toPath: root)
        return root
    }

    // FC01: class `dog` holds only .webp files.

    @Test func webpFilesStopTheScanNamingTheFileAndTheFormat() throws {
        let root = try Self.copy("webp-class")
        let error = #expect(throws: DatasetError.self) { try Dataset.imageFolder(root: root) }
        #expect(error?.path == root + "/dog/d0.webp")
        #expect(
            error?.reason
                == "unsupported image format '.webp': xcnn reads PNG and JPEG (convert the file, or leave such files out with --skip-bad)"
        )
    }

    @Test func aClassEmptiedBySkipBadStopsTheScanNamingTheClassAndItsFiles() throws {
        let root = try Self.copy("webp-class")
        let error = #expect(throws: DatasetError.self) { try Dataset.imageFolder(root: root, skipBad: true) }
        #expect(error?.path == root + "/dog")
        #expect(
            error?.reason == "class 'dog' has no usable images: all 4 file(s) were left out by --skip-bad "
                + "(4 × unsupported image format .webp): d0.webp, d1.webp, d2.webp, d3.webp")
    }

    @Test func skippedFilesAreCountedPerReasonAndNamed() throws {
        let root = try Self.copy("webp-class")
        try FileManager.default.copyItem(atPath: root + "/cat/c0.png", toPath: root + "/dog/usable.png")
        try FileManager.default.copyItem(atPath: TestSupport.bad("truncated.png"), toPath: root + "/cat/broken.png")
        try Data("notes".utf8).write(to: URL(fileURLWithPath: root + "/cat/notes.txt"))
        let dataset = try Dataset.imageFolder(root: root, skipBad: true)
        #expect(dataset.count == 5 && dataset.labels == [0, 0, 0, 0, 1])
        #expect(
            dataset.skipped.map(\.path) == ["broken.png", "notes.txt"].map { root + "/cat/" + $0 }
                + ["d0", "d1", "d2", "d3"].map { root + "/dog/\($0).webp" })
        #expect(
            SkipCounts(dataset.skipped).description
                == "4 × unsupported image format .webp, 1 × cannot decode image (damaged or truncated), 1 × not an image file (extension '.txt')"
        )
        let lines = dataset.reportLines(limit: 2)
        #expect(lines.count == 4)
        #expect(lines[0] == "--skip-bad left out 6 file(s): " + SkipCounts(dataset.skipped).description)
        #expect(lines[1].hasPrefix("skipped \(root)/cat/broken.png: libpng"))
        #expect(
            lines[2]
                == "skipped \(root)/cat/notes.txt: not an image file (extension '.txt'; expected .png, .jpg or .jpeg)")
        #expect(lines[3] == "… and 4 more skipped file(s)")
        let text = try #require(dataset.reportText(dataset: root))
        #expect(text.split(separator: "\n").count == 3 + 6)
        #expect(text.contains("\nskipped\t\(root)/dog/d3.webp\tunsupported image format '.webp'"))
        #expect(text.hasPrefix("# dataset \(root): 5 image(s) used\n# left out by --skip-bad: 6 ("))
        // Nothing to report: no text, so no file is written.
        #expect(try Dataset.imageFolder(root: Self.copy("two-colours")).reportText(dataset: "x") == nil)
    }

    @Test func aVOCTargetClassEmptiedBySkipBadStopsTheScanNamingIt() throws {
        let root = try Self.copy("voc-capital-name")
        for id in ["a0", "a2", "a4"] {
            try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]).write(
                to: URL(fileURLWithPath: "\(root)/JPEGImages/\(id).png"))
        }
        let error = #expect(throws: DatasetError.self) {
            try Dataset.voc(root: root, targetClass: "Triangle", skipBad: true)
        }
        #expect(error?.path == root)
        #expect(
            error?.reason == "class 'Triangle' has no usable images: all 3 file(s) were left out by --skip-bad "
                + "(3 × cannot decode image (damaged or truncated)): a0.png, a2.png, a4.png")
    }

    @Test func aClassHoldingOnlyLinksThatAreNotFollowedIsNamed() throws {
        let root = try Self.copy("two-colours")
        try FileManager.default.createDirectory(atPath: root + "/bird", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/bird/cats", withDestinationPath: "../cat")
        let error = #expect(throws: DatasetError.self) { try Dataset.imageFolder(root: root) }
        #expect(error?.path == root + "/bird")
        #expect(
            error?.reason
                == "class 'bird' has no images of its own: the 1 link(s) in it were not followed (1 × link into another class)"
        )
    }

    // FC02: cat/loop -> .. made the walk list hundreds of duplicates and relabel dog images as cat.

    @Test func directoryCyclesAndLinksIntoOtherClassesAreWalkedOnceWithLabelsFromTheirOwnClass() throws {
        let root = try Self.copy("two-colours")
        let manager = FileManager.default
        try manager.createSymbolicLink(atPath: root + "/cat/loop", withDestinationPath: "..")
        try manager.createSymbolicLink(atPath: root + "/cat/dogs", withDestinationPath: "../dog")
        try manager.createDirectory(atPath: root + "/dog/sub", withIntermediateDirectories: true)
        try manager.createSymbolicLink(atPath: root + "/dog/sub/up", withDestinationPath: "..")
        try manager.createSymbolicLink(atPath: root + "/dog/sub/cat0.png", withDestinationPath: "../../cat/0.png")
        try manager.createSymbolicLink(atPath: root + "/dog/sub/again.png", withDestinationPath: "../1.png")
        for skipBad in [false, true] {
            let dataset = try Dataset.imageFolder(root: root, skipBad: skipBad)
            #expect(dataset.count == 8)
            #expect(dataset.labels == [0, 0, 0, 0, 1, 1, 1, 1])
            #expect(
                (0..<8).map { dataset.path(of: $0)! } == (0..<4).map { "\(root)/cat/\($0).png" }
                    + (0..<4).map { "\(root)/dog/\($0).png" })
            #expect(dataset.skipped.isEmpty)
            #expect(
                dataset.warnings.map(\.description) == [
                    "\(root)/cat/dogs: links to a directory of class 'dog' (\(root)/dog): its images keep that label and are not also taken as 'cat'; not followed",
                    "\(root)/cat/loop: links to \(root), which contains it: a directory cycle; not followed",
                    "\(root)/dog/sub/again.png: is the same file as \(root)/dog/1.png; used once",
                    "\(root)/dog/sub/cat0.png: links to an image of class 'cat' (\(root)/cat/0.png): it keeps that label and is not also taken as 'dog'; not followed",
                    "\(root)/dog/sub/up: links to \(root)/dog, which contains it: a directory cycle; not followed",
                ])
        }
        // The pixels agree with the labels: cat images are red, dog images blue.
        let dataset = try Dataset.imageFolder(root: root)
        for index in 0..<8 {
            let pixels = try dataset.load(index: index, side: 16).pixels
            let red = pixels[0..<256].reduce(0, +)
            let blue = pixels[512..<768].reduce(0, +)
            #expect((red > blue) == (dataset.labels[index] == 0), "sample \(index)")
        }
    }

    @Test func twoClassFoldersThatAreOneDirectoryAreRefused() throws {
        let root = try Self.copy("two-colours")
        try FileManager.default.createSymbolicLink(atPath: root + "/kitten", withDestinationPath: "cat")
        let error = #expect(throws: DatasetError.self) { try Dataset.imageFolder(root: root) }
        #expect(error?.path == root + "/kitten")
        #expect(error?.reason.hasPrefix("class folders 'cat' and 'kitten' are the same directory") == true)
    }

    // FC04: objects named "Triangle", target class "triangle".

    @Test(arguments: ["triangle", "triangel", "TRIANGLE"])
    func aTargetClassInNoAnnotationIsRefusedWithTheNamesFoundAndNearOnes(target: String) throws {
        let root = Self.field("voc-capital-name")
        for skipBad in [false, true] {
            let error = #expect(throws: DatasetError.self) {
                try Dataset.voc(root: root, targetClass: target, skipBad: skipBad)
            }
            #expect(error?.path == root + "/Annotations")
            #expect(
                error?.reason
                    == "target class '\(target)' occurs in no annotation; object names found: Triangle (3), circle (3); "
                    + "did you mean 'Triangle'? (names are matched exactly, case included: pass --target-class Triangle)"
            )
        }
    }

    @Test func aTargetClassFarFromEveryNameGetsNoSuggestion() throws {
        let error = #expect(throws: DatasetError.self) {
            try Dataset.voc(root: Self.field("voc-capital-name"), targetClass: "square")
        }
        #expect(
            error?.reason
                == "target class 'square' occurs in no annotation; object names found: Triangle (3), circle (3)")
    }

    @Test func theExactNameLabelsTheImagesHoldingIt() throws {
        let dataset = try Dataset.voc(root: Self.field("voc-capital-name"), targetClass: "Triangle")
        #expect(dataset.labels == [1, 0, 1, 0, 1, 0])
        #expect(dataset.classes == ["no-Triangle", "Triangle"])
        #expect(dataset.warnings.isEmpty)
    }

    @Test func aNameCloseToAPresentTargetIsAWarning() throws {
        let root = try Self.copy("voc-capital-name")
        let path = root + "/Annotations/a0.xml"
        try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "Triangle", with: "triangle")
            .write(toFile: path, atomically: false, encoding: .utf8)
        let dataset = try Dataset.voc(root: root, targetClass: "triangle")
        #expect(dataset.labels == [1, 0, 0, 0, 0, 0])
        #expect(
            dataset.warnings.map(\.description) == [
                "\(root)/Annotations: object name 'Triangle' (2 object(s)) is close to the target "
                    + "class 'triangle' (1) but a different class: images holding only 'Triangle' are labelled no-triangle"
            ])
    }

    @Test(arguments: [
        ("triangel", "triangle", true), ("Triangle", "triangle", true), ("circle", "triangle", false),
        ("cat", "car", true), ("cat", "dog", false), ("person", "persons", true), ("a", "", true), ("ab", "", false),
    ])
    func nearNames(a: String, b: String, near: Bool) {
        #expect(Dataset.isNearName(a, b) == near)
        #expect(Dataset.isNearName(b, a) == near)
    }

    // FC05: Annotations/a3.xml says <filename>a2.png</filename>; JPEGImages/a3.png exists.

    @Test func theImageComesFromTheIdAndAStaleFilenameIsAWarning() throws {
        let root = Self.field("voc-stale-filename")
        let dataset = try Dataset.voc(root: root)
        #expect((0..<6).map { dataset.path(of: $0)! } == (0..<6).map { "\(root)/JPEGImages/a\($0).png" })
        // a3's circle label (0) now goes with a3.png, not a2.png's triangle.
        #expect(dataset.labels == [1, 0, 1, 0, 1, 0])
        #expect(
            dataset.warnings.map(\.description) == [
                "\(root)/Annotations/a3.xml: <filename> says 'a2.png' but the annotation's id is "
                    + "'a3'; using JPEGImages/a3.png (the image is taken from the id, as torchvision's "
                    + "and mmdetection's VOC readers do)"
            ])
        // Every image has its own colour: samples 2 and 3 differ.
        #expect(try dataset.load(index: 2, side: 8).pixels != dataset.load(index: 3, side: 8).pixels)
    }

    @Test func aFilenameWithAnotherExtensionFallsBackToTheIdsImageWithAWarning() throws {
        let root = try Self.copy("voc-stale-filename")
        let path = root + "/Annotations/a1.xml"
        try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "a1.png", with: "a1.jpg")
            .write(toFile: path, atomically: false, encoding: .utf8)
        let dataset = try Dataset.voc(root: root)
        #expect(dataset.path(of: 1) == root + "/JPEGImages/a1.png")
        #expect(
            dataset.warnings.first?.description
                == "\(path): <filename> says 'a1.jpg', which does not exist in JPEGImages/; using "
                + "JPEGImages/a1.png (the image is taken from the id, as torchvision's and mmdetection's VOC readers do)"
        )
        #expect(dataset.warnings.count == 2)
    }

    @Test func twoAnnotationsClaimingOneImageAreRefusedEvenWithSkipBad() throws {
        let root = try Self.copy("voc-stale-filename")
        try FileManager.default.removeItem(atPath: root + "/JPEGImages/a3.png")
        for skipBad in [false, true] {
            let error = #expect(throws: DatasetError.self) { try Dataset.voc(root: root, skipBad: skipBad) }
            #expect(error?.path == root + "/Annotations/a3.xml")
            #expect(
                error?.reason
                    == "uses image \(root)/JPEGImages/a2.png, which \(root)/Annotations/a2.xml also uses: one image "
                    + "would carry two annotations' labels; correct the <filename> of one of them")
        }
    }

    @Test func anIdListedTwiceIsRefused() throws {
        let root = try Self.copy("voc-stale-filename")
        let list = root + "/ImageSets/Main/train.txt"
        try (String(contentsOfFile: list, encoding: .utf8) + "a1\n").write(
            toFile: list, atomically: false, encoding: .utf8)
        let error = #expect(throws: DatasetError.self) { try Dataset.voc(root: root, skipBad: true) }
        #expect(error?.path == list)
        #expect(error?.reason == "id 'a1' is listed twice (entries 2 and 5): its image would be used twice")
    }

    @Test func anAnnotationWithoutAnyImageNamesWhatWasTried() throws {
        let root = try Self.copy("voc-stale-filename")
        try FileManager.default.removeItem(atPath: root + "/JPEGImages/a3.png")
        try FileManager.default.removeItem(atPath: root + "/JPEGImages/a2.png")
        let error = #expect(throws: DatasetError.self) { try Dataset.voc(root: root) }
        #expect(error?.path == root + "/Annotations/a2.xml")
        #expect(
            error?.reason
                == "names image 'a2.png', which does not exist in JPEGImages/, and no image there has its id 'a2' "
                + "(tried a2.png, a2.jpg, a2.jpeg, a2.JPG, a2.JPEG, a2.PNG)")
    }

    // Issue 11, item 5: an 87-byte PNG whose header claims 16384² pixels.

    @Test func aDecompressionBombIsRefusedFromItsHeaderNamingTheFlag() throws {
        let path = TestSupport.bad("bomb-16384.png")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count < 100)
        let error = #expect(throws: DatasetError.self) {
            try ImageCodec.decode(path: path, limits: .forModel(side: 224))
        }
        #expect(error?.path == path)
        #expect(
            error?.reason
                == "header claims 16384x16384 = 268435456 pixels, over the limit of 89478485 per image (raise it with --max-image-pixels)"
        )
        #expect(error?.summary == "image too large")
        // Raised by the user, the header passes and decoding goes on (and meets the missing rows).
        let raised = #expect(throws: DatasetError.self) {
            try ImageCodec.decode(path: path, limits: .forModel(side: 224, maxPixels: 16384 * 16384))
        }
        #expect(raised?.reason.hasPrefix("libpng") == true, "reason was: \(raised?.reason ?? "")")
    }

    @Test func theDefaultLimitIsPillowsOrAThousandTimesTheModelsPixels() {
        #expect(ImageLimits.standard.maxPixels == 89_478_485)
        #expect(ImageLimits.forModel(side: 224).maxPixels == 89_478_485)
        #expect(ImageLimits.forModel(side: 512).maxPixels == 268_435_456)
        #expect(ImageLimits.forModel(side: 64, maxPixels: 5).maxPixels == 5)
    }

    @Test func aBombInAClassFolderIsSkippedAndCountedWithSkipBad() throws {
        let root = try Self.copy("two-colours")
        try FileManager.default.copyItem(atPath: TestSupport.bad("bomb-16384.png"), toPath: root + "/dog/bomb.png")
        let error = #expect(throws: DatasetError.self) {
            try Dataset.imageFolder(root: root, limits: .forModel(side: 32)).load(index: 8, side: 32)
        }
        #expect(error?.path == root + "/dog/bomb.png")
        let dataset = try Dataset.imageFolder(root: root, skipBad: true, limits: .forModel(side: 32))
        #expect(dataset.count == 8)
        #expect(dataset.reportLines().first == "--skip-bad left out 1 file(s): 1 × image too large")
    }
}
