"""What AWS charges, as the Price List and Cost Explorer tell it (moto has no Price List at all,
and its Cost Explorer has no cost allocation tags).

* `GetProducts` (the Price List Query API, `AWSPriceListService.GetProducts`, service codes
  `AmazonECS` and `AWSLambda`): answers in the Price List's own format, every product a JSON *string* holding
  `product.attributes` (`usagetype`, `regionCode`, ...) and
  `terms.OnDemand.<sku>.<term>.priceDimensions.<rate>.pricePerUnit.USD`, filtered by the request's
  `Filters` (`TERM_MATCH`/`EQUALS` exact, `CONTAINS`, `ANY_OF`, `NONE_OF`) and paged with
  `MaxResults`/`NextToken`. The products are the published Fargate prices of two regions and
  Lambda's of us-east-1, below.
* `ListCostAllocationTags` and `UpdateCostAllocationTagsStatus` (Cost Explorer,
  `AWSInsightsIndexService.*`): a tag key is listed once an ECS service or a Lambda function in moto carries it
  (`UserDefined`, `Inactive`, as AWS lists a key some time after it first appears on a resource) or
  once its status was set. The status is kept per access key id, so parallel tests that each use a
  unique `AWS_ACCESS_KEY_ID` do not see each other's activations (AWS keeps it per payer account).
  `GetCostAndUsage` stays moto's: its results come from moto's queue
  (`POST /moto-api/static/ce/cost-and-usage-results`).
* CloudWatch over the Smithy RPC v2 CBOR protocol, which the SDKs use and moto does not speak
  (cloudwatch_cbor.py): a Lambda stage's estimate reads its `Invocations` and `Duration` with
  `GetMetricStatistics`, so it is answered here, from moto's CloudWatch.

The prices, USD per hour, found with a web search on 2026-12-07 (third-party copies of the AWS
Fargate pricing page, https://aws.amazon.com/fargate/pricing/):
* us-east-1, Linux x86 $0.04048 per vCPU, $0.004445 per GB; Linux ARM $0.03238 / $0.00356;
  ephemeral storage above 20 GB $0.000111 per GB (vantage.sh/blog/fargate-pricing,
  cloudburn.io/blog/aws-fargate-pricing "as of March 2026"). No Fargate Spot price was found
  published for it, so us-east-1 lists none: a Spot estimate there has no price, as for a usage
  type the API does not list.
* sa-east-1, Linux x86 $0.0696 per vCPU, $0.0076 per GB; ARM $0.0557 / $0.00612; Fargate Spot
  x86 $0.02337032 / $0.00255193, ARM $0.01870297 / $0.00205498 (aws.amazon.com/pt/fargate/pricing,
  São Paulo, as copied in a public repository's notes). No ephemeral storage price was found for
  it, so sa-east-1 lists none.

Lambda, us-east-1 (found with a search on 2026-12-07; https://aws.amazon.com/lambda/pricing/ and
third-party reads of the AWSLambda offer file, e.g. cloudchipr.com/blog/aws-lambda-pricing): $0.20
per 1M requests (`Request`, `Request-ARM`: 0.0000002 each); duration per GB-second in tiers of the
account's monthly GB-seconds, x86 `Lambda-GB-Second` 0.0000166667 up to 6 billion, 0.000015 up to
15 billion, 0.0000133334 beyond; Arm `Lambda-GB-Second-ARM` 0.0000133334 up to 7.5 billion,
0.0000120001 up to 18.75 billion, 0.0000106667 beyond; provisioned concurrency
`Lambda-Provisioned-Concurrency` 0.0000041667 (ARM 0.0000033334) and its duration
`Lambda-Provisioned-GB-Second` 0.0000097222 (ARM 0.0000077778) per GB-second. us-east-1 spells
Lambda's usage types without a region prefix, as the offer file does. Served with them, as in the
offer file: the free tier (`Global-Request`, `Global-Lambda-GB-Second`: $0 up to 1M / 400,000)
and Lambda@Edge (`Lambda-Edge-Request`), which an estimate must not pick up; the tiers are listed
highest first, so an estimate must find the first by `beginRange`.
"""
import json
import threading
import uuid

import cloudwatch_cbor
import common
import deny

