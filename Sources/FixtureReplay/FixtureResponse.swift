/// The response half: what replay sends back.
package struct FixtureResponse: Sendable, Equatable {
    package var status: Int
    package var contentType: String?
    package var body: FixtureBody

    package init(status: Int, contentType: String?, body: FixtureBody) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}
