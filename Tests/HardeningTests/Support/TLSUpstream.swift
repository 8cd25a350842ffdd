import Foundation
import TestSupport

/// A loopback HTTPS upstream: Debian's nginx with HTTP/2, run as a child process with a
/// generated configuration, serving one fixed JSON body on four ports, one per certificate.
/// The certificate on `trustedPort` is signed by `trustedCA` and names 127.0.0.1 and localhost;
/// the one on `untrustedPort` is signed by `otherCA`; the one on `expiredPort` is signed by
/// `trustedCA` but expired a day before it was made; the one on `wrongHostPort` is signed by
/// `trustedCA` but names only `wrong-host.invalid`. All are made with the `openssl` CLI.
/// With `proxyTo`, the trusted port terminates TLS in front of a plain-HTTP upstream instead.
/// Every request is logged with nginx's connection serial number (`connectionNumbers`).
final class TLSUpstream: Sendable {
    let directory: String
    let trustedCA: String
    let otherCA: String
    let trustedPort: UInt16
    let untrustedPort: UInt16
    let expiredPort: UInt16
    let wrongHostPort: UInt16
    private let nginx: TestProcess

    /// One server certificate: its name, the CA that signs it, what it names, its lifetime.
    private struct Certificate {
        var name: String
        var signer: String
        var subjectAltName = "IP:127.0.0.1,DNS:localhost"
        var days = 3650
    }

    private static let certificates = [
        Certificate(name: "trusted", signer: "trusted"),
        Certificate(name: "other", signer: "other"),
        Certificate(name: "expired", signer: "trusted", days: -1),
        Certificate(name: "wronghost", signer: "trusted", subjectAltName: "DNS:wrong-host.invalid"),
    ]

    static var nginxPath: String {
        ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? "nginx"
    }

    /// Makes the certificates and starts nginx answering every request with `body`.
    static func start(body: String, proxyTo: String? = nil) async throws -> TLSUpstream {
        let directory = FileManager.default.temporaryDirectory.path + "/lmg-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
        for name in ["trusted", "other"] { try await makeCA(name, in: directory) }
        for certificate in certificates { try await makeServerCertificate(certificate, in: directory) }
        var lastError = ""
        // nginx must be told its ports (see `LoopbackPort`): a start that loses one of them to
        // another process exits at once and is retried with new ones.
        for _ in 0..<3 {
            let ports = try certificates.map { _ in try LoopbackPort.pick() }
            guard Set(ports).count == ports.count else { continue }
            let config = nginxConfig(directory: directory, body: body, proxyTo: proxyTo, ports: Array(zip(certificates.map(\.name), ports)))
            try Data(config.utf8).write(to: URL(fileURLWithPath: directory + "/nginx.conf"))
            let nginx = try TestProcess(
                executable: nginxPath, arguments: ["-p", directory, "-c", directory + "/nginx.conf", "-e", directory + "/error.log"],
                environment: [:])
            let up = await LoopbackPort.waitUntilAccepting(ports, timeout: .seconds(10)) { nginx.isRunning }
            if up {
                return TLSUpstream(
                    directory: directory, trustedCA: directory + "/trusted-ca.pem", otherCA: directory + "/other-ca.pem",
                    ports: ports, nginx: nginx)
            }
            let output = await nginx.terminate(timeout: .seconds(5))
            lastError = output.combined + ((try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? "")
        }
        throw ProcessFailure("nginx did not start: \(lastError.suffix(2000))")
    }

    private init(directory: String, trustedCA: String, otherCA: String, ports: [UInt16], nginx: TestProcess) {
        self.directory = directory
        self.trustedCA = trustedCA
        self.otherCA = otherCA
        (trustedPort, untrustedPort, expiredPort, wrongHostPort) = (ports[0], ports[1], ports[2], ports[3])
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

    private static func makeServerCertificate(_ certificate: Certificate, in directory: String) async throws {
        let name = certificate.name
        let extensions = "\(directory)/\(name)-ext.cnf"
        try Data(
            "subjectAltName=\(certificate.subjectAltName)\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n".utf8
        ).write(to: URL(fileURLWithPath: extensions))
        try await openssl(
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "\(directory)/\(name)-server.key", "-out", "\(directory)/\(name)-server.csr", "-subj", "/CN=\(name) server",
            ], in: directory)
        // A negative lifetime puts notAfter before notBefore's "now": expired from the start,
        // whatever the date.
        try await openssl(
            [
                "x509", "-req", "-in", "\(directory)/\(name)-server.csr", "-CA", "\(directory)/\(certificate.signer)-ca.pem",
                "-CAkey", "\(directory)/\(certificate.signer)-ca.key", "-CAcreateserial", "-out", "\(directory)/\(name)-server.pem",
                "-days", String(certificate.days), "-extfile", extensions,
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
