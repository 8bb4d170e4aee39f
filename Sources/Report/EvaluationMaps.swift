// The file `xcnn evaluate --save-maps` writes beside evaluation.json: every method's raw maps and the
// input as the model saw it, as safetensors, so anyone can recompute or re-score a method in Python
// (`safetensors.numpy.load_file`). Row n of every tensor is image n of evaluation.json's listing.
// Letters: N images, S the side.
import Attribution
import Foundation
import Training

public enum EvaluationMaps {
    public static let fileName = "maps.safetensors"
    /// The input tensor's name; a method cannot be called that.
    public static let inputName = "input"
    public static let format = "xcnn-maps"

    /// One image's values as one flat row: the input [3, S, S] (planar RGB in [0, 1]), then one raw
    /// map [S, S] per method in the methods' order. Rows are what ranks send to rank 0.
    public static func row(input: [Float], maps: [[Float]], side: Int) -> [Float] {
        precondition(
            input.count == 3 * side * side && maps.allSatisfy { $0.count == side * side },
            "maps row: sizes do not match side \(side)")
        return input + maps.joined()
    }

    /// A row's bytes (float32, the machine's little-endian order) and back.
    public static func bytes(_ row: [Float]) -> [UInt8] { row.withUnsafeBytes { Array($0) } }
    public static func row(bytes: [UInt8]) -> [Float] {
        precondition(bytes.count % 4 == 0, "maps row of \(bytes.count) bytes")
        return [Float](unsafeUninitializedCapacity: bytes.count / 4) { buffer, count in
            _ = bytes.withUnsafeBytes { memcpy(buffer.baseAddress!, $0.baseAddress!, bytes.count) }
            count = bytes.count / 4
        }
    }

    /// The safetensors file: "input" [N, 3, S, S], then one [N, S, S] tensor per method, all float32;
    /// metadata: format, side, methods (comma-separated) and the dataset indices (a JSON array).
    /// - Parameters:
    ///   - rows: N rows made by `row(input:maps:side:)`, in the listing's order.
    ///   - images: the listing, one entry per row.
    public static func encode(rows: [[Float]], methods: [String], side: Int, images: [SavedMapsListing.Image]) throws
        -> [UInt8]
    {
        precondition(rows.count == images.count, "maps: \(rows.count) rows for \(images.count) images")
        guard !methods.contains(inputName) else { throw ReportError("maps", "a method cannot be called \(inputName)") }
        let plane = side * side
        let width = (3 + methods.count) * plane
        let n = rows.count
        if let bad = rows.firstIndex(where: { $0.count != width }) {
            throw ReportError(
                "maps row \(bad)",
                "\(rows[bad].count) values, expected \(width) (input and \(methods.count) map(s) at side \(side))")
        }
        var tensors = [
            NamedTensor(name: inputName, shape: [n, 3, side, side], values: rows.flatMap { $0[0..<(3 * plane)] })
        ]
        for (m, method) in methods.enumerated() {
            let start = (3 + m) * plane
            tensors.append(
                NamedTensor(name: method, shape: [n, side, side], values: rows.flatMap { $0[start..<(start + plane)] }))
        }
        let indices = try JSONSerialization.data(withJSONObject: images.map(\.index))
        let metadata = [
            "format": format, "format_version": "1", "side": String(side), "methods": methods.joined(separator: ","),
            "indices": String(decoding: indices, as: UTF8.self),
        ]
        return try Safetensors.encode(tensors, metadata: metadata)
    }

    /// A maps file read back: the input, one tensor per method (in the file's method order) and the
    /// dataset indices. Errors name `source` and what does not fit (a missing tensor, a wrong shape).
    public static func decode(_ bytes: [UInt8], source: String) throws
        -> (input: NamedTensor, maps: [NamedTensor], indices: [Int], side: Int)
    {
        let (tensors, metadata) = try Safetensors.decode(bytes, source: source)
        guard metadata["format"] == format else {
            throw ReportError(source, "not an xcnn maps file (format \(metadata["format"] ?? "missing"))")
        }
        guard let side = metadata["side"].flatMap(Int.init), side > 0,
            let methods = metadata["methods"]?.split(separator: ",").map(String.init),
            let indexData = metadata["indices"]?.data(using: .utf8),
            let indices = try? JSONDecoder().decode([Int].self, from: indexData)
        else {
            throw ReportError(source, "metadata lacks side, methods or indices")
        }
        func tensor(_ name: String, _ shape: [Int]) throws -> NamedTensor {
            guard let t = tensors.first(where: { $0.name == name }) else {
                throw ReportError(source, "no tensor \(name)")
            }
            guard t.shape == shape else {
                throw ReportError(source, "tensor \(name) has shape \(t.shape), expected \(shape)")
            }
            return t
        }
        let n = indices.count
        return (
            try tensor(inputName, [n, 3, side, side]), try methods.map { try tensor($0, [n, side, side]) }, indices,
            side
        )
    }
}
