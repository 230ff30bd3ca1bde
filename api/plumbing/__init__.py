"""The request plumbing every face shares: encoding, the request log, errors, the spec, bodies, limits, the worker.

    json_provider.py  every JSON answer through orjson, keys in the order the code built them
    requestlog.py     an id for every request and one JSON log line for it, never its content
    problems.py       every error as RFC 9457 problem details
    openapi.py        the OpenAPI spec from the marshmallow schemas, and its offline docs page
    body.py           a request body read in the media types an operation takes
    limits.py         every request body held to its size and the read timeout
    gathering.py      one request's bytes as the worker's event loop gathers them
    worker.py         gunicorn's threaded worker, safe against slow clients (api/server.py runs it)
    outbound_urls.py  which URLs the service may fetch keys or data from (https, or loopback http)

The ground floor: nothing here imports another part of api/; access control,
the operations and every face build on it.
"""
