// libFuzzer target: checkpoint files. Decoding must throw or succeed, never trap, leak or hang
// (resume's fallback to an older checkpoint relies on the throw). Each input is tried twice:
// - as the file's bytes;
// - as numbers for one tensor entry, written into a well-formed header: the JSON parser is not
//   instrumented, so raw bytes alone rarely reach the arithmetic on shapes and offsets (FC13).
import FuzzDriver
import Training

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? Safetensors.decode(bytes, source: "fuzz")
    _ = try? CheckpointFile.decode(bytes, source: "fuzz")
    _ = try? Safetensors.decode(structured(bytes), source: "fuzz-structured")
    return 0
}

/// Byte 0: rank of the shape (0…4) and how many data bytes follow; then little-endian Int64s: the
/// dimensions, then the two data offsets. Numbers of any size, negative ones included.
func structured(_ bytes: [UInt8]) -> [UInt8] {
    guard let first = bytes.first else { return [] }
    var numbers: [Int64] = []
    var index = 1
    while index + 8 <= bytes.count, numbers.count < 6 {
        numbers.append(bytes[index..<(index + 8)].reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) })
        index += 8
    }
    let rank = min(Int(first % 5), max(numbers.count - 2, 0))
    let shape = numbers.prefix(rank).map(String.init).joined(separator: ",")
    let offsets = numbers.dropFirst(rank).prefix(2).map(String.init).joined(separator: ",")
    var header = Array(#"{"t":{"dtype":"F32","shape":[\#(shape)],"data_offsets":[\#(offsets)]}}"#.utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    let dataCount = Int(first / 5) * 4
    var file = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
    file += header
    file += [UInt8](repeating: 0x3F, count: dataCount)
    return file
}

/// The executable's entry (see Tests/Fuzz/driver/fuzz_driver.c).
@_cdecl("FuzzSafetensors_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    xcnn_fuzz_run(argc, argv, fuzzSafetensors)
}
