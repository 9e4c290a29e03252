"""Signature Version 2 and signing regions with boto3, run by sigv2_test.go.

Environment: SEKISHO_ENDPOINT, SEKISHO_BUCKET (account A's bucket, in
us-east-1), ROOT_A_KEY/ROOT_A_SECRET, ALICE_KEY/ALICE_SECRET (account B's
alice, who may assume A's role assume_s3_role). Prints each step; exits
non-zero on the first failure.
"""

import os
import urllib.error
import urllib.request

import boto3
import botocore
from botocore.config import Config

ENDPOINT = os.environ["SEKISHO_ENDPOINT"]
BUCKET = os.environ["SEKISHO_BUCKET"]
BASE = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30)


def client(service, key, secret, token=None, region="us-east-1", config=BASE):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=region, aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token, config=config)


def step(name):
    print("--", name, flush=True)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def fetch(url, method="GET", data=None):
    # SigV2 signs Content-Type: keep urllib from adding its form type to
    # a body the URL was not signed for.
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": ""} if data is not None else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main():
    print("boto3", boto3.__version__, "botocore", botocore.__version__, flush=True)
    key, secret = os.environ["ROOT_A_KEY"], os.environ["ROOT_A_SECRET"]
    v4 = client("s3", key, secret)
    body = b"read through a SigV2 URL\n"
    v4.put_object(Bucket=BUCKET, Key="v2/hello.txt", Body=body, ContentType="text/plain")

    step("generate_presigned_url with default settings")
    url = client("s3", key, secret).generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "v2/hello.txt"})
    print("   ", url.split("?")[1].split("&")[0].split("=")[0], "...", flush=True)
    status, got = fetch(url)
    check(status == 200 and got == body, "default presigned GET: %d %s" % (status, got))

    step("presigned with signature_version='s3', response override")
    v2 = client("s3", key, secret, config=BASE.merge(Config(signature_version="s3")))
    url = v2.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "v2/hello.txt",
                                                          "ResponseContentType": "application/x-sekisho"}, ExpiresIn=300)
    check("AWSAccessKeyId=" in url and "X-Amz-" not in url, "not a SigV2 URL: %s" % url)
    with urllib.request.urlopen(url, timeout=10) as resp:
        check(resp.status == 200 and resp.read() == body, "SigV2 presigned GET")
        check(resp.headers["Content-Type"] == "application/x-sekisho", "override %s" % resp.headers["Content-Type"])
    status, got = fetch(url.replace("response-content-type=application%2Fx-sekisho", "response-content-type=text%2Fhtml"))
    check(status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in got, "altered override: %d %s" % (status, got))

    step("presigned PUT with signature_version='s3'")
    url = v2.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "v2/put.txt"}, ExpiresIn=300)
    status, got = fetch(url, "PUT", b"via a SigV2 presigned PUT")
    check(status == 200, "SigV2 presigned PUT: %d %s" % (status, got))
    check(v4.get_object(Bucket=BUCKET, Key="v2/put.txt")["Body"].read() == b"via a SigV2 presigned PUT", "PUT body")

    step("header-signed SigV2 calls (signature_version='s3')")
    v2.put_object(Bucket=BUCKET, Key="v2/header.txt", Body=b"header-signed", Metadata={"sig": "v2"},
                  Tagging="a=b")
    out = v2.get_object(Bucket=BUCKET, Key="v2/header.txt")
    check(out["Body"].read() == b"header-signed" and out["Metadata"] == {"sig": "v2"}, "get %s" % out["Metadata"])
    check(v2.get_object_tagging(Bucket=BUCKET, Key="v2/header.txt")["TagSet"] == [{"Key": "a", "Value": "b"}], "tagging")
    listed = [o["Key"] for o in v2.list_objects_v2(Bucket=BUCKET, Prefix="v2/")["Contents"]]
    check(listed == ["v2/header.txt", "v2/hello.txt", "v2/put.txt"], "list %s" % listed)
    v2.copy_object(Bucket=BUCKET, Key="v2/copy.txt", CopySource={"Bucket": BUCKET, "Key": "v2/header.txt"})
    v2.delete_object(Bucket=BUCKET, Key="v2/copy.txt")
    out = v2.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "v2/put.txt"}]})
    check([d["Key"] for d in out["Deleted"]] == ["v2/put.txt"], "delete_objects %s" % out)

    step("SigV2 with a wrong secret")
    bad = client("s3", key, secret + "x", config=BASE.merge(Config(signature_version="s3")))
    try:
        bad.get_object(Bucket=BUCKET, Key="v2/hello.txt")
        raise AssertionError("a wrong secret worked")
    except botocore.exceptions.ClientError as e:
        err = e.response["Error"]
        check(err["Code"] == "SignatureDoesNotMatch" and err.get("StringToSign", "").endswith("/%s/v2/hello.txt" % BUCKET),
              "wrong secret: %s" % err)

    step("session credentials over SigV2 (header and presigned)")
    sts = client("sts", os.environ["ALICE_KEY"], os.environ["ALICE_SECRET"])
    creds = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/assume_s3_role", RoleSessionName="sigv2")["Credentials"]
    role = client("s3", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"],
                  config=BASE.merge(Config(signature_version="s3")))
    check(role.get_object(Bucket="account-a-bucket-0525", Key="test.txt")["Body"].read() == b"hello from account A\n", "role read")
    try:
        role.put_object(Bucket="account-a-bucket-0525", Key="nope", Body=b"x")
        raise AssertionError("the read-only role could write over SigV2")
    except botocore.exceptions.ClientError as e:
        check(e.response["Error"]["Code"] == "AccessDenied", "put as role: %s" % e.response["Error"])
    url = role.generate_presigned_url("get_object", Params={"Bucket": "account-a-bucket-0525", "Key": "test.txt"})
    check("x-amz-security-token=" in url, "no token in %s" % url)
    status, got = fetch(url)
    check(status == 200 and got == b"hello from account A\n", "role presigned GET: %d %s" % (status, got))

    step("a client configured for another region follows S3's region hint")
    tokyo = client("s3", key, secret, region="ap-northeast-1")
    check(tokyo.get_object(Bucket=BUCKET, Key="v2/hello.txt")["Body"].read() == body, "get from ap-northeast-1 client")
    # A HEAD has no error body: the client reads x-amz-bucket-region.
    client("s3", key, secret, region="ap-northeast-1").head_object(Bucket=BUCKET, Key="v2/hello.txt")
    tokyo.put_object(Bucket=BUCKET, Key="v2/from-tokyo.txt", Body=b"x")
    v4.delete_object(Bucket=BUCKET, Key="v2/from-tokyo.txt")
    print("OK", flush=True)


if __name__ == "__main__":
    main()
