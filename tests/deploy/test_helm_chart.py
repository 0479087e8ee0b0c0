"""Checks of the Helm chart helm/zhdj without a helm binary (none can be installed here).

* values.schema.json: a valid draft-07 schema; values.yaml, ci-values.yaml and
  values-production.yaml validate on their own and merged the way helm merges them; wrong
  types / unknown keys are rejected.
* Templates: rendered by tests/deploy/helm_render.py (a documented subset of Go templates);
  the output must parse as YAML, every object must have apiVersion/kind/metadata.name and
  validate against the Kubernetes 1.31 OpenAPI schemas (kubernetes-validate, strict mode:
  unknown fields are errors) when that package is installed.
* Domain facts: beat is a single Recreate replica, the migrate hook Job runs both
  migrate_schemas steps (tenants with the pending-only executor), the Ingress objects have the
  wildcard host and route /ws/ to the ws Service (daphne, long timeouts), /static/ to the nginx
  sidecar (immutable caching, gzip_static) and / to web (gunicorn); web and ws probes hit /livez
  (liveness) and /readyz (readiness) with the base domain as Host; worker HPA; PgBouncer only in
  session mode; values-production.yaml's replicas, resources and autoscaling.
* `helm lint` / `helm template` when a helm binary is on PATH (skipped otherwise).

No database, no network.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import jsonschema
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import helm_render
from helm_render import TemplateError, render_string
from processes import stop

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "zhdj"
SCHEMA_PATH = CHART / "values.schema.json"
K8S_VERSION = "1.31.0"

# name -> extra values files applied over values.yaml (like `helm -f`), plus --set style overrides
SCENARIOS = {
    "default": ((), None),
    "ci": ((CHART / "ci-values.yaml",), None),
    "minimal": (
        (),
        {
            "ingress": {"enabled": False},
            "static": {"enabled": False},
            "web": {"pdb": {"enabled": False}},
            "ws": {"pdb": {"enabled": False}},
            "media": {"existingClaim": "zhdj-media"},
        },
    ),
    "production": ((CHART / "values-production.yaml",), None),
}
WEB_CMD = ["gunicorn", "-c", "/app/deploy/gunicorn.conf.py", "zhdj.wsgi:application"]
WS_CMD = ["daphne", "-b", "0.0.0.0", "-p", "8001", "--proxy-headers", "zhdj.asgi:application"]

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


# --------------------------------------------------------------------------- fixtures / helpers


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema):
    return jsonschema.Draft7Validator(schema)


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _errors(validator, instance) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(instance)]


_RENDER_CACHE: dict[str, list[dict]] = {}


def rendered_objects(scenario: str) -> list[dict]:
    if scenario not in _RENDER_CACHE:
        files, overrides = SCENARIOS[scenario]
        out = helm_render.render_chart(CHART, files, overrides)
        objs: list[dict] = []
        for name, text in out.items():
            for doc in yaml.safe_load_all(text):
                if doc is None:
                    continue
                assert isinstance(doc, dict), f"{name}: a document is not a mapping"
                doc.setdefault("__template__", name)
                objs.append(doc)
        _RENDER_CACHE[scenario] = objs
    return copy.deepcopy(_RENDER_CACHE[scenario])


def strip(obj: dict) -> dict:
    obj = dict(obj)
    obj.pop("__template__", None)
    return obj


def find(objs: list[dict], kind: str, suffix: str = "") -> dict:
    hits = [o for o in objs if o["kind"] == kind and o["metadata"]["name"].endswith(suffix)]
    assert len(hits) == 1, (
        f"expected one {kind} named *{suffix}, got {[o['metadata']['name'] for o in hits]}"
    )
    return hits[0]


def container(pod_spec: dict, name: str, init: bool = False) -> dict:
    key = "initContainers" if init else "containers"
    hits = [c for c in pod_spec.get(key, []) if c["name"] == name]
    assert len(hits) == 1, f"no {key[:-1]} named {name}"
    return hits[0]


# --------------------------------------------------------------------------- Chart.yaml


def test_chart_yaml():
    chart = _load(CHART / "Chart.yaml")
    assert chart["apiVersion"] == "v2"
    assert chart["name"] == "zhdj"
    assert re.match(r"^\d+\.\d+\.\d+", str(chart["version"]))
    assert isinstance(chart["appVersion"], str), "quote appVersion so YAML keeps it a string"
    assert chart.get("type", "application") == "application"


def test_chart_has_expected_templates():
    names = {p.name for p in (CHART / "templates").iterdir()}
    for required in (
        "_helpers.tpl",
        "deployment-web.yaml",
        "deployment-worker.yaml",
        "deployment-beat.yaml",
        "job-migrate.yaml",
        "service-web.yaml",
        "ingress.yaml",
        "configmap.yaml",
        "secret.yaml",
        "hpa-web.yaml",
        "hpa-worker.yaml",
        "deployment-ws.yaml",
        "service-ws.yaml",
        "pdb-ws.yaml",
        "configmap-pgbouncer.yaml",
        "deployment-pgbouncer.yaml",
        "service-pgbouncer.yaml",
    ):
        assert required in names


# --------------------------------------------------------------------------- values.schema.json


def test_schema_is_valid_draft07(schema):
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["additionalProperties"] is False, "unknown top-level keys must be rejected"


def _walk_schema(node, path="#"):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk_schema(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk_schema(v, f"{path}/{i}")


def test_schema_patterns_are_re2_compatible(schema):
    """Helm compiles schema patterns with Go's regexp (RE2): no look-around, no backreferences."""
    for path, node in _walk_schema(schema):
        pat = node.get("pattern")
        if isinstance(pat, str):
            assert not re.search(r"\(\?[=!<]|\\[1-9]", pat), (
                f"{path}: pattern not RE2-compatible: {pat}"
            )
            re.compile(pat)


