// libFuzzer target: arbitrary bytes as ImageSets/Main/train.txt and val.txt of a small VOC directory,
// opened with Dataset.voc as training does (the list parser is private to it). Input: byte 0 picks
// --skip-bad (bit 0); the rest up to the first NUL is train.txt, after it val.txt; with no NUL there
// is no val.txt, so the directory listing is used instead. Every input must give a dataset or a
// DatasetError, never trap, leak or hang.
import Datasets
import Foundation
import FuzzDriver

/// A VOC directory in /dev/shm (memory) with three annotations: `a` names the target class and a
/// decodable 4×4 image, `b` has no target and an image that is only a JPEG signature, `c` names a
/// missing image.
private let root: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let root = (base as NSString).appendingPathComponent("xcnn-fuzz-imagesets-\(getpid())")
    let manager = FileManager.default
    for directory in ["Annotations", "JPEGImages", "ImageSets/Main"] {
        try! manager.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
    }
    func annotation(_ file: String, _ objects: [AnnotatedObject]) -> Data {
        Data(VOCAnnotation(filename: file, width: 4, height: 4, objects: objects).xml.utf8)
    }
    let triangle = AnnotatedObject(
        name: "triangle", box: PixelBox(xmin: 1, ymin: 1, xmax: 3, ymax: 3), truncated: false)
    manager.createFile(atPath: root + "/Annotations/a.xml", contents: annotation("a.jpg", [triangle]))
    manager.createFile(atPath: root + "/Annotations/b.xml", contents: annotation("b.jpg", []))
    manager.createFile(atPath: root + "/Annotations/c.xml", contents: annotation("missing.jpg", []))
    try! ImageCodec.writePNG(
        path: root + "/JPEGImages/a.jpg", width: 4, height: 4, channels: 3,
        pixels: [UInt8](repeating: 200, count: 48))
    manager.createFile(atPath: root + "/JPEGImages/b.jpg", contents: Data([0xFF, 0xD8, 0xFF, 0xE0]))
    return root
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImageSets(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let skipBad = bytes[0] & 1 == 1
    let lists = bytes.dropFirst()
    let split = lists.firstIndex(of: 0)
    let train = root + "/ImageSets/Main/train.txt"
    let validation = root + "/ImageSets/Main/val.txt"
    FileManager.default.createFile(atPath: train, contents: Data(lists[..<(split ?? lists.endIndex)]))
    if let split {
        FileManager.default.createFile(atPath: validation, contents: Data(lists[(split + 1)...]))
    } else {
        unlink(validation)
    }
    if let dataset = try? Dataset.voc(root: root, skipBad: skipBad) {
        precondition(dataset.labels.count >= 1, "a VOC dataset without examples was returned")
    }
    return 0
}

/// The executable's entry (see Tests/Fuzz/driver/fuzz_driver.c).
@_cdecl("FuzzImageSets_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    xcnn_fuzz_run(argc, argv, fuzzImageSets)
}
