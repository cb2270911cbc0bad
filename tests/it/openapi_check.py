# SPDX-License-Identifier: Apache-2.0
#
# openapi_check.py SPEC ROUTES SOCKET [TCP_BASE]: checks a running momd
# against actuator/openapi.json (driven by tests/it/openapi.sh).  Standard
# library only.  Prints one "PASS desc" or "FAIL desc" line per check.
#
#  - the spec is OpenAPI 3 and every $ref resolves;
#  - the served routes (momd --list-routes, file ROUTES) and the documented
#    operations are the same set;
#  - every operation, sent its documented example, answers its documented
#    success status with a body that matches the response schema;
#  - the documented errors that can be provoked generically are answered
#    as documented: 415 (text/plain body), 400 (broken JSON), 413 (body
#    over max_body), 404 and 400 for {name}, 405 with an Allow header equal
#    to the documented methods, 401 on TCP without the token; every error
#    body matches the Error schema and its status is documented.
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import momapi  # noqa: E402  (tests/lib/momapi.py, the tests' one client)

SPEC = json.load(open(sys.argv[1]))
ROUTES = {tuple(l.split(" ", 1)) for l in open(sys.argv[2]).read().split("\n") if l}
SOCK = sys.argv[3]
TCP = sys.argv[4] if len(sys.argv) > 4 else None
METHODS = ["GET", "PUT", "POST", "PATCH", "DELETE"]
MAX_BODY = 4096


def out(ok, desc):
    print(("PASS " if ok else "FAIL ") + desc.replace("\n", " "))


def request(method, path, body=None, ctype="application/json", tcp=False):
    # A fresh connection per request, as before: an error answer may close
    # it, and no check should depend on an earlier one's connection.
    c = momapi.Client(url=TCP, timeout=10) if tcp else momapi.Client(socket=SOCK, timeout=10)
    try:
        return c.exchange(method, path, body, ctype)
    finally:
        c.close()


def resolve(ref):
    node = SPEC
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def refs(node, found):
    if isinstance(node, dict):
        if "$ref" in node:
            found.append(node["$ref"])
        for v in node.values():
            refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)
    return found


TYPES = {"object": dict, "array": list, "string": str, "boolean": bool,
         "integer": int, "number": (int, float), "null": type(None)}


def validate(v, schema, where="$"):
    """The subset of JSON Schema the spec uses; returns a list of errors."""
    if "$ref" in schema:
        return validate(v, resolve(schema["$ref"]), where)
    if "oneOf" in schema:
        if any(not validate(v, s, where) for s in schema["oneOf"]):
            return []
        return [f"{where}: matches no alternative"]
    if v is None and schema.get("nullable"):
        return []
    t = schema.get("type")
    if t:
        py = TYPES[t]
        if not isinstance(v, py) or (t in ("integer", "number") and isinstance(v, bool)):
            return [f"{where}: expected {t}, got {type(v).__name__}"]
    errs = []
    if "enum" in schema and v not in schema["enum"]:
        errs.append(f"{where}: {v!r} not in {schema['enum']}")
    if isinstance(v, dict):
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in v:
                errs.append(f"{where}: missing {k}")
        extra = schema.get("additionalProperties", True)
        for k, x in v.items():
            if k in props:
                errs += validate(x, props[k], f"{where}.{k}")
            elif extra is False:
                errs.append(f"{where}: unexpected {k}")
            elif isinstance(extra, dict):
                errs += validate(x, extra, f"{where}.{k}")
    if isinstance(v, list) and "items" in schema:
        for i, x in enumerate(v):
            errs += validate(x, schema["items"], f"{where}[{i}]")
    return errs


def url_of(path, op, name=None):
    for p in op.get("parameters", []):
        if p["in"] == "path":
            path = path.replace("{" + p["name"] + "}", str(name or p["example"]))
    q = [(p["name"], p["example"]) for p in op.get("parameters", [])
         if p["in"] == "query"]
    return path + ("?" + urllib.parse.urlencode(q) if q else "")


def check_reply(desc, op, want, status, headers, data):
    documented = str(status) in op["responses"]
    if status != want:
        out(False, f"{desc}: expected {want}, got {status} {data[:200]!r}")
        return
    if not documented:
        out(False, f"{desc}: status {status} is not documented")
        return
    content = op["responses"][str(status)].get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        out(True, f"{desc}: {status}")
        return
    if not headers.get("content-type", "").startswith("application/json"):
        out(False, f"{desc}: content type {headers.get('content-type')}")
        return
    try:
        errs = validate(json.loads(data), schema)
    except ValueError as e:
        errs = [f"not JSON: {e}"]
    out(not errs, f"{desc}: {status} matches its schema" + ("" if not errs else ": " + "; ".join(errs[:3])))


