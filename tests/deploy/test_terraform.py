"""deploy/terraform: formatted (`terraform fmt`), scanned by checkov, and read as HCL for what
`terraform validate` would catch without providers (undeclared references, module arguments) and
for what a reviewer wants: no secret in any output or in the state, documented variables, least
privilege, and the same secrets and names as the Kubernetes chart. Providers cannot be downloaded
here, so there is no `init`/`validate`/`plan`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.tools import ROOT, assert_checkov_clean, checkov, run, skip_list, system_tool, tool

TF = ROOT / "deploy" / "terraform"
CHECKOV_CONFIG = TF / ".checkov.yaml"
MODULES = {"aws": TF / "modules" / "aws", "azure": TF / "modules" / "azure"}
ENVS = {"aws": TF / "envs" / "aws", "azure": TF / "envs" / "azure"}
CHART_VALUES = ROOT / "deploy" / "k8s" / "seiko-store" / "values.yaml"
SECRET_WORDS = re.compile(r"password|secret|token|api_key|private_key", re.IGNORECASE)

Parsed = dict[str, dict[str, Any]]  # relative file path -> hcl2 document


@pytest.fixture(scope="module")
def hcl() -> Parsed:
    out = run([tool("python"), str(Path(__file__).parent / "hcl_dump.py"), str(TF)]).stdout
    parsed: Parsed = json.loads(out)
    assert len(parsed) >= 20
    return parsed


def in_dir(hcl: Parsed, folder: Path) -> Parsed:
    prefix = str(folder.relative_to(TF)) + "/"
    return {path: doc for path, doc in hcl.items() if path.startswith(prefix) and "/" not in path[len(prefix):]}


def blocks(docs: Parsed, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, body) of every `kind "name" {}` block (variable, output, module)."""
    for doc in docs.values():
        for entry in doc.get(kind, []):
            yield from entry.items()


