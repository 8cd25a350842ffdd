import Curl
import HTTPMessage
import TestSupport

/// A client with short limits, so failure tests finish quickly.
func makeClient(
    totalTimeoutMs: Int = 10_000, maxResponseBytes: Int = 1024 * 1024
) throws -> CurlHTTPClient {
    try CurlHTTPClient(
        options: CurlClientOptions(
            connectTimeoutMs: 2_000, totalTimeoutMs: totalTimeoutMs, maxResponseBytes: maxResponseBytes))
}

/// Sends `request` and returns the typed failure, or nil when it succeeded.
func failure(of request: UpstreamRequest, with client: CurlHTTPClient) async -> UpstreamError? {
    do {
        _ = try await client.send(request)
        return nil
    } catch {
        return error
    }
}
