package import HTTPMessage

/// An incoming request, from either side: the gateway's upstream call (in process) or a
/// client of `serve-fixtures` (over HTTP).
package struct ReplayRequest: Sendable {
    package var method: String
    package var path: String
    /// The raw query string after `?`, not decoded.
    package var query: String?
    package var authorization: String?
    package var appName: String?
    package var body: [UInt8]

    package init(
        method: String, path: String, query: String? = nil, authorization: String? = nil, appName: String? = nil,
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.authorization = authorization
        self.appName = appName
        self.body = body
    }

    /// The gateway's request to Loonflow (an absolute URL).
    package init(_ request: UpstreamRequest) {
        let (path, query) = FixturePath.split(url: request.url)
        self.init(
            method: request.method, path: path, query: query, authorization: request.headers["Authorization"],
            appName: request.headers["appname"], body: request.body ?? [])
    }

    /// A request to `serve-fixtures`.
    package init(_ request: HTTPRequest) {
        self.init(
            method: request.method, path: request.path, query: request.query,
            authorization: request.headers["Authorization"], appName: request.headers["appname"], body: request.body)
    }

    /// The request in fixture terms (without the caller, which is matched by token hash).
    package var fixtureRequest: FixtureRequest {
        FixtureRequest(
            method: method, path: path, query: FixtureQuery.parse(query), appName: appName,
            body: body.isEmpty ? nil : FixtureBody(bytes: body))
    }
}