def test_schema_integers_stay_below_float64_exponent_form(schema):
    """helm keeps numbers as float64; 1000000 would be printed as 1e+06 by a template."""
    for path, node in _walk_schema(schema):
        if node.get("type") == "integer":
            assert node.get("maximum", 10**9) < 1_000_000, f"{path}: add a maximum below 1e6"


def test_schema_objects_are_closed(schema):
    """Every object with declared properties says what happens to other keys."""
    for path, node in _walk_schema(schema):
        if (
            node.get("type") == "object"
            and "properties" in node
            and "/then" not in path
            and "/else" not in path
        ):
            assert "additionalProperties" in node, f"{path}: declare additionalProperties"


def test_schema_describes_every_key_of_values_yaml(schema):
    """'Fully describes': every key of values.yaml is a declared property (maps aside)."""
    values = _load(CHART / "values.yaml")
    defs = schema["definitions"]

    def resolve(node):
        while "$ref" in node:
            node = defs[node["$ref"].split("/")[-1]]
        return node

    def check(value, node, path):
        node = resolve(node)
        if isinstance(value, dict) and "properties" in node:
            for k, v in value.items():
                assert k in node["properties"], f"{path}.{k} is not described by values.schema.json"
                check(v, node["properties"][k], f"{path}.{k}")

    check(values, schema, "values")


@pytest.mark.parametrize("values_file", ["values.yaml", "ci-values.yaml", "values-production.yaml"])
def test_values_file_validates_on_its_own(validator, values_file):
    assert _errors(validator, _load(CHART / values_file)) == []


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_merged_values_validate(validator, scenario):
    """helm validates the merged values (values.yaml + -f files + --set)."""
    files, overrides = SCENARIOS[scenario]
    merged = helm_render.load_values(CHART, files, overrides)
    assert _errors(validator, merged) == []


@pytest.mark.parametrize(
    "patch, needle",
    [
        ({"web": {"replicas": "two"}}, "replicas"),
        ({"worker": {"concurrency": 0}}, "concurrency"),
        ({"migrate": {"maxProcesses": "2"}}, "maxProcesses"),
        ({"cityRegionPrefix": 6108}, "cityRegionPrefix"),
        ({"cityRegionPrefix": "61080"}, "cityRegionPrefix"),
        ({"baseDomain": "*.dj.example.gov.cn"}, "baseDomain"),
        ({"ingress": {"enabled": "yes"}}, "enabled"),
        ({"image": {"pullPolicy": "Sometimes"}}, "pullPolicy"),
        ({"env": {"CONN_MAX_AGE": 60}}, "CONN_MAX_AGE"),
        ({"django": {"logLevel": "verbose"}}, "logLevel"),
        ({"web": {"concurrency": 0}}, "concurrency"),
        ({"ws": {"replicas": "2"}}, "replicas"),
        ({"worker": {"autoscaling": {"enabled": "yes"}}}, "enabled"),
        ({"pgbouncer": {"enabled": True}}, "host"),  # no PostgreSQL host to pool for
        ({"pgbouncer": {"serverTlsSslmode": "verify-full"}}, "serverTlsSslmode"),
        ({"secret": {"databasePassword": "has@sign"}}, "databasePassword"),  # goes into a URL
    ],
    ids=lambda x: json.dumps(x) if isinstance(x, dict) else x,
)
def test_schema_rejects_wrong_types(validator, patch, needle):
    values = helm_render.deep_merge(_load(CHART / "values.yaml"), patch)
    errors = _errors(validator, values)
    assert errors, f"{patch} should be rejected"
    assert any(needle in e for e in errors), errors


@pytest.mark.parametrize(
    "patch",
    [
        {"replicaCount": 3},  # unknown top-level key (a common chart-template leftover)
        {"web": {"replica": 2}},  # typo of a nested key
        {"beat": {"replicas": 2}},  # beat's replica count is deliberately not configurable
        {"ingress": {"hosts": ["a.example"]}},
        {"secret": {"password": "x"}},
        {"pgbouncer": {"poolMode": "transaction"}},  # session mode is not configurable
        {"ingress": {"ws": {"timeout": 3600}}},
    ],
    ids=json.dumps,
)
def test_schema_rejects_unknown_keys(validator, patch):
    values = helm_render.deep_merge(_load(CHART / "values.yaml"), patch)
    errors = _errors(validator, values)
    assert any("Additional properties are not allowed" in e for e in errors), errors


def test_schema_requires_secret_values_when_creating_the_secret(validator):
    values = helm_render.deep_merge(_load(CHART / "values.yaml"), {"secret": {"create": True}})
    errors = _errors(validator, values)
    for key in ("djangoSecretKey", "databaseUrl", "redisUrl", "masterKey"):
        assert any(key in e for e in errors), errors
    bad_key = helm_render.deep_merge(
        _load(CHART / "ci-values.yaml"), {"secret": {"masterKey": "not-hex"}}
    )
    assert any("masterKey" in e for e in _errors(validator, bad_key))


def test_schema_requires_the_database_password_for_pgbouncer_with_a_created_secret(validator):
    values = helm_render.deep_merge(
        _load(CHART / "ci-values.yaml"), {"pgbouncer": {"enabled": True, "host": "pg.example"}}
    )
    values = helm_render.deep_merge(_load(CHART / "values.yaml"), values)
    assert any("databasePassword" in e for e in _errors(validator, values))
    values["secret"]["databasePassword"] = "ci0only0password"
    assert _errors(validator, values) == []


def test_schema_requires_existing_secret_name_otherwise(validator):
    values = helm_render.deep_merge(
        _load(CHART / "values.yaml"), {"secret": {"existingSecret": ""}}
    )
    assert _errors(validator, values)


# --------------------------------------------------------------------------- the renderer itself


