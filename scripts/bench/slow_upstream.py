"""A Loonflow stand-in that answers every request after a fixed delay (HTTP/1.1 keep-alive).

Serves the same files as the static nginx upstream: GET /api/v1.0/tickets (any query) and the
three ticket_detail_* paths; anything else is 404. Standard library only.

  python slow_upstream.py --port P --root DIR --ticket-id ID [--delay-ms 50]
"""
import argparse
import asyncio
import os


def load_routes(root: str, ticket_id: str) -> dict[str, bytes]:
    routes = {}
    with open(os.path.join(root, "tickets.json"), "rb") as f:
        routes["/api/v1.0/tickets"] = f.read()
    for part in ("ticket_detail_form", "ticket_detail_actions", "ticket_detail_admin_actions"):
        with open(os.path.join(root, part + ".json"), "rb") as f:
            routes[f"/api/v1.0/tickets/{ticket_id}/{part}"] = f.read()
    return routes


async def serve_connection(reader, writer, routes, delay):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            body = routes.get(target.split("?", 1)[0]) if method == "GET" else None
            await asyncio.sleep(delay)
            status = b"200 OK" if body is not None else b"404 Not Found"
            body = body if body is not None else b""
            writer.write(
                b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\n\r\n" + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--ticket-id", required=True)
    parser.add_argument("--delay-ms", type=float, default=50)
    options = parser.parse_args()
    routes = load_routes(options.root, options.ticket_id)
    delay = options.delay_ms / 1000
    server = await asyncio.start_server(
        lambda r, w: serve_connection(r, w, routes, delay), "127.0.0.1", options.port, backlog=1024
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
