// libFuzzer target: arbitrary bytes as a `--config` file, merged over the defaults and validated as
// `xcnn train --config` does. Every input must give a configuration or an error, never a trap.
import Foundation
import FuzzDriver
import Training

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    if let configuration = try? TrainingConfiguration().merging(json: bytes, source: "fuzz.json") {
        try? configuration.validate()
        _ = configuration.jsonText()
    }
    return 0
}

/// The executable's entry (see Tests/Fuzz/driver/fuzz_driver.c).
@_cdecl("FuzzConfig_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    xcnn_fuzz_run(argc, argv, fuzzConfig)
}
