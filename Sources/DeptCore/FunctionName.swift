/// The bare name of a demangled function, as people write it in a
/// suppression: `audit` for `audit()`, `bank::Account::withdraw_to` for
/// `bank::Account::withdraw_to(bank::Account&, long)`, `LockPair.forward`
/// for Swift's `LockPair.forward() -> ()`. TSan users write
/// `deadlock:audit`; the symbolizer says `audit()`.
public enum FunctionName {
    public static func base(_ name: String) -> String {
        var s = Array(name.unicodeScalars)
        // A Swift signature: drop the result type first.
        if let arrow = lastTopLevel(s, " -> ") { s = Array(s[..<arrow]) }
        // Trailing qualifiers after the parameter list.
        let qualifiers = [" const", " volatile", " &&", " &", " noexcept"]
        var trimmed = true
        while trimmed {
            trimmed = false
            for q in qualifiers {
                let qs = Array(q.unicodeScalars)
                if s.count > qs.count && Array(s[(s.count - qs.count)...]) == qs {
                    s.removeLast(qs.count)
                    trimmed = true
                }
            }
        }
        // The parameter list: the parenthesis matching the last one.
        if s.last == ")" {
            var depth = 0
            var i = s.count - 1
            while i >= 0 {
                if s[i] == ")" { depth += 1 } else if s[i] == "(" {
                    depth -= 1
                    if depth == 0 { break }
                }
                i -= 1
            }
            if i > 0 { s = Array(s[..<i]) }
        }
        // A C++ result type before the name: the part after the last space
        // outside brackets (`void std::__invoke_impl<void, int>` ->
        // `std::__invoke_impl<void, int>`).
        var depth = 0
        var cut = -1
        for (i, c) in s.enumerated() {
            if c == "<" || c == "(" || c == "[" { depth += 1 } else if c == ">" || c == ")" || c == "]" { depth -= 1 } else if c == " " && depth == 0 { cut = i }
        }
        if cut >= 0 && cut + 1 < s.count { s = Array(s[(cut + 1)...]) }
        var out = ""
        out.unicodeScalars.append(contentsOf: s)
        return out.isEmpty ? name : out
    }

    /// Index of the last occurrence of `needle` outside brackets.
    static func lastTopLevel(_ s: [Unicode.Scalar], _ needle: String) -> Int? {
        let n = Array(needle.unicodeScalars)
        guard s.count >= n.count else { return nil }
        var depth = 0
        var found: Int? = nil
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "<" || c == "(" || c == "[" { depth += 1 } else if c == ">" && !(i > 0 && s[i - 1] == "-") || c == ")" || c == "]" { depth -= 1 }
            if depth == 0 && i + n.count <= s.count && Array(s[i..<(i + n.count)]) == n { found = i }
            i += 1
        }
        return found
    }
}