PRICE_TARGET_PREFIX = "AWSPriceListService."
CE_TARGET_PREFIX = "AWSInsightsIndexService."
PUBLICATION_DATE = "2026-12-07T00:00:00Z"

# (region, location, usage-type prefix) -> {usage type suffix: (USD per unit, unit, description)}
PRICES = {
    ("us-east-1", "US East (N. Virginia)", "USE1"): {
        "Fargate-vCPU-Hours:perCPU": ("0.0404800000", "hours", "AWS Fargate - vCPU - us-east-1"),
        "Fargate-GB-Hours": ("0.0044450000", "hours", "AWS Fargate - Memory - us-east-1"),
        "Fargate-ARM-vCPU-Hours:perCPU": ("0.0323800000", "hours", "AWS Fargate - ARM - vCPU - us-east-1"),
        "Fargate-ARM-GB-Hours": ("0.0035600000", "hours", "AWS Fargate - ARM - Memory - us-east-1"),
        "Fargate-EphemeralStorage-GB-Hours": ("0.0001110000", "GB-Hours", "AWS Fargate - Ephemeral Storage - us-east-1"),
        # Not Fargate's compute: a product the estimate must not pick up.
        "Fargate-Windows-vCPU-Hours:perCPU": ("0.0914800000", "hours", "AWS Fargate - Windows - vCPU - us-east-1"),
    },
    ("sa-east-1", "South America (Sao Paulo)", "SAE1"): {
        "Fargate-vCPU-Hours:perCPU": ("0.0696000000", "hours", "AWS Fargate - vCPU - sa-east-1"),
        "Fargate-GB-Hours": ("0.0076000000", "hours", "AWS Fargate - Memory - sa-east-1"),
        "Fargate-ARM-vCPU-Hours:perCPU": ("0.0557000000", "hours", "AWS Fargate - ARM - vCPU - sa-east-1"),
        "Fargate-ARM-GB-Hours": ("0.0061200000", "hours", "AWS Fargate - ARM - Memory - sa-east-1"),
        "SpotUsage-Fargate-vCPU-Hours:perCPU": ("0.0233703200", "hours", "AWS Fargate Spot - vCPU - sa-east-1"),
        "SpotUsage-Fargate-GB-Hours": ("0.0025519300", "hours", "AWS Fargate Spot - Memory - sa-east-1"),
        "SpotUsage-Fargate-ARM-vCPU-Hours:perCPU": ("0.0187029700", "hours", "AWS Fargate Spot - ARM - vCPU - sa-east-1"),
        "SpotUsage-Fargate-ARM-GB-Hours": ("0.0020549800", "hours", "AWS Fargate Spot - ARM - Memory - sa-east-1"),
    },
}


# (region, location) -> {usage type (us-east-1: no prefix): (group, unit, [(begin, end, USD)])}
LAMBDA_PRICES = {
    ("us-east-1", "US East (N. Virginia)"): {
        "Request": ("AWS-Lambda-Requests", "Requests", [("0", "Inf", "0.0000002000")]),
        "Request-ARM": ("AWS-Lambda-Requests-ARM", "Requests", [("0", "Inf", "0.0000002000")]),
        "Lambda-GB-Second": ("AWS-Lambda-Duration", "Lambda-GB-Second", [
            ("15000000000", "Inf", "0.0000133334"),
            ("6000000000", "15000000000", "0.0000150000"),
            ("0", "6000000000", "0.0000166667"),
        ]),
        "Lambda-GB-Second-ARM": ("AWS-Lambda-Duration-ARM", "Lambda-GB-Second", [
            ("18750000000", "Inf", "0.0000106667"),
            ("7500000000", "18750000000", "0.0000120001"),
            ("0", "7500000000", "0.0000133334"),
        ]),
        "Lambda-Provisioned-Concurrency": ("AWS-Lambda-Provisioned-Concurrency", "Lambda-GB-Second",
                                           [("0", "Inf", "0.0000041667")]),
        "Lambda-Provisioned-Concurrency-ARM": ("AWS-Lambda-Provisioned-Concurrency-ARM", "Lambda-GB-Second",
                                               [("0", "Inf", "0.0000033334")]),
        "Lambda-Provisioned-GB-Second": ("AWS-Lambda-Duration-Provisioned", "Lambda-GB-Second",
                                         [("0", "Inf", "0.0000097222")]),
        "Lambda-Provisioned-GB-Second-ARM": ("AWS-Lambda-Duration-Provisioned-ARM", "Lambda-GB-Second",
                                             [("0", "Inf", "0.0000077778")]),
        # Not what an estimate reads: the free tier, Lambda@Edge.
        "Global-Request": ("AWS-Lambda-Requests", "Requests", [("0", "1000000", "0.0000000000")]),
        "Global-Lambda-GB-Second": ("AWS-Lambda-Duration", "Lambda-GB-Second", [("0", "400000", "0.0000000000")]),
        "Lambda-Edge-Request": ("AWS-Lambda-Edge-Requests", "Requests", [("0", "Inf", "0.0000006000")]),
    },
}


