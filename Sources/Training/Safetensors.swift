// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header,
// then raw little-endian tensor data) so that Python's `safetensors` opens our checkpoints.
import Foundation

public struct NamedTensor: Equatable, Sendable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(
            shape.reduce(1, *) == values.count, "tensor \(name): shape \(shape) does not match \(values.count) values")
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

    /// Largest header accepted (the reference library's own limit is 100 MB too).
    static let maxHeaderBytes: UInt64 = 100_000_000

    /// Parses a whole file's bytes. Every number in the header is bounded before it is used (header
    /// length, shape products, byte counts, offsets; all with overflow-checked arithmetic), and the
    /// tensors must cover the data exactly, as the format requires. Every inconsistency (short file,
    /// bad header, offsets outside the data, wrong dtype) is an error naming `source` and the tensor.
    public static func decode(_ bytes: [UInt8], source: String) throws -> (
        tensors: [NamedTensor], metadata: [String: String]
    ) {
        func fail(_ reason: String) -> TrainingError {
            TrainingError("\(source): not a valid safetensors file: \(reason)")
        }
        guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes, shorter than the 8-byte header length") }
        let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        guard headerLength <= maxHeaderBytes else {
            throw fail("header length \(headerLength) is over the \(maxHeaderBytes)-byte limit")
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail("header length \(headerLength) exceeds the file (\(bytes.count) bytes): truncated?")
        }
        let dataStart = 8 + Int(headerLength)
        let dataLength = bytes.count - dataStart
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
        } catch {
            throw fail("header is not JSON")
        }
        guard let header = object as? [String: Any] else { throw fail("header is not a JSON object") }
        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let strings = raw as? [String: String] else { throw fail("__metadata__ is not an object of strings") }
            metadata = strings
        }
        var entries: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                let rawShape = entry["shape"] as? [Any], let rawOffsets = entry["data_offsets"] as? [Any]
            else { throw fail("tensor \(name) has a malformed entry (dtype, shape, data_offsets)") }
            guard dtype == "F32" else { throw fail("tensor \(name) has dtype \(dtype); only F32 is used here") }
            let shape = rawShape.map(nonNegativeInteger)
            let offsets = rawOffsets.map(nonNegativeInteger)
            guard shape.allSatisfy({ $0 != nil }) else {
                throw fail("tensor \(name): shape \(describe(rawShape)) is not a list of integers in 0...\(Int.max)")
            }
            guard offsets.count == 2, offsets.allSatisfy({ $0 != nil }) else {
                throw fail("tensor \(name): data_offsets \(describe(rawOffsets)) is not two integers in 0...\(Int.max)")
            }
            let dimensions = shape.map { $0! }
            let (begin, end) = (offsets[0]!, offsets[1]!)
            var elements = 1
            for dimension in dimensions {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow else {
                    throw fail("tensor \(name): shape \(dimensions) overflows (its element count is over \(Int.max))")
                }
                elements = product
            }
            let (byteCount, overflow) = elements.multipliedReportingOverflow(by: 4)
            guard !overflow else {
                throw fail(
                    "tensor \(name): shape \(dimensions) overflows (\(elements) F32 values are over \(Int.max) bytes)")
            }
            guard end >= begin, end - begin == byteCount else {
                throw fail(
                    "tensor \(name): data_offsets [\(begin), \(end)] do not match shape \(dimensions) (\(byteCount) bytes)"
                )
            }
            guard end <= dataLength else {
                throw fail(
                    "tensor \(name) ends at byte \(end) of the data but the file holds \(dataLength) data bytes: truncated"
                )
            }
            entries.append((name, dimensions, begin, end))
        }
        entries.sort { $0.begin != $1.begin ? $0.begin < $1.begin : $0.end < $1.end }
        // The format leaves no holes and no overlaps: each tensor starts where the previous one ends.
        var covered = 0
        for entry in entries {
            guard entry.begin == covered else {
                throw fail(
                    entry.begin < covered
                        ? "tensor \(entry.name) overlaps the tensor before it (starts at byte \(entry.begin), before \(covered))"
                        : "data bytes \(covered)..<\(entry.begin) belong to no tensor")
            }
            covered = entry.end
        }
        guard covered == dataLength else { throw fail("data bytes \(covered)..<\(dataLength) belong to no tensor") }
        let tensors = entries.map { entry in
            var values = [Float](repeating: 0, count: (entry.end - entry.begin) / 4)
            values.withUnsafeMutableBytes { destination in
                bytes.withUnsafeBytes { source in
                    destination.copyMemory(
                        from: UnsafeRawBufferPointer(
                            rebasing: source[(dataStart + entry.begin)..<(dataStart + entry.end)]))
                }
            }
            return NamedTensor(name: entry.name, shape: entry.shape, values: values)
        }
        return (tensors, metadata)
    }

    /// A JSON number that is a whole number in 0...Int.max (never a fraction or a huge value).
    private static func nonNegativeInteger(_ value: Any) -> Int? {
        guard let number = value as? NSNumber else { return nil }
        if let exact = Int(exactly: number.doubleValue), exact >= 0, String(exact) == number.stringValue {
            return exact
        }
        // Integers beyond 2^53 do not survive the trip through Double; read their digits.
        guard let parsed = Int(number.stringValue), parsed >= 0 else { return nil }
        return parsed
    }

    private static func describe(_ values: [Any]) -> String {
        "[" + values.map { ($0 as? NSNumber)?.stringValue ?? "\($0)" }.joined(separator: ", ") + "]"
    }

    /// A 64-bit FNV-1a-style checksum of the tensors that does not depend on their order in the file
    /// (the format does not fix it: the reference writer sorts by name, xcnn follows its parameter
    /// layout): each tensor's name, shape and values are hashed alone and the hashes are combined in
    /// order of the names' UTF-8 bytes. It detects truncation, bit flips and edits; it is not meant to
    /// resist tampering.
    public static func checksum(_ tensors: [NamedTensor]) -> String {
        var combined = FNV()
        for tensor in tensors.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
            var single = FNV()
            single.add(tensor)
            combined.mix(single.hash)
        }
        return String(combined.hash, radix: 16)
    }

    /// Format 1's checksum: the tensors hashed in the order given (the file's data order). Kept to
    /// verify checkpoints written before format 2.
    public static func fileOrderChecksum(_ tensors: [NamedTensor]) -> String {
        var hash = FNV()
        for tensor in tensors { hash.add(tensor) }
        return String(hash.hash, radix: 16)
    }

    /// A checksum of string metadata that holds across faithful re-saves: keys in UTF-8 order, and
    /// values that are JSON objects or arrays compared by their parsed content (keys sorted,
    /// whitespace and indentation ignored), since a re-save may re-indent them.
    public static func metadataChecksum(_ metadata: [String: String]) -> String {
        var hash = FNV()
        for key in metadata.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let value = metadata[key]!
            let parsed =
                (value.first == "{" || value.first == "[")
                ? try? JSONSerialization.jsonObject(with: Data(value.utf8)) : nil
            hash.add(text: key)
            hash.add(text: parsed.map(canonicalJSON) ?? value)
        }
        return String(hash.hash, radix: 16)
    }

    /// JSON text with sorted keys and no whitespace; numbers (and booleans, which Foundation parses as
    /// numbers) as Foundation prints the parsed value, so "1e-06" and "0.000001" agree.
    static func canonicalJSON(_ value: Any) -> String {
        switch value {
        case let object as [String: Any]:
            let keys = object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return "{" + keys.map { quoted($0) + ":" + canonicalJSON(object[$0]!) }.joined(separator: ",") + "}"
        case let array as [Any]:
            return "[" + array.map(canonicalJSON).joined(separator: ",") + "]"
        case let string as String:
            return quoted(string)
        case is NSNull:
            return "null"
        case let number as NSNumber:
            return number.stringValue
        default:
            return "\(value)"
        }
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.unicodeScalars.map { $0 == "\"" || $0 == "\\" ? "\\\($0)" : String($0) }.joined() + "\""
    }
}

/// FNV-1a-style 64-bit hash folded 8 bytes at a time.
private struct FNV {
    private(set) var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    mutating func mix(_ word: UInt64) { hash = (hash ^ word) &* Self.prime }

    mutating func add(_ tensor: NamedTensor) {
        for byte in tensor.name.utf8 { mix(UInt64(byte)) }
        for dimension in tensor.shape { mix(UInt64(dimension)) }
        tensor.values.withUnsafeBytes { raw in
            let words = raw.count / 8
            for i in 0..<words { mix(raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
            for i in (words * 8)..<raw.count { mix(UInt64(raw[i])) }
        }
    }

    /// Length first, so that ("ab", "c") and ("a", "bc") differ.
    mutating func add(text: String) {
        mix(UInt64(text.utf8.count))
        for byte in text.utf8 { mix(UInt64(byte)) }
    }
}
