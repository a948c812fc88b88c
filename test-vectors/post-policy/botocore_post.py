"""Records botocore's presigned POST forms as test vectors.

Run from the repository root:

    python3 test-vectors/post-policy/botocore_post.py > test-vectors/post-policy/botocore.json

For each case below it freezes botocore's clock at the case's time, calls
`S3.Client.generate_presigned_post(Bucket, Key, Fields, Conditions,
ExpiresIn)` and records the URL, the form fields in botocore's order, and
the decoded policy document. No network is used.
"""

import base64
import datetime
import json
import sys
from unittest import mock

import botocore
import botocore.session
from botocore.config import Config

AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

CASES = [
    {
        "name": "exact-key-typed-fields",
        "time": "20130524T000000Z",
        "region": "us-east-1",
        "bucket": "examplebucket",
        "key": "user/eric/photo.jpg",
        "expires_in": 3600,
        "fields": [
            ["acl", "public-read"],
            ["success_action_status", "201"],
            ["Content-Type", "image/jpeg"],
            ["x-amz-meta-uuid", "14365123651274"],
            ["x-amz-server-side-encryption", "AES256"],
        ],
        "conditions": [
            {"acl": "public-read"},
            {"success_action_status": "201"},
            {"Content-Type": "image/jpeg"},
            {"x-amz-meta-uuid": "14365123651274"},
            {"x-amz-server-side-encryption": "AES256"},
            ["content-length-range", 1, 1048576],
        ],
    },
    {
        "name": "filename-prefix-session-token-escaping",
        "time": "20240229T235959Z",
        "region": "eu-west-1",
        "bucket": "examplebucket",
        "key": "uploads/${filename}",
        "session_token": "FQoGZXIvYXdzEXAMPLE/token+with=chars",
        "expires_in": 604800,
        "fields": [
            ["success_action_redirect", "https://example.com/done?a=1&b=\"x\"\\y"],
            ["x-amz-meta-note", "Gr\u00fc\u00dfe \u2603 \U0001f600\ttab"],
        ],
        "conditions": [
            ["starts-with", "$Content-Type", "image/"],
            {"success_action_redirect": "https://example.com/done?a=1&b=\"x\"\\y"},
            {"x-amz-meta-note": "Gr\u00fc\u00dfe \u2603 \U0001f600\ttab"},
            ["content-length-range", 0, 10485760],
        ],
    },
    {
        "name": "custom-endpoint-path-style",
        "time": "20991231T120000Z",
        "region": "us-west-2",
        "bucket": "my.bucket",
        "key": "a b/c+d.txt",
        "expires_in": 1,
        "endpoint_url": "http://127.0.0.1:9000",
        "addressing_style": "path",
        "fields": [],
        "conditions": [],
    },
]


def run(case):
    now = datetime.datetime.strptime(case["time"], "%Y%m%dT%H%M%SZ")
    session = botocore.session.get_session()
    client = session.create_client(
        "s3",
        region_name=case["region"],
        endpoint_url=case.get("endpoint_url"),
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        aws_session_token=case.get("session_token"),
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": case.get("addressing_style", "auto")},
        ),
    )
    with mock.patch("botocore.signers.get_current_datetime", return_value=now), mock.patch(
        "botocore.auth.get_current_datetime", return_value=now
    ):
        post = client.generate_presigned_post(
            Bucket=case["bucket"],
            Key=case["key"],
            Fields=dict(case["fields"]),
            Conditions=case["conditions"],
            ExpiresIn=case["expires_in"],
        )
    fields = list(post["fields"].items())
    policy = dict(fields)["policy"]
    return {
        "input": case,
        "url": post["url"],
        "fields": fields,
        "policy_json": base64.b64decode(policy).decode("utf-8"),
    }


json.dump(
    {"botocore": botocore.__version__, "cases": [run(c) for c in CASES]},
    sys.stdout,
    indent=1,
    ensure_ascii=False,
)
sys.stdout.write("\n")