def _product(service, family, attributes, unit, description, tiers):
    """One product, as the dict the Price List serialises to a string; tiers: [(begin, end, USD)]."""
    usagetype = attributes["usagetype"]
    sku = uuid.uuid5(uuid.NAMESPACE_URL, f"{service}/{attributes['regionCode']}/{usagetype}").hex[:16].upper()
    term = f"{sku}.JRTCKXETXF"
    dimensions = {}
    for i, (begin, end, usd) in enumerate(tiers):
        rate = f"{term}.{6 + i}YS6EN2CT7"
        dimensions[rate] = {
            "unit": unit,
            "endRange": end,
            "description": description,
            "appliesTo": [],
            "rateCode": rate,
            "beginRange": begin,
            "pricePerUnit": {"USD": usd},
        }
    return {
        "product": {
            "productFamily": family,
            "attributes": {"servicecode": service, **attributes},
            "sku": sku,
        },
        "serviceCode": service,
        "terms": {"OnDemand": {term: {
            "priceDimensions": dimensions,
            "sku": sku,
            "effectiveDate": "2026-12-01T00:00:00Z",
            "offerTermCode": "JRTCKXETXF",
            "termAttributes": {},
        }}},
        "version": "20261201000000",
        "publicationDate": PUBLICATION_DATE,
    }


def _products():
    """Every product, as the dict the Price List serialises to a string."""
    out = []
    for (region, location, prefix), rates in PRICES.items():
        for suffix, (usd, unit, description) in rates.items():
            out.append(_product("AmazonECS", "Compute", {
                "servicename": "Amazon Elastic Container Service",
                "regionCode": region,
                "location": location,
                "locationType": "AWS Region",
                "usagetype": f"{prefix}-{suffix}",
                "operation": "",
                "cputype": "perCPU" if "vCPU" in suffix else "",
            }, unit, description, [("0", "Inf", usd)]))
    for (region, location), rates in LAMBDA_PRICES.items():
        for usagetype, (group, unit, tiers) in rates.items():
            out.append(_product("AWSLambda", "Serverless", {
                "servicename": "AWS Lambda",
                "regionCode": region,
                "location": location,
                "locationType": "AWS Region",
                "usagetype": usagetype,
                "operation": "",
                "group": group,
            }, unit, f"AWS Lambda - {usagetype} - {region}", tiers))
    return out


def _value(product, field):
    if field == "productFamily":
        return product["product"]["productFamily"]
    if field == "sku":
        return product["product"]["sku"]
    return product["product"]["attributes"].get(field)


def _matches(product, flt):
    kind = (flt.get("Type") or "TERM_MATCH").upper()
    have = _value(product, flt.get("Field", ""))
    want = flt.get("Value", "")
    if have is None:
        return False
    if kind in ("TERM_MATCH", "EQUALS"):
        return have == want
    if kind == "CONTAINS":
        return want in have
    if kind == "ANY_OF":
        return have in [v.strip() for v in want.split(",")]
    if kind == "NONE_OF":
        return have not in [v.strip() for v in want.split(",")]
    raise ValueError(kind)


def _json(status, payload, error_type=None):
    body = json.dumps(payload).encode()
    headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", str(uuid.uuid4()))]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    return status, headers, body


def _invalid(message):
    return _json("400 Bad Request", {"__type": "InvalidParameterException", "Message": message},
                 "InvalidParameterException")


