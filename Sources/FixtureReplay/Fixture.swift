/// One recorded exchange: one JSON file in a fixture set.
package struct Fixture: Sendable, Equatable {
    /// The file's name inside its set, e.g. `GET_tickets_1a2b3c4d5e.json`.
    package var fileName: String
    package var request: FixtureRequest
    package var response: FixtureResponse

    package init(fileName: String, request: FixtureRequest, response: FixtureResponse) {
        self.fileName = fileName
        self.request = request
        self.response = response
    }

    /// A fixture whose file name follows from its request.
    package init(request: FixtureRequest, response: FixtureResponse) {
        self.init(fileName: request.fileStem + ".json", request: request, response: response)
    }
}
