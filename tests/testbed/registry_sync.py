"""Keep moto's ECR backend in agreement with the real registry on 127.0.0.1:443.

Direction registry -> moto (the important one): `docker push` (or any OCI
client) talks to the real Distribution registry.  The registry POSTs a
notification envelope to /_testbed/registry-events for every manifest push;
we fetch the exact manifest bytes back from the registry and record them in
moto's ECR with `digest = sha256(bytes)` -- the same digest the registry (and
docker) report.  moto would otherwise invent a digest from the layer digests
(moto/ecr/models.py Image._create_digest), which matches nothing real.

Direction moto -> registry (so the two never disagree):
  * ECR PutImage (retag through the API) also PUTs the manifest under the tag
    in the registry;
  * ECR BatchDeleteImage / DeleteRepository(force) delete manifests there too.

Pushes to a repository that does not exist in moto are ignored: real ECR
rejects such pushes, but the registry has no simple hook to refuse them, so
they only live in the registry (a later CreateRepository + /_testbed/sync will
pick them up).
"""
import hashlib
import base64
import json
import logging
import threading

from moto.ecr import models as ecr_models
from moto.ecr.exceptions import ImageAlreadyExistsException

import common

log = logging.getLogger("testbed.registry")

# Set while *we* write into moto's ECR, so the PutImage hook does not echo the
# write back to the registry.
_local = threading.local()


def _ecr():
    return ecr_models.ecr_backends[common.ACCOUNT][common.REGION]


def _fetch_manifest(repo, reference):
    status, headers, body = common.registry_request(
        "GET",
        f"/v2/{repo}/manifests/{reference}",
        headers={"Accept": ", ".join(common.MANIFEST_TYPES)},
    )
    if status != 200:
        return None, None
    media_type = headers.get("Content-Type") or json.loads(body).get("mediaType")
    return body, media_type


class RegistrySync:
    def record(self, repo, tag, manifest_bytes, media_type):
        """Record one manifest (and tag) in moto's ECR. Returns a short status string."""
        digest = "sha256:" + hashlib.sha256(manifest_bytes).hexdigest()
        manifest = manifest_bytes.decode("utf-8")
        with common.LOCK:
            backend = _ecr()
            repository = backend.repositories.get(repo)
            if repository is None:
                return "ignored: no such ECR repository"
            existing = [i for i in repository.images if i.get_image_digest() == digest]
            if existing and (tag is None or tag in existing[0].image_tags):
                return "unchanged"
            # Events are asynchronous: an image deleted through the ECR API
            # (BatchDeleteImage holds LOCK while it deletes in the registry)
            # may still have a push event in flight.  The registry is the
            # truth, so re-check it under the lock before recording.
            status, _, _ = common.registry_request(
                "HEAD", f"/v2/{repo}/manifests/{digest}", headers={"Accept": ", ".join(common.MANIFEST_TYPES)}
            )
            if status != 200:
                return "stale: manifest no longer in the registry"
            _local.active = True
            try:
                backend.put_image(repo, manifest, tag, media_type, digest)
            except ImageAlreadyExistsException:
                return "unchanged"
            finally:
                _local.active = False
            return "recorded"

    def handle_envelope(self, raw):
        """POST /_testbed/registry-events: the registry's notification envelope."""
        envelope = json.loads(raw or b"{}")
        results = []
        for event in envelope.get("events", []):
            target = event.get("target", {})
            action = event.get("action")
            media_type = target.get("mediaType", "")
            repo, digest, tag = target.get("repository"), target.get("digest"), target.get("tag")
            if media_type not in common.MANIFEST_TYPES or not repo or not digest:
                continue  # layer/blob events
            if action == "push":
                body, mt = _fetch_manifest(repo, digest)
                if body is None:
                    results.append({"repository": repo, "digest": digest, "result": "manifest not found"})
                    continue
                res = self.record(repo, tag, body, mt or media_type)
            elif action == "delete":
                res = self._forget(repo, digest)
            else:
                continue
            log.info("registry %s %s:%s %s -> %s", action, repo, tag, digest, res)
            results.append({"repository": repo, "tag": tag, "digest": digest, "result": res})
        return {"events": results}

    def _forget(self, repo, digest):
        with common.LOCK:
            repository = _ecr().repositories.get(repo)
            if repository is None:
                return "ignored: no such ECR repository"
            before = len(repository.images)
            repository.images = [i for i in repository.images if i.get_image_digest() != digest]
            return "deleted" if len(repository.images) != before else "unchanged"

    def sync_all(self, only=None):
        """POST /_testbed/sync: make moto's ECR mirror the registry, synchronously.

        With `only` (POST /_testbed/sync?repository=NAME) just that repository:
        a test that syncs its own repository does not walk every repository
        the registry has accumulated, which takes seconds on a busy testbed.
        """
        if only:
            status, _, _ = common.registry_request("GET", f"/v2/{only}/tags/list")
            return self._sync_repositories([only] if status == 200 else [], scope={only})
        catalog, last = [], ""
        while True:  # the catalog is paginated (Distribution caps n, 400 above its limit)
            status, _, body = common.registry_request("GET", f"/v2/_catalog?n=100&last={last}")
            if status != 200:
                raise RuntimeError(f"registry catalog: HTTP {status}: {body[:200]!r}")
            page = json.loads(body).get("repositories") or []
            catalog += page
            if len(page) < 100:
                break
            last = page[-1]
        return self._sync_repositories(catalog, scope=None)

    def _sync_repositories(self, catalog, scope):
        """Mirror `catalog` (repositories the registry has) into moto; `scope`
        None: every moto repository, else only those named."""
        with common.LOCK:
            known = set(_ecr().repositories)
        summary = {"recorded": 0, "unchanged": 0, "removed": 0, "ignored_repositories": []}
        for repo in catalog:
            if repo not in known:
                summary["ignored_repositories"].append(repo)
                continue
            status, _, body = common.registry_request("GET", f"/v2/{repo}/tags/list")
            tags = (json.loads(body).get("tags") or []) if status == 200 else []
            digests = set()
            for tag in tags:
                manifest, mt = _fetch_manifest(repo, tag)
                if manifest is None:
                    continue
                digests.add("sha256:" + hashlib.sha256(manifest).hexdigest())
                res = self.record(repo, tag, manifest, mt)
                summary["recorded" if res == "recorded" else "unchanged"] += 1
            # Drop moto images the registry no longer has (deleted / re-pushed tags).
            with common.LOCK:
                repository = _ecr().repositories.get(repo)
                if repository is not None:
                    keep = [i for i in repository.images if i.get_image_digest() in digests]
                    summary["removed"] += len(repository.images) - len(keep)
                    repository.images = keep
        # Repositories known to moto but empty in the registry: nothing there.
        with common.LOCK:
            for name, repository in _ecr().repositories.items():
                if scope is not None and name not in scope:
                    continue
                if name not in catalog and repository.images:
                    summary["removed"] += len(repository.images)
                    repository.images = []
        return summary


