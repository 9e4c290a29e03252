"""Issue 15's Organizations flow with boto3, run by organizations_test.go.

Environment: SEKISHO_ENDPOINT (the server URL), ADMIN_KEY/ADMIN_SECRET (an
administrator of the future management account), OUTSIDE_KEY/OUTSIDE_SECRET
(the root of an account outside the organization). Prints each step and
the explanation-worthy request ids; exits non-zero on the first failure.
"""

import os
import sys

import boto3
import botocore
from botocore.config import Config

ENDPOINT = os.environ["SEKISHO_ENDPOINT"]
CONFIG = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30)


def client(service, key, secret, token=None):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token, config=CONFIG)


def step(name):
    print("--", name, flush=True)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def fails(code, fn, *args, **kwargs):
    """Runs fn, which must fail with this error code; returns the error."""
    try:
        fn(*args, **kwargs)
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]["Code"]
        check(got == code, "want %s, got %s: %s" % (code, got, e))
        return e
    raise AssertionError("want %s, the call succeeded" % code)


ADMIN = (os.environ["ADMIN_KEY"], os.environ["ADMIN_SECRET"])
OUTSIDE = (os.environ["OUTSIDE_KEY"], os.environ["OUTSIDE_SECRET"])
org = client("organizations", *ADMIN)

step("create the organization")
o = org.create_organization(FeatureSet="ALL")["Organization"]
org_id = o["Id"]
check(org_id.startswith("o-") and o["MasterAccountId"] == "111111111111", o)
fails("AlreadyInOrganizationException", org.create_organization, FeatureSet="ALL")
fails("AWSOrganizationsNotInUseException", client("organizations", *OUTSIDE).list_accounts)

step("create an account")
req = org.create_account(Email="vend@example.com", AccountName="vended", RoleName="VendorAdmin")["CreateAccountStatus"]
status = org.describe_create_account_status(CreateAccountRequestId=req["Id"])["CreateAccountStatus"]
check(status["State"] == "SUCCEEDED", status)
account = status["AccountId"]
dup = org.create_account(Email="vend@example.com", AccountName="again")["CreateAccountStatus"]
failed = org.describe_create_account_status(CreateAccountRequestId=dup["Id"])["CreateAccountStatus"]
check(failed["State"] == "FAILED" and failed["FailureReason"] == "EMAIL_ALREADY_EXISTS", failed)
listed = [a["Id"] for p in org.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 1}) for a in p["Accounts"]]
check(sorted(listed) == sorted(["111111111111", account]), listed)

step("assume the RoleName role from the management account")
creds = client("sts", *ADMIN).assume_role(RoleArn="arn:aws:iam::%s:role/VendorAdmin" % account,
                                          RoleSessionName="vend")["Credentials"]
DEV = (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
s3dev = client("s3", *DEV)
s3dev.create_bucket(Bucket="org-boto3-data")
s3dev.put_object(Bucket="org-boto3-data", Key="a.txt", Body=b"hello")

step("an OU, the account moved into it, an SCP on the OU")
root = org.list_roots()["Roots"][0]["Id"]
fails("PolicyTypeNotEnabledException", org.attach_policy, PolicyId="p-FullAWSAccess", TargetId=root)
org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
ou = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
check(ou.startswith("ou-" + root[2:] + "-"), ou)
fails("DuplicateOrganizationalUnitException", org.create_organizational_unit, ParentId=root, Name="Workloads")
org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou)
check(org.list_parents(ChildId=account)["Parents"] == [{"Id": ou, "Type": "ORGANIZATIONAL_UNIT"}], "parents")
check([c["Id"] for c in org.list_children(ParentId=ou, ChildType="ACCOUNT")["Children"]] == [account], "children")
scp = org.create_policy(Name="NoDeletes", Type="SERVICE_CONTROL_POLICY", Description="keep the data",
                        Content='{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}')