def get_products(params):
    service = params.get("ServiceCode")
    if service not in ("AmazonECS", "AWSLambda"):
        # The simulator knows two services; an empty list is what AWS answers for one without products.
        return _json("200 OK", {"FormatVersion": "aws_v1", "PriceList": []})
    try:
        picked = [p for p in _products()
                  if p["serviceCode"] == service and all(_matches(p, f) for f in params.get("Filters") or [])]
    except ValueError as exc:
        return _invalid(f"unknown filter type {exc}")
    size = int(params.get("MaxResults") or 100)
    start = int(params.get("NextToken") or 0)
    page = picked[start:start + size]
    out = {"FormatVersion": "aws_v1", "PriceList": [json.dumps(p) for p in page]}
    if start + size < len(picked):
        out["NextToken"] = str(start + size)
    return _json("200 OK", out)


# access key id -> {tag key: (status, last updated)}
_STATUS = {}
_LOCK = threading.Lock()


def _seen_on_services():
    """Tag keys some ECS service or Lambda function in moto carries (mcp's cost tags among them).
    moto keeps a service's tags as [{"key", "value"}], a function's as {key: value} on its
    `$LATEST` (the tags of the function, which its versions share)."""
    import ecs_sim
    import lambda_sim

    keys = set()
    with common.LOCK:
        for backend in ecs_sim._all_ecs_backends():
            for service in list(backend.services.values()):
                for tag in getattr(service, "tags", None) or []:
                    if tag.get("key"):
                        keys.add(tag["key"])
        for backend in lambda_sim._all_lambda_backends():
            for group in list(backend._lambdas._functions.values()):
                latest = group.get("latest")
                keys.update(k for k in (getattr(latest, "tags", None) or {}) if k)
    return keys


def list_cost_allocation_tags(key, params):
    with _LOCK:
        mine = dict(_STATUS.get(key, {}))
    listed = {k: ("Inactive", None) for k in _seen_on_services()}
    listed.update(mine)
    wanted = params.get("TagKeys")
    status = params.get("Status")
    kind = params.get("Type")
    rows = []
    for tag_key in sorted(listed):
        state, updated = listed[tag_key]
        if wanted and tag_key not in wanted:
            continue
        if status and status != state:
            continue
        if kind and kind != "UserDefined":
            continue
        row = {"TagKey": tag_key, "Type": "UserDefined", "Status": state}
        if updated:
            row["LastUpdatedDate"] = updated
        rows.append(row)
    return _json("200 OK", {"CostAllocationTags": rows})


def update_cost_allocation_tags_status(key, params):
    entries = params.get("CostAllocationTagsStatus") or []
    errors = []
    with _LOCK:
        mine = _STATUS.setdefault(key, {})
        for entry in entries:
            tag_key, state = entry.get("TagKey"), entry.get("Status")
            if state not in ("Active", "Inactive") or not tag_key:
                errors.append({"TagKey": tag_key or "", "Code": "InvalidParameter", "Message": "Status must be Active or Inactive"})
                continue
            mine[tag_key] = (state, "2026-12-07T00:00:00Z")
    return _json("200 OK", {"Errors": errors})


def is_ours(environ):
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    return (target.startswith(PRICE_TARGET_PREFIX) or target.startswith(CE_TARGET_PREFIX)
            or cloudwatch_cbor.is_ours(environ))


def handle(environ, body):
    """The answer (status, headers, body) when this request is ours, else None (moto answers)."""
    if cloudwatch_cbor.is_ours(environ):
        return cloudwatch_cbor.handle(environ, body)
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if not (target.startswith(PRICE_TARGET_PREFIX) or target.startswith(CE_TARGET_PREFIX)):
        return None
    action = target.rsplit(".", 1)[-1]
    who = deny.identify(environ, body)
    key = who[0] if who else None
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        return _invalid("the request body is not JSON")
    if target.startswith(PRICE_TARGET_PREFIX):
        if action == "GetProducts":
            return get_products(params)
        return None
    if action == "ListCostAllocationTags":
        return list_cost_allocation_tags(key, params)
    if action == "UpdateCostAllocationTagsStatus":
        return update_cost_allocation_tags_status(key, params)
    return None