@pytest.mark.parametrize(
    "source, values, expected",
    [
        ("a: {{ .Values.x }}", {"x": 1}, "a: 1"),
        ("a: {{ .Values.x | quote }}", {"x": "示范市"}, 'a: "示范市"'),
        ("a: {{ .Values.x | quote }}", {"x": True}, 'a: "true"'),
        ('a: {{ .Values.x | default "d" }}', {}, "a: d"),
        ('a: {{ .Values.x | default "d" }}', {"x": ""}, "a: d"),
        (
            "a:\n  {{- .Values.m | toYaml | nindent 2 }}",
            {"m": {"b": 1, "a": [1]}},
            "a:\n  a:\n  - 1\n  b: 1",
        ),
        (
            "x:\n{{- if .Values.on }}\n  y: 1\n{{- else }}\n  y: 2\n{{- end }}",
            {"on": False},
            "x:\n  y: 2",
        ),
        ("{{- if not .Values.on }}off{{- end }}", {}, "off"),
        (
            "{{- range $k, $v := .Values.m }}\n{{ $k }}={{ $v }}\n{{- end }}",
            {"m": {"b": 2, "a": 1}},
            "\na=1\nb=2",
        ),
        ("{{- range $v := .Values.l }}[{{ $v }}]{{- end }}", {"l": ["x", "y"]}, "[x][y]"),
        ('{{ .Values.s | trunc 3 | trimSuffix "-" }}', {"s": "ab-cd"}, "ab"),
        ("{{/* comment */}}a", {}, "a"),
        ("a  {{- /* c */ -}}  b", {}, "ab"),
        ("{{ .Release.Name }}/{{ .Chart.Name }}", {}, "rel/chart"),
    ],
)
def test_renderer_subset(source, values, expected):
    assert render_string(source, values) == expected


def test_renderer_include_and_dollar_root():
    helpers = '{{- define "t.name" -}}{{ .Values.n }}{{- end -}}'
    src = '{{- range $k, $v := .Values.m }}{{ include "t.name" $ }}-{{ $k }} {{- end }}'
    assert render_string(src, {"n": "z", "m": {"a": 1}}, helpers=helpers) == "z-a"


@pytest.mark.parametrize(
    "source, values",
    [
        ("{{ .Values.missing }}", {}),  # printing a missing value: helm prints "", we fail
        ("{{ .Values.a.b }}", {}),  # nil pointer, as in Go
        ('{{ printf "%s" .Values.x }}', {"x": 1}),  # outside the subset
        ("{{ with .Values.x }}{{ . }}{{ end }}", {"x": 1}),
        ("{{ if .Values.x }}unclosed", {"x": 1}),
        ("{{ $x := .Values.x }}", {"x": 1}),
        ("{{ .Values.m }}", {"m": {"a": 1}}),  # maps need toYaml
        (
            "{{ range $k, $v := .Values.m }}{{ .Values.x }}{{ end }}",
            {"m": {"a": 1}, "x": 1},
        ),  # dot rebinding
    ],
)
def test_renderer_rejects_what_it_does_not_support(source, values):
    with pytest.raises(TemplateError):
        render_string(source, values)


def test_deep_merge_like_helm():
    base = {"a": {"b": 1, "c": 2}, "l": [1, 2], "d": 1}
    merged = helm_render.deep_merge(base, {"a": {"b": 9}, "l": [3], "d": None})
    assert merged == {"a": {"b": 9, "c": 2}, "l": [3]}


# --------------------------------------------------------------------------- rendered objects


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_template_renders_to_valid_yaml_objects(scenario):
    objs = rendered_objects(scenario)
    assert objs
    seen = set()
    for obj in objs:
        where = obj["__template__"]
        assert isinstance(obj.get("apiVersion"), str) and obj["apiVersion"], where
        assert isinstance(obj.get("kind"), str) and obj["kind"], where
        name = obj.get("metadata", {}).get("name")
        assert isinstance(name, str) and DNS_LABEL.match(name), (
            f"{where}: bad metadata.name {name!r}"
        )
        key = (obj["kind"], name)
        assert key not in seen, f"duplicate object {key}"
        seen.add(key)
        labels = obj["metadata"].get("labels", {})
        assert labels.get("app.kubernetes.io/instance") == "zhdj", where
        assert all(isinstance(v, str) for v in labels.values()), (
            f"{where}: label values must be strings"
        )


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_objects_validate_against_kubernetes_schema(scenario):
    kv = pytest.importorskip(
        "kubernetes_validate", reason="pip install kubernetes-validate==1.37.0"
    )
    failures = []
    for obj in rendered_objects(scenario):
        body = strip(obj)
        try:
            kv.validate(body, K8S_VERSION, strict=True)
        except kv.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            failures.append(f"{body['kind']}/{body['metadata']['name']}: {path}: {exc.message}")
    assert failures == []


