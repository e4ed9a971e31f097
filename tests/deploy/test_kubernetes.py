"""The Helm chart in deploy/k8s: rendered for each environment with Helm's own SDK, linted, every
built-in kind validated strictly against the Kubernetes schemas, every custom resource against a
structural schema of its CRD, scanned by checkov, and read for what a reviewer would look for."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.tools import ROOT, assert_checkov_clean, checkov, helm_lint, helm_template, run, skip_list, tool

CHART = ROOT / "deploy" / "k8s" / "seiko-store"
ARGOCD = ROOT / "deploy" / "k8s" / "argocd"
CHECKOV_CONFIG = ROOT / "deploy" / "k8s" / ".checkov.yaml"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
ENVIRONMENTS = {"staging": "seiko-staging", "production": "seiko-production"}
# The chart's kubeVersion floor and the version this machine's kubectl speaks.
KUBE_VERSIONS = ("1.30.0", "1.32.0")
# API groups served by Kubernetes itself; everything else is a custom resource and needs a schema below.
BUILTIN_GROUPS = {"", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io"}
CRD_SCHEMAS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "servicemonitor.monitoring.coreos.com-v1.json",
    ("external-secrets.io/v1", "ExternalSecret"): "externalsecret.external-secrets.io-v1.json",
    ("argoproj.io/v1alpha1", "Application"): "application.argoproj.io-v1alpha1.json",
    ("argoproj.io/v1alpha1", "AppProject"): "appproject.argoproj.io-v1alpha1.json",
}
SECRET_VARIABLES = {"DATABASE_URL", "SEIKO_JWT_SECRET", "ALERTMANAGER_WEBHOOK_TOKEN", "ANTHROPIC_API_KEY",
                    "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "LANGFUSE_SECRET_KEY", "LANGFUSE_PUBLIC_KEY",
                    "SEIKO_BOOTSTRAP_ADMIN_PASSWORD", "SEIKO_METRICS_TOKEN"}
# Variables the chart sets for the runtime rather than for app/settings.py.
RUNTIME_VARIABLES = {"HOME", "XDG_CACHE_HOME", "PYTHONDONTWRITEBYTECODE", "HF_HUB_OFFLINE"}


Docs = list[dict[str, Any]]


@pytest.fixture(scope="module")
def rendered() -> dict[str, Docs]:
    return {env: helm_template(CHART, CHART / f"values-{env}.yaml", release="seiko-store", namespace=namespace)
            for env, namespace in ENVIRONMENTS.items()}


@pytest.fixture(scope="module")
def argocd_docs() -> Docs:
    return [doc for path in sorted(ARGOCD.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]


def kinds(docs: Docs, kind: str) -> Docs:
    return [doc for doc in docs if doc["kind"] == kind]


def one(docs: Docs, kind: str, name_suffix: str) -> dict[str, Any]:
    found = [doc for doc in kinds(docs, kind) if doc["metadata"]["name"].endswith(name_suffix)]
    assert len(found) == 1, f"expected one {kind} *{name_suffix}, found {[d['metadata']['name'] for d in found]}"
    return found[0]


def pod_specs(docs: Docs) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"])
            for doc in docs if doc["kind"] in ("Deployment", "Job")]


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def write_docs(docs: Docs, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, doc in enumerate(docs):
        path = folder / f"{i:02d}-{doc['kind'].lower()}-{doc['metadata']['name']}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        paths.append(path)
    return paths


# --- rendering and validation -------------------------------------------------------------------

def test_each_environment_renders_the_whole_application(rendered: dict[str, Docs]) -> None:
    for env, docs in rendered.items():
        present = {doc["kind"] for doc in docs}
        assert {"Deployment", "Job", "Service", "ServiceAccount", "ConfigMap", "HorizontalPodAutoscaler",
                "PodDisruptionBudget", "NetworkPolicy", "ServiceMonitor", "Ingress"} <= present, env
        assert not kinds(docs, "Secret"), f"{env}: the chart must never render a Secret"
        assert all(doc["metadata"].get("namespace") == ENVIRONMENTS[env] for doc in docs), env
    assert kinds(rendered["production"], "ExternalSecret"), "production takes its secrets from the secret store"


def test_the_defaults_render_too() -> None:
    docs = helm_template(CHART, None, release="seiko-store", namespace="default")
    assert {doc["kind"] for doc in docs} >= {"Deployment", "Job", "Service"}


def test_values_are_checked_against_the_chart_schema(tmp_path: Path) -> None:
    bad = tmp_path / "typo.yaml"
    bad.write_text("api:\n  replicaz: 3\n")
    result = run([tool("python"), str(Path(__file__).parent / "helm_render.py"), "template", str(CHART),
                  "--values", str(bad)], check=False)
    assert result.returncode != 0 and "replicaz" in result.stderr


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_helm_lint_is_clean(env: str) -> None:
    report = helm_lint(CHART, CHART / f"values-{env}.yaml", namespace=ENVIRONMENTS[env], kube_version="v1.32.0")
    serious = [m for m in report["messages"] if m["severity"] >= 2]  # 2 warning, 3 error
    assert not serious and not report["errors"], report


def test_every_document_has_a_validator(rendered: dict[str, Docs], argocd_docs: Docs) -> None:
    """Nothing is skipped quietly: a kind is either built in or has a CRD schema here."""
    for doc in [d for docs in rendered.values() for d in docs] + argocd_docs:
        key = (doc["apiVersion"], doc["kind"])
        assert group_of(doc["apiVersion"]) in BUILTIN_GROUPS or key in CRD_SCHEMAS, f"no schema for {key}"


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_builtin_kinds_validate_strictly(rendered: dict[str, Docs], kube_version: str, tmp_path: Path) -> None:
    paths = []
    for env, docs in rendered.items():
        builtin = [doc for doc in docs if group_of(doc["apiVersion"]) in BUILTIN_GROUPS]
        paths += write_docs(builtin, tmp_path / env)
    result = run([tool("kubernetes-validate"), "--kubernetes-version", kube_version, "--strict",
                  *map(str, paths)], check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Couldn't find schema" not in output, output
    assert output.count("INFO") == len(paths), output  # one "validated" line per document


def test_custom_resources_validate_against_their_crd_schemas(rendered: dict[str, Docs], argocd_docs: Docs,
                                                              tmp_path: Path) -> None:
    docs = [d for env_docs in rendered.values() for d in env_docs] + argocd_docs
    checked = 0
    for (api_version, kind), schema in CRD_SCHEMAS.items():
        instances = [d for d in docs if (d["apiVersion"], d["kind"]) == (api_version, kind)]
        assert instances, f"no {kind} rendered: its schema is unused"
        paths = write_docs(instances, tmp_path / kind)
        run([tool("check-jsonschema"), "--schemafile", str(SCHEMAS / schema), *map(str, paths)])
        checked += len(paths)
    assert checked >= 6


def test_the_crd_schemas_catch_mistakes(tmp_path: Path) -> None:
    wrong = {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "x"},
             "spec": {"selector": {}, "endpoints": [{"port": "http", "interval": "30 seconds"}]}}
    path = write_docs([wrong], tmp_path)[0]
    result = run([tool("check-jsonschema"), "--schemafile",
                  str(SCHEMAS / CRD_SCHEMAS[("monitoring.coreos.com/v1", "ServiceMonitor")]), str(path)], check=False)
    assert result.returncode == 1 and "interval" in result.stdout


def test_checkov_finds_nothing_outside_the_skip_list(rendered: dict[str, Docs], tmp_path: Path) -> None:
    for env, docs in rendered.items():
        write_docs(docs, tmp_path / env)
    shutil.copytree(ARGOCD, tmp_path / "argocd")
    report = checkov(tmp_path, framework="kubernetes", config=CHECKOV_CONFIG, cwd=tmp_path)
    assert_checkov_clean(report, min_passed=400)


def test_every_checkov_skip_has_a_reason() -> None:
    skips = skip_list(CHECKOV_CONFIG)
    assert skips, "the skip list was not read"
    for check, reason in skips.items():
        assert re.fullmatch(r"CKV2?_K8S_\d+", check), check
        assert len(reason) > 40, f"{check} needs a reason in {CHECKOV_CONFIG.name}"


# --- what a reviewer checks ----------------------------------------------------------------------

@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_container_is_locked_down(rendered: dict[str, Docs], env: str) -> None:
    for where, spec in pod_specs(rendered[env]):
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
        assert spec["automountServiceAccountToken"] is False, where
        assert {"name": "tmp", "emptyDir": {"sizeLimit": "512Mi"}} in spec["volumes"], where
        for container in spec.get("initContainers", []) + spec["containers"]:
            sc = container["securityContext"]
            assert sc["runAsNonRoot"] is True and sc["runAsUser"] >= 10000, where
            assert sc["readOnlyRootFilesystem"] is True, where
            assert sc["allowPrivilegeEscalation"] is False and sc["privileged"] is False, where
            assert sc["capabilities"] == {"drop": ["ALL"]}, where
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"], where
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), f"{where}: {bound}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_images_are_pinned_by_digest(rendered: dict[str, Docs], env: str) -> None:
    for where, spec in pod_specs(rendered[env]):
        for container in spec["containers"]:
            assert re.fullmatch(r"[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}", container["image"]), where


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_long_running_containers_have_all_three_probes(rendered: dict[str, Docs], env: str) -> None:
    for deployment in kinds(rendered[env], "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                assert probe in container, f"{deployment['metadata']['name']}: {probe}"
    api = one(rendered[env], "Deployment", "-api")["spec"]["template"]["spec"]["containers"][0]
    assert api["command"][:2] == ["seiko", "api"]
    assert api["livenessProbe"]["httpGet"]["path"] == "/health"
    assert api["startupProbe"]["httpGet"]["path"] == "/health"
    assert api["readinessProbe"]["httpGet"]["path"] == "/ready"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_secrets_only_come_from_the_secret(rendered: dict[str, Docs], env: str) -> None:
    docs = rendered[env]
    secret_name = one(docs, "Deployment", "-api")["spec"]["template"]["spec"]["containers"][0]["env"][-1][
        "valueFrom"]["secretKeyRef"]["name"]
    for config_map in kinds(docs, "ConfigMap"):
        assert not SECRET_VARIABLES & set(config_map["data"]), "a secret in a ConfigMap"
    for where, spec in pod_specs(docs):
        for container in spec["containers"]:
            for var in container.get("env", []):
                if var["name"] in SECRET_VARIABLES:
                    ref = var["valueFrom"]["secretKeyRef"]
                    assert (ref["name"], ref["key"]) == (secret_name, var["name"]), where
                else:
                    assert "value" in var, where
    for external in kinds(docs, "ExternalSecret"):
        assert external["spec"]["target"]["name"] == secret_name


def test_each_component_gets_only_its_secrets(rendered: dict[str, Docs]) -> None:
    docs = rendered["production"]

    def secrets_of(kind: str, suffix: str) -> set[str]:
        container = one(docs, kind, suffix)["spec"]["template"]["spec"]["containers"][0]
        return {v["name"] for v in container["env"] if "valueFrom" in v}

    api_only = {"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "ALERTMANAGER_WEBHOOK_TOKEN"}
    assert api_only <= secrets_of("Deployment", "-api")
    assert secrets_of("Deployment", "-worker").isdisjoint(api_only | {"SEIKO_BOOTSTRAP_ADMIN_PASSWORD"})
    assert secrets_of("Job", "-migrate") == {"DATABASE_URL", "SEIKO_JWT_SECRET"}


def test_every_variable_is_one_the_app_reads(rendered: dict[str, Docs]) -> None:
    """A misspelt name would be ignored by the app without a word."""
    aliases = set(re.findall(r'validation_alias="([A-Z0-9_]+)"', (ROOT / "app" / "settings.py").read_text()))
    assert "DATABASE_URL" in aliases
    for docs in rendered.values():
        names = {name for cm in kinds(docs, "ConfigMap") for name in cm["data"]}
        names |= {v["name"] for _, spec in pod_specs(docs) for c in spec["containers"] for v in c.get("env", [])}
        assert names - RUNTIME_VARIABLES <= aliases, names - RUNTIME_VARIABLES - aliases


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_selectors_connect(rendered: dict[str, Docs], env: str) -> None:
    docs = rendered[env]
    api = one(docs, "Deployment", "-api")
    api_labels = api["spec"]["template"]["metadata"]["labels"]
    service = one(docs, "Service", "-api")
    assert service["spec"]["selector"].items() <= api_labels.items()
    assert api["spec"]["selector"]["matchLabels"] == service["spec"]["selector"]
    port_names = {p["name"] for p in api["spec"]["template"]["spec"]["containers"][0]["ports"]}
    assert service["spec"]["ports"][0]["targetPort"] in port_names

    # Every ServiceMonitor finds a Service by its labels, and that Service a named port of its pods.
    monitors = kinds(docs, "ServiceMonitor")
    assert len(monitors) == 2
    for monitor in monitors:
        services = [s for s in kinds(docs, "Service")
                    if monitor["spec"]["selector"]["matchLabels"].items() <= s["metadata"]["labels"].items()]
        assert len(services) == 1, monitor["metadata"]["name"]
        port = monitor["spec"]["endpoints"][0]["port"]
        assert port in {p["name"] for p in services[0]["spec"]["ports"]}
        assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
        assert port == "metrics", "metrics are never scraped from the store's HTTP port"
        if monitor["metadata"]["name"].endswith("-api"):
            (api_container,) = [c for d in kinds(docs, "Deployment") if d["metadata"]["name"].endswith("-api")
                                for c in d["spec"]["template"]["spec"]["containers"]]
            env = {e["name"]: e for e in api_container["env"]}
            metrics_port = next(p["containerPort"] for p in api_container["ports"] if p["name"] == "metrics")
            assert env["SEIKO_METRICS_PORT"]["value"] == str(metrics_port), "the app listens where the pod says"
            assert env["SEIKO_METRICS_TOKEN"]["valueFrom"]["secretKeyRef"]["optional"] is True
            assert monitor["spec"]["endpoints"][0]["authorization"]["credentials"]["key"] == "SEIKO_METRICS_TOKEN"
        pods = [d for d in kinds(docs, "Deployment")
                if services[0]["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        assert len(pods) == 1 and port in {p["name"] for c in pods[0]["spec"]["template"]["spec"]["containers"]
                                           for p in c.get("ports", [])}

    hpa = kinds(docs, "HorizontalPodAutoscaler")[0]
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                            "name": api["metadata"]["name"]}
    assert "replicas" not in api["spec"], "the HPA owns the API's replica count"
    assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]

    for deployment in kinds(docs, "Deployment"):
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        budgets = [p for p in kinds(docs, "PodDisruptionBudget")
                   if p["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()]
        assert len(budgets) == 1, deployment["metadata"]["name"]

    ingress = kinds(docs, "Ingress")[0]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": service["metadata"]["name"], "port": {"name": "http"}}
    assert ingress["spec"]["tls"][0]["hosts"] == [ingress["spec"]["rules"][0]["host"]]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_network_is_denied_by_default(rendered: dict[str, Docs], env: str) -> None:
    docs = rendered[env]
    policies = kinds(docs, "NetworkPolicy")
    deny = [p for p in policies if not p["spec"].get("ingress") and not p["spec"].get("egress")
            and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}]
    assert len(deny) == 1
    for deployment in kinds(docs, "Deployment") + kinds(docs, "Job"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deny[0]["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
    # The API takes connections on its port and (Prometheus) its metrics port, the workers on their
    # metrics port; nothing else.
    allowed = {p["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"]:
               [port for rule in p["spec"]["ingress"] for port in rule["ports"]]
               for p in policies if "Ingress" in p["spec"]["policyTypes"] and p["spec"].get("ingress")}
    assert allowed == {"api": [{"protocol": "TCP", "port": "http"}, {"protocol": "TCP", "port": "metrics"}],
                       "worker": [{"protocol": "TCP", "port": "metrics"}],
                       "event-consumers": [{"protocol": "TCP", "port": "metrics"}],
                       "kafka": [{"protocol": "TCP", "port": "kafka"}]}
    for workload in kinds(docs, "StatefulSet"):  # Kafka: behind the default deny like the rest
        assert deny[0]["spec"]["podSelector"]["matchLabels"].items() <= \
            workload["spec"]["template"]["metadata"]["labels"].items()


def test_migrations_run_before_an_upgrade_rolls_out(rendered: dict[str, Docs]) -> None:
    for docs in rendered.values():
        job = one(docs, "Job", "-migrate")
        notes = job["metadata"]["annotations"]
        assert "pre-upgrade" in notes["helm.sh/hook"].split(",")
        # Argo CD: in the sync phase, after the wave that brings the Secret and ConfigMap it reads.
        assert notes["argocd.argoproj.io/hook"] == "Sync"
        assert int(notes["argocd.argoproj.io/sync-wave"]) < 0
        for needed in kinds(docs, "ConfigMap") + kinds(docs, "ServiceAccount") + kinds(docs, "ExternalSecret"):
            assert int(needed["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]) < int(
                notes["argocd.argoproj.io/sync-wave"])
        spec = job["spec"]["template"]["spec"]
        assert spec["restartPolicy"] == "Never" and spec["containers"][0]["command"] == ["seiko", "migrate"]
        assert job["spec"]["activeDeadlineSeconds"] > 0


def test_argocd_deploys_production_from_this_chart(argocd_docs: Docs, rendered: dict[str, Docs]) -> None:
    apps = {doc["metadata"]["name"]: doc for doc in kinds(argocd_docs, "Application")}
    project = kinds(argocd_docs, "AppProject")[0]
    production = apps["seiko-store-production"]["spec"]
    assert (ROOT / production["source"]["path"]) == CHART
    assert production["source"]["helm"]["valueFiles"] == ["values-production.yaml"]
    assert production["destination"]["namespace"] == ENVIRONMENTS["production"]
    assert production["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    for app in apps.values():
        spec = app["spec"]
        assert spec["project"] == project["metadata"]["name"]
        assert spec["source"]["repoURL"] in project["spec"]["sourceRepos"]
        assert all((CHART / f).is_file() for f in spec["source"]["helm"]["valueFiles"])
        assert {"server": spec["destination"]["server"], "namespace": spec["destination"]["namespace"]} in \
            project["spec"]["destinations"]
    allowed = {(k["group"], k["kind"]) for k in project["spec"]["namespaceResourceWhitelist"]}
    used = {(group_of(d["apiVersion"]), d["kind"]) for docs in rendered.values() for d in docs}
    assert used <= allowed, used - allowed
    assert project["spec"]["clusterResourceWhitelist"] == []


def test_tracing_is_configured_where_asked_and_may_reach_only_its_collector(rendered: dict[str, Docs]) -> None:
    staging, production = rendered["staging"], rendered["production"]
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in one(staging, "ConfigMap", "seiko-store")["data"]
    assert not [p for p in kinds(staging, "NetworkPolicy") if p["metadata"]["name"].endswith("-egress-traces")]
    config = one(production, "ConfigMap", "seiko-store")["data"]
    assert config["OTEL_EXPORTER_OTLP_ENDPOINT"].endswith(":4318")
    assert config["SEIKO_TRACE_SAMPLE_RATIO"] == "0.2"
    assert config["SEIKO_JAEGER_URL"].startswith("https://")
    for component in ("api", "worker"):
        container = one(production, "Deployment", f"-{component}")["spec"]["template"]["spec"]["containers"][0]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["OTEL_SERVICE_NAME"] == f"seiko-store-{component}"
    policy = one(production, "NetworkPolicy", "-egress-traces")
    assert policy["spec"]["podSelector"]["matchExpressions"][0]["values"] == ["api", "worker"]
    (rule,) = policy["spec"]["egress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 4318}]
    assert rule["to"][0]["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "observability"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_kafka_and_the_event_consumers(rendered: dict[str, Docs], env: str) -> None:
    docs = rendered[env]
    kafka = one(docs, "StatefulSet", "-kafka")
    spec = kafka["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert re.fullmatch(r"[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}", container["image"])
    variables = {v["name"]: v["value"] for v in container["env"]}
    assert variables["KAFKA_PROCESS_ROLES"] == "broker,controller", "one node in KRaft mode"
    assert kafka["spec"]["replicas"] == 1 and kafka["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    for c in spec["initContainers"] + spec["containers"]:
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False, c["name"]
        assert sc["capabilities"] == {"drop": ["ALL"]} and sc["runAsNonRoot"] is True, c["name"]
    assert spec["automountServiceAccountToken"] is False
    service = one(docs, "Service", "-kafka")
    assert service["spec"]["clusterIP"] == "None" and kafka["spec"]["serviceName"] == service["metadata"]["name"]
    (config,) = kinds(docs, "ConfigMap")
    host = f"{kafka['metadata']['name']}-0.{service['metadata']['name']}.{ENVIRONMENTS[env]}.svc:9092"
    assert config["data"]["KAFKA_BOOTSTRAP_SERVERS"] == host
    assert variables["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{host}"
    consumers = one(docs, "Deployment", "-event-consumers")["spec"]["template"]["spec"]["containers"][0]
    assert consumers["command"] == ["seiko", "events", "consume"]
    assert {v["name"] for v in consumers["env"] if "valueFrom" in v} == {"DATABASE_URL", "SEIKO_JWT_SECRET"}
