"""Every row of Sekisho's S3 operation table through boto3, run by boto3_ops_test.go.

Environment: SEKISHO_ENDPOINT (the server URL), SEKISHO_OPS (a JSON file:
[{"name": "GetObject", "implemented": true}, ...], one entry per table row),
ROOT_A_KEY/ROOT_A_SECRET (account A's root, the owner of every bucket made here).

boto3 runs with its defaults: only the endpoint, the region and the
credentials are set. For each row:
  - every row must have a function in OPS (coverage cannot silently drop);
  - implemented: the function calls the operation on buckets and objects it makes
    itself and checks the answer's shape as real S3 gives it (or the error a
    correct request gets from S3, where that is the point);
  - not implemented: the function must end in a ClientError
    NotImplemented (HTTP 501) raised by that very operation, never a 2xx
    (the CORS preflight rows, not boto3 operations, go through http.client).
SEKISHO_ONLY=Name,Name limits a run to those rows (for debugging).
Rows listed in KNOWN_GAPS pass only while they fail exactly as recorded.
Prints one line per row and a summary; exits non-zero listing every failure.
"""

import base64
import hashlib
import http.client
import json
import os
import sys
import traceback
import urllib.parse
import uuid
import zlib

import boto3
import botocore
from botocore.exceptions import ClientError

ENDPOINT = os.environ["SEKISHO_ENDPOINT"]
ACCOUNT = "111111111111"
MB = 1024 * 1024


class Failure(AssertionError):
    pass


class RawNotImplemented(Exception):
    """A non-boto3 request (CORS preflight) answered 501 NotImplemented."""

    def __init__(self, operation_name, status, body):
        super().__init__("%s answered %d %s" % (operation_name, status, body[:200]))
        self.operation_name = operation_name
        self.status = status
        self.body = body


def check(cond, what):
    if not cond:
        raise Failure(what)


def md5_etag(data):
    return '"%s"' % hashlib.md5(data).hexdigest()


def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def error_of(e):
    return e.response.get("Error", {}).get("Code"), e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")


class T:
    """What a row's function works with: the client, fresh names, the table."""

    def __init__(self, s3, table, target):
        self.s3 = s3
        self.table = table
        self.target = target

    def implemented(self, name):
        return self.table.get(name, False)

    def bucket(self, **kwargs):
        """A fresh bucket of account A's root."""
        name = "ops-%s-%s" % (self.target.lower()[:30], uuid.uuid4().hex[:10])
        out = self.s3.create_bucket(Bucket=name, **kwargs)
        check(out.get("Location") == "/" + name, "CreateBucket Location %r" % out.get("Location"))
        return name

    def put(self, bucket, key, body=b"body\n", **kwargs):
        return self.s3.put_object(Bucket=bucket, Key=key, Body=body, **kwargs)

    def setup(self, call):
        """Runs a setup step that uses another table operation. While the
        row under test is not implemented, a NotImplemented from another
        unimplemented row is passed over (the row under test is still
        called and must answer 501 itself)."""
        try:
            return call()
        except ClientError as e:
            code, _ = error_of(e)
            if code == "NotImplemented" and not self.implemented(self.target) and not self.implemented(e.operation_name):
                return None
            raise

    def expect_error(self, what, call, code, status):
        """call must fail with S3's code and status."""
        try:
            out = call()
        except ClientError as e:
            got = error_of(e)
            if self.implemented(e.operation_name) or got[0] != "NotImplemented":
                check(got == (code, status), "%s: got %s %s, S3 answers %s %s" % (what, got[1], got[0], status, code))
                return e
            raise
        raise Failure("%s: succeeded (%s), S3 answers %s %s" % (what, strip_meta(out), status, code))

    def raw(self, method, path, headers):
        """A request Sekisho answers without a signature (CORS preflight)."""
        u = urllib.parse.urlsplit(ENDPOINT)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        try:
            conn.request(method, path, headers=headers)
            resp = conn.getresponse()
            body = resp.read().decode(errors="replace")
            headers = {k.lower(): v for k, v in resp.getheaders()}
            if resp.status == 501 and not self.implemented(self.target):
                raise RawNotImplemented(self.target, resp.status, body)
            return resp.status, headers, body
        finally:
            conn.close()


def strip_meta(out):
    if isinstance(out, dict):
        return {k: v for k, v in out.items() if k != "ResponseMetadata"}
    return out


def status_of(out):
    return out["ResponseMetadata"]["HTTPStatusCode"]


OPS = {}


def op(name):
    def register(fn):
        check(name not in OPS, "two functions for " + name)
        OPS[name] = fn
        return fn
    return register


# ---- Service -------------------------------------------------------------

@op("ListBuckets")
def list_buckets(t):
    mine = sorted(t.bucket() for _ in range(3))
    out = t.s3.list_buckets()
    names = [b["Name"] for b in out["Buckets"]]
    check(set(mine) <= set(names), "ListBuckets lacks %s: %s" % (mine, names))
    check(all("CreationDate" in b for b in out["Buckets"]), "CreationDate missing")
    check(out.get("Owner", {}).get("ID"), "Owner.ID missing: %s" % out.get("Owner"))
    check(names == sorted(names), "not sorted: %s" % names)
    # Paginated ListBuckets (2024): max-buckets, continuation-token, prefix.
    prefix = "ops-listbuckets-"
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"MaxBuckets": 1, "Prefix": prefix}
        if token:
            kwargs["ContinuationToken"] = token
        page = t.s3.list_buckets(**kwargs)
        pages += 1
        check(page.get("Prefix") == prefix, "Prefix not echoed: %s" % strip_meta(page))
        check(len(page["Buckets"]) <= 1, "MaxBuckets=1 gave %d" % len(page["Buckets"]))
        check(all(b.get("BucketRegion") == "us-east-1" for b in page["Buckets"]), "BucketRegion: %s" % page["Buckets"])
        seen += [b["Name"] for b in page["Buckets"]]
        token = page.get("ContinuationToken")
        if not token or pages > 10:
            break
    check(seen == mine, "paged ListBuckets %s, want %s" % (seen, mine))


# ---- Buckets ---------------------------------------------------------------

@op("CreateBucket")
def create_bucket(t):
    b = t.bucket()
    check(status_of(t.s3.head_bucket(Bucket=b)) == 200, "created bucket not there")
    # us-east-1 keeps the legacy answer: 200 to the owner creating it again
    # (BucketAlreadyOwnedByYou everywhere else).
    check(status_of(t.s3.create_bucket(Bucket=b)) == 200, "CreateBucket again by its owner in us-east-1")
    t.expect_error("CreateBucket with an invalid name", lambda: t.s3.create_bucket(Bucket="Bad_Name"), "InvalidBucketName", 400)


@op("DeleteBucket")
def delete_bucket(t):
    b = t.bucket()
    t.put(b, "k")
    t.expect_error("DeleteBucket of a non-empty bucket", lambda: t.s3.delete_bucket(Bucket=b), "BucketNotEmpty", 409)
    t.s3.delete_object(Bucket=b, Key="k")
    check(status_of(t.s3.delete_bucket(Bucket=b)) == 204, "DeleteBucket status")
    t.expect_error("HeadBucket after delete", lambda: t.s3.head_bucket(Bucket=b), "404", 404)
    t.expect_error("DeleteBucket of a missing bucket", lambda: t.s3.delete_bucket(Bucket=b), "NoSuchBucket", 404)


