// Every input the Datasets fuzz targets found (Tests/Fuzz/<target>/findings, scripts/fuzz), replayed
// through the same public entry point as a normal test, with the outcome a user should see. A new
// file in those folders without a row here fails the suite.
import Datasets
import Foundation
import Testing

@Suite struct FuzzFindingsTests {
    static let fuzzRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz").path
    static func finding(_ target: String, _ name: String) -> String { "\(fuzzRoot)/\(target)/findings/\(name)" }

    /// Annotation findings and a word of the DatasetError each must give.
    static let annotations: [(String, String)] = [
        // Element names that are not UTF-8 made Foundation's XMLParser trap (SIGILL).
        ("crash-non-utf8-element-name.xml", "not UTF-8"),
        // Refused as it should be; the leak (72 bytes per XML error) is Foundation's (Tests/Fuzz/lsan.supp).
        ("leak-malformed-xml.xml", "malformed XML"),
    ]

    /// ImageSets findings (the fuzz target's input format: flag byte, train.txt NUL val.txt) and a word
    /// of the DatasetError each must give.
    static let imageSets: [(String, String)] = [
        // An empty train.txt: Foundation leaks 4 KB reading an empty file (Tests/Fuzz/lsan.supp); the
        // id of NUL bytes in val.txt names no annotation.
        ("leak-empty-train-list", "cannot")
    ]

    @Test func everyFindingHasATest() throws {
        for (target, rows) in [("voc-annotation", Self.annotations), ("imagesets", Self.imageSets)] {
            let files = try FileManager.default.contentsOfDirectory(atPath: "\(Self.fuzzRoot)/\(target)/findings")
            #expect(Set(files.filter { !$0.hasPrefix(".") }) == Set(rows.map(\.0)), "findings of \(target)")
        }
        for target in ["image"] {
            // git keeps no empty folder: a target without findings has no findings/ in a clone.
            let files =
                (try? FileManager.default.contentsOfDirectory(atPath: "\(Self.fuzzRoot)/\(target)/findings")) ?? []
            #expect(files.filter { !$0.hasPrefix(".") }.isEmpty, "findings of \(target) without a test")
        }
    }

    @Test(arguments: annotations)
    func annotationFindingsGiveAnErrorNamingTheFile(file: String, reason: String) throws {
        let path = Self.finding("voc-annotation", file)
        let error = #expect(throws: DatasetError.self) { _ = try VOCAnnotation.read(path: path) }
        #expect(error?.path == path)
        #expect(error?.reason.contains(reason) == true, "reason was: \(error?.reason ?? "")")
    }

    @Test func validUTF8AnnotationsAreStillRead() throws {
        let xml = "<annotation><filename>é.png</filename><size><width>4</width><height>4</height></size></annotation>"
        let annotation = try VOCAnnotation.parse(Data(xml.utf8), path: "utf8.xml")
        #expect(annotation.filename == "é.png")
    }

    @Test(arguments: imageSets)
    func imageSetsFindingsGiveADatasetError(file: String, reason: String) throws {
        let root = try TestSupport.scratch("fuzz-imagesets")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for directory in ["Annotations", "JPEGImages", "ImageSets/Main"] {
            try FileManager.default.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        let xml = VOCAnnotation(filename: "a.png", width: 4, height: 4, objects: []).xml
        try Data(xml.utf8).write(to: URL(fileURLWithPath: root + "/Annotations/a.xml"))
        try ImageCodec.writePNG(
            path: root + "/JPEGImages/a.png", width: 4, height: 4, channels: 1,
            pixels: [UInt8](repeating: 9, count: 16))
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.finding("imagesets", file))))
        let lists = bytes.dropFirst()
        let split = lists.firstIndex(of: 0)
        try Data(lists[..<(split ?? lists.endIndex)]).write(
            to: URL(fileURLWithPath: root + "/ImageSets/Main/train.txt"))
        if let split {
            try Data(lists[(split + 1)...]).write(to: URL(fileURLWithPath: root + "/ImageSets/Main/val.txt"))
        }
        let error = #expect(throws: DatasetError.self) {
            _ = try Dataset.voc(root: root, skipBad: bytes.first! & 1 == 1)
        }
        #expect(error?.reason.contains(reason) == true, "reason was: \(error?.reason ?? "")")
    }
}