scp_id = scp["Policy"]["PolicySummary"]["Id"]
org.attach_policy(PolicyId=scp_id, TargetId=ou)
fails("DuplicatePolicyAttachmentException", org.attach_policy, PolicyId=scp_id, TargetId=ou)
targets = {t["TargetId"] for t in org.list_targets_for_policy(PolicyId="p-FullAWSAccess")["Targets"]}
check({root, ou, account, "111111111111"} <= targets, targets)
e = fails("ConstraintViolationException", org.detach_policy, PolicyId="p-FullAWSAccess", TargetId=root)
check(e.response.get("Reason") == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", e.response)
fails("AccessDenied", s3dev.delete_object, Bucket="org-boto3-data", Key="a.txt")

step("detach the SCP: the delete passes")
org.detach_policy(PolicyId=scp_id, TargetId=ou)
fails("PolicyNotAttachedException", org.detach_policy, PolicyId=scp_id, TargetId=ou)
s3dev.delete_object(Bucket="org-boto3-data", Key="a.txt")
s3dev.put_object(Bucket="org-boto3-data", Key="a.txt", Body=b"hello")

step("a bucket policy admitting the organization")
s3dev.put_bucket_policy(Bucket="org-boto3-data", Policy=(
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",'
    '"Resource":"arn:aws:s3:::org-boto3-data/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"%s"}}}]}' % org_id))
check(client("s3", *ADMIN).get_object(Bucket="org-boto3-data", Key="a.txt")["Body"].read() == b"hello", "org read")
fails("AccessDenied", client("s3", *OUTSIDE).get_object, Bucket="org-boto3-data", Key="a.txt")

step("an RCP perimeter refuses the outsider the bucket policy admits")
s3dev.put_bucket_policy(Bucket="org-boto3-data", Policy=(
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},'
    '"Action":"s3:GetObject","Resource":"arn:aws:s3:::org-boto3-data/*"}]}'))
client("s3", *OUTSIDE).get_object(Bucket="org-boto3-data", Key="a.txt")
fails("MalformedPolicyDocumentException", org.create_policy, Name="AllowAll", Type="RESOURCE_CONTROL_POLICY",
      Description="x", Content='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}')
org.enable_policy_type(RootId=root, PolicyType="RESOURCE_CONTROL_POLICY")
rcp = org.create_policy(Name="Perimeter", Type="RESOURCE_CONTROL_POLICY", Description="org only", Content=(
    '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",'
    '"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"%s"}}}]}' % org_id))
org.attach_policy(PolicyId=rcp["Policy"]["PolicySummary"]["Id"], TargetId=account)
fails("AccessDenied", client("s3", *OUTSIDE).get_object, Bucket="org-boto3-data", Key="a.txt")
fails("PolicyInUseException", org.delete_policy, PolicyId=rcp["Policy"]["PolicySummary"]["Id"])

step("tags, and the organization cannot go while it has members")
org.tag_resource(ResourceId=ou, Tags=[{"Key": "team", "Value": "data"}])
check(org.list_tags_for_resource(ResourceId=ou)["Tags"] == [{"Key": "team", "Value": "data"}], "tags")
fails("OrganizationNotEmptyException", org.delete_organization)
fails("MasterCannotLeaveOrganizationException", org.remove_account_from_organization, AccountId="111111111111")

step("invite an existing account, which accepts")
hs = org.invite_account_to_organization(Target={"Id": "222222222222", "Type": "ACCOUNT"})["Handshake"]
outside_org = client("organizations", *OUTSIDE)
check([h["Id"] for h in outside_org.list_handshakes_for_account()["Handshakes"]] == [hs["Id"]], "handshakes")
outside_org.accept_handshake(HandshakeId=hs["Id"])
check(outside_org.describe_organization()["Organization"]["Id"] == org_id, "joined")
fails("AccessDeniedException", outside_org.list_accounts)

step("a delegated administrator reads the organization but may not change it")
org.register_delegated_administrator(AccountId="222222222222", ServicePrincipal="securityhub.amazonaws.com")
fails("AccountAlreadyRegisteredException", org.register_delegated_administrator, AccountId="222222222222",
      ServicePrincipal="securityhub.amazonaws.com")
admins = org.list_delegated_administrators()["DelegatedAdministrators"]
check([a["Id"] for a in admins] == ["222222222222"], admins)
check(len(outside_org.list_accounts()["Accounts"]) == 3, "delegated list-accounts")
fails("AccessDeniedException", outside_org.create_organizational_unit, ParentId=root, Name="Mine")
org.deregister_delegated_administrator(AccountId="222222222222", ServicePrincipal="securityhub.amazonaws.com")
fails("AccessDeniedException", outside_org.list_accounts)
check(client("s3", *OUTSIDE).get_object(Bucket="org-boto3-data", Key="a.txt")["Body"].read() == b"hello", "member read")
print("OK")
