"""Exit 0 when a PostgreSQL or Redis URL answers, else print why and exit 1 (used to decide test passes)."""

import socket
import sys
from urllib.parse import urlparse


def main() -> int:
    kind, url = sys.argv[1], sys.argv[2]
    parsed = urlparse(url)
    port = parsed.port or {"postgres": 5432, "redis": 6379}[kind]
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", port), timeout=2):
            return 0
    except OSError as exc:
        print(f"{kind} is not reachable at {parsed.hostname}:{port}: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