def preflight(t, path, b):
    t.setup(lambda: t.s3.put_bucket_cors(Bucket=b, CORSConfiguration={"CORSRules": [{
        "AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["content-type"],
        "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]}))
    status, headers, body = t.raw("OPTIONS", path, {"Origin": "https://app.example", "Access-Control-Request-Method": "PUT",
                                                    "Access-Control-Request-Headers": "content-type"})
    check(status == 200, "allowed preflight: %d %s" % (status, body))
    check(headers.get("access-control-allow-origin") == "https://app.example", "Allow-Origin: %s" % headers)
    check("PUT" in headers.get("access-control-allow-methods", ""), "Allow-Methods: %s" % headers)
    check("content-type" in headers.get("access-control-allow-headers", "").lower(), "Allow-Headers: %s" % headers)
    check(headers.get("access-control-max-age") == "600", "Max-Age: %s" % headers)
    status, headers, body = t.raw("OPTIONS", path, {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    check(status == 403 and "AccessForbidden" in body, "refused preflight: %d %s (S3: 403 AccessForbidden)" % (status, body))


@op("PreflightRequest")
def preflight_request(t):
    b = t.bucket()
    preflight(t, "/" + b, b)


@op("PreflightObjectRequest")
def preflight_object_request(t):
    b = t.bucket()
    preflight(t, "/%s/some/key.txt" % b, b)


@op("HeadBucket")
def head_bucket(t):
    b = t.bucket()
    out = t.s3.head_bucket(Bucket=b)
    check(status_of(out) == 200, "status")
    check(out["ResponseMetadata"]["HTTPHeaders"].get("x-amz-bucket-region") == "us-east-1", "x-amz-bucket-region: %s" % out["ResponseMetadata"]["HTTPHeaders"])
    t.expect_error("HeadBucket of a missing bucket", lambda: t.s3.head_bucket(Bucket=b + "-missing"), "404", 404)


LIST_KEYS = ["a.txt", "d/1", "d/2", "e f.txt", "z.txt"]


@op("ListObjects")
def list_objects(t):
    b = t.bucket()
    for k in LIST_KEYS:
        t.put(b, k, k.encode())
    out = t.s3.list_objects(Bucket=b, MaxKeys=2)
    check([o["Key"] for o in out["Contents"]] == LIST_KEYS[:2] and out["IsTruncated"], "page 1: %s" % strip_meta(out))
    first = out["Contents"][0]
    check(first["ETag"] == md5_etag(b"a.txt") and first["Size"] == 5 and first.get("StorageClass") == "STANDARD" and "LastModified" in first, "entry %s" % first)
    check(first.get("Owner", {}).get("ID"), "ListObjects entry has no Owner: %s" % first)
    out = t.s3.list_objects(Bucket=b, Marker="d/1", Delimiter="/")
    check([o["Key"] for o in out.get("Contents", [])] == ["e f.txt", "z.txt"], "after marker: %s" % strip_meta(out))
    out = t.s3.list_objects(Bucket=b, Delimiter="/")
    check([p["Prefix"] for p in out.get("CommonPrefixes", [])] == ["d/"], "CommonPrefixes: %s" % strip_meta(out))
    check(out.get("Delimiter") == "/" and out.get("Name") == b, "echo: %s" % strip_meta(out))
    t.expect_error("ListObjects of a missing bucket", lambda: t.s3.list_objects(Bucket=b + "-missing"), "NoSuchBucket", 404)


@op("ListObjectsV2")
def list_objects_v2(t):
    b = t.bucket()
    for k in LIST_KEYS:
        t.put(b, k, k.encode())
    out = t.s3.list_objects_v2(Bucket=b, MaxKeys=2)
    check(out["KeyCount"] == 2 and out["IsTruncated"] and out.get("NextContinuationToken"), "page 1: %s" % strip_meta(out))
    keys = [o["Key"] for o in out["Contents"]]
    out = t.s3.list_objects_v2(Bucket=b, ContinuationToken=out["NextContinuationToken"], MaxKeys=10)
    keys += [o["Key"] for o in out["Contents"]]
    check(keys == LIST_KEYS and not out["IsTruncated"], "paged keys %s" % keys)
    out = t.s3.list_objects_v2(Bucket=b, StartAfter="d/2", FetchOwner=True)
    check([o["Key"] for o in out["Contents"]] == ["e f.txt", "z.txt"], "StartAfter: %s" % strip_meta(out))
    check(all(o.get("Owner", {}).get("ID") for o in out["Contents"]), "FetchOwner: %s" % out["Contents"])
    out = t.s3.list_objects_v2(Bucket=b, Delimiter="/", Prefix="")
    check([p["Prefix"] for p in out.get("CommonPrefixes", [])] == ["d/"] and out["KeyCount"] == 4, "delimiter: %s" % strip_meta(out))
    pages = list(t.s3.get_paginator("list_objects_v2").paginate(Bucket=b, PaginationConfig={"PageSize": 2}))
    check(len(pages) == 3, "paginator pages %d" % len(pages))
    # boto3 uploaded each object with a CRC32 (its default): S3 lists the
    # algorithm and the checksum type with every entry.
    entry = pages[0]["Contents"][0]
    check(entry.get("ChecksumAlgorithm") == ["CRC32"] and entry.get("ChecksumType") == "FULL_OBJECT",
          "entry checksum: ChecksumAlgorithm %r ChecksumType %r" % (entry.get("ChecksumAlgorithm"), entry.get("ChecksumType")))


@op("ListObjectVersions")
def list_object_versions(t):
    b = t.bucket()
    t.put(b, "plain.txt", b"unversioned")
    out = t.s3.list_object_versions(Bucket=b)
    versions = out.get("Versions", [])
    check(len(versions) == 1, "unversioned bucket: %s" % strip_meta(out))
    v = versions[0]
    check(v["Key"] == "plain.txt" and v["VersionId"] == "null" and v["IsLatest"] is True, "null version %s" % v)
    check(v["ETag"] == md5_etag(b"unversioned") and v["Size"] == 11 and "LastModified" in v, "version entry %s" % v)
    check(not out.get("DeleteMarkers") and out["IsTruncated"] is False, "unversioned listing %s" % strip_meta(out))
    if not t.implemented("PutBucketVersioning"):
        empty_the_way_test_suites_do(t, b)
        return
    t.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    v1 = t.put(b, "v.txt", b"one")["VersionId"]
    v2 = t.put(b, "v.txt", b"two")["VersionId"]
    dm = t.s3.delete_object(Bucket=b, Key="v.txt")
    check(dm.get("DeleteMarker") is True and dm.get("VersionId"), "delete marker: %s" % strip_meta(dm))
    out = t.s3.list_object_versions(Bucket=b, Prefix="v.txt")
    check([(x["VersionId"], x["IsLatest"]) for x in out.get("Versions", [])] == [(v2, False), (v1, False)], "versions %s" % out.get("Versions"))
    markers = out.get("DeleteMarkers", [])
    check([(m["Key"], m["VersionId"], m["IsLatest"]) for m in markers] == [("v.txt", dm["VersionId"], True)], "markers %s" % markers)
    # Paging by key-marker / version-id-marker.
    page = t.s3.list_object_versions(Bucket=b, MaxKeys=2)
    check(page["IsTruncated"] and page.get("NextKeyMarker") and page.get("NextVersionIdMarker"), "page 1 %s" % strip_meta(page))
    seen = len(page.get("Versions", [])) + len(page.get("DeleteMarkers", []))
    while page["IsTruncated"]:
        page = t.s3.list_object_versions(Bucket=b, MaxKeys=2, KeyMarker=page["NextKeyMarker"], VersionIdMarker=page["NextVersionIdMarker"])
        seen += len(page.get("Versions", [])) + len(page.get("DeleteMarkers", []))
    check(seen == 4, "paged %d entries, want 4" % seen)
    # An old version reads back.
    check(t.s3.get_object(Bucket=b, Key="v.txt", VersionId=v1)["Body"].read() == b"one", "old version body")
    empty_the_way_test_suites_do(t, b)


def empty_the_way_test_suites_do(t, b):
    """Lists every version and delete marker, deletes them by version id,
    then deletes the bucket (test-suite teardown, force_destroy)."""
    for page in t.s3.get_paginator("list_object_versions").paginate(Bucket=b):
        doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if doomed:
            out = t.s3.delete_objects(Bucket=b, Delete={"Objects": doomed})
            check(not out.get("Errors") and len(out.get("Deleted", [])) == len(doomed), "emptying: %s" % strip_meta(out))
    check(status_of(t.s3.delete_bucket(Bucket=b)) == 204, "DeleteBucket after emptying")


@op("ListMultipartUploads")
def list_multipart_uploads(t):
    b = t.bucket()
    up = t.setup(lambda: t.s3.create_multipart_upload(Bucket=b, Key="mpu/one"))
    out = t.s3.list_multipart_uploads(Bucket=b)
    uploads = out.get("Uploads", [])
    check([(u["Key"], u["UploadId"]) for u in uploads] == [("mpu/one", up["UploadId"])], "uploads %s" % uploads)
    check("Initiated" in uploads[0] and uploads[0].get("StorageClass") == "STANDARD", "upload entry %s" % uploads[0])
    check(out.get("Bucket") == b and out["IsTruncated"] is False, "listing %s" % strip_meta(out))
    check(uploads[0].get("Initiator", {}).get("ID") and uploads[0].get("Owner", {}).get("ID"),
          "upload Initiator / Owner: %r / %r" % (uploads[0].get("Initiator"), uploads[0].get("Owner")))


@op("DeleteObjects")
def delete_objects(t):
    b = t.bucket()
    for k in ("x/1", "x/2"):
        t.put(b, k)
    out = t.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "x/1"}, {"Key": "x/2"}, {"Key": "never-was"}]})
    check(sorted(d["Key"] for d in out.get("Deleted", [])) == ["never-was", "x/1", "x/2"] and not out.get("Errors"), "deleted %s" % strip_meta(out))
    t.put(b, "x/3")
    out = t.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "x/3"}], "Quiet": True})
    check(not out.get("Deleted") and not out.get("Errors"), "quiet %s" % strip_meta(out))
    # The null version by id: the object itself on a never-versioned bucket.
    t.put(b, "x/4")
    out = t.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "x/4", "VersionId": "null"}]})
    check([(d["Key"], d.get("VersionId")) for d in out.get("Deleted", [])] == [("x/4", "null")] and not out.get("Errors"), "null version %s" % strip_meta(out))
    check(t.s3.list_objects_v2(Bucket=b)["KeyCount"] == 0, "bucket not empty")


