"""Write a test key pair and its JWK Set, as an EHR that calls the CDS Hooks service would hold them.

    .venv/bin/python examples/make_test_keys.py            # private.pem and ehr-jwks.json here
    .venv/bin/python examples/make_test_keys.py --dir keys --kid ehr-key-1

`private.pem` is the EHR's signing key (EC P-384, for ES384 tokens): keep it to
yourself, it signs the tokens. `ehr-jwks.json` is the JWK Set of its public
half, with the key id `kid`: the file the service is given in
SOLEUS_CDS_CLIENTS='{"https://ehr.example.org": "ehr-jwks.json"}'. For a test
or a walk-through only: a real EHR publishes its own JWK Set.
"""

import argparse
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=".", help="the folder to write private.pem and ehr-jwks.json into (default .)")
    parser.add_argument("--kid", default="ehr-key-1", help="the key id in the JWK Set (default ehr-key-1)")
    args = parser.parse_args(argv)
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    private_key = ec.generate_private_key(ec.SECP384R1())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / "private.pem").write_bytes(pem)
    (folder / "private.pem").chmod(0o600)
    public = json.loads(ECAlgorithm.to_jwk(private_key.public_key()))
    public.update({"kid": args.kid, "alg": "ES384", "use": "sig"})
    (folder / "ehr-jwks.json").write_text(json.dumps({"keys": [public]}, indent=2) + "\n", "utf-8")
    print(
        f"wrote {folder / 'private.pem'} (the signing key) and {folder / 'ehr-jwks.json'} (its JWK Set, kid {args.kid})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
