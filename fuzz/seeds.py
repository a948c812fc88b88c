#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into fuzz/corpus/<target>/
(or the directory given as the first argument) from test-vectors/ and
small fixtures like those of the unit tests. `cargo fuzz cmin` then keeps
what adds coverage (see fuzz/README.md)."""
import glob, hashlib, json, os, sys

here = os.path.dirname(os.path.abspath(__file__))
vectors = os.path.join(here, "..", "test-vectors")


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus"), target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


for kind, target in [("header", "verify_headers"), ("query", "verify_presigned")]:
    for path in glob.glob(os.path.join(vectors, "v4*", "*", f"{kind}-signed-request.txt")):
        put(target, open(path, "rb").read())

profiles = json.load(open(os.path.join(vectors, "sdk-config", "profile-parser-tests.json")))
for t in profiles["tests"]:
    for k in ("configFile", "credentialsFile"):
        text = t["input"].get(k)
        if text is not None:
            put("config", text)
            put("config", text + "\0default\naws_access_key_id=AKID\nregion=us-west-2")
            put("config", text + "\0foo\naws_secret_access_key=x")

for target in ["s3://bucket/key", "s3://bucket/a/b%20c?x", "https://bucket.s3.amazonaws.com/key?versionId=1",
               "https://bucket.s3.eu-west-1.amazonaws.com/k", "https://s3.us-west-2.amazonaws.com/bucket/k/e%2Fy",
               "http://localhost:9000/bucket/key", "http://127.0.0.1:9000/b/k?uploadId=x\0eu-west-3",
               "https://my.bucket.s3-accelerate.amazonaws.com/k", "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap/key",
               "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/k", "https://b.s3.dualstack.us-east-1.amazonaws.com/k#frag",
               "http://user@host:1/b/k", "https://[::1]:9000/bucket/x"]:
    put("s3_location", target)

creds = {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG", "Token": "IQoJb3JpZ2luX2VjEXAMPLE",
         "Expiration": "2030-01-01T06:00:00Z"}
docs = [json.dumps(dict(creds, Code="Success", LastUpdated="2026-01-01T00:00:00Z", Type="AWS-HMAC")), json.dumps(creds),
        json.dumps(dict(creds, Code="Failure")), '{"AccessKeyId":"A","SecretAccessKey":"S"}', "\ufeff" + json.dumps(creds),
        '{"a":[1,2.5e-3,-0,true,false,null,{"b":"\\u00e9\\ud83d\\ude00\\n"}]}', '"x"', "[]", "{}"]
for d in docs:
    put("json", d)
    for s in (0, 1, 3):
        put("imds", bytes([s, 0]) + d.encode())
    put("imds", b"\x00\x05AQAEAExampleToken==\n")
    put("imds", b"\x00\x00my-role\nother\n")
    put("container", b"\x00" + d.encode())
    put("container", b"\x05" + b'{"code":"Forbidden","message":"nope"}')
    put("credential_process", json.dumps(dict(creds, Version=1, SessionToken=creds["Token"])))
    put("credential_process", json.dumps(dict(creds, Version=2)))

sso = {"startUrl": "https://d-123.awsapps.com/start", "region": "us-east-1", "accessToken": "aoaEXAMPLEtokenvalue",
       "expiresAt": "2030-01-01T00:00:00Z", "clientId": "client", "clientSecret": "secretEXAMPLEvalue",
       "registrationExpiresAt": "2030-02-01T00:00:00UTC", "refreshToken": "refreshEXAMPLEvalue"}
put("sso_cache", json.dumps(sso))
put("sso_cache", json.dumps({"clientId": "c", "clientSecret": "s", "expiresAt": "2030-01-01T00:00:00Z",
                             "scopes": ["sso:account:access"], "grantTypes": ["authorization_code"]}))
put("sso_cache", json.dumps({"accessToken": "x", "expiresAt": "not a time"}))
login = {"accessToken": {"accessKeyId": "ASIA", "secretAccessKey": "secretEXAMPLEvalue", "sessionToken": "tok",
                         "accountId": "123456789012", "expiresAt": "2030-01-01T00:00:00Z"},
         "tokenType": "aws_sigv4", "refreshToken": "refreshEXAMPLEvalue", "idToken": "id", "clientId": "arn:aws:signin:::c",
         "dpopKey": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n"}
put("login_cache", json.dumps(login))
put("login_cache", json.dumps(dict(login, accessToken="flat")))

for body in ['<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The key does not exist</Message><Key>k</Key><RequestId>R1</RequestId><HostId>H</HostId></Error>',
             '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>expired</Message></Error><RequestId>r</RequestId></ErrorResponse>',
             '<Response><Errors><Error><Code>DryRunOperation</Code><Message>ok</Message></Error></Errors><RequestID>x</RequestID></Response>',
             '<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message><StringToSign>AWS4-HMAC-SHA256\n20150830T123600Z</StringToSign><CanonicalRequest>GET\n/\n\nhost:x\n\nhost\nUNSIGNED-PAYLOAD</CanonicalRequest><CanonicalRequestBytes>47 45 54</CanonicalRequestBytes></Error>',
             '{"__type":"com.amazon.coral.service#ExpiredTokenException:http://internal","message":"expired"}',
             '{"code":"InvalidSignatureException","Message":"m"}', '<a><b/><![CDATA[x]]>&amp;&#x41;</a>', '']:
    put("api_error", b"\x93\x01\x00" + body.encode())
    put("api_error", b"\x00\x00\x07" + body.encode())