@op("GetBucketLocation")
def get_bucket_location(t):
    b = t.bucket()
    out = t.s3.get_bucket_location(Bucket=b)
    check("LocationConstraint" in out and out["LocationConstraint"] is None, "us-east-1 location %s" % strip_meta(out))


# ---- Bucket policy ----------------------------------------------------------

def policy_for(b):
    return {"Version": "2012-10-17", "Statement": [{"Sid": "AccountReads", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % b}]}


def public_policy_for(b):
    """Public as Block Public Access decides: Principal "*" without a fixed-value condition."""
    return {"Version": "2012-10-17", "Statement": [{"Sid": "PublicRead", "Effect": "Allow",
            "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % b}]}


@op("GetBucketPolicy")
def get_bucket_policy(t):
    b = t.bucket()
    t.expect_error("GetBucketPolicy without a policy", lambda: t.s3.get_bucket_policy(Bucket=b), "NoSuchBucketPolicy", 404)
    t.setup(lambda: t.s3.put_bucket_policy(Bucket=b, Policy=json.dumps(policy_for(b))))
    out = t.s3.get_bucket_policy(Bucket=b)
    check(json.loads(out["Policy"]) == policy_for(b), "policy %s" % out["Policy"])


@op("PutBucketPolicy")
def put_bucket_policy(t):
    b = t.bucket()
    out = t.s3.put_bucket_policy(Bucket=b, Policy=json.dumps(policy_for(b)))
    check(status_of(out) == 204, "PutBucketPolicy status %d" % status_of(out))
    t.expect_error("PutBucketPolicy not JSON", lambda: t.s3.put_bucket_policy(Bucket=b, Policy="{nope"), "MalformedPolicy", 400)
    got = t.setup(lambda: t.s3.get_bucket_policy(Bucket=b))
    check(got is None or json.loads(got["Policy"]) == policy_for(b), "stored policy")


@op("DeleteBucketPolicy")
def delete_bucket_policy(t):
    b = t.bucket()
    t.setup(lambda: t.s3.put_bucket_policy(Bucket=b, Policy=json.dumps(policy_for(b))))
    out = t.s3.delete_bucket_policy(Bucket=b)
    check(status_of(out) == 204, "status %d" % status_of(out))
    t.expect_error("GetBucketPolicy after delete", lambda: t.s3.get_bucket_policy(Bucket=b), "NoSuchBucketPolicy", 404)


@op("GetBucketPolicyStatus")
def get_bucket_policy_status(t):
    b = t.bucket()
    t.expect_error("GetBucketPolicyStatus without a policy", lambda: t.s3.get_bucket_policy_status(Bucket=b), "NoSuchBucketPolicy", 404)
    t.setup(lambda: t.s3.put_bucket_policy(Bucket=b, Policy=json.dumps(policy_for(b))))
    out = t.s3.get_bucket_policy_status(Bucket=b)
    check(out.get("PolicyStatus") == {"IsPublic": False}, "status %s" % strip_meta(out))


# ---- Ownership controls and versioning ------------------------------------------

@op("GetBucketOwnershipControls")
def get_bucket_ownership_controls(t):
    b = t.bucket()
    out = t.s3.get_bucket_ownership_controls(Bucket=b)
    check(out["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}], "default %s" % strip_meta(out))


@op("PutBucketOwnershipControls")
def put_bucket_ownership_controls(t):
    b = t.bucket()
    out = t.s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    check(status_of(out) == 200, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_bucket_ownership_controls(Bucket=b))
    check(got is None or got["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "ObjectWriter"}], "stored %s" % got)


@op("DeleteBucketOwnershipControls")
def delete_bucket_ownership_controls(t):
    b = t.bucket()
    out = t.s3.delete_bucket_ownership_controls(Bucket=b)
    check(status_of(out) == 204, "status %d" % status_of(out))
    t.expect_error("GetBucketOwnershipControls after delete", lambda: t.s3.get_bucket_ownership_controls(Bucket=b),
                   "OwnershipControlsNotFoundError", 404)


@op("GetBucketVersioning")
def get_bucket_versioning(t):
    b = t.bucket()
    out = t.s3.get_bucket_versioning(Bucket=b)
    check("Status" not in out and "MFADelete" not in out, "never-versioned bucket %s" % strip_meta(out))
    if t.implemented("PutBucketVersioning"):
        t.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        check(t.s3.get_bucket_versioning(Bucket=b).get("Status") == "Enabled", "after enabling")


@op("PutBucketVersioning")
def put_bucket_versioning(t):
    b = t.bucket()
    out = t.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    check(status_of(out) == 200, "status %d" % status_of(out))
    check(t.s3.get_bucket_versioning(Bucket=b).get("Status") == "Enabled", "Status after enabling")
    put = t.put(b, "k", b"v1")
    check(put.get("VersionId") and put["VersionId"] != "null", "versioned PUT VersionId %r" % put.get("VersionId"))
    head = t.s3.head_object(Bucket=b, Key="k")
    check(head.get("VersionId") == put["VersionId"], "HeadObject VersionId %r" % head.get("VersionId"))
    t.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
    check(t.s3.get_bucket_versioning(Bucket=b).get("Status") == "Suspended", "Status after suspending")
    t.put(b, "k", b"v2")
    check(t.s3.get_object(Bucket=b, Key="k", VersionId="null")["Body"].read() == b"v2", "suspended write is the null version")
    check(t.s3.get_object(Bucket=b, Key="k", VersionId=put["VersionId"])["Body"].read() == b"v1", "old version kept")
    t.expect_error("PutBucketVersioning with a bad status",
                   lambda: t.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "On"}), "MalformedXML", 400)


# ---- Bucket configurations ---------------------------------------------------

DEFAULT_SSE = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]}


@op("GetBucketEncryption")
def get_bucket_encryption(t):
    b = t.bucket()
    out = t.s3.get_bucket_encryption(Bucket=b)
    check(out.get("ServerSideEncryptionConfiguration") == DEFAULT_SSE, "default encryption %s" % strip_meta(out))
    put = t.put(b, "k")
    check(put.get("ServerSideEncryption") == "AES256", "PutObject ServerSideEncryption %r" % put.get("ServerSideEncryption"))


@op("PutBucketEncryption")
def put_bucket_encryption(t):
    b = t.bucket()
    conf = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]}
    out = t.s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration=conf)
    check(status_of(out) == 200, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_bucket_encryption(Bucket=b))
    check(got is None or got["ServerSideEncryptionConfiguration"] == conf, "stored %s" % (got and got["ServerSideEncryptionConfiguration"]))
    t.expect_error("PutBucketEncryption with an unknown algorithm", lambda: t.s3.put_bucket_encryption(
        Bucket=b, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "ROT13"}}]}),
        "MalformedXML", 400)