def test_kubernetes_validate_catches_mistakes():
    """Make sure the validation above is not vacuous."""
    kv = pytest.importorskip(
        "kubernetes_validate", reason="pip install kubernetes-validate==1.37.0"
    )
    web = strip(find(rendered_objects("default"), "Deployment", "-web"))
    web["spec"]["replicas"] = "2"
    with pytest.raises(kv.ValidationError):
        kv.validate(web, K8S_VERSION, strict=True)
    web = strip(find(rendered_objects("default"), "Deployment", "-web"))
    web["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["hostHeader"] = (
        "x"
    )
    with pytest.raises(kv.ValidationError):
        kv.validate(web, K8S_VERSION, strict=True)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_workloads_reference_objects_that_exist(scenario):
    objs = rendered_objects(scenario)
    values = helm_render.load_values(CHART, *SCENARIOS[scenario])
    names = {(o["kind"], o["metadata"]["name"]) for o in objs}
    for obj in objs:
        if obj["kind"] not in ("Deployment", "Job"):
            continue
        pod = obj["spec"]["template"]["spec"]
        for c in pod.get("containers", []) + pod.get("initContainers", []):
            for src in c.get("envFrom", []):
                if "configMapRef" in src:
                    assert ("ConfigMap", src["configMapRef"]["name"]) in names
                if "secretRef" in src:
                    secret = src["secretRef"]["name"]
                    if values["secret"]["create"]:
                        assert ("Secret", secret) in names
                    else:
                        assert secret == values["secret"]["existingSecret"]
            mounts = {m["name"] for m in c.get("volumeMounts", [])}
            assert mounts <= {v["name"] for v in pod.get("volumes", [])}, (
                f"{obj['metadata']['name']}/{c['name']}"
            )
        for vol in pod.get("volumes", []):
            if "configMap" in vol:
                assert ("ConfigMap", vol["configMap"]["name"]) in names
        if obj["kind"] == "Deployment":
            sel = obj["spec"]["selector"]["matchLabels"]
            assert sel.items() <= obj["spec"]["template"]["metadata"]["labels"].items()


def test_secret_only_rendered_when_created():
    assert not [o for o in rendered_objects("default") if o["kind"] == "Secret"]
    secret = find(rendered_objects("ci"), "Secret")
    assert set(secret["stringData"]) == {
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "ZHDJ_MASTER_KEY",
        "SENTRY_DSN",
    }


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_setting_reaches_the_pods(scenario):
    """The ConfigMap plus the Secret keys cover every variable the settings read."""
    objs = rendered_objects(scenario)
    cm = find(objs, "ConfigMap", "zhdj" if scenario != "ci" else "staging")
    assert all(isinstance(v, str) for v in cm["data"].values()), "ConfigMap values must be strings"
    secret_keys = {
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "ZHDJ_MASTER_KEY",
        "SENTRY_DSN",
    }
    expected = {
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOWED_HOSTS",
        "ZHDJ_BASE_DOMAIN",
        "ZHDJ_CITY_NAME",
        "ZHDJ_CITY_REGION_PREFIX",
        "SENTRY_ENVIRONMENT",
        "DJANGO_LOG_LEVEL",
        "CONN_MAX_AGE",
    }
    assert expected <= set(cm["data"])
    assert not secret_keys & set(cm["data"]), "secrets must not be in the ConfigMap"
    assert cm["data"]["DJANGO_SETTINGS_MODULE"] == "zhdj.settings.production"
    assert re.fullmatch(r"\d{4}", cm["data"]["ZHDJ_CITY_REGION_PREFIX"])
    base = cm["data"]["ZHDJ_BASE_DOMAIN"]
    assert cm["data"]["DJANGO_ALLOWED_HOSTS"] == "." + base


def test_extra_env_is_rendered():
    cm = find(rendered_objects("ci"), "ConfigMap", "staging")
    assert cm["data"]["TZ"] == "Asia/Shanghai"
    assert cm["data"]["PYTHONFAULTHANDLER"] == "1"
    assert cm["data"]["ZHDJ_CITY_NAME"] == "示范市（测试）"


