// Reading Annotations/<id>.xml with Foundation's XMLParser, after refusing DOCTYPE and entity
// declarations outright (XXE and entity expansion), and validating what the dataset relies on.
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

extension VOCAnnotation {
    /// Annotation files past this size are refused before parsing (VOC's are a few kB).
    public static let maxFileBytes = 1 << 20

    /// Parses and validates one annotation file; every failure is a DatasetError naming `path`.
    public static func read(path: String) throws -> VOCAnnotation {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = attributes?[.size] as? Int else { throw DatasetError(path: path, reason: "cannot open file") }
        guard size <= maxFileBytes else {
            throw DatasetError(path: path, reason: "annotation is \(size) bytes, over the \(maxFileBytes) limit")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(path: path, reason: "cannot read file")
        }
        return try parse(data, path: path)
    }

    /// Parses annotation XML; `path` is only used in errors.
    public static func parse(_ data: Data, path: String) throws -> VOCAnnotation {
        if data.isEmpty { throw DatasetError(path: path, reason: "empty file") }
        for declaration in ["<!DOCTYPE", "<!ENTITY"] where contains(data, asciiCaseInsensitive: declaration) {
            throw DatasetError(path: path, reason: "\(declaration) declarations are refused (external entities, XXE)")
        }
        // Foundation's XMLParser traps on an element name that is not UTF-8 (found by fuzzing:
        // Tests/Fuzz/voc-annotation/findings), so the bytes are checked first; VOC tools write UTF-8.
        guard String(data: data, encoding: .utf8) != nil else {
            throw DatasetError(path: path, reason: "not UTF-8 text (VOC annotations are UTF-8 XML)")
        }
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        let collector = ElementCollector()
        parser.delegate = collector
        // On Linux parse() can return true after an error (e.g. mismatched tags), so the error the
        // delegate saw counts too.
        let succeeded = parser.parse()
        if let error = collector.firstError ?? parser.parserError ?? (succeeded ? nil : CocoaError(.coderReadCorrupt)) {
            let code = (error as NSError).code
            throw DatasetError(
                path: path,
                reason: "malformed XML (libxml2 error \(code) near line \(collector.errorLine ?? parser.lineNumber))")
        }
        return try collector.annotation(path: path)
    }

    private static func contains(_ data: Data, asciiCaseInsensitive needle: String) -> Bool {
        let pattern = Array(needle.utf8).map { $0 | 0x20 }
        let bytes = [UInt8](data)
        guard bytes.count >= pattern.count else { return false }
        outer: for start in 0...(bytes.count - pattern.count) {
            for (offset, byte) in pattern.enumerated() where bytes[start + offset] | 0x20 != byte { continue outer }
            return true
        }
        return false
    }
}

/// Collects the text of the elements VOC defines, keyed by their path from the root.
private final class ElementCollector: NSObject, XMLParserDelegate {
    private var stack: [String] = []
    private var text = ""
    private var root: String?
    private var fields: [String: String] = [:]
    private var objects: [[String: String]] = []
    private(set) var firstError: Error?
    private(set) var errorLine: Int?

    func parser(_ parser: XMLParser, parseErrorOccurred error: Error) {
        if firstError == nil {
            firstError = error
            errorLine = parser.lineNumber
        }
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if root == nil { root = name }
        stack.append(name)
        text = ""
        if stack == ["annotation", "object"] { objects.append([:]) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if stack.count >= 3, stack[1] == "object", !objects.isEmpty {
            objects[objects.count - 1][stack.dropFirst(2).joined(separator: "/")] = value
        } else {
            fields[stack.joined(separator: "/")] = value
        }
        stack.removeLast()
        text = ""
    }

    func annotation(path: String) throws -> VOCAnnotation {
        func fail(_ reason: String) -> DatasetError { DatasetError(path: path, reason: reason) }
        guard root == "annotation" else { throw fail("root element is <\(root ?? "")>, expected <annotation>") }
        guard let filename = fields["annotation/filename"], !filename.isEmpty else { throw fail("missing <filename>") }
        // A bare name only: the image must stay inside JPEGImages/.
        if filename.contains("/") || filename.contains("\\") || filename == "." || filename == ".."
            || filename.hasPrefix("..")
        {
            throw fail("<filename> '\(filename)' is not a plain file name")
        }
        func integer(_ text: String?, _ what: String, _ range: ClosedRange<Int>) throws -> Int {
            // Some VOC tools write coordinates as decimals such as "48.0".
            guard let text, let value = Double(text), value.isFinite, let number = Int(exactly: value.rounded(.down)),
                range.contains(number)
            else {
                throw fail("\(what) is '\(text ?? "missing")', expected an integer in \(range)")
            }
            return number
        }
        let width = try integer(fields["annotation/size/width"], "<size><width>", 1...16384)
        let height = try integer(fields["annotation/size/height"], "<size><height>", 1...16384)
        let depth = try integer(fields["annotation/size/depth"] ?? "3", "<size><depth>", 1...4)
        let parsed = try objects.enumerated().map { number, object in
            guard let name = object["name"], !name.isEmpty else { throw fail("object \(number + 1) has no <name>") }
            let xmin = try integer(object["bndbox/xmin"], "object \(number + 1) xmin", 1...width)
            let ymin = try integer(object["bndbox/ymin"], "object \(number + 1) ymin", 1...height)
            let xmax = try integer(object["bndbox/xmax"], "object \(number + 1) xmax", xmin...width)
            let ymax = try integer(object["bndbox/ymax"], "object \(number + 1) ymax", ymin...height)
            let truncated = object["truncated"] == "1"
            return AnnotatedObject(
                name: name, box: PixelBox(xmin: xmin, ymin: ymin, xmax: xmax, ymax: ymax), truncated: truncated)
        }
        return VOCAnnotation(filename: filename, width: width, height: height, depth: depth, objects: parsed)
    }
}