@op("DeleteBucketEncryption")
def delete_bucket_encryption(t):
    b = t.bucket()
    t.setup(lambda: t.s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]}))
    out = t.s3.delete_bucket_encryption(Bucket=b)
    check(status_of(out) == 204, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_bucket_encryption(Bucket=b))
    check(got is None or got["ServerSideEncryptionConfiguration"] == DEFAULT_SSE, "after delete (SSE-S3 default) %s" % got)


TAGS = [{"Key": "team", "Value": "storage"}, {"Key": "env", "Value": "test"}]


def tagset(out):
    return sorted((x["Key"], x["Value"]) for x in out["TagSet"])


@op("GetBucketTagging")
def get_bucket_tagging(t):
    b = t.bucket()
    t.expect_error("GetBucketTagging without tags", lambda: t.s3.get_bucket_tagging(Bucket=b), "NoSuchTagSet", 404)
    t.setup(lambda: t.s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": TAGS}))
    check(tagset(t.s3.get_bucket_tagging(Bucket=b)) == sorted((x["Key"], x["Value"]) for x in TAGS), "tags")


@op("PutBucketTagging")
def put_bucket_tagging(t):
    b = t.bucket()
    out = t.s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": TAGS})
    check(status_of(out) == 204, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_bucket_tagging(Bucket=b))
    check(got is None or tagset(got) == sorted((x["Key"], x["Value"]) for x in TAGS), "stored")
    t.expect_error("PutBucketTagging with a duplicate key", lambda: t.s3.put_bucket_tagging(
        Bucket=b, Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]}), "InvalidTag", 400)


@op("DeleteBucketTagging")
def delete_bucket_tagging(t):
    b = t.bucket()
    t.setup(lambda: t.s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": TAGS}))
    out = t.s3.delete_bucket_tagging(Bucket=b)
    check(status_of(out) == 204, "status %d" % status_of(out))
    t.expect_error("GetBucketTagging after delete", lambda: t.s3.get_bucket_tagging(Bucket=b), "NoSuchTagSet", 404)


CORS = {"CORSRules": [{"ID": "web", "AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET", "HEAD"],
                       "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}]}


@op("GetBucketCors")
def get_bucket_cors(t):
    b = t.bucket()
    t.expect_error("GetBucketCors without a configuration", lambda: t.s3.get_bucket_cors(Bucket=b), "NoSuchCORSConfiguration", 404)
    t.setup(lambda: t.s3.put_bucket_cors(Bucket=b, CORSConfiguration=CORS))
    out = t.s3.get_bucket_cors(Bucket=b)
    check(out["CORSRules"] == CORS["CORSRules"], "rules %s" % out["CORSRules"])


@op("PutBucketCors")
def put_bucket_cors(t):
    b = t.bucket()
    out = t.s3.put_bucket_cors(Bucket=b, CORSConfiguration=CORS)
    check(status_of(out) == 200, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_bucket_cors(Bucket=b))
    check(got is None or got["CORSRules"] == CORS["CORSRules"], "stored %s" % got)
    t.expect_error("PutBucketCors with an unknown method", lambda: t.s3.put_bucket_cors(Bucket=b, CORSConfiguration={
        "CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]}), "InvalidRequest", 400)


@op("DeleteBucketCors")
def delete_bucket_cors(t):
    b = t.bucket()
    t.setup(lambda: t.s3.put_bucket_cors(Bucket=b, CORSConfiguration=CORS))
    out = t.s3.delete_bucket_cors(Bucket=b)
    check(status_of(out) == 204, "status %d" % status_of(out))
    t.expect_error("GetBucketCors after delete", lambda: t.s3.get_bucket_cors(Bucket=b), "NoSuchCORSConfiguration", 404)


LIFECYCLE = {"Rules": [{"ID": "expire-tmp", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": 30},
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 7}}]}


@op("GetBucketLifecycleConfiguration")
def get_bucket_lifecycle_configuration(t):
    b = t.bucket()
    t.expect_error("GetBucketLifecycleConfiguration without one", lambda: t.s3.get_bucket_lifecycle_configuration(Bucket=b),
                   "NoSuchLifecycleConfiguration", 404)
    t.setup(lambda: t.s3.put_bucket_lifecycle_configuration(Bucket=b, LifecycleConfiguration=LIFECYCLE))
    out = t.s3.get_bucket_lifecycle_configuration(Bucket=b)
    check(out["Rules"] == LIFECYCLE["Rules"], "rules %s" % out["Rules"])


@op("PutBucketLifecycleConfiguration")
def put_bucket_lifecycle_configuration(t):
    b = t.bucket()
    out = t.s3.put_bucket_lifecycle_configuration(Bucket=b, LifecycleConfiguration=LIFECYCLE)
    check(status_of(out) == 200, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_bucket_lifecycle_configuration(Bucket=b))
    check(got is None or got["Rules"] == LIFECYCLE["Rules"], "stored %s" % got)
    t.expect_error("PutBucketLifecycleConfiguration with Days 0", lambda: t.s3.put_bucket_lifecycle_configuration(
        Bucket=b, LifecycleConfiguration={"Rules": [{"ID": "bad", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 0}}]}),
        "InvalidArgument", 400)


@op("DeleteBucketLifecycle")
def delete_bucket_lifecycle(t):
    b = t.bucket()
    t.setup(lambda: t.s3.put_bucket_lifecycle_configuration(Bucket=b, LifecycleConfiguration=LIFECYCLE))
    out = t.s3.delete_bucket_lifecycle(Bucket=b)
    check(status_of(out) == 204, "status %d" % status_of(out))
    t.expect_error("GetBucketLifecycleConfiguration after delete", lambda: t.s3.get_bucket_lifecycle_configuration(Bucket=b),
                   "NoSuchLifecycleConfiguration", 404)


WEBSITE = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}}


@op("GetBucketWebsite")
def get_bucket_website(t):
    b = t.bucket()
    t.expect_error("GetBucketWebsite without one", lambda: t.s3.get_bucket_website(Bucket=b), "NoSuchWebsiteConfiguration", 404)
    t.setup(lambda: t.s3.put_bucket_website(Bucket=b, WebsiteConfiguration=WEBSITE))
    out = t.s3.get_bucket_website(Bucket=b)
    check(out.get("IndexDocument") == WEBSITE["IndexDocument"] and out.get("ErrorDocument") == WEBSITE["ErrorDocument"], "website %s" % strip_meta(out))


@op("PutBucketWebsite")
def put_bucket_website(t):
    b = t.bucket()
    out = t.s3.put_bucket_website(Bucket=b, WebsiteConfiguration=WEBSITE)
    check(status_of(out) == 200, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_bucket_website(Bucket=b))
    check(got is None or got.get("IndexDocument") == WEBSITE["IndexDocument"], "stored %s" % got)


@op("DeleteBucketWebsite")
def delete_bucket_website(t):
    b = t.bucket()
    t.setup(lambda: t.s3.put_bucket_website(Bucket=b, WebsiteConfiguration=WEBSITE))
    out = t.s3.delete_bucket_website(Bucket=b)
    check(status_of(out) == 204, "status %d" % status_of(out))
    t.expect_error("GetBucketWebsite after delete", lambda: t.s3.get_bucket_website(Bucket=b), "NoSuchWebsiteConfiguration", 404)


@op("GetBucketLogging")
def get_bucket_logging(t):
    b = t.bucket()
    out = t.s3.get_bucket_logging(Bucket=b)
    check("LoggingEnabled" not in out, "logging off by default: %s" % strip_meta(out))


@op("PutBucketLogging")
def put_bucket_logging(t):
    b, logs = t.bucket(), t.bucket()
    conf = {"LoggingEnabled": {"TargetBucket": logs, "TargetPrefix": "logs/%s/" % b}}
    out = t.s3.put_bucket_logging(Bucket=b, BucketLoggingStatus=conf)
    check(status_of(out) == 200, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_bucket_logging(Bucket=b))
    check(got is None or got.get("LoggingEnabled") == conf["LoggingEnabled"], "stored %s" % got)
    t.s3.put_bucket_logging(Bucket=b, BucketLoggingStatus={})
    got = t.setup(lambda: t.s3.get_bucket_logging(Bucket=b))
    check(got is None or "LoggingEnabled" not in got, "after disabling %s" % got)


@op("GetBucketRequestPayment")
def get_bucket_request_payment(t):
    b = t.bucket()
    check(t.s3.get_bucket_request_payment(Bucket=b).get("Payer") == "BucketOwner", "default payer")


@op("PutBucketRequestPayment")
def put_bucket_request_payment(t):
    b = t.bucket()
    out = t.s3.put_bucket_request_payment(Bucket=b, RequestPaymentConfiguration={"Payer": "Requester"})
    check(status_of(out) == 200, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_bucket_request_payment(Bucket=b))
    check(got is None or got.get("Payer") == "Requester", "stored %s" % got)


@op("GetBucketAccelerateConfiguration")
def get_bucket_accelerate_configuration(t):
    b = t.bucket()
    out = t.s3.get_bucket_accelerate_configuration(Bucket=b)
    check("Status" not in out, "never-accelerated bucket %s" % strip_meta(out))


@op("PutBucketAccelerateConfiguration")
def put_bucket_accelerate_configuration(t):
    b = t.bucket()
    out = t.s3.put_bucket_accelerate_configuration(Bucket=b, AccelerateConfiguration={"Status": "Enabled"})
    check(status_of(out) == 200, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_bucket_accelerate_configuration(Bucket=b))
    check(got is None or got.get("Status") == "Enabled", "stored %s" % got)


@op("GetBucketNotificationConfiguration")
def get_bucket_notification_configuration(t):
    b = t.bucket()
    out = strip_meta(t.s3.get_bucket_notification_configuration(Bucket=b))
    check(out == {}, "empty by default: %s" % out)


@op("PutBucketNotificationConfiguration")
def put_bucket_notification_configuration(t):
    b = t.bucket()
    out = t.s3.put_bucket_notification_configuration(Bucket=b, NotificationConfiguration={"EventBridgeConfiguration": {}})
    check(status_of(out) == 200, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_bucket_notification_configuration(Bucket=b))
    check(got is None or strip_meta(got) == {"EventBridgeConfiguration": {}}, "stored %s" % (got and strip_meta(got)))
    t.s3.put_bucket_notification_configuration(Bucket=b, NotificationConfiguration={})
    got = t.setup(lambda: t.s3.get_bucket_notification_configuration(Bucket=b))
    check(got is None or strip_meta(got) == {}, "after clearing %s" % (got and strip_meta(got)))


LOCK_RULE = {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}


@op("GetObjectLockConfiguration")
def get_object_lock_configuration(t):
    b = t.bucket()
    t.expect_error("GetObjectLockConfiguration without object lock", lambda: t.s3.get_object_lock_configuration(Bucket=b),
                   "ObjectLockConfigurationNotFoundError", 404)
    locked = t.bucket(ObjectLockEnabledForBucket=True)
    out = t.s3.get_object_lock_configuration(Bucket=locked)
    check(out.get("ObjectLockConfiguration") == {"ObjectLockEnabled": "Enabled"}, "lock-enabled bucket %s" % strip_meta(out))
    if t.implemented("GetBucketVersioning"):
        check(t.s3.get_bucket_versioning(Bucket=locked).get("Status") == "Enabled", "object lock turns versioning on")


@op("PutObjectLockConfiguration")
def put_object_lock_configuration(t):
    conf = {"ObjectLockEnabled": "Enabled", "Rule": LOCK_RULE}
    plain = t.bucket()
    t.expect_error("PutObjectLockConfiguration on an unversioned bucket", lambda: t.s3.put_object_lock_configuration(
        Bucket=plain, ObjectLockConfiguration=conf), "InvalidBucketState", 409)
    locked = t.bucket(ObjectLockEnabledForBucket=True)
    out = t.s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=conf)
    check(status_of(out) == 200, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_object_lock_configuration(Bucket=locked))
    check(got is None or got["ObjectLockConfiguration"] == conf, "stored %s" % (got and got["ObjectLockConfiguration"]))


def replication_for(dest):
    return {"Role": "arn:aws:iam::%s:role/replication" % ACCOUNT, "Rules": [{
        "ID": "all", "Priority": 1, "Filter": {"Prefix": ""}, "Status": "Enabled",
        "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": "arn:aws:s3:::" + dest}}]}


