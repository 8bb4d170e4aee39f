// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header,
// then raw little-endian tensor data) so that Python's `safetensors` opens our checkpoints.
import Foundation

public struct NamedTensor: Equatable, Sendable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "tensor \(name): shape \(shape) does not match \(values.count) values")
        self.name = name
        self.shape = shape
        self.values = values
    }
}

public enum Safetensors {
    /// Serialises float32 tensors and string metadata. Tensors are stored in the given order;
    /// the header's keys are sorted, so the same content always gives the same bytes.
    public static func encode(_ tensors: [NamedTensor], metadata: [String: String]) throws -> [UInt8] {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for tensor in tensors {
            let bytes = tensor.values.count * 4
            header[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        while (json.count + 8) % 8 != 0 { json.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        for tensor in tensors {
            tensor.values.withUnsafeBytes { out.append(contentsOf: $0) }  // x86-64 and arm64 are little-endian
        }
        return out
    }

    /// Parses a whole file's bytes. Every inconsistency (short file, bad header, offsets outside
    /// the data, wrong dtype) is an error naming `source`.
    public static func decode(_ bytes: [UInt8], source: String) throws -> (tensors: [NamedTensor], metadata: [String: String]) {
        func fail(_ reason: String) -> TrainingError { TrainingError("\(source): not a valid safetensors file: \(reason)") }
        guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes, shorter than the 8-byte header length") }
        let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(bytes.count - 8), headerLength <= 100_000_000 else {
            throw fail("header length \(headerLength) exceeds the file (\(bytes.count) bytes): truncated?")
        }
        let dataStart = 8 + Int(headerLength)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
        } catch {
            throw fail("header is not JSON")
        }
        guard let header = object as? [String: Any] else { throw fail("header is not a JSON object") }
        let metadata = (header["__metadata__"] as? [String: String]) ?? [:]
        var entries: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else { throw fail("tensor \(name) has a malformed entry") }
            guard dtype == "F32" else { throw fail("tensor \(name) has dtype \(dtype); only F32 is used here") }
            let (begin, end) = (offsets[0], offsets[1])
            guard shape.allSatisfy({ $0 >= 0 }), begin >= 0, end >= begin, end - begin == shape.reduce(1, *) * 4 else {
                throw fail("tensor \(name): offsets \(offsets) do not match shape \(shape)")
            }
            guard dataStart + end <= bytes.count else {
                throw fail("tensor \(name) ends at byte \(dataStart + end) but the file has \(bytes.count): truncated")
            }
            entries.append((name, shape, begin, end))
        }
        entries.sort { $0.begin < $1.begin }
        let tensors = entries.map { entry in
            var values = [Float](repeating: 0, count: (entry.end - entry.begin) / 4)
            values.withUnsafeMutableBytes { destination in
                bytes.withUnsafeBytes { source in
                    destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[(dataStart + entry.begin)..<(dataStart + entry.end)]))
                }
            }
            return NamedTensor(name: entry.name, shape: entry.shape, values: values)
        }
        return (tensors, metadata)
    }

    /// A 64-bit FNV-1a-style hash over the tensors' names, shapes and values, folded 8 bytes at a
    /// time. It detects truncation, bit flips and edits; it is not meant to resist tampering.
    public static func checksum(_ tensors: [NamedTensor]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let prime: UInt64 = 0x0000_0100_0000_01b3
        func mix(_ word: UInt64) { hash = (hash ^ word) &* prime }
        for tensor in tensors {
            for byte in tensor.name.utf8 { mix(UInt64(byte)) }
            for dimension in tensor.shape { mix(UInt64(dimension)) }
            tensor.values.withUnsafeBytes { raw in
                let words = raw.count / 8
                for i in 0..<words { mix(raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
                for i in (words * 8)..<raw.count { mix(UInt64(raw[i])) }
            }
        }
        return String(hash, radix: 16)
    }
}
