/// A YAML text that could not be turned into a tree: a syntax error reported by libyaml,
/// or a construct this reader refuses (duplicate keys, anchors and aliases).
package struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the problem.
    package var line: Int
    /// 1-based column of the problem.
    package var column: Int
    package var problem: String

    package init(line: Int, column: Int, problem: String) {
        self.line = line
        self.column = column
        self.problem = problem
    }

    package init(at mark: Mark, problem: String) {
        self.init(line: mark.line, column: mark.column, problem: problem)
    }

    package var description: String { "line \(line), column \(column): \(problem)" }
}