def versioned_pair(t):
    src, dest = t.bucket(), t.bucket()
    if t.implemented("PutBucketVersioning"):
        for b in (src, dest):
            t.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    return src, dest


@op("GetBucketReplication")
def get_bucket_replication(t):
    src, dest = versioned_pair(t)
    t.expect_error("GetBucketReplication without one", lambda: t.s3.get_bucket_replication(Bucket=src),
                   "ReplicationConfigurationNotFoundError", 404)
    if not t.implemented("PutBucketVersioning"):
        return
    t.setup(lambda: t.s3.put_bucket_replication(Bucket=src, ReplicationConfiguration=replication_for(dest)))
    out = t.s3.get_bucket_replication(Bucket=src)
    check(out["ReplicationConfiguration"] == replication_for(dest), "stored %s" % out["ReplicationConfiguration"])


@op("PutBucketReplication")
def put_bucket_replication(t):
    plain, dest0 = t.bucket(), t.bucket()
    t.expect_error("PutBucketReplication on an unversioned bucket", lambda: t.s3.put_bucket_replication(
        Bucket=plain, ReplicationConfiguration=replication_for(dest0)), "InvalidRequest", 400)
    if not t.implemented("PutBucketVersioning"):
        return
    src, dest = versioned_pair(t)
    out = t.s3.put_bucket_replication(Bucket=src, ReplicationConfiguration=replication_for(dest))
    check(status_of(out) == 200, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_bucket_replication(Bucket=src))
    check(got is None or got["ReplicationConfiguration"] == replication_for(dest), "stored %s" % got)


@op("DeleteBucketReplication")
def delete_bucket_replication(t):
    src, dest = versioned_pair(t)
    if t.implemented("PutBucketVersioning"):
        t.setup(lambda: t.s3.put_bucket_replication(Bucket=src, ReplicationConfiguration=replication_for(dest)))
    out = t.s3.delete_bucket_replication(Bucket=src)
    check(status_of(out) == 204, "status %d" % status_of(out))
    t.expect_error("GetBucketReplication after delete", lambda: t.s3.get_bucket_replication(Bucket=src),
                   "ReplicationConfigurationNotFoundError", 404)


# ---- Analytics, metrics, inventory, intelligent-tiering ------------------------