def test_config_and_secret_exist_before_the_migrate_hook():
    """Hook order on a fresh install: ConfigMap/Secret (weight -10) before the Job (weight 0)."""
    objs = rendered_objects("ci")
    job = find(objs, "Job", "-migrate")
    job_weight = int(job["metadata"]["annotations"]["helm.sh/hook-weight"])
    for kind in ("ConfigMap", "Secret"):
        obj = find(objs, kind, "staging")
        ann = obj["metadata"]["annotations"]
        assert set(ann["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
        assert int(ann["helm.sh/hook-weight"]) < job_weight


# --------------------------------------------------------------------------- domain facts


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_beat_is_a_single_recreated_replica(scenario):
    beat = find(rendered_objects(scenario), "Deployment", "-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    c = container(beat["spec"]["template"]["spec"], "beat")
    assert c["command"] + c["args"][:5] == ["celery", "-A", "zhdj", "beat", "-l", "info"]
    assert not [
        o
        for o in rendered_objects(scenario)
        if o["kind"] == "HorizontalPodAutoscaler"
        and o["spec"]["scaleTargetRef"]["name"].endswith("-beat")
    ]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_migrate_job_is_a_pre_install_pre_upgrade_hook(scenario):
    job = find(rendered_objects(scenario), "Job", "-migrate")
    hooks = set(job["metadata"]["annotations"]["helm.sh/hook"].split(","))
    assert hooks == {"pre-install", "pre-upgrade"}
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    shared = container(pod, "migrate-shared", init=True)
    tenants = container(pod, "migrate-tenants")
    assert shared["command"] == ["python", "manage.py", "migrate_schemas", "--shared"]
    assert tenants["command"] == [
        "python",
        "manage.py",
        "migrate_schemas",
        "--tenant",
        "--executor",
        "pending",
    ]
    values = helm_render.load_values(CHART, *SCENARIOS[scenario])
    env = {e["name"]: e["value"] for e in tenants["env"]}
    assert env["TENANT_MULTIPROCESSING_MAX_PROCESSES"] == str(values["migrate"]["maxProcesses"])


INGRESS_SCENARIOS = ["default", "ci", "production"]


def ingresses(objs: list[dict]) -> tuple[dict, dict]:
    """(the pages Ingress, the /ws/ Ingress); the lesson uploads' one: ``uploads_ingress``."""
    ings = [o for o in objs if o["kind"] == "Ingress"]
    assert len(ings) == 3, [o["metadata"]["name"] for o in ings]
    ws = [o for o in ings if o["metadata"]["name"].endswith("-ws")]
    web = [o for o in ings if not o["metadata"]["name"].endswith(("-ws", "-uploads"))]
    assert len(ws) == 1 and len(web) == 1
    return web[0], ws[0]


@pytest.mark.parametrize("scenario", INGRESS_SCENARIOS)
def test_ingress_has_base_and_wildcard_hosts(scenario):
    objs = rendered_objects(scenario)
    values = helm_render.load_values(CHART, *SCENARIOS[scenario])
    base = values["baseDomain"]
    for ing in ingresses(objs):
        hosts = [r["host"] for r in ing["spec"]["rules"]]
        assert hosts == [base, f"*.{base}"]
        assert set(ing["spec"]["tls"][0]["hosts"]) == {base, f"*.{base}"}
        assert ing["spec"]["tls"][0]["secretName"] == values["ingress"]["tlsSecretName"]
        assert ing["spec"]["ingressClassName"] == "nginx"
        ann = ing["metadata"]["annotations"]
        assert ann["nginx.ingress.kubernetes.io/proxy-body-size"] == "20m"
        assert ann["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"


def uploads_ingress(objs: list[dict]) -> dict:
    (found,) = [
        o for o in objs if o["kind"] == "Ingress" and o["metadata"]["name"].endswith("-uploads")
    ]
    return found


@pytest.mark.parametrize("scenario", INGRESS_SCENARIOS)
def test_lesson_uploads_take_500_mb_and_nothing_else_does(scenario):
    """The learning lesson forms (a county's course page, the city's) take videos up to
    500 MB (shared.learning.media.MAX_MEDIA_MB); every other address keeps 20 MB."""
    objs = rendered_objects(scenario)
    ing = uploads_ingress(objs)
    ann = ing["metadata"]["annotations"]
    assert ann["nginx.ingress.kubernetes.io/proxy-body-size"] == "500m"
    assert ann["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"
    paths = {p["path"] for r in ing["spec"]["rules"] for p in r["http"]["paths"]}
    assert paths == {"/learning/manage/courses/", "/learning/courses/"}
    for rule in ing["spec"]["rules"]:
        for p in rule["http"]["paths"]:
            assert p["pathType"] == "Prefix"
            assert p["backend"]["service"]["name"].endswith("-web")
            assert p["backend"]["service"]["port"]["name"] == "http"


@pytest.mark.parametrize("scenario", INGRESS_SCENARIOS)
def test_ingress_routes_ws_to_daphne_static_to_the_sidecar_and_the_rest_to_gunicorn(scenario):
    objs = rendered_objects(scenario)
    web_ing, ws_ing = ingresses(objs)
    web_svc = find(objs, "Service", "-web")
    ws_svc = find(objs, "Service", "-ws")
    for rule in web_ing["spec"]["rules"]:
        paths = {p["path"]: p["backend"]["service"] for p in rule["http"]["paths"]}
        assert set(paths) == {"/", "/static/"}
        assert paths["/"] == {"name": web_svc["metadata"]["name"], "port": {"name": "http"}}
        assert paths["/static/"] == {
            "name": web_svc["metadata"]["name"],
            "port": {"name": "static"},
        }
    for rule in ws_ing["spec"]["rules"]:
        (path,) = rule["http"]["paths"]
        assert (path["path"], path["pathType"]) == ("/ws/", "Prefix")
        assert path["backend"]["service"] == {
            "name": ws_svc["metadata"]["name"],
            "port": {"name": "ws"},
        }
    assert [(p["name"], p["port"]) for p in ws_svc["spec"]["ports"]] == [("ws", 8001)]
    # Idle websockets stay open for an hour; pages keep a short timeout (gunicorn's is 60 s).
    ws_ann = ws_ing["metadata"]["annotations"]
    web_ann = web_ing["metadata"]["annotations"]
    for key in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(ws_ann[f"nginx.ingress.kubernetes.io/{key}"]) >= 3600
        assert 60 <= int(web_ann[f"nginx.ingress.kubernetes.io/{key}"]) < 3600


def test_ingress_annotations_are_not_set_twice():
    """ingress.annotations go on both objects: a key there must not be in ingress.web / ws too
    (the rendered object would carry it twice, which helm rejects)."""
    for scenario in INGRESS_SCENARIOS:
        ing = helm_render.load_values(CHART, *SCENARIOS[scenario])["ingress"]
        for part in ("web", "ws"):
            assert not set(ing["annotations"]) & set(ing[part]["annotations"]), (scenario, part)


def test_ingress_can_be_disabled():
    assert not [o for o in rendered_objects("minimal") if o["kind"] == "Ingress"]


def _env(c: dict) -> dict:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c.get("env", [])}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize(
    "component, cmd, port_name, port",
    [("web", WEB_CMD, "http", 8000), ("ws", WS_CMD, "ws", 8001)],
)
def test_web_and_ws_commands_and_probes_livez_readyz_with_base_domain_host(
    scenario, component, cmd, port_name, port
):
    """web = gunicorn (WSGI) on 8000, ws = daphne (ASGI) on 8001; both probe /livez (liveness)
    and /readyz (readiness) with the base domain as Host, as daphne alone did before."""
    objs = rendered_objects(scenario)
    values = helm_render.load_values(CHART, *SCENARIOS[scenario])
    dep = find(objs, "Deployment", f"-{component}")
    c = container(dep["spec"]["template"]["spec"], component)
    assert c["command"] + c["args"] == cmd
    assert c["ports"] == [{"name": port_name, "containerPort": port, "protocol": "TCP"}]
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/livez")):
        get = c[probe]["httpGet"]
        assert get["path"] == path
        assert get["port"] == port_name
        assert {"name": "Host", "value": values["baseDomain"]} in get["httpHeaders"]
    svc = find(objs, "Service", f"-{component}")
    assert svc["spec"]["selector"].items() <= dep["spec"]["template"]["metadata"]["labels"].items()
    others = [
        d["metadata"]["name"]
        for d in objs
        if d["kind"] == "Deployment"
        and d is not dep
        and svc["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()
    ]
    assert others == [], f"Service {svc['metadata']['name']} also selects {others}"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_web_gunicorn_gets_bind_and_worker_count(scenario):
    values = helm_render.load_values(CHART, *SCENARIOS[scenario])
    web = find(rendered_objects(scenario), "Deployment", "-web")
    env = _env(container(web["spec"]["template"]["spec"], "web"))
    assert env["ZHDJ_WSGI_BIND"] == "0.0.0.0:8000"
    assert env["WEB_CONCURRENCY"] == str(values["web"]["concurrency"])
    # gunicorn's graceful_timeout (30 s) fits into the grace period after the preStop pause.
    assert web["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > 30


@pytest.mark.parametrize("scenario", ["default", "production"])
def test_ws_has_its_own_replicas_and_disruption_budget(scenario):
    objs = rendered_objects(scenario)
    values = helm_render.load_values(CHART, *SCENARIOS[scenario])
    ws = find(objs, "Deployment", "-ws")
    assert ws["spec"]["replicas"] == values["ws"]["replicas"]
    c = container(ws["spec"]["template"]["spec"], "ws")
    assert c["resources"] == values["ws"]["resources"]
    pdb = find(objs, "PodDisruptionBudget", "-ws")
    assert pdb["spec"]["selector"]["matchLabels"] == ws["spec"]["selector"]["matchLabels"]
    assert pdb["spec"]["minAvailable"] == values["ws"]["pdb"]["minAvailable"]


def test_web_replicas_left_to_the_hpa_when_autoscaling():
    ci = rendered_objects("ci")
    web = find(ci, "Deployment", "-web")
    hpa = find(ci, "HorizontalPodAutoscaler", "-web")
    assert "replicas" not in web["spec"]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": web["metadata"]["name"],
    }
    default = rendered_objects("default")
    assert find(default, "Deployment", "-web")["spec"]["replicas"] == 2
    assert not [o for o in default if o["kind"] == "HorizontalPodAutoscaler"]


def test_worker_hpa_is_optional_and_cpu_based():
    assert find(rendered_objects("default"), "Deployment", "-worker")["spec"]["replicas"] == 1
    objs = rendered_objects("production")
    values = helm_render.load_values(CHART, *SCENARIOS["production"])
    worker = find(objs, "Deployment", "-worker")
    hpa = find(objs, "HorizontalPodAutoscaler", "-worker")
    assert "replicas" not in worker["spec"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == worker["metadata"]["name"]
    auto = values["worker"]["autoscaling"]
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (
        auto["minReplicas"],
        auto["maxReplicas"],
    )
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"] == {
        "type": "Utilization",
        "averageUtilization": auto["targetCPUUtilizationPercentage"],
    }


def test_production_values():
    """values-production.yaml: web >= 2 and autoscaled, ws 2, worker 2 and autoscaled, exactly one
    beat, requests and limits for every container, PgBouncer on, secrets out of band."""
    objs = rendered_objects("production")
    values = helm_render.load_values(CHART, *SCENARIOS["production"])
    hpas = {
        o["spec"]["scaleTargetRef"]["name"]: o
        for o in objs
        if o["kind"] == "HorizontalPodAutoscaler"
    }
    deps = {o["metadata"]["name"].rsplit("-", 1)[1]: o for o in objs if o["kind"] == "Deployment"}
    assert set(deps) == {"web", "ws", "worker", "beat", "pgbouncer"}
    assert hpas[deps["web"]["metadata"]["name"]]["spec"]["minReplicas"] >= 2
    assert hpas[deps["worker"]["metadata"]["name"]]["spec"]["minReplicas"] >= 2
    assert values["web"]["replicas"] >= 2 and values["worker"]["replicas"] == 2
    assert deps["ws"]["spec"]["replicas"] == 2
    assert deps["beat"]["spec"]["replicas"] == 1
    assert deps["beat"]["metadata"]["name"] not in hpas
    for name, dep in deps.items():
        for c in dep["spec"]["template"]["spec"]["containers"]:
            res = c["resources"]
            assert {"cpu", "memory"} <= set(res["requests"]), (name, c["name"])
            assert "memory" in res["limits"], (name, c["name"])
    assert find(objs, "PodDisruptionBudget", "-web") and find(objs, "PodDisruptionBudget", "-ws")
    assert values["secret"]["create"] is False and values["secret"]["existingSecret"]
    assert values["media"]["existingClaim"] and values["beat"]["stateClaim"]
    assert values["pgbouncer"]["enabled"] is True
    assert not [o for o in objs if o["kind"] == "Secret"], "no secret in a values file"


def test_pgbouncer_is_off_by_default():
    objs = rendered_objects("default")
    assert not [o for o in objs if o["metadata"]["name"].endswith("-pgbouncer")]
    for suffix in ("-web", "-ws", "-worker", "-beat"):
        pod = find(objs, "Deployment", suffix)["spec"]["template"]["spec"]
        assert "DATABASE_URL" not in _env(pod["containers"][0]), "the Secret's URL is used"


def test_pgbouncer_runs_in_session_mode_and_the_app_connects_through_it():
    """django-tenants sets search_path per connection: transaction pooling could run a county's
    query in another county's schema, so only session mode (with DISCARD ALL between clients)."""
    objs = rendered_objects("production")
    values = helm_render.load_values(CHART, *SCENARIOS["production"])
    pgb = values["pgbouncer"]
    ini = find(objs, "ConfigMap", "-pgbouncer")["data"]["pgbouncer.ini"]
    lines = [line for line in ini.splitlines() if "=" in line and not line.startswith(";")]
    settings = {k.strip(): v.strip() for k, _, v in (line.partition("=") for line in lines)}
    assert settings["pool_mode"] == "session"
    assert settings["server_reset_query"] == "DISCARD ALL"
    assert settings["listen_port"] == "6432"
    assert settings[pgb["database"]] == (
        f"host={pgb['host']} port={pgb['port']} dbname={pgb['database']}"
    )
    assert "transaction" not in ini.replace('never "transaction"', "")
    svc = find(objs, "Service", "-pgbouncer")
    dep = find(objs, "Deployment", "-pgbouncer")
    assert dep["spec"]["replicas"] == pgb["replicas"]
    assert svc["spec"]["selector"].items() <= dep["spec"]["template"]["metadata"]["labels"].items()
    assert [(p["port"], p["targetPort"]) for p in svc["spec"]["ports"]] == [(6432, "postgres")]
    c = container(dep["spec"]["template"]["spec"], "pgbouncer")
    assert "exec pgbouncer /etc/pgbouncer/pgbouncer.ini" in c["args"][0]
    assert _env(c)["PGBOUNCER_PASSWORD"]["secretKeyRef"]["key"] == "DATABASE_PASSWORD"
    url = f"postgres://{pgb['user']}:$(ZHDJ_DATABASE_PASSWORD)@{svc['metadata']['name']}:6432/{pgb['database']}"
    for suffix in ("-web", "-ws", "-worker", "-beat"):
        pod = find(objs, "Deployment", suffix)["spec"]["template"]["spec"]
        env = pod["containers"][0]["env"]
        names = [e["name"] for e in env]
        # $(VAR) expands only variables defined earlier in the list
        assert names.index("ZHDJ_DATABASE_PASSWORD") < names.index("DATABASE_URL"), suffix
        assert _env(pod["containers"][0])["DATABASE_URL"] == url, suffix
    # The migrate hook runs before PgBouncer exists on a fresh install: the direct URL.
    job = find(objs, "Job", "-migrate")["spec"]["template"]["spec"]
    for c in job["containers"] + job["initContainers"]:
        assert "DATABASE_URL" not in _env(c)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_worker_command(scenario):
    worker = find(rendered_objects(scenario), "Deployment", "-worker")
    c = container(worker["spec"]["template"]["spec"], "worker")
    values = helm_render.load_values(CHART, *SCENARIOS[scenario])
    assert c["command"] + c["args"] == [
        "celery",
        "-A",
        "zhdj",
        "worker",
        "-l",
        "info",
        "--concurrency",
        str(values["worker"]["concurrency"]),
    ]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_pods_run_as_non_root_with_read_only_root(scenario):
    for obj in rendered_objects(scenario):
        if obj["kind"] not in ("Deployment", "Job"):
            continue
        pod = obj["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False
        for c in pod["containers"] + pod.get("initContainers", []):
            assert c["securityContext"]["allowPrivilegeEscalation"] is False
            assert c["securityContext"]["readOnlyRootFilesystem"] is True
            assert (
                "/tmp" in {m["mountPath"] for m in c.get("volumeMounts", [])}
                or c["name"] == "copy-static"
            )


def test_static_sidecar_can_be_disabled():
    objs = rendered_objects("minimal")
    web = find(objs, "Deployment", "-web")
    pod = web["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["web"]
    assert "initContainers" not in pod
    assert not [o for o in objs if o["metadata"]["name"].endswith("-static")]
    svc = find(objs, "Service", "-web")
    assert [p["name"] for p in svc["spec"]["ports"]] == ["http"]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_uploads_volume_is_shared_by_web_and_worker(scenario):
    objs = rendered_objects(scenario)
    values = helm_render.load_values(CHART, *SCENARIOS[scenario])
    cm = [o for o in objs if o["kind"] == "ConfigMap" and "ZHDJ_MEDIA_ROOT" in o.get("data", {})]
    assert len(cm) == 1 and cm[0]["data"]["ZHDJ_MEDIA_ROOT"] == "/app/media"
    for suffix, name in (("-web", "web"), ("-worker", "worker")):
        pod = find(objs, "Deployment", suffix)["spec"]["template"]["spec"]
        assert {"name": "media", "mountPath": "/app/media"} in container(pod, name)["volumeMounts"]
        vol = next(v for v in pod["volumes"] if v["name"] == "media")
        if values["media"]["existingClaim"]:
            assert vol["persistentVolumeClaim"] == {"claimName": values["media"]["existingClaim"]}
        else:
            assert vol["emptyDir"] == {}
        # County archives: written by the worker, downloaded through web, on their own claim.
        mount = {"name": "backups", "mountPath": "/app/backups"}
        assert mount in container(pod, name)["volumeMounts"]
        vol = next(v for v in pod["volumes"] if v["name"] == "backups")
        claim = values["backups"]["existingClaim"]
        assert vol.get("persistentVolumeClaim", {}).get("claimName") == (claim or None)
    assert cm[0]["data"]["ZHDJ_BACKUP_DIR"] == "/app/backups"
    assert cm[0]["data"]["ZHDJ_BACKUP_RECIPIENTS"] == values["backups"]["recipients"]


@pytest.mark.parametrize("scenario", INGRESS_SCENARIOS)
def test_ingress_backends_exist(scenario):
    """Ingress -> Service port (by name) -> a named container port of a pod the Service selects."""
    objs = rendered_objects(scenario)
    services = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Service"}
    deployments = [o for o in objs if o["kind"] == "Deployment"]
    for rule in [r for ing in ingresses(objs) for r in ing["spec"]["rules"]]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            svc = services[backend["name"]]
            port = next(p for p in svc["spec"]["ports"] if p["name"] == backend["port"]["name"])
            selector = svc["spec"]["selector"].items()
            pods = [
                d["spec"]["template"]
                for d in deployments
                if selector <= d["spec"]["template"]["metadata"]["labels"].items()
            ]
            assert pods, f"Service {backend['name']} selects no pod"
            container_ports = {
                p["name"]
                for pod in pods
                for c in pod["spec"]["containers"]
                for p in c.get("ports", [])
            }
            assert port["targetPort"] in container_ports


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_beat_schedule_state_is_not_in_tmp(scenario):
    beat = find(rendered_objects(scenario), "Deployment", "-beat")
    spec = beat["spec"]["template"]["spec"]
    c = container(spec, "beat")
    assert not any(a.startswith("/tmp") for a in c["args"])
    assert "/var/lib/zhdj-beat/celerybeat-schedule" in c["args"]
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    assert mounts["beat-state"] == "/var/lib/zhdj-beat"
    assert any(v["name"] == "beat-state" for v in spec["volumes"])


# --------------------------------------------------------------------------- static sidecar


def _static_conf() -> str:
    return find(rendered_objects("default"), "ConfigMap", "-static")["data"]["default.conf"]


def test_static_sidecar_serves_hashed_files_immutable_and_precompressed():
    conf = _static_conf()
    loc = re.search(r"location /static/ \{(.*?)\}", conf, re.S).group(1)
    assert "gzip_static on;" in loc
    assert 'add_header Cache-Control "public, max-age=31536000, immutable" always;' in loc
    # "expires" would send a second Cache-Control header next to add_header's.
    assert "expires" not in loc


def test_static_sidecar_config_serves_for_real(tmp_path):
    """The sidecar's config in a real nginx (when installed): the .gz sibling is sent to clients
    that accept gzip, the plain file to others, both with the immutable Cache-Control."""
    nginx = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if not nginx:
        pytest.skip("nginx not on PATH (apt-get install -y nginx-light)")
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "app.3f2a.css").write_bytes(b"body{}")
    (static / "css" / "app.3f2a.css.gz").write_bytes(b"GZ")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    site = _static_conf().replace("listen 8080;", f"listen 127.0.0.1:{port};")
    site = site.replace("alias /usr/share/nginx/static/;", f"alias {static}/;")
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / d).mkdir()
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temps = "".join(
        f"    {d}_temp_path {tmp_path}/{d};\n" for d in ("proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log warn;\nevents {{ worker_connections 16; }}\n"
        f"http {{\n    access_log off;\n    client_body_temp_path {tmp_path}/body;\n{temps}"
        f"{site}\n}}\n",
        encoding="utf-8",
    )
    os.chmod(tmp_path, 0o755)
    args = [nginx, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"nginx did not start: {(tmp_path / 'error.log').read_text()}")
                time.sleep(0.05)

        def get(headers):
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/static/css/app.3f2a.css", headers=headers
            )
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.headers, resp.read()

        headers, body = get({"Accept-Encoding": "gzip"})
        assert body == b"GZ" and headers["Content-Encoding"] == "gzip"
        assert headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
        headers, body = get({})
        assert body == b"body{}" and "Content-Encoding" not in headers
        assert headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    finally:
        stop(proc)


# --------------------------------------------------------------------------- real helm


def _helm() -> str:
    helm = shutil.which("helm")
    if not helm:
        pytest.skip("no helm binary on PATH (none is packaged on PyPI or Debian)")
    return helm


@pytest.mark.parametrize("scenario", ["default", "ci", "production"])
def test_helm_lint_and_template_agree_with_the_renderer(scenario):
    """With a real helm: lint passes (schema included) and `helm template` renders the same
    objects as tests/deploy/helm_render.py."""
    helm = _helm()
    files, overrides = SCENARIOS[scenario]
    assert overrides is None
    flags = [arg for f in files for arg in ("-f", str(f))]
    lint = subprocess.run(
        [helm, "lint", "--strict", str(CHART), *flags],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    out = subprocess.run(
        [helm, "template", "zhdj", str(CHART), "-n", "zhdj", *flags],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    theirs = sorted(
        (d["kind"], d["metadata"]["name"], json.dumps(d, sort_keys=True))
        for d in yaml.safe_load_all(out)
        if d
    )
    ours = sorted(
        (o["kind"], o["metadata"]["name"], json.dumps(strip(o), sort_keys=True))
        for o in rendered_objects(scenario)
    )
    assert [t[:2] for t in theirs] == [o[:2] for o in ours]
    assert theirs == ours


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_web_and_worker_expose_metrics_to_the_pod_network_only(scenario):
    """zhdj.metrics: gunicorn's workers share a folder and answer /metrics on :8000 to the
    pod network (through the Ingress a request carries X-Forwarded-For and gets a 404); the
    Celery worker serves its pool's figures on :9808, a port no Service or Ingress exposes."""
    objs = rendered_objects(scenario)
    web = container(find(objs, "Deployment", "-web")["spec"]["template"]["spec"], "web")
    assert {"name": "PROMETHEUS_MULTIPROC_DIR", "value": "/tmp/prometheus"} in web["env"]
    worker_pod = find(objs, "Deployment", "-worker")["spec"]["template"]
    worker = container(worker_pod["spec"], "worker")
    assert {"name": "ZHDJ_WORKER_METRICS_PORT", "value": "9808"} in worker["env"]
    assert {"name": "metrics", "containerPort": 9808, "protocol": "TCP"} in worker["ports"]
    assert worker_pod["metadata"]["annotations"]["prometheus.io/port"] == "9808"
    for obj in objs:
        if obj["kind"] == "Service":
            assert 9808 not in [p.get("targetPort") for p in obj["spec"]["ports"]]
            assert "metrics" not in [p.get("targetPort") for p in obj["spec"]["ports"]]
        if obj["kind"] == "Ingress":
            paths = [p["path"] for r in obj["spec"]["rules"] for p in r["http"]["paths"]]
            assert "/metrics" not in paths
