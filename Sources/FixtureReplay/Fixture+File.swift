import JSON

extension Fixture {
    /// The file's JSON: pretty-printed with sorted keys, so a re-recording diffs line by line.
    package var fileBytes: [UInt8] {
        var request: JSONObject = [
            "method": .string(self.request.method), "path": .string(self.request.path),
            "query": Self.queryObject(self.request.query),
        ]
        var headers = JSONObject()
        if let authorization = self.request.authorization { headers["authorization"] = .string(authorization) }
        if let appName = self.request.appName { headers["appname"] = .string(appName) }
        request["headers"] = .object(headers)
        self.request.body?.store(in: &request)

        var response: JSONObject = ["status": .number(self.response.status)]
        var responseHeaders = JSONObject()
        if let contentType = self.response.contentType { responseHeaders["content-type"] = .string(contentType) }
        response["headers"] = .object(responseHeaders)
        self.response.body.store(in: &response)

        let root: JSONValue = ["request": .object(request), "response": .object(response)]
        return JSONSerializer(pretty: true, sortKeys: true).serialize(root) + [UInt8(ascii: "\n")]
    }

    /// Repeated names become an array of values.
    private static func queryObject(_ pairs: [QueryPair]) -> JSONValue {
        var object = JSONObject()
        for pair in pairs {
            switch object[pair.name] {
            case nil: object[pair.name] = .string(pair.value)
            case .array(let values)?: object[pair.name] = .array(values + [.string(pair.value)])
            case let single?: object[pair.name] = .array([single, .string(pair.value)])
            }
        }
        return .object(object)
    }

    /// Reads one fixture file.
    /// - Throws: `FixtureError` naming the file and the field that is wrong.
    package static func parse(_ bytes: [UInt8], fileName: String) throws(FixtureError) -> Fixture {
        let root: JSONValue
        do {
            root = try JSONParser(maxDepth: FixtureBody.maxDepth).parse(bytes)
        } catch {
            throw FixtureError("\(fileName) is not valid JSON: \(error)")
        }
        guard let request = root["request"]?.objectValue, let response = root["response"]?.objectValue else {
            throw FixtureError("\(fileName) needs a \"request\" and a \"response\" object")
        }
        return Fixture(
            fileName: fileName, request: try parseRequest(request, file: fileName),
            response: try parseResponse(response, file: fileName))
    }

    private static func parseRequest(_ object: JSONObject, file: String) throws(FixtureError) -> FixtureRequest {
        guard let method = object["method"]?.stringValue, !method.isEmpty else {
            throw FixtureError("\(file): request.method must be a non-empty string")
        }
        guard let path = object["path"]?.stringValue, path.hasPrefix("/") else {
            throw FixtureError("\(file): request.path must be a string starting with /")
        }
        let headers = object["headers"]?.objectValue ?? JSONObject()
        return FixtureRequest(
            method: method, path: path, query: try parseQuery(object["query"], file: file),
            authorization: headers["authorization"]?.stringValue, appName: headers["appname"]?.stringValue,
            body: try FixtureBody.stored(in: object, file: file, part: "request"))
    }

    private static func parseQuery(_ value: JSONValue?, file: String) throws(FixtureError) -> [QueryPair] {
        guard let value, !value.isNull else { return [] }
        guard let object = value.objectValue else { throw FixtureError("\(file): request.query must be an object") }
        var pairs: [QueryPair] = []
        for (name, value) in object {
            switch value {
            case .string(let text): pairs.append(QueryPair(name, text))
            case .array(let values):
                for element in values {
                    guard let text = element.stringValue else {
                        throw FixtureError("\(file): request.query.\(name) must hold strings")
                    }
                    pairs.append(QueryPair(name, text))
                }
            default: throw FixtureError("\(file): request.query.\(name) must be a string or a list of strings")
            }
        }
        return pairs
    }

    private static func parseResponse(_ object: JSONObject, file: String) throws(FixtureError) -> FixtureResponse {
        guard let status = object["status"]?.intValue, (100...599).contains(status) else {
            throw FixtureError("\(file): response.status must be an HTTP status code")
        }
        let headers = object["headers"]?.objectValue ?? JSONObject()
        let body = try FixtureBody.stored(in: object, file: file, part: "response") ?? .text("")
        return FixtureResponse(status: status, contentType: headers["content-type"]?.stringValue, body: body)
    }
}