def config_family(kind, list_call, get_call, put_call, delete_call, list_key, body_key, make):
    """Registers List/Get/Put/Delete functions for one configuration family."""

    @op("ListBucket%sConfigurations" % kind)
    def list_configs(t):
        b = t.bucket()
        out = list_call(t.s3, Bucket=b)
        check(not out.get(list_key) and out.get("IsTruncated") is False, "empty list %s" % strip_meta(out))
        if t.implemented("PutBucket%sConfiguration" % kind):
            put_call(t.s3, Bucket=b, Id="one", **{body_key: make(b, "one")})
            out = list_call(t.s3, Bucket=b)
            check([c["Id"] for c in out.get(list_key, [])] == ["one"], "listed %s" % strip_meta(out))

    @op("GetBucket%sConfiguration" % kind)
    def get_config(t):
        b = t.bucket()
        t.expect_error("Get%s of a missing id" % kind, lambda: get_call(t.s3, Bucket=b, Id="absent"), "NoSuchConfiguration", 404)
        t.setup(lambda: put_call(t.s3, Bucket=b, Id="one", **{body_key: make(b, "one")}))
        out = get_call(t.s3, Bucket=b, Id="one")
        check(out[body_key] == make(b, "one"), "stored %s" % out[body_key])

    @op("PutBucket%sConfiguration" % kind)
    def put_config(t):
        b = t.bucket()
        out = put_call(t.s3, Bucket=b, Id="one", **{body_key: make(b, "one")})
        check(status_of(out) in (200, 204), "status %d" % status_of(out))
        got = t.setup(lambda: get_call(t.s3, Bucket=b, Id="one"))
        check(got is None or got[body_key] == make(b, "one"), "stored %s" % got)

    @op("DeleteBucket%sConfiguration" % kind)
    def delete_config(t):
        b = t.bucket()
        t.setup(lambda: put_call(t.s3, Bucket=b, Id="one", **{body_key: make(b, "one")}))
        out = delete_call(t.s3, Bucket=b, Id="one")
        check(status_of(out) == 204, "status %d" % status_of(out))
        t.expect_error("Get%s after delete" % kind, lambda: get_call(t.s3, Bucket=b, Id="one"), "NoSuchConfiguration", 404)


config_family("Analytics", lambda c, **k: c.list_bucket_analytics_configurations(**k), lambda c, **k: c.get_bucket_analytics_configuration(**k),
              lambda c, **k: c.put_bucket_analytics_configuration(**k), lambda c, **k: c.delete_bucket_analytics_configuration(**k),
              "AnalyticsConfigurationList", "AnalyticsConfiguration",
              lambda b, i: {"Id": i, "Filter": {"Prefix": "logs/"}, "StorageClassAnalysis": {}})
config_family("Metrics", lambda c, **k: c.list_bucket_metrics_configurations(**k), lambda c, **k: c.get_bucket_metrics_configuration(**k),
              lambda c, **k: c.put_bucket_metrics_configuration(**k), lambda c, **k: c.delete_bucket_metrics_configuration(**k),
              "MetricsConfigurationList", "MetricsConfiguration",
              lambda b, i: {"Id": i, "Filter": {"Prefix": "hot/"}})
config_family("Inventory", lambda c, **k: c.list_bucket_inventory_configurations(**k), lambda c, **k: c.get_bucket_inventory_configuration(**k),
              lambda c, **k: c.put_bucket_inventory_configuration(**k), lambda c, **k: c.delete_bucket_inventory_configuration(**k),
              "InventoryConfigurationList", "InventoryConfiguration",
              lambda b, i: {"Id": i, "IsEnabled": True, "IncludedObjectVersions": "Current", "Schedule": {"Frequency": "Daily"},
                            "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::" + b, "Format": "CSV", "Prefix": "inventory"}}})
config_family("IntelligentTiering", lambda c, **k: c.list_bucket_intelligent_tiering_configurations(**k),
              lambda c, **k: c.get_bucket_intelligent_tiering_configuration(**k),
              lambda c, **k: c.put_bucket_intelligent_tiering_configuration(**k),
              lambda c, **k: c.delete_bucket_intelligent_tiering_configuration(**k),
              "IntelligentTieringConfigurationList", "IntelligentTieringConfiguration",
              lambda b, i: {"Id": i, "Status": "Enabled", "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}]})


# ---- ACLs and Block Public Access --------------------------------------------------

def owner_full_control(t, out):
    owner = out.get("Owner", {}).get("ID")
    check(owner, "Owner.ID missing: %s" % strip_meta(out))
    grants = [(g["Grantee"].get("Type"), g["Grantee"].get("ID"), g["Permission"]) for g in out.get("Grants", [])]
    check(grants == [("CanonicalUser", owner, "FULL_CONTROL")], "grants %s" % out.get("Grants"))


@op("GetBucketAcl")
def get_bucket_acl(t):
    b = t.bucket()
    owner_full_control(t, t.s3.get_bucket_acl(Bucket=b))


@op("PutBucketAcl")
def put_bucket_acl(t):
    b = t.bucket()
    # ACLs are disabled on new buckets (BucketOwnerEnforced, 2023).
    t.expect_error("PutBucketAcl public-read with ACLs disabled", lambda: t.s3.put_bucket_acl(Bucket=b, ACL="public-read"),
                   "AccessControlListNotSupported", 400)
    t.setup(lambda: t.s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}))
    out = t.s3.put_bucket_acl(Bucket=b, ACL="private")
    check(status_of(out) == 200, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_bucket_acl(Bucket=b))
    if got is not None:
        owner_full_control(t, got)


@op("GetObjectAcl")
def get_object_acl(t):
    b = t.bucket()
    t.put(b, "k")
    owner_full_control(t, t.s3.get_object_acl(Bucket=b, Key="k"))


@op("PutObjectAcl")
def put_object_acl(t):
    b = t.bucket()
    t.put(b, "k")
    t.expect_error("PutObjectAcl public-read with ACLs disabled", lambda: t.s3.put_object_acl(Bucket=b, Key="k", ACL="public-read"),
                   "AccessControlListNotSupported", 400)
    out = t.s3.put_object_acl(Bucket=b, Key="k", ACL="bucket-owner-full-control")
    check(status_of(out) == 200, "status %d" % status_of(out))


ALL_BLOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
NONE_BLOCKED = {k: False for k in ALL_BLOCKED}


@op("GetPublicAccessBlock")
def get_public_access_block(t):
    b = t.bucket()
    # New buckets block all public access (2023).
    out = t.s3.get_public_access_block(Bucket=b)
    check(out.get("PublicAccessBlockConfiguration") == ALL_BLOCKED, "default %s" % strip_meta(out))


@op("PutPublicAccessBlock")
def put_public_access_block(t):
    b = t.bucket()
    out = t.s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration=NONE_BLOCKED)
    check(status_of(out) == 200, "status %d" % status_of(out))
    got = t.setup(lambda: t.s3.get_public_access_block(Bucket=b))
    check(got is None or got["PublicAccessBlockConfiguration"] == NONE_BLOCKED, "stored %s" % got)


@op("DeletePublicAccessBlock")
def delete_public_access_block(t):
    b = t.bucket()
    # BlockPublicPolicy (on for new buckets) refuses a public policy ...
    t.expect_error("public PutBucketPolicy under BlockPublicPolicy",
                   lambda: t.s3.put_bucket_policy(Bucket=b, Policy=json.dumps(public_policy_for(b))), "AccessDenied", 403)
    out = t.s3.delete_public_access_block(Bucket=b)
    check(status_of(out) == 204, "status %d" % status_of(out))
    t.expect_error("GetPublicAccessBlock after delete", lambda: t.s3.get_public_access_block(Bucket=b),
                   "NoSuchPublicAccessBlockConfiguration", 404)
    # ... which is accepted, and reported public, once the block is gone.
    t.setup(lambda: t.s3.put_bucket_policy(Bucket=b, Policy=json.dumps(public_policy_for(b))))
    status = t.setup(lambda: t.s3.get_bucket_policy_status(Bucket=b))
    check(status is None or status.get("PolicyStatus") == {"IsPublic": True}, "status %s" % status)


# ---- Objects ----------------------------------------------------------------------

BODY = b"hello from boto3_ops\n"


