"""The boto3 half of the policy-generation workload (generate_test.go).

Runs with the credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_SESSION_TOKEN against SEKISHO_URL: STS, S3 listing and reads under
logs/, a write under out/py/, IAM reads. Any error ends it non-zero.
"""
import json
import os

import boto3
from botocore.config import Config

url = os.environ["SEKISHO_URL"]
bucket = os.environ["GEN_BUCKET"]
cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
session = boto3.session.Session(region_name="us-east-1")
sts = session.client("sts", endpoint_url=url, config=cfg)
s3 = session.client("s3", endpoint_url=url, config=cfg)
iam = session.client("iam", endpoint_url=url, config=cfg)

who = sts.get_caller_identity()
listing = s3.list_objects_v2(Bucket=bucket, Prefix="logs/", Delimiter="/")
keys = [o["Key"] for o in listing.get("Contents", [])]
assert keys == ["logs/a.txt", "logs/b.txt"], keys
for key in keys:
    s3.get_object(Bucket=bucket, Key=key)["Body"].read()
s3.head_object(Bucket=bucket, Key="logs/a.txt")
s3.put_object(Bucket=bucket, Key="out/py/result.json", Body=json.dumps({"keys": keys}).encode())
iam.list_attached_role_policies(RoleName="AdminRole")
iam.get_role(RoleName="AppRole")
print(json.dumps({"arn": who["Arn"], "keys": keys}))
