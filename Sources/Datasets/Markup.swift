// Text inside XML or HTML: the VOC annotations this module writes, and the pages of the Report module.

public enum Markup {
    /// `text` safe as element content and as a double-quoted attribute value (&, <, >, ").
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
