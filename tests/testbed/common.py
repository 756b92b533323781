"""Shared configuration and the global backend lock (see server.py for why)."""
import base64
import os
import ssl
import threading
import urllib.request

# Re-entrant: moto handlers we patch call other patched backend methods.
LOCK = threading.RLock()

ACCOUNT = os.environ.get("MCP_TESTBED_ACCOUNT", "123456789012")
REGION = os.environ.get("MCP_TESTBED_REGION", "us-east-1")
REGISTRY_HOST = os.environ.get(
    "MCP_TESTBED_REGISTRY", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
)
# We talk to the registry by IP (the cert has an IP SAN) so the server does not
# depend on /etc/hosts; docker and mcp use REGISTRY_HOST, which /etc/hosts maps
# to 127.0.0.1.
REGISTRY_URL = os.environ.get("MCP_TESTBED_REGISTRY_URL", "https://127.0.0.1:443")
STATE_DIR = os.environ.get("MCP_TESTBED_DIR", "/tmp/mcp-testbed")
CA_FILE = os.environ.get("MCP_TESTBED_CA", os.path.join(STATE_DIR, "certs", "ca.crt"))
# moto's ECR GetAuthorizationToken hands out "AWS:<account>-auth-token"
# (moto/ecr/responses.py); the registry's htpasswd holds the same password.
REGISTRY_USER = "AWS"
REGISTRY_PASSWORD = os.environ.get("MCP_TESTBED_REGISTRY_PASSWORD", f"{ACCOUNT}-auth-token")

MANIFEST_TYPES = [
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
]


def _ssl_context():
    ctx = ssl.create_default_context()
    if os.path.exists(CA_FILE):
        ctx.load_verify_locations(CA_FILE)
    return ctx


def registry_request(method, path, data=None, headers=None, timeout=10):
    """One authenticated request to the local registry. Returns (status, headers, body)."""
    auth = base64.b64encode(f"{REGISTRY_USER}:{REGISTRY_PASSWORD}".encode()).decode()
    hdrs = {"Authorization": f"Basic {auth}"}
    hdrs.update(headers or {})
    req = urllib.request.Request(REGISTRY_URL + path, data=data, headers=hdrs, method=method)
    try:
        with urllib.request.urlopen(req, context=_ssl_context(), timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()
