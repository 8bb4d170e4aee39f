// libFuzzer target: arbitrary bytes as a checkpoint file. Decoding must throw or succeed, never trap,
// leak or hang (resume's fallback to an older checkpoint relies on the throw).
import FuzzDriver
import Training

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? Safetensors.decode(bytes, source: "fuzz")
    _ = try? CheckpointFile.decode(bytes, source: "fuzz")
    return 0
}

/// The executable's entry (see Tests/Fuzz/driver/fuzz_driver.c).
@_cdecl("FuzzSafetensors_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    xcnn_fuzz_run(argc, argv, fuzzSafetensors)
}