def ops_in_order():
    def prio(item):
        path, method = item[0], item[1]
        return {("/v1/policies/{name}", "put"): 0, ("/v1/policies/{name}", "delete"): 2,
                ("/v1/policies", "put"): 3, ("/v1/policies", "delete"): 4}.get((path, method), 1)
    items = [(p, m, o) for p, ms in SPEC["paths"].items() for m, o in ms.items()]
    return sorted(items, key=prio)


def example_body(op):
    rb = op.get("requestBody")
    if not rb:
        return None
    return json.dumps(rb["content"]["application/json"]["example"])


def check_success(path, method, op):
    desc = f"{method.upper()} {path}"
    want = int(min(c for c in op["responses"] if c.startswith("2")))
    check_reply(desc, op, want, *request(method.upper(), url_of(path, op), example_body(op)))
    mom = op.get("requestBody", {}).get("content", {}).get("text/x-mom-policy")
    if mom:
        # MOM's policy language: the documented example, then a refusal.
        reply = request(method.upper(), url_of(path, op), mom["example"], "text/x-mom-policy")
        # Evaluating MOM text needs a host state, which may not be there yet.
        mom_want = 409 if path == "/v1/evaluate" and reply[0] == 409 else want
        check_reply(desc + " text/x-mom-policy", op, mom_want, *reply)
        check_reply(desc + " text/x-mom-policy refused", op, 400,
                    *request(method.upper(), url_of(path, op), "(Host.GetControl 1)", "text/x-mom-policy"))


def check_errors(path, method, op):
    desc = f"{method.upper()} {path}"
    m = method.upper()
    if "requestBody" in op:
        check_reply(desc + " text/plain", op, 415, *request(m, url_of(path, op), example_body(op), "text/plain"))
        check_reply(desc + " broken JSON", op, 400, *request(m, url_of(path, op), "{"))
        check_reply(desc + " too large", op, 413, *request(m, url_of(path, op), '"' + "x" * MAX_BODY + '"'))
    if "{name}" in path:
        if m != "PUT":
            check_reply(desc + " unknown name", op, 404, *request(m, url_of(path, op, "no-such-policy")))
        check_reply(desc + " invalid name", op, 400, *request(m, url_of(path, op, "..x"), example_body(op)))
    if path == "/v1/actions":
        check_reply(desc + " limit=0", op, 400, *request(m, path + "?limit=0"))
    if TCP:
        check_reply(desc + " on TCP without token", op, 401, *request(m, url_of(path, op), example_body(op), tcp=True))


def check_405(path, methods):
    doc = sorted(m.upper() for m in methods)
    for m in METHODS:
        if m in doc:
            continue
        url = path.replace("{name}", "00-defines")
        status, headers, data = request(m, url, "{}")
        allow = sorted(x.strip() for x in headers.get("allow", "").split(",") if x.strip())
        errs = validate(json.loads(data or b"null"), resolve("#/components/schemas/Error"))
        out(status == 405 and allow == doc and not errs,
            f"{m} {path}: 405, Allow {allow} == documented {doc}")


def main():
    out(SPEC.get("openapi", "").startswith("3."), "the spec is OpenAPI 3")
    bad = []
    for r in refs(SPEC, []):
        try:
            resolve(r)
        except (KeyError, TypeError):
            bad.append(r)
    out(not bad, f"every $ref resolves {bad}")
    documented = {(m.upper(), p) for p, ms in SPEC["paths"].items() for m in ms}
    out(documented - ROUTES == set(), f"every documented operation is served: missing {sorted(documented - ROUTES)}")
    out(ROUTES - documented == set(), f"every served route is documented: undocumented {sorted(ROUTES - documented)}")
    for path, method, op in ops_in_order():
        check_success(path, method, op)
    for path, method, op in ops_in_order():
        check_errors(path, method, op)
    for path, methods in SPEC["paths"].items():
        check_405(path, methods)
    status, headers, data = request("GET", "/v1/no-such-path")
    out(status == 404 and not validate(json.loads(data), resolve("#/components/schemas/Error")),
        "an undocumented path answers 404 with an Error body")


main()