def resources(docs: Parsed, kind: str = "resource") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(type, name, body) of every resource (or data / ephemeral) block."""
    for doc in docs.values():
        for entry in doc.get(kind, []):
            for rtype, named in entry.items():
                for name, body in named.items():
                    yield rtype, name, body


def first(body: dict[str, Any], key: str) -> Any:
    value = body.get(key)
    return value[0] if isinstance(value, list) and value else value


def text_of(folder: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(folder.glob("*.tf")))


# --- tools -----------------------------------------------------------------------------------

def test_terraform_fmt_is_clean() -> None:
    result = run([system_tool("terraform"), "fmt", "-check", "-recursive", "-diff", str(TF)], check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_finds_nothing_outside_the_skip_list() -> None:
    report = checkov(TF, framework="terraform", config=CHECKOV_CONFIG, cwd=TF)
    assert_checkov_clean(report, min_passed=250)


def test_every_checkov_skip_has_a_reason() -> None:
    skips = skip_list(CHECKOV_CONFIG)
    assert len(skips) >= 5, "the skip list was not read"
    for check, reason in skips.items():
        assert re.fullmatch(r"CKV2?_(AWS|AZURE)_\d+", check), check
        assert len(reason) > 30, f"{check} needs a reason in {CHECKOV_CONFIG.name}"


def test_no_check_is_skipped_inline() -> None:
    """Every exception is in the one reviewed list, not scattered through the code."""
    for path in [*TF.rglob("*.tf"), *(ROOT / "deploy" / "k8s").rglob("*.yaml")]:
        assert "checkov:skip" not in path.read_text(), path


def test_the_s3_skips_cover_only_the_access_log_bucket(hcl: Parsed) -> None:
    buckets = [name for rtype, name, _ in resources(hcl) if rtype == "aws_s3_bucket"]
    assert buckets == ["alb_logs"], "CKV_AWS_18/144/145 and CKV2_AWS_62 are skipped for the ALB log bucket only"


# --- what `terraform validate` would catch -----------------------------------------------------

REFERENCE = re.compile(r"(?<![\w.])(var|local|data|ephemeral|module)\.([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?")
RESOURCE_REFERENCE = re.compile(r"(?<![\w.\"'/-])((?:aws|azurerm|random)_[a-z0-9_]+)\.([a-z0-9_]+)\b")


@pytest.mark.parametrize("folder", [*MODULES.values(), *ENVS.values()], ids=lambda p: str(p.relative_to(TF)))
def test_every_reference_is_declared(hcl: Parsed, folder: Path) -> None:
    docs = in_dir(hcl, folder)
    declared = {
        "var": {name for name, _ in blocks(docs, "variable")},
        "local": {key for doc in docs.values() for entry in doc.get("locals", []) for key in entry
                  if not key.startswith("__")},
        "module": {name for name, _ in blocks(docs, "module")},
        "data": {f"{t}.{n}" for t, n, _ in resources(docs, "data")},
        "ephemeral": {f"{t}.{n}" for t, n, _ in resources(docs, "ephemeral")},
    }
    resource_names = {f"{t}.{n}" for t, n, _ in resources(docs)}
    source = re.sub(r'description\s*=\s*".*"', "", text_of(folder))  # prose may mention anything
    source = re.sub(r"#.*", "", source)
    missing = set()
    for kind, name, attr in REFERENCE.findall(source):
        key = f"{name}.{attr}" if kind in ("data", "ephemeral") else name
        if key not in declared[kind]:
            missing.add(f"{kind}.{key}")
    for rtype, name in RESOURCE_REFERENCE.findall(source):
        if f"{rtype}.{name}" not in resource_names and not source.count(f'"{rtype}" "{name}"'):
            missing.add(f"{rtype}.{name}")
    assert not missing, f"undeclared in {folder.relative_to(TF)}: {sorted(missing)}"


@pytest.mark.parametrize("cloud", ENVS)
def test_each_environment_calls_its_module_correctly(hcl: Parsed, cloud: str) -> None:
    calls = dict(blocks(in_dir(hcl, ENVS[cloud]), "module"))
    assert list(calls) == ["store"]
    call = calls["store"]
    assert (ENVS[cloud] / first(call, "source")).resolve() == MODULES[cloud]
    module_vars = dict(blocks(in_dir(hcl, MODULES[cloud]), "variable"))
    arguments = {k for k in call if not k.startswith("__") and k != "source"}
    assert arguments <= set(module_vars), f"unknown arguments: {arguments - set(module_vars)}"
    required = {name for name, body in module_vars.items() if "default" not in body}
    assert required <= arguments, f"missing required arguments: {required - arguments}"


def test_terraform_and_providers_are_pinned(hcl: Parsed) -> None:
    for folder in [*MODULES.values(), *ENVS.values()]:
        settings = [t for doc in in_dir(hcl, folder).values() for t in doc.get("terraform", [])]
        assert len(settings) == 1, folder
        assert first(settings[0], "required_version") == ">= 1.11.0", "write-only arguments need 1.11"
        providers = first(settings[0], "required_providers")
        assert providers, folder
        for name, specs in providers.items():
            spec = specs[0] if isinstance(specs, list) else specs
            assert re.search(r"\d", spec["version"]), f"{folder}: {name} is not pinned"


# --- secrets ----------------------------------------------------------------------------------

def test_variables_are_typed_and_described(hcl: Parsed) -> None:
    for name, body in blocks(hcl, "variable"):
        assert len(first(body, "description") or "") > 10, f"variable {name} needs a description"
        assert "type" in body, f"variable {name} needs a type"


def test_secret_variables_are_ephemeral(hcl: Parsed) -> None:
    """A secret given to Terraform is never written to the state or the plan."""
    seen = 0
    for name, body in blocks(hcl, "variable"):
        if SECRET_WORDS.search(name) and not name.endswith(("_names", "_versions")):
            assert first(body, "sensitive") is True and first(body, "ephemeral") is True, name
            seen += 1
    assert seen >= 4


def test_no_output_exposes_a_secret(hcl: Parsed) -> None:
    for name, body in blocks(hcl, "output"):
        assert len(first(body, "description") or "") > 10, f"output {name} needs a description"
        assert "sensitive" not in body, f"output {name}: nothing secret is output, so nothing is sensitive"
        value = json.dumps(body["value"])
        assert not re.search(r"ephemeral\.|random_password|provided_secrets|_wo\b|password|secret_string|"
                             r"\.value\b|connection_string|primary_access_key|access_key", value), (name, value)
        assert not re.search(r"password|token", name), name


def test_no_secret_reaches_the_state(hcl: Parsed) -> None:
    """Generated secrets come from ephemeral random_password and go only into write-only arguments."""
    for rtype, name, _ in resources(hcl):
        assert rtype not in ("random_password", "random_string"), f"{rtype}.{name} would sit in the state"
    assert {n for t, n, _ in resources(hcl, "ephemeral") if t == "random_password"} >= {"database", "jwt",
                                                                                         "alert_token"}
    plain = {"aws_db_instance": "password", "aws_secretsmanager_secret_version": "secret_string",
             "azurerm_postgresql_flexible_server": "administrator_password", "azurerm_key_vault_secret": "value"}
    for rtype, name, body in resources(hcl):
        if rtype in plain:
            assert plain[rtype] not in body, f"{rtype}.{name} must use {plain[rtype]}_wo"
            assert f"{plain[rtype]}_wo" in body and f"{plain[rtype]}_wo_version" in body, f"{rtype}.{name}"
    for folder in [*MODULES.values(), *ENVS.values()]:
        for line in text_of(folder).splitlines():
            if "ephemeral.random_password" in line or "var.provided_secrets" in line:
                assert re.match(r"\s*(\w+_wo|value_wo|DATABASE_URL|SEIKO_JWT_SECRET|ALERTMANAGER_WEBHOOK_TOKEN|"
                                r"provided_secrets)\s*=|\s*: try\(|\s*ephemeral\.random_password\.database\.result,",
                                line), f"{folder.name}: an ephemeral value outside a write-only argument: {line}"


def test_no_secret_is_written_down() -> None:
    patterns = [r"AKIA[0-9A-Z]{16}", r"-----BEGIN [A-Z ]*PRIVATE KEY", r"sk_live_[0-9a-zA-Z]", r"sk-ant-[0-9a-zA-Z]",
                r"xox[bp]-[0-9a-zA-Z]", r"ghp_[0-9a-zA-Z]{20}", r"(?i)password\s*[:=]\s*\"[^\"$]{6,}\""]
    files = [p for folder in ("deploy/terraform", "deploy/k8s", ".github") for p in (ROOT / folder).rglob("*")
             if p.is_file()]
    assert len(files) > 20
    for path in files:
        text = path.read_text(errors="replace")
        for pattern in patterns:
            assert not re.search(pattern, text), f"{path}: {pattern}"


def expected_secret_lists() -> dict[str, list[str]]:
    values = yaml.safe_load(CHART_VALUES.read_text())
    return {c: [e["name"] for e in values[k]["secretEnv"]]
            for c, k in (("api", "api"), ("worker", "worker"), ("migrate", "migrations"))}


@pytest.mark.parametrize("cloud", MODULES)
def test_components_get_the_same_secrets_as_on_kubernetes(hcl: Parsed, cloud: str) -> None:
    docs = in_dir(hcl, MODULES[cloud])
    locals_ = {k: v for doc in docs.values() for entry in doc.get("locals", []) for k, v in entry.items()}
    wants = locals_["component_wants"]
    wants = wants[0] if isinstance(wants, list) else wants
    assert {c: sorted(v) for c, v in wants.items()} == {c: sorted(v) for c, v in expected_secret_lists().items()}
    # The secret store names are the ones the chart's ExternalSecret reads.
    assert 'seiko-${replace(lower(trimprefix(v, "SEIKO_")), "_", "-")}' in text_of(MODULES[cloud])


# --- least privilege and the shape of each cloud -----------------------------------------------

def test_azure_identities_read_only_their_own_secrets(hcl: Parsed) -> None:
    docs = in_dir(hcl, MODULES["azure"])
    roles = {name: body for t, name, body in resources(docs) if t == "azurerm_role_assignment"}
    assert first(roles["pull"], "role_definition_name") == "AcrPull"
    assert first(roles["read_secret"], "role_definition_name") == "Key Vault Secrets User"
    assert "resource_versionless_id" in first(roles["read_secret"], "scope"), "scoped to one secret, not the vault"
    assert first(roles["deployer_writes_secrets"], "principal_id") == "${data.azurerm_client_config.current.object_id}"
    assert set(roles) == {"pull", "read_secret", "deployer_writes_secrets"}


def test_azure_database_allows_the_extensions_the_migrations_create(hcl: Parsed) -> None:
    created = set()
    for migration in (ROOT / "db" / "migrations").glob("*.sql"):
        created |= {m.upper() for m in re.findall(r"(?i)create extension if not exists (\w+)", migration.read_text())}
    assert "VECTOR" in created
    configs = {name: body for t, name, body in resources(hcl)
               if t == "azurerm_postgresql_flexible_server_configuration"}
    assert first(configs["extensions"], "name") == "azure.extensions"
    assert set(first(configs["extensions"], "value").split(",")) == created
    server = next(b for t, _, b in resources(hcl) if t == "azurerm_postgresql_flexible_server")
    assert first(server, "public_network_access_enabled") is False
    assert first(first(server, "high_availability"), "mode") == "ZoneRedundant"


def test_azure_apps_are_private_and_probed_behind_a_waf() -> None:
    apps = (MODULES["azure"] / "apps.tf").read_text()
    assert "internal_load_balancer_enabled     = true" in apps
    assert "allow_insecure_connections = false" in apps
    assert apps.count('storage_type = "EmptyDir"') == 3 and apps.count('path = "/tmp"') == 3
    for probe, path in (("startup_probe", "/health"), ("liveness_probe", "/health"), ("readiness_probe", "/ready")):
        assert re.search(probe + r' \{[^}]*path\s+= "' + path + '"', apps), probe
    assert "@${var.image_digest}" in (MODULES["azure"] / "main.tf").read_text()
    frontdoor = (MODULES["azure"] / "frontdoor.tf").read_text()
    assert 'mode                = "Prevention"' in frontdoor and "Microsoft_DefaultRuleSet" in frontdoor
    assert "cdn_frontdoor_firewall_policy_id = azurerm_cdn_frontdoor_firewall_policy.this.id" in frontdoor
    assert 'target_type            = "managedEnvironments"' in frontdoor


def test_aws_execution_roles_read_only_their_own_secrets(hcl: Parsed) -> None:
    iam = (MODULES["aws"] / "iam.tf").read_text()
    statement = r'statement \{\s*sid\s*=\s*"(\w+)"\s*actions\s*=\s*(\[[^\]]*\])\s*resources\s*=\s*(.+)'
    by_sid = {sid: (actions, res.strip()) for sid, actions, res in re.findall(statement, iam)}
    own_secrets = "[for v in local.component_secrets[each.key] : aws_secretsmanager_secret.this[v].arn]"
    assert by_sid["ReadOwnSecrets"] == ('["secretsmanager:GetSecretValue"]', own_secrets)
    for sid, (_, res) in by_sid.items():
        assert res != '["*"]' or sid == "RegistryLogin", f"{sid} must name its resources"
    docs = in_dir(hcl, MODULES["aws"])
    attached = [first(b, "role") for t, _, b in resources(docs)
                if t in ("aws_iam_role_policy", "aws_iam_role_policy_attachment")]
    assert not any("aws_iam_role.task" in role for role in attached), "the app calls no AWS API: no task permissions"


def test_aws_tasks_are_locked_down_and_the_database_is_multi_az(hcl: Parsed) -> None:
    ecs = (MODULES["aws"] / "ecs.tf").read_text()
    for needle in ('user                   = "10001:10001"', "readonlyRootFilesystem = true", 'drop = ["ALL"]',
                   'containerPath = "/tmp"', "assign_public_ip = false", "@${var.image_digest}"):
        assert needle in ecs + (MODULES["aws"] / "main.tf").read_text(), needle
    db = next(b for t, _, b in resources(hcl) if t == "aws_db_instance")
    for key, value in (("multi_az", True), ("storage_encrypted", True), ("publicly_accessible", False),
                       ("deletion_protection", True), ("engine", "postgres")):
        assert first(db, key) == value, key
    alarms = (MODULES["aws"] / "alarms.tf").read_text()
    for alarm in ("api-5xx", "api-latency", "api-unhealthy", "api-no-healthy", "database-cpu", "database-storage"):
        assert f"{alarm} = {{" in alarms, alarm
