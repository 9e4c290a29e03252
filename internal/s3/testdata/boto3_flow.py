"""An S3 session with boto3 against Sekisho, run by boto3_test.go.

Environment: SEKISHO_ENDPOINT (the server URL), SEKISHO_BUCKET (a bucket to
create), SEKISHO_WORKDIR (scratch directory), ROOT_A_KEY/ROOT_A_SECRET
(account A's root), ALICE_KEY/ALICE_SECRET (account B's alice, who may
assume A's role assume_s3_role). Prints each step; exits non-zero on the
first failure.
"""

import hashlib
import os
import sys
import urllib.error
import urllib.request

import boto3
import botocore
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

ENDPOINT = os.environ["SEKISHO_ENDPOINT"]
BUCKET = os.environ["SEKISHO_BUCKET"]
WORKDIR = os.environ["SEKISHO_WORKDIR"]
MB = 1024 * 1024
CONFIG = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30)


def client(service, key, secret, token=None):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token, config=CONFIG)


def step(name):
    print("--", name, flush=True)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    print("boto3", boto3.__version__, "botocore", botocore.__version__, flush=True)
    s3 = client("s3", os.environ["ROOT_A_KEY"], os.environ["ROOT_A_SECRET"])

    step("create_bucket")
    s3.create_bucket(Bucket=BUCKET)

    step("put_object (default checksum behaviour)")
    body = b"hello from boto3\n"
    out = s3.put_object(Bucket=BUCKET, Key="hello.txt", Body=body, ContentType="text/plain", Metadata={"tool": "boto3"})
    check(out["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), "ETag %s" % out["ETag"])
    print("   response checksum headers:", sorted(k for k in out["ResponseMetadata"]["HTTPHeaders"] if k.startswith("x-amz-checksum")))

    step("put_object with ChecksumAlgorithm=SHA256")
    out = s3.put_object(Bucket=BUCKET, Key="sha.txt", Body=body, ChecksumAlgorithm="SHA256")
    check(out.get("ChecksumSHA256"), "no ChecksumSHA256 in %s" % out)

    step("get_object")
    got = s3.get_object(Bucket=BUCKET, Key="hello.txt")
    check(got["Body"].read() == body, "body")
    check(got["ContentType"] == "text/plain" and got["Metadata"] == {"tool": "boto3"}, "headers %s %s" % (got["ContentType"], got["Metadata"]))
    got = s3.get_object(Bucket=BUCKET, Key="hello.txt", Range="bytes=6-9")
    check(got["Body"].read() == b"from" and got["ContentRange"] == "bytes 6-9/%d" % len(body), "range")
    got = s3.get_object(Bucket=BUCKET, Key="sha.txt", ChecksumMode="ENABLED")
    check(got["Body"].read() == body and got.get("ChecksumSHA256"), "checksum mode")
    try:
        s3.get_object(Bucket=BUCKET, Key="absent")
        raise AssertionError("get_object of a missing key succeeded")
    except s3.exceptions.NoSuchKey:
        pass

    step("default encryption (SSE-S3) and default CRC64NVME checksum")
    head = s3.head_object(Bucket=BUCKET, Key="hello.txt")
    check(head.get("ServerSideEncryption") == "AES256", "SSE %s" % head.get("ServerSideEncryption"))
    try:  # newer botocore sends a CRC32 by default; ask it not to
        plain = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id=os.environ["ROOT_A_KEY"],
                             aws_secret_access_key=os.environ["ROOT_A_SECRET"],
                             config=CONFIG.merge(Config(request_checksum_calculation="when_required")))
    except TypeError:  # older botocore sends none anyway
        plain = s3
    out = plain.put_object(Bucket=BUCKET, Key="nosum.txt", Body=body)
    check(out.get("ServerSideEncryption") == "AES256", "put SSE %s" % out.get("ServerSideEncryption"))
    head = plain.head_object(Bucket=BUCKET, Key="nosum.txt", ChecksumMode="ENABLED")
    headers = head["ResponseMetadata"]["HTTPHeaders"]
    check(headers.get("x-amz-checksum-crc64nvme") and headers.get("x-amz-checksum-type") == "FULL_OBJECT",
          "no default CRC64NVME in %s" % sorted(headers))

    step("upload_file 12 MB (multipart) and download_file")
    src = os.path.join(WORKDIR, "big.bin")
    with open(src, "wb") as f:
        for i in range(12):
            f.write(hashlib.sha256(str(i).encode()).digest() * (MB // 32))
    transfer = TransferConfig(multipart_threshold=5 * MB, multipart_chunksize=5 * MB, max_concurrency=4)
    s3.upload_file(src, BUCKET, "dir/big file.bin", Config=transfer)
    head = s3.head_object(Bucket=BUCKET, Key="dir/big file.bin")
    check(head["ContentLength"] == 12 * MB, "size %d" % head["ContentLength"])
    check(head["ETag"].endswith('-3"'), "multipart ETag %s" % head["ETag"])
    dst = os.path.join(WORKDIR, "back.bin")
    s3.download_file(BUCKET, "dir/big file.bin", dst, Config=transfer)
    check(sha256_file(src) == sha256_file(dst), "downloaded file differs")

    step("list_objects_v2 paginator")
    keys = ["list/a.txt", "list/b c.txt", "list/ünïcode ファイル.txt", "list/d/1", "list/d/2", "list/e+f"]
    for k in keys:
        s3.put_object(Bucket=BUCKET, Key=k, Body=k.encode())
    seen, pages = [], 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="list/", PaginationConfig={"PageSize": 2}):
        pages += 1
        seen += [o["Key"] for o in page.get("Contents", [])]
    check(seen == sorted(keys, key=lambda k: k.encode()), "listed %s" % seen)
    check(pages == 3, "pages %d" % pages)
    prefixes = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="list/", Delimiter="/", PaginationConfig={"PageSize": 1}):
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    check(prefixes == ["list/d/"], "prefixes %s" % prefixes)
    v1 = [o["Key"] for page in s3.get_paginator("list_objects").paginate(Bucket=BUCKET, Prefix="list/", PaginationConfig={"PageSize": 2})
          for o in page.get("Contents", [])]
    check(v1 == seen, "list_objects %s" % v1)

    step("copy_object")
    s3.copy_object(Bucket=BUCKET, Key="copy of hello.txt", CopySource={"Bucket": BUCKET, "Key": "hello.txt"})
    check(s3.get_object(Bucket=BUCKET, Key="copy of hello.txt")["Body"].read() == body, "copy body")
    s3.copy_object(Bucket=BUCKET, Key="list/b c.txt", CopySource={"Bucket": BUCKET, "Key": "list/b c.txt"},
                   MetadataDirective="REPLACE", Metadata={"v": "2"})
    check(s3.head_object(Bucket=BUCKET, Key="list/b c.txt")["Metadata"] == {"v": "2"}, "replaced metadata")

    step("delete_objects")
    out = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in keys]})
    check(sorted(d["Key"] for d in out["Deleted"]) == sorted(keys) and not out.get("Errors"), "deleted %s" % out)
    check(s3.list_objects_v2(Bucket=BUCKET, Prefix="list/")["KeyCount"] == 0, "list/ not empty")

    step("generate_presigned_url + urllib")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "hello.txt"}, ExpiresIn=300)
    if "AWSAccessKeyId=" in url:
        # botocore presigns with SigV2 unless told otherwise (still so for
        # us-east-1 in 1.43); S3 accepts it, and so does Sekisho. Then the
        # same with s3v4.
        print("   default presigned URL is SigV2; then presigning with s3v4", flush=True)
        with urllib.request.urlopen(url, timeout=10) as resp:
            check(resp.status == 200 and resp.read() == body, "SigV2 presigned GET")
        s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id=os.environ["ROOT_A_KEY"],
                          aws_secret_access_key=os.environ["ROOT_A_SECRET"], config=CONFIG.merge(Config(signature_version="s3v4")))
        url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "hello.txt"}, ExpiresIn=300)
    check("X-Amz-Signature=" in url, "not a SigV4 URL: %s" % url)
    with urllib.request.urlopen(url, timeout=10) as resp:
        check(resp.status == 200 and resp.read() == body, "presigned GET")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "presigned.txt"}, ExpiresIn=300)
    req = urllib.request.Request(url, data=b"via presigned PUT", method="PUT")
    with urllib.request.urlopen(req, timeout=10) as resp:
        check(resp.status == 200, "presigned PUT %d" % resp.status)
    check(s3.get_object(Bucket=BUCKET, Key="presigned.txt")["Body"].read() == b"via presigned PUT", "presigned PUT body")

    step("assume_role, then read account A's bucket as the role")
    sts = client("sts", os.environ["ALICE_KEY"], os.environ["ALICE_SECRET"])
    creds = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/assume_s3_role", RoleSessionName="boto3")["Credentials"]
    role = client("s3", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    check(role.get_object(Bucket="account-a-bucket-0525", Key="test.txt")["Body"].read() == b"hello from account A\n", "role read")
    listed = [o["Key"] for o in role.list_objects_v2(Bucket="account-a-bucket-0525")["Contents"]]
    check(listed == ["test.txt", "test2.txt"], "role list %s" % listed)
    try:
        role.put_object(Bucket="account-a-bucket-0525", Key="nope", Body=b"x")
        raise AssertionError("the read-only role could write")
    except botocore.exceptions.ClientError as e:
        check(e.response["Error"]["Code"] == "AccessDenied", "put as role: %s" % e.response["Error"])
    alice = client("s3", os.environ["ALICE_KEY"], os.environ["ALICE_SECRET"])
    try:
        alice.get_object(Bucket="account-a-bucket-0525", Key="test.txt")
        raise AssertionError("alice read A's bucket without the role")
    except botocore.exceptions.ClientError as e:
        check(e.response["Error"]["Code"] == "AccessDenied", "alice: %s" % e.response["Error"])

    print("OK", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report and fail
        detail = e.read().decode(errors="replace") if hasattr(e, "read") else ""
        print("FAILED:", type(e).__name__, e, detail, flush=True)
        sys.exit(1)
