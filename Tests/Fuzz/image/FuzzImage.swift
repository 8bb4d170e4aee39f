// libFuzzer target: arbitrary bytes as an image file, decoded through the C shim (libpng, libjpeg)
// as training does. A decoded image is written back as PNG and read again, which must give the
// same pixels. Limits are small (4096 per side, 4 Mpixels) so the fuzzer explores the parsers
// instead of allocating gigabytes for headers that claim huge sizes (the limit checks run first).
import Datasets
import Foundation
import FuzzDriver

/// The input is written to one file per process in /dev/shm (memory), since the shim reads paths.
private let scratch: (input: String, output: String) = {
    let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let stem = (directory as NSString).appendingPathComponent("xcnn-fuzz-image-\(getpid())")
    return (stem + ".in", stem + ".png")
}()

private let limits = ImageLimits(maxSide: 4096, maxPixels: 1 << 22)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    guard FileManager.default.createFile(atPath: scratch.input, contents: bytes) else {
        fatalError("cannot write \(scratch.input)")
    }
    guard let image = try? ImageCodec.decode(path: scratch.input, limits: limits) else { return 0 }
    precondition(
        image.width >= 1 && image.height >= 1 && image.rgb.count == image.width * image.height * 3,
        "decoded \(image.width)x\(image.height) with \(image.rgb.count) bytes")
    do {
        try ImageCodec.writePNG(
            path: scratch.output, width: image.width, height: image.height, channels: 3, pixels: image.rgb)
        let again = try ImageCodec.decode(path: scratch.output, limits: limits)
        precondition(
            again.width == image.width && again.height == image.height && again.rgb == image.rgb,
            "PNG round trip changed the image")
    } catch {
        fatalError("PNG round trip of a decoded \(image.width)x\(image.height) image failed: \(error)")
    }
    return 0
}

/// The executable's entry (see Tests/Fuzz/driver/fuzz_driver.c).
@_cdecl("FuzzImage_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    xcnn_fuzz_run(argc, argv, fuzzImage)
}