SYNC = RegistrySync()


def install():
    """Patch moto's ECR so API-side changes reach the registry too."""
    backend_cls = ecr_models.ECRBackend

    orig_put_image = backend_cls.put_image

    def put_image(self, repository_name, image_manifest, image_tag, image_manifest_mediatype=None, digest=None):
        from_registry = getattr(_local, "active", False)
        if not from_registry and digest is None:
            # API PutImage: the digest is the sha256 of the manifest bytes, as in ECR.
            digest = "sha256:" + hashlib.sha256(image_manifest.encode("utf-8")).hexdigest()
        image = orig_put_image(self, repository_name, image_manifest, image_tag, image_manifest_mediatype, digest)
        if not from_registry and image_tag:
            mt = image_manifest_mediatype or json.loads(image_manifest).get("mediaType")
            status, _, body = common.registry_request(
                "PUT",
                f"/v2/{repository_name}/manifests/{image_tag}",
                data=image_manifest.encode("utf-8"),
                headers={"Content-Type": mt},
            )
            if status not in (200, 201):
                log.warning("PutImage: registry refused manifest (%s): %s", status, body[:300])
        return image

    backend_cls.put_image = put_image

    orig_batch_delete = backend_cls.batch_delete_image

    def batch_delete_image(self, repository_name, registry_id=None, image_ids=None):
        repository = self.repositories.get(repository_name)
        before = {i.get_image_digest() for i in repository.images} if repository else set()
        result = orig_batch_delete(self, repository_name, registry_id, image_ids)
        after = {i.get_image_digest() for i in repository.images} if repository else set()
        for digest in before - after:
            common.registry_request("DELETE", f"/v2/{repository_name}/manifests/{digest}")
        return result

    backend_cls.batch_delete_image = batch_delete_image

    orig_delete_repo = backend_cls.delete_repository

    def delete_repository(self, repository_name, registry_id=None, force=False):
        repository = self.repositories.get(repository_name)
        digests = {i.get_image_digest() for i in repository.images} if repository else set()
        result = orig_delete_repo(self, repository_name, registry_id, force)
        for digest in digests:
            common.registry_request("DELETE", f"/v2/{repository_name}/manifests/{digest}")
        return result

    backend_cls.delete_repository = delete_repository

    # Real ECR reports the compressed size of all layers; moto reports the
    # config blob's size, which is tiny and misleading.
    def get_image_size_in_bytes(self):
        try:
            manifest = json.loads(self.image_manifest)
        except ValueError:
            return None
        if "layers" in manifest:
            return sum(int(layer.get("size", 0)) for layer in manifest["layers"])
        return None

    ecr_models.Image.get_image_size_in_bytes = get_image_size_in_bytes

    # moto's GetAuthorizationToken says the token expired in 2015; real ECR
    # tokens live 12 hours.  A client that honours expiresAt would otherwise
    # refresh forever.
    from moto.ecr import responses as ecr_responses
    import time as _time

    orig_token = ecr_responses.ECRResponse.get_authorization_token

    def get_authorization_token(self):
        result = orig_token(self)
        # Requests signed with the access key REFUSED_LOGIN_KEY get a login the
        # registry refuses, so tests can see how a client reports "auth refused"
        # without touching the shared registry's password.
        # Header names are case-insensitive; moto may hand them over as a plain
        # dict, and the Rust SDK sends them in lower case.
        headers = getattr(self, "headers", None) or {}
        authorization = next((str(v) for k, v in headers.items() if k.lower() == "authorization"), "")
        refused = f"Credential={REFUSED_LOGIN_KEY}/" in authorization
        for item in result.result.get("authorizationData", []) if hasattr(result, "result") else []:
            item["expiresAt"] = _time.time() + 12 * 3600
            if refused:
                item["authorizationToken"] = base64.b64encode(b"AWS:not-the-registry-password").decode()
        return result

    ecr_responses.ECRResponse.get_authorization_token = get_authorization_token


# The access key id whose ECR logins the registry refuses (see get_authorization_token).
REFUSED_LOGIN_KEY = "testing-refused-login"
