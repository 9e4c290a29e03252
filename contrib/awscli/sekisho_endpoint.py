"""AWS CLI v2 plugin: send every client the CLI creates to Sekisho.

aws-cli before 2.13 ignores AWS_ENDPOINT_URL and profile endpoint_url, so
the STS call that a `role_arn` + `source_profile` (or `credential_source`)
profile makes behind the scenes would go to the public endpoint. This
plugin gives every client without an explicit endpoint the one in
SEKISHO_ENDPOINT_URL (or AWS_ENDPOINT_URL).

Enable it in the config file the CLI reads:

    [plugins]
    cli_legacy_plugin_path = /path/to/sekisho/contrib/awscli
    sekisho = sekisho_endpoint
"""
import os


def awscli_initialize(cli):
    import botocore.session as botocore_session

    endpoint = os.environ.get("SEKISHO_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        return
    original = botocore_session.Session.create_client
    if getattr(original, "_sekisho", False):
        return

    def create_client(self, *args, **kwargs):
        if len(args) < 5 and not kwargs.get("endpoint_url"):
            kwargs["endpoint_url"] = endpoint
        return original(self, *args, **kwargs)

    create_client._sekisho = True
    botocore_session.Session.create_client = create_client
