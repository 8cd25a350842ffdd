import Foundation
import TestSupport

/// A loopback HTTPS upstream: Debian's nginx with HTTP/2, run as a child process with a
/// generated configuration, serving one fixed JSON body on two ports. The certificate on
/// `trustedPort` is signed by `trustedCA`, the one on `untrustedPort` by `otherCA`; both
/// name 127.0.0.1 and localhost. The CAs and certificates are made with the `openssl` CLI.
/// With `proxyTo`, the trusted port terminates TLS in front of a plain-HTTP upstream instead.
/// Every request is logged with nginx's connection serial number (`connectionNumbers`).
final class TLSUpstream: Sendable {
    let directory: String
    let trustedCA: String
    let otherCA: String
    let trustedPort: UInt16
    let untrustedPort: UInt16
    private let nginx: TestProcess

    static var nginxPath: String {
        ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? "nginx"
    }

    /// Makes the certificates and starts nginx answering every request with `body`.
    static func start(body: String, proxyTo: String? = nil) async throws -> TLSUpstream {
        let directory = FileManager.default.temporaryDirectory.path + "/lmg-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
        for name in ["trusted", "other"] {
            try await makeCA(name, in: directory)
            try await makeServerCertificate(signedBy: name, in: directory)
        }
        var lastError = ""
        for _ in 0..<3 {
            guard let trusted = TCPForwarder.freePort(), let untrusted = TCPForwarder.freePort(), trusted != untrusted else { continue }
            let config = nginxConfig(directory: directory, body: body, proxyTo: proxyTo, ports: [("trusted", trusted), ("other", untrusted)])
            try Data(config.utf8).write(to: URL(fileURLWithPath: directory + "/nginx.conf"))
            let nginx = try TestProcess(
                executable: nginxPath, arguments: ["-p", directory, "-c", directory + "/nginx.conf", "-e", directory + "/error.log"],
                environment: [:])
            let up = await eventually(timeout: .seconds(10)) {
                let first = await RawSocket.connect(port: trusted)
                let second = await RawSocket.connect(port: untrusted)
                return first != nil && second != nil
            }
            if up {
                return TLSUpstream(
                    directory: directory, trustedCA: directory + "/trusted-ca.pem", otherCA: directory + "/other-ca.pem",
                    trustedPort: trusted, untrustedPort: untrusted, nginx: nginx)
            }
            let output = await nginx.terminate(timeout: .seconds(5))
            lastError = output.combined + ((try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? "")
        }
        throw ProcessFailure("nginx did not start: \(lastError.suffix(2000))")
    }

    private init(directory: String, trustedCA: String, otherCA: String, trustedPort: UInt16, untrustedPort: UInt16, nginx: TestProcess) {
        self.directory = directory
        self.trustedCA = trustedCA
        self.otherCA = otherCA
        self.trustedPort = trustedPort
        self.untrustedPort = untrustedPort
        self.nginx = nginx
    }

    func stop() async {
        _ = await nginx.terminate(timeout: .seconds(10))
        try? FileManager.default.removeItem(atPath: directory)
    }

    static var opensslPath: String {
        ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "openssl"
    }

    private static func openssl(_ arguments: [String], in directory: String) async throws {
        let output = try await TestProcess.run(opensslPath, arguments, environment: [:], timeout: .seconds(60))
        guard output.exitCode == 0 else {
            throw ProcessFailure("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(output.combined.suffix(1500))")
        }
    }

    private static func makeCA(_ name: String, in directory: String) async throws {
        try await openssl(
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "\(directory)/\(name)-ca.key", "-out", "\(directory)/\(name)-ca.pem", "-days", "3650",
                "-subj", "/CN=Hardening \(name) test root", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ], in: directory)
    }

    private static func makeServerCertificate(signedBy name: String, in directory: String) async throws {
        let extensions = "\(directory)/\(name)-ext.cnf"
        try Data(
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n".utf8
        ).write(to: URL(fileURLWithPath: extensions))
        try await openssl(
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "\(directory)/\(name)-server.key", "-out", "\(directory)/\(name)-server.csr", "-subj", "/CN=127.0.0.1",
            ], in: directory)
        try await openssl(
            [
                "x509", "-req", "-in", "\(directory)/\(name)-server.csr", "-CA", "\(directory)/\(name)-ca.pem",
                "-CAkey", "\(directory)/\(name)-ca.key", "-CAcreateserial", "-out", "\(directory)/\(name)-server.pem",
                "-days", "3650", "-extfile", extensions,
            ], in: directory)
    }

    /// The connection serial number of every request served so far, in order: one distinct
    /// number per TLS connection nginx accepted.
    func connectionNumbers() -> [String] {
        let log = (try? String(contentsOfFile: directory + "/access.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    private static func nginxConfig(directory: String, body: String, proxyTo: String?, ports: [(String, UInt16)]) -> String {
        var servers = ""
        for (name, port) in ports {
            let answer =
                if let proxyTo, name == "trusted" {
                    "proxy_pass \(proxyTo);\n      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";"
                } else {
                    "default_type application/json;\n      return 200 '\(body)';"
                }
            servers += """
                  server {
                    listen 127.0.0.1:\(port) ssl http2;
                    ssl_certificate \(directory)/\(name)-server.pem;
                    ssl_certificate_key \(directory)/\(name)-server.key;
                    location / {
                      \(answer)
                    }
                  }

                """
        }
        // A master process: it waits with `sigsuspend` on an empty mask, so SIGTERM reaches it
        // even though the test runner's threads (and so the child) start with signals blocked.
        return """
            daemon off;
            master_process on;
            worker_processes 1;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log warn;
            events { worker_connections 64; }
            http {
              log_format connections '$connection $server_protocol $request_uri';
              access_log \(directory)/access.log connections;
              client_body_temp_path \(directory)/tmp/body;
              proxy_temp_path \(directory)/tmp/proxy;
              fastcgi_temp_path \(directory)/tmp/fastcgi;
              uwsgi_temp_path \(directory)/tmp/uwsgi;
              scgi_temp_path \(directory)/tmp/scgi;
            \(servers)}

            """
    }
}