@op("PutObject")
def put_object(t):
    b = t.bucket()
    out = t.put(b, "dir/o.txt", BODY, ContentType="text/plain", Metadata={"tool": "boto3"})
    check(out["ETag"] == md5_etag(BODY), "ETag %s" % out["ETag"])
    # boto3 sends a CRC32 by default (when_supported); S3 echoes it.
    check(out.get("ChecksumCRC32") == crc32_b64(BODY), "ChecksumCRC32 %r, want %s" % (out.get("ChecksumCRC32"), crc32_b64(BODY)))
    head = t.s3.head_object(Bucket=b, Key="dir/o.txt")
    check(head["ContentLength"] == len(BODY) and head["ContentType"] == "text/plain" and head["Metadata"] == {"tool": "boto3"}, "stored %s" % strip_meta(head))
    t.expect_error("PutObject into a missing bucket", lambda: t.put(b + "-missing", "k"), "NoSuchBucket", 404)
    # Every object is SSE-S3 encrypted (2023).
    check(out.get("ServerSideEncryption") == "AES256", "ServerSideEncryption %r" % out.get("ServerSideEncryption"))


@op("CopyObject")
def copy_object(t):
    b = t.bucket()
    t.put(b, "src.txt", BODY, Metadata={"a": "1"})
    out = t.s3.copy_object(Bucket=b, Key="dst.txt", CopySource={"Bucket": b, "Key": "src.txt"})
    res = out.get("CopyObjectResult", {})
    check(res.get("ETag") == md5_etag(BODY) and "LastModified" in res, "CopyObjectResult %s" % res)
    got = t.s3.get_object(Bucket=b, Key="dst.txt")
    check(got["Body"].read() == BODY and got["Metadata"] == {"a": "1"}, "copy")
    t.s3.copy_object(Bucket=b, Key="dst.txt", CopySource={"Bucket": b, "Key": "src.txt"}, MetadataDirective="REPLACE", Metadata={"b": "2"})
    check(t.s3.head_object(Bucket=b, Key="dst.txt")["Metadata"] == {"b": "2"}, "REPLACE metadata")
    t.expect_error("CopyObject of a missing source", lambda: t.s3.copy_object(Bucket=b, Key="x", CopySource={"Bucket": b, "Key": "absent"}),
                   "NoSuchKey", 404)


@op("GetObject")
def get_object(t):
    b = t.bucket()
    t.put(b, "o.txt", BODY, ContentType="text/plain")
    got = t.s3.get_object(Bucket=b, Key="o.txt")
    check(got["Body"].read() == BODY and got["ContentLength"] == len(BODY) and got["ETag"] == md5_etag(BODY), "object %s" % strip_meta(got))
    check(got["ContentType"] == "text/plain" and "LastModified" in got and got.get("AcceptRanges") == "bytes", "headers %s" % strip_meta(got))
    got = t.s3.get_object(Bucket=b, Key="o.txt", Range="bytes=0-4")
    check(got["Body"].read() == BODY[:5] and got["ContentRange"] == "bytes 0-4/%d" % len(BODY), "range")
    got = t.s3.get_object(Bucket=b, Key="o.txt", ChecksumMode="ENABLED")
    check(got["Body"].read() == BODY and got.get("ChecksumCRC32") == crc32_b64(BODY), "ChecksumMode ENABLED: %r" % got.get("ChecksumCRC32"))
    t.expect_error("GetObject of a missing key", lambda: t.s3.get_object(Bucket=b, Key="absent"), "NoSuchKey", 404)
    t.expect_error("GetObject with an unsatisfiable range", lambda: t.s3.get_object(Bucket=b, Key="o.txt", Range="bytes=1000-"),
                   "InvalidRange", 416)


@op("HeadObject")
def head_object(t):
    b = t.bucket()
    t.put(b, "o.txt", BODY)
    out = t.s3.head_object(Bucket=b, Key="o.txt")
    check(out["ContentLength"] == len(BODY) and out["ETag"] == md5_etag(BODY) and "LastModified" in out, "head %s" % strip_meta(out))
    t.expect_error("HeadObject of a missing key", lambda: t.s3.head_object(Bucket=b, Key="absent"), "404", 404)
    t.expect_error("HeadObject If-None-Match", lambda: t.s3.head_object(Bucket=b, Key="o.txt", IfNoneMatch=md5_etag(BODY)), "304", 304)
    check(out.get("ServerSideEncryption") == "AES256", "ServerSideEncryption %r" % out.get("ServerSideEncryption"))


@op("DeleteObject")
def delete_object(t):
    b = t.bucket()
    t.put(b, "o.txt")
    check(status_of(t.s3.delete_object(Bucket=b, Key="o.txt")) == 204, "DeleteObject status")
    t.expect_error("HeadObject after delete", lambda: t.s3.head_object(Bucket=b, Key="o.txt"), "404", 404)
    check(status_of(t.s3.delete_object(Bucket=b, Key="o.txt")) == 204, "DeleteObject of a missing key is 204")


OBJ_TAGS = [{"Key": "colour", "Value": "blue"}]


@op("GetObjectTagging")
def get_object_tagging(t):
    b = t.bucket()
    t.put(b, "plain")
    check(t.s3.get_object_tagging(Bucket=b, Key="plain")["TagSet"] == [], "untagged object")
    t.put(b, "tagged", Tagging="colour=blue")
    check(t.s3.get_object_tagging(Bucket=b, Key="tagged")["TagSet"] == OBJ_TAGS, "tags from PutObject")
    t.expect_error("GetObjectTagging of a missing key", lambda: t.s3.get_object_tagging(Bucket=b, Key="absent"), "NoSuchKey", 404)


@op("PutObjectTagging")
def put_object_tagging(t):
    b = t.bucket()
    t.put(b, "k")
    out = t.s3.put_object_tagging(Bucket=b, Key="k", Tagging={"TagSet": OBJ_TAGS})
    check(status_of(out) == 200, "status %d" % status_of(out))
    check(t.s3.get_object_tagging(Bucket=b, Key="k")["TagSet"] == OBJ_TAGS, "stored")
    check(t.s3.get_object(Bucket=b, Key="k").get("TagCount") == 1, "GetObject TagCount")


@op("DeleteObjectTagging")
def delete_object_tagging(t):
    b = t.bucket()
    t.put(b, "k", Tagging="colour=blue")
    out = t.s3.delete_object_tagging(Bucket=b, Key="k")
    check(status_of(out) == 204, "status %d" % status_of(out))
    check(t.s3.get_object_tagging(Bucket=b, Key="k")["TagSet"] == [], "after delete")


@op("GetObjectAttributes")
def get_object_attributes(t):
    b = t.bucket()
    t.put(b, "o.txt", BODY)
    out = t.s3.get_object_attributes(Bucket=b, Key="o.txt", ObjectAttributes=["ETag", "ObjectSize", "StorageClass", "Checksum"])
    # GetObjectAttributes gives the ETag without quotes.
    check(out.get("ETag") == hashlib.md5(BODY).hexdigest(), "ETag %r" % out.get("ETag"))
    check(out.get("ObjectSize") == len(BODY) and out.get("StorageClass") == "STANDARD" and "LastModified" in out, "attributes %s" % strip_meta(out))
    check(out.get("Checksum", {}).get("ChecksumCRC32") == crc32_b64(BODY), "Checksum %s" % out.get("Checksum"))
    out = t.s3.get_object_attributes(Bucket=b, Key="o.txt", ObjectAttributes=["ObjectSize"])
    check("ETag" not in out and out.get("ObjectSize") == len(BODY), "only ObjectSize asked: %s" % strip_meta(out))
    t.expect_error("GetObjectAttributes of a missing key", lambda: t.s3.get_object_attributes(
        Bucket=b, Key="absent", ObjectAttributes=["ETag"]), "NoSuchKey", 404)


# ---- Multipart uploads ----------------------------------------------------------------

PART1 = b"p" * (5 * MB)
PART2 = b"tail\n"


@op("CreateMultipartUpload")
def create_multipart_upload(t):
    b = t.bucket()
    out = t.s3.create_multipart_upload(Bucket=b, Key="m.bin", ContentType="application/x-test")
    check(out.get("UploadId") and out.get("Bucket") == b and out.get("Key") == "m.bin", "upload %s" % strip_meta(out))
    t.setup(lambda: t.s3.abort_multipart_upload(Bucket=b, Key="m.bin", UploadId=out["UploadId"]))


