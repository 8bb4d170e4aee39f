// libFuzzer target: arbitrary bytes as Annotations/<id>.xml. Parsing must give an annotation or a
// DatasetError, never trap, leak or hang (libxml2 underneath, through Foundation's XMLParser).
import Datasets
import Foundation
import FuzzDriver

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVOCAnnotation(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    if let annotation = try? VOCAnnotation.parse(bytes, path: "fuzz.xml") {
        _ = annotation.contains("triangle")
    }
    return 0
}

/// The executable's entry (see Tests/Fuzz/driver/fuzz_driver.c).
@_cdecl("FuzzVOCAnnotation_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    xcnn_fuzz_run(argc, argv, fuzzVOCAnnotation)
}
