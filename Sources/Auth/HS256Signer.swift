import Crypto
package import JSON

/// Signs JWTs with HS256, in the compact form Loonflow's `/login` issues: the header
/// `{"alg":"HS256","typ":"JWT"}`, then the payload as given.
package struct HS256Signer: Sendable {
    private let key: [UInt8]

    package init(key: [UInt8]) { self.key = key }

    /// `header.payload.signature`, each segment unpadded base64url.
    package func sign(_ payload: JSONObject) -> String {
        let header: JSONValue = ["alg": "HS256", "typ": "JWT"]
        let signingInput = Base64URL.encode(header.serialized) + "." + Base64URL.encode(JSONValue.object(payload).serialized)
        let signature = HMACSHA256.authenticationCode(key: key, message: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }
}