def new_upload(t, b, key):
    return t.setup(lambda: t.s3.create_multipart_upload(Bucket=b, Key=key)) or {"UploadId": "none"}


@op("UploadPart")
def upload_part(t):
    b = t.bucket()
    up = new_upload(t, b, "m.bin")
    out = t.s3.upload_part(Bucket=b, Key="m.bin", UploadId=up["UploadId"], PartNumber=1, Body=PART2)
    check(out["ETag"] == md5_etag(PART2), "part ETag %s" % out["ETag"])
    t.expect_error("UploadPart to an unknown upload", lambda: t.s3.upload_part(Bucket=b, Key="m.bin", UploadId="nope", PartNumber=1, Body=b"x"),
                   "NoSuchUpload", 404)


@op("UploadPartCopy")
def upload_part_copy(t):
    b = t.bucket()
    t.put(b, "src.bin", PART2)
    up = new_upload(t, b, "m.bin")
    out = t.s3.upload_part_copy(Bucket=b, Key="m.bin", UploadId=up["UploadId"], PartNumber=1, CopySource={"Bucket": b, "Key": "src.bin"})
    res = out.get("CopyPartResult", {})
    check(res.get("ETag") == md5_etag(PART2) and "LastModified" in res, "CopyPartResult %s" % res)


@op("CompleteMultipartUpload")
def complete_multipart_upload(t):
    b = t.bucket()
    up = new_upload(t, b, "m.bin")
    parts = []
    for n, data in ((1, PART1), (2, PART2)):
        got = t.setup(lambda: t.s3.upload_part(Bucket=b, Key="m.bin", UploadId=up["UploadId"], PartNumber=n, Body=data))
        parts.append({"PartNumber": n, "ETag": got["ETag"] if got else md5_etag(data)})
    out = t.s3.complete_multipart_upload(Bucket=b, Key="m.bin", UploadId=up["UploadId"], MultipartUpload={"Parts": parts})
    want = '"%s-2"' % hashlib.md5(hashlib.md5(PART1).digest() + hashlib.md5(PART2).digest()).hexdigest()
    check(out.get("ETag") == want and out.get("Bucket") == b and out.get("Key") == "m.bin" and out.get("Location"), "complete %s" % strip_meta(out))
    head = t.s3.head_object(Bucket=b, Key="m.bin")
    check(head["ContentLength"] == len(PART1) + len(PART2) and head["ETag"] == want, "object %s" % strip_meta(head))
    up = new_upload(t, b, "bad.bin")
    t.setup(lambda: t.s3.upload_part(Bucket=b, Key="bad.bin", UploadId=up["UploadId"], PartNumber=1, Body=PART2))
    t.expect_error("CompleteMultipartUpload naming a part with a wrong ETag", lambda: t.s3.complete_multipart_upload(
        Bucket=b, Key="bad.bin", UploadId=up["UploadId"], MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": md5_etag(b"other")}]}),
        "InvalidPart", 400)


@op("AbortMultipartUpload")
def abort_multipart_upload(t):
    b = t.bucket()
    up = new_upload(t, b, "m.bin")
    out = t.s3.abort_multipart_upload(Bucket=b, Key="m.bin", UploadId=up["UploadId"])
    check(status_of(out) == 204, "status %d" % status_of(out))
    t.expect_error("ListParts after abort", lambda: t.s3.list_parts(Bucket=b, Key="m.bin", UploadId=up["UploadId"]), "NoSuchUpload", 404)


@op("ListParts")
def list_parts(t):
    b = t.bucket()
    up = new_upload(t, b, "m.bin")
    t.setup(lambda: t.s3.upload_part(Bucket=b, Key="m.bin", UploadId=up["UploadId"], PartNumber=1, Body=PART2))
    out = t.s3.list_parts(Bucket=b, Key="m.bin", UploadId=up["UploadId"])
    parts = out.get("Parts", [])
    check([(p["PartNumber"], p["ETag"], p["Size"]) for p in parts] == [(1, md5_etag(PART2), len(PART2))], "parts %s" % parts)
    check(out.get("UploadId") == up["UploadId"] and out.get("IsTruncated") is False and out.get("StorageClass") == "STANDARD", "listing %s" % strip_meta(out))
    check(out.get("Initiator", {}).get("ID") and out.get("Owner", {}).get("ID"), "Initiator / Owner: %r / %r" % (out.get("Initiator"), out.get("Owner")))


# ---- Known gaps -------------------------------------------------------------------

# Rows Sekisho serves but not yet as S3 does, each with the start of the
# failure it gives today. Such a row passes only while it fails exactly so;
# once it answers as S3 does, the run fails until its entry is removed, so
# this list can only shrink.
KNOWN_GAPS = {
}


# ---- Runner -----------------------------------------------------------------------------

def run_row(s3, table, name, implemented):
    """Returns (verdict, detail): verdict is "ok", "501" or "FAIL"
    (main turns a FAIL listed in KNOWN_GAPS into "gap")."""
    fn = OPS.get(name)
    if fn is None:
        # Every row, served or not, is exercised: a new row needs its function.
        return "FAIL", "no function in boto3_ops.py for this row"
    t = T(s3, table, name)
    try:
        fn(t)
    except ClientError as e:
        code, status = error_of(e)
        if implemented:
            return "FAIL", "%s: %s %s %s" % (e.operation_name, status, code, e.response.get("Error", {}).get("Message"))
        if e.operation_name != name:
            return "FAIL", "not implemented, but %s answered %s %s before the row was called" % (e.operation_name, status, code)
        if (code, status) != ("NotImplemented", 501):
            return "FAIL", "not implemented row answered %s %s, want 501 NotImplemented" % (status, code)
        return "501", ""
    except RawNotImplemented as e:
        return "501", ""
    except Exception as e:  # a wrong shape, or anything unexpected
        detail = "%s: %s" % (type(e).__name__, e)
        if not isinstance(e, Failure):
            detail += "\n" + traceback.format_exc(limit=4)
        if implemented:
            return "FAIL", detail
        return "FAIL", "not implemented row: " + detail
    if not implemented:
        return "FAIL", "not implemented row succeeded (a 2xx), want 501 NotImplemented"
    return "ok", ""


def main():
    print("boto3", boto3.__version__, "botocore", botocore.__version__, flush=True)
    with open(os.environ["SEKISHO_OPS"]) as f:
        rows = json.load(f)
    table = {r["name"]: r["implemented"] for r in rows}
    # Defaults only: endpoint, region and credentials.
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                      aws_access_key_id=os.environ["ROOT_A_KEY"], aws_secret_access_key=os.environ["ROOT_A_SECRET"])
    only = set(filter(None, os.environ.get("SEKISHO_ONLY", "").split(",")))
    failures, counts = [], {}
    for r in rows:
        if only and r["name"] not in only:
            continue
        verdict, detail = run_row(s3, table, r["name"], r["implemented"])
        gap = KNOWN_GAPS.get(r["name"])
        if gap is not None:
            if verdict == "FAIL" and detail.startswith(gap):
                verdict = "gap"
            elif verdict == "ok":
                verdict, detail = "FAIL", "answers as S3 does now: remove it from KNOWN_GAPS"
        counts[verdict] = counts.get(verdict, 0) + 1
        print("%-4s %s%s" % (verdict, r["name"], (" -- " + detail) if detail else ""), flush=True)
        if verdict == "FAIL":
            failures.append((r["name"], detail))
    stray = sorted(set(OPS) - set(table))
    if stray:
        print("note: functions for operations not in the table:", ", ".join(stray))
    print("summary: %d rows, %s" % (sum(counts.values()), ", ".join("%s %d" % kv for kv in sorted(counts.items()))), flush=True)
    if failures:
        print("FAILED rows:")
        for name, detail in failures:
            print("  %s: %s" % (name, detail.splitlines()[0] if detail else ""))
        sys.exit(1)
    print("OK", flush=True)


if __name__ == "__main__":
    main()
