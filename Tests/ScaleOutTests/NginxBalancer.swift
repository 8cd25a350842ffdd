import Foundation
import TestSupport

/// Why the scale-out rig could not be set up.
struct ScaleOutError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// nginx from Debian, round-robin over gateway replicas on `/mcp`, set up the way the README's
/// deployment section does it: HTTP/1.1 and keep-alive to the replicas, no buffering, and a
/// loopback `Host` so replicas bound to loopback accept the forwarded requests.
struct NginxBalancer {
    let process: TestProcess
    let port: UInt16
    let prefix: String

    var mcpURL: String { "http://127.0.0.1:\(port)/mcp" }

    /// The nginx executable; fails with the command that installs it.
    static func binary() throws -> String {
        for candidate in ["/usr/sbin/nginx", "/usr/bin/nginx"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw ScaleOutError("nginx is not installed: run scripts/test, which installs it (apt-get install nginx)")
    }

    /// Starts nginx in front of `backends`, on a port from `LoopbackPort`; a start that loses
    /// the port to another process is retried.
    static func start(backends: [UInt16]) async throws -> NginxBalancer {
        let nginx = try binary()
        var lastError = ""
        for _ in 0..<3 {
            let port = try LoopbackPort.pick()
            let prefix = FileManager.default.temporaryDirectory.path + "/lmg-nginx-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
            let conf = prefix + "/nginx.conf"
            try configuration(prefix: prefix, port: port, backends: backends).write(toFile: conf, atomically: true, encoding: .utf8)
            let process = try TestProcess(
                executable: nginx, arguments: ["-p", prefix + "/", "-c", conf, "-e", prefix + "/error.log"], environment: [:])
            if await LoopbackPort.waitUntilAccepting([port], while: { !failed(prefix, process) && process.isRunning }) {
                return NginxBalancer(process: process, port: port, prefix: prefix)
            }
            lastError = (try? String(contentsOfFile: prefix + "/error.log", encoding: .utf8)) ?? ""
            _ = await process.terminate()
            try? FileManager.default.removeItem(atPath: prefix)
        }
        throw ScaleOutError("nginx did not start: \(lastError.suffix(1500))")
    }

    /// True once nginx reported an emergency (it then exits), on standard error or in its log.
    private static func failed(_ prefix: String, _ process: TestProcess) -> Bool {
        let log = (try? String(contentsOfFile: prefix + "/error.log", encoding: .utf8)) ?? ""
        return log.contains("[emerg]") || process.stderrSoFar.contains("[emerg]")
    }

    static func configuration(prefix: String, port: UInt16, backends: [UInt16]) -> String {
        let user = geteuid() == 0 ? "user root;\n" : ""
        let servers = backends.map { "    server 127.0.0.1:\($0);\n" }.joined()
        let temps = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map { "  \($0)_temp_path \(prefix)/\($0);\n" }.joined()
        return """
            \(user)worker_processes 1;
            daemon off;
            pid \(prefix)/nginx.pid;
            error_log \(prefix)/error.log warn;
            events { worker_connections 1024; }
            http {
              access_log off;
            \(temps)  upstream gateways {
            \(servers)    keepalive 16;
              }
              server {
                listen 127.0.0.1:\(port);
                location /mcp {
                  proxy_pass http://gateways;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host 127.0.0.1;
                  proxy_buffering off;
                  proxy_request_buffering off;
                }
              }
            }

            """
    }

    func stop() async {
        _ = await process.terminate()
        try? FileManager.default.removeItem(atPath: prefix)
    }
}
