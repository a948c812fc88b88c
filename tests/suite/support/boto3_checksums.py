"""boto3 against the example S3 server (tests/suite/server_boto3.rs).

Usage: boto3_checksums.py ENDPOINT BUCKET SIZE; the key pair in
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, the CA bundle (HTTPS) in
AWS_CA_BUNDLE. For each ChecksumAlgorithm (CRC32, CRC32C, CRC64NVME (through
awscrt), SHA1, SHA256): put_object of SIZE bytes with that algorithm, then
get_object, comparing the bytes. Prints one JSON object: per algorithm the
key, whether the bytes came back equal, and the headers botocore sent with
the PutObject (x-amz-content-sha256, content-encoding, x-amz-trailer,
x-amz-checksum-*), which say how the body was framed: over HTTP a signed
body with the checksum in a header, over HTTPS aws-chunked with an unsigned
trailer. Then a put_object whose ChecksumSHA256 is not the body's: the
error code, and whether anything was stored.
"""
import hashlib
import json
import sys

import boto3
from botocore.config import Config

endpoint, bucket, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    config=Config(
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1},
    ),
)
sent = {}


def record(request, **_):
    if request.method == "PUT":
        sent[request.url] = {
            k.lower(): (v.decode() if isinstance(v, bytes) else v)
            for k, v in request.headers.items()
            if k.lower().startswith(("x-amz-content-sha256", "content-encoding", "x-amz-trailer", "x-amz-checksum", "x-amz-decoded"))
        }


client.meta.events.register("before-send.s3.PutObject", record)
data = bytes((i * 31 + i // 997) % 256 for i in range(size))
out = {}
for algorithm in ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"]:
    key = "checksum/" + algorithm.lower()
    client.put_object(Bucket=bucket, Key=key, Body=data, ChecksumAlgorithm=algorithm)
    got = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    headers = next(h for url, h in sent.items() if url.endswith(key))
    out[algorithm] = {
        "key": key,
        "equal": got == data,
        "sha256": hashlib.sha256(data).hexdigest(),
        "sent": headers,
    }
# A checksum that is not the body's (given, so botocore sends it as is).
try:
    client.put_object(Bucket=bucket, Key="checksum/wrong", Body=data, ChecksumSHA256="A" * 43 + "=")
    out["wrong"] = {"error": None}
except client.exceptions.ClientError as e:
    out["wrong"] = {"error": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
try:
    client.head_object(Bucket=bucket, Key="checksum/wrong")
    out["wrong"]["stored"] = True
except client.exceptions.ClientError:
    out["wrong"]["stored"] = False
print(json.dumps(out))
