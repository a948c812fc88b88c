"""SigV4a aws-chunked peer for tests/suite/chunked_v4a.rs, on AWS's CRT
(awscrt, installed by ci/install-peers).

Reads one JSON request on stdin, writes one JSON answer on stdout:

- `headers`: the seed request header-signed by the CRT's own SigV4a signer
  (aws_sign_request, V4_ASYMMETRIC, the given streaming payload marker);
- `crt_chunks`: a chunk chain seeded with the CRT's seed signature, each
  string to sign built here from the aws-c-auth rules
  (AWS4-ECDSA-P256-SHA256-PAYLOAD / -TRAILER) and signed by the CRT's ECDSA
  (awscrt.crypto.EC, random nonces) with the private key derived here by
  the SigV4a KDF (and sigv4's public key, `public_key`, which the CRT's key
  format needs): [string to sign, signature padded with '*' to 144];
- `ours_verified`: for sigv4's chain (`our_seed`, `our_signatures`, padded
  as in the body), whether the CRT's ECDSA verifies each signature over the
  string to sign built here.

The awscrt Python API signs requests but has no chunk signing call
(aws-c-auth's aws_signable_new_chunk is not exposed), hence the strings to
sign are built here and only the ECDSA is the CRT's.
"""
import datetime
import hashlib
import hmac
import json
import sys

from awscrt import auth, http
from awscrt.crypto import EC

EMPTY = hashlib.sha256(b"").hexdigest()
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

inp = json.load(sys.stdin)
ak, sk = inp["access_key_id"], inp["secret_access_key"]
amz_date = inp["amz_date"]
date = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
scope = amz_date[:8] + "/s3/aws4_request"

req = http.HttpRequest(inp["method"], inp["path"], http.HttpHeaders([tuple(h) for h in inp["headers"]]))
cfg = auth.AwsSigningConfig(
    algorithm=auth.AwsSigningAlgorithm.V4_ASYMMETRIC,
    signature_type=auth.AwsSignatureType.HTTP_REQUEST_HEADERS,
    credentials_provider=auth.AwsCredentialsProvider.new_static(ak, sk),
    region=inp["region_set"],
    service="s3",
    date=date,
    use_double_uri_encode=False,
    should_normalize_uri_path=False,
    signed_body_value=inp["payload"],
    signed_body_header_type=auth.AwsSignedBodyHeaderType.X_AMZ_CONTENT_SHA_256,
)
signed = auth.aws_sign_request(req, cfg).result(10)
headers = [[n, v] for n, v in signed.headers]
authorization = next(v for n, v in headers if n.lower() == "authorization")
crt_seed = authorization.rsplit("Signature=", 1)[1]

# The SigV4a private key (NIST SP 800-108 counter-mode HMAC-SHA256 KDF).
for counter in range(1, 255):
    fixed = (
        (1).to_bytes(4, "big") + b"AWS4-ECDSA-P256-SHA256\0" + ak.encode()
        + bytes([counter]) + (256).to_bytes(4, "big")
    )
    c = int.from_bytes(hmac.new(b"AWS4A" + sk.encode(), fixed, hashlib.sha256).digest(), "big")
    if c <= N - 2:
        d = c + 1
        break
# A SEC1 ECPrivateKey: the CRT needs the public key beside the scalar (it
# signs wrongly without it), and this script has no curve arithmetic, so the
# public key is sigv4's (`public_key`). The seed check (the CRT's own
# derivation, verified with that public key) pins it independently.
x, y = inp["public_key"]
sec1 = (
    bytes.fromhex("30770201010420") + d.to_bytes(32, "big")
    + bytes.fromhex("a00a06082a8648ce3d030107a144034200") + b"\x04"
    + bytes.fromhex(x) + bytes.fromhex(y)
)
key = EC.new_key_from_der_data(sec1)


def sts(previous, kind, item):
    head = f"AWS4-ECDSA-P256-SHA256-{kind}\n{amz_date}\n{scope}\n{previous.rstrip('*')}\n"
    if kind == "PAYLOAD":
        return head + EMPTY + "\n" + hashlib.sha256(bytes.fromhex(item)).hexdigest()
    canonical = "".join(f"{n.lower()}:{v.strip()}\n" for n, v in item)
    return head + hashlib.sha256(canonical.encode()).hexdigest()


items = [("PAYLOAD", c) for c in inp["chunks"]]
if inp.get("trailers") is not None:
    items.append(("TRAILER", inp["trailers"]))

crt_chunks, previous = [], crt_seed
for kind, item in items:
    s = sts(previous, kind, item)
    sig = key.sign(hashlib.sha256(s.encode()).digest()).hex()
    crt_chunks.append([s, sig.ljust(144, "*")])
    previous = sig

ours_verified, previous = [], inp["our_seed"]
for (kind, item), sig in zip(items, inp["our_signatures"]):
    s = sts(previous, kind, item)
    raw = bytes.fromhex(sig.rstrip("*"))
    ours_verified.append(key.verify(hashlib.sha256(s.encode()).digest(), raw))
    previous = sig

print(json.dumps({"headers": headers, "crt_chunks": crt_chunks, "ours_verified": ours_verified}))
