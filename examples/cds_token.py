"""Print a signed JWT for one CDS Hooks call, as an EHR makes it (a test key pair from make_test_keys.py).

    TOKEN=$(.venv/bin/python examples/cds_token.py http://127.0.0.1:8000/cds-services/soleus-screen)
    curl ... -H "Authorization: Bearer $TOKEN"

The token names the URL it is for in `aud`, is signed with ES384 by
private.pem under the key id `ehr-key-1`, lives 5 minutes and has a fresh
`jti`, so each call needs a token of its own: the service refuses one it has
seen (jti replay). For a test or a walk-through only.
"""

import argparse
import sys
import time
import uuid
from pathlib import Path

import jwt


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the CDS service URL the token is for (its aud)")
    parser.add_argument("--key", default="private.pem", help="the signing key (default private.pem)")
    parser.add_argument("--iss", default="https://ehr.example.org", help="the issuer (default https://ehr.example.org)")
    parser.add_argument("--kid", default="ehr-key-1", help="the key id (default ehr-key-1)")
    args = parser.parse_args(argv)
    now = int(time.time())
    claims = {"iss": args.iss, "aud": args.url, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
    key = Path(args.key).read_text("utf-8")
    print(jwt.encode(claims, key, algorithm="ES384", headers={"kid": args.kid}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
