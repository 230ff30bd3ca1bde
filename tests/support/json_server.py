"""A stand-in HTTP server's answer: a JSON body with its type and length (the CDS, FHIR and JWKS stand-ins)."""

import json
from http.server import BaseHTTPRequestHandler


def send_json(handler: BaseHTTPRequestHandler, body, status: int = 200, kind: str = "application/json") -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
