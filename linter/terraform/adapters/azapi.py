"""azapi resources onto canonical kinds through the ARM adapter (iac-mapping §1.1: "Parse the
``body`` with the ARM rules").

``azapi_resource`` declares an ARM resource by ``type = "<ARM type>@<api version>"``,
``parent_id``, ``name``, ``location``, an ``identity`` block and a ``body`` (an HCL object or
``jsonencode({...})``). We hand the same shape to ``linter.arm.adapt`` (one mapping of ARM
properties for ARM, Bicep and azapi) and then put back what only Terraform knows: the computed
ids and principal ids are Terraform symbols (``azapi_resource.x.id``,
``azapi_resource.x.identity[0].principal_id``,
``azapi_resource.x.output.properties.aksAssignedIdentity.principalId``), so references from
azurerm resources and role assignments link exactly as they do for azurerm resources.

``azapi_update_resource`` patches a resource declared elsewhere; only the child and extension
resource types whose existence the update itself declares (extensions, trusted-access bindings,
backup policies and instances, role assignments) are adapted, never clusters, vaults or storage
accounts (a second, partial cluster would produce false findings).
"""

from __future__ import annotations

from linter import kinds
from linter.graph import Resource
from linter.model import ABSENT, Known, Symbol, Unknown, Value, get_path
from linter.terraform import hcl
from linter.terraform.adapters import adapts, computed, put
from linter.terraform.evaluate import Evaluator
from linter.terraform.module import ResourceInstance, attribute_value

UPDATE_TYPES = {
    "microsoft.kubernetesconfiguration/extensions",
    "microsoft.containerservice/managedclusters/trustedaccessrolebindings",
    "microsoft.dataprotection/backupvaults/backuppolicies",
    "microsoft.dataprotection/backupvaults/backupinstances",
    "microsoft.authorization/roleassignments",
}
EXTENSION_PRINCIPAL = ".output.properties.aksAssignedIdentity.principalId"


def body_value(inst: ResourceInstance) -> Value:
    """The ``body`` as a Known object with spans, looking through ``jsonencode(...)``; the plan's over it."""
    static = _static_body(inst)
    return static if inst.planned is None else inst.planned.json_attribute("body", static)


def _static_body(inst: ResourceInstance) -> Value:
    attr = inst.block.body.attributes.get("body")
    if attr is None:
        return Known({}, inst.block.span)
    expr = attr.expr
    if isinstance(expr, hcl.Call) and expr.name == "jsonencode" and len(expr.args) == 1:
        value = Evaluator(inst.scope).eval(expr.args[0])
        if isinstance(value, Known):
            return Known(value.value, value.span or attr.span, value.via)
        return value if isinstance(value, Unknown) else Known({}, attr.span)
    value = attribute_value(Evaluator(inst.scope), attr)
    if isinstance(value, Known) and isinstance(value.value, str):
        return Unknown("azapi body is a JSON string the linter does not parse", attr.span)
    return value


def arm_type(inst: ResourceInstance) -> str | None:
    value = inst.attr("type")
    if isinstance(value, Known) and isinstance(value.value, str):
        return value.value.split("@", 1)[0].strip()
    return None


def _parent_name(inst: ResourceInstance, attr_name: str) -> Value:
    """``parent_id = azurerm_resource_group.x.id`` -> the value of ``azurerm_resource_group.x.name``."""
    attr = inst.block.body.attributes.get(attr_name)
    if attr is None:
        return ABSENT
    expr = attr.expr
    if isinstance(expr, hcl.GetAttr) and expr.name == "id":
        name = Evaluator(inst.scope).eval(hcl.GetAttr(expr.span, expr.target, "name"))
        if isinstance(name, Known) and isinstance(name.value, str):
            return Known(name.value, attr.span)
    value = inst.attr(attr_name)
    if isinstance(value, Known) and isinstance(value.value, str):
        parts = value.value.strip("/").split("/")
        if len(parts) >= 4 and parts[2].lower() == "resourcegroups":
            return Known(parts[3], value.span)
    return Unknown(f"resource group of {inst.address} is not known", attr.span)


def _raw(value: Value) -> object:
    if isinstance(value, Known) and isinstance(value.value, str | Symbol):
        return value.value
    return None


def adapt_azapi(inst: ResourceInstance, update: bool = False) -> list[Resource]:
    # the ARM adapter reads the body; imported here so Terraform scans without azapi never load it
    from linter.arm import adapt as arm_adapt
    from linter.arm import evaluate, template, values

    rtype = arm_type(inst)
    if rtype is None:  # any resource type: "missing" rules must not fire next to it
        return [_unknown_type(inst)]
    if update and rtype.lower() not in UPDATE_TYPES:
        return []
    body = body_value(inst)
    if not isinstance(body, Known) or not isinstance(body.value, dict):
        # an unknown body: the resource exists, every property of it is unknown
        reason = (
            body if isinstance(body, Unknown) else Unknown("azapi body is not an object", inst.block.span)
        )
        fields = ("properties", "kind", "sku", "identity", "location")
        body = Known({k: reason for k in fields}, reason.span or inst.block.span)
    data = dict(body.value)
    location = inst.attr("location")
    if location is not ABSENT and (isinstance(data.get("location"), Unknown) or "location" not in data):
        data["location"] = location
    identities = inst.blocks("identity")
    if identities and (isinstance(data.get("identity"), Unknown) or "identity" not in data):
        data["identity"] = Known(
            {"type": identities[0].attr("type"), "identity_ids": identities[0].attr("identity_ids")},
            identities[0].span,
        )
    parent_attr = "resource_id" if update else "parent_id"
    parent = inst.attr(parent_attr)
    name = inst.attr("name")
    plain_name: object = (
        name.value
        if isinstance(name, Known) and isinstance(name.value, str)
        else values.Unk(f"name of {inst.address} is not known")
    )
    own_id = inst.symbol(".id")
    parent_raw = _raw(parent)
    if update:
        own_id_value = parent
        parent_raw = None
    instance = template.Instance(
        rtype=rtype,
        name=plain_name,
        name_value=name if name is not ABSENT else Unknown("azapi resource without a name", inst.block.span),
        rid=own_id if not update else (_raw(own_id_value) or own_id),
        address=inst.address,
        span=inst.block.span,
        body=Known(data, body.span or inst.block.span),
        condition=inst.condition,
        existing=False,
        deployment=evaluate.default_deployment({}),
        language="terraform",
        scope_id=parent_raw if parent_raw is not None else (values.Unk(f"{parent_attr} is not known")),
        parent_id=parent_raw if parent_raw is not None else values.Unk(f"{parent_attr} is not known"),
        module_call=inst.module.call_address,
    )
    resources = arm_adapt.adapt(instance, inst.module.root_key)
    for res in resources:
        res.source_type = f"azapi_resource:{rtype}" if not update else f"azapi_update_resource:{rtype}"
        if res.span == inst.block.span or res.address == inst.address:
            res.ids = inst.ids() if not update else ({own_id} | ({_raw(parent)} if _raw(parent) else set()))
        if "resource_group" in res.attrs:
            res.attrs["resource_group"] = _parent_name(inst, parent_attr)
        if res.address != inst.address:
            continue
        kind = res.kind
        if kind in ("cluster", "backup_vault") and "principal_id" in res.attrs:
            principal = identities[0].attr("principal_id") if identities else ABSENT
            symbol = inst.symbol(".identity[0].principal_id")
            res.attrs["principal_id"] = computed(
                principal, symbol, res.attrs["principal_id"].span or inst.block.span
            )
        if kind == "cluster" and identities:
            put(res, "user_assigned_identity_ids", identities[0].attr("identity_ids"))
        if kind == "extension":
            principal = get_path(inst.attr("output"), "properties", "aksAssignedIdentity", "principalId")
            symbol = Symbol(f"{inst.module.root_key}#{inst.address}{EXTENSION_PRINCIPAL}")
            res.attrs["principal_id"] = computed(principal, symbol, inst.block.span)
        if kind == "backup_instance":
            params = _has_kubernetes_parameters(res)
            if params is not None:
                res.attrs["kubernetes_parameters"] = params
    return resources


def _unknown_type(inst: ResourceInstance, reason: str = "") -> Resource:
    return Resource(
        kind=kinds.UNRESOLVED_MODULE,
        address=inst.address,
        language="terraform",
        span=inst.block.span,
        source_type=inst.type,
        attrs={"reason": Known(reason or "an azapi resource of unknown type", inst.block.span)},
        condition=inst.condition,
        stack=inst.module.root_key,
        module_call=inst.module.call_address,
    )


def _has_kubernetes_parameters(res: Resource) -> Value | None:
    value = res.attrs.get("backup_datasource_parameters")
    if isinstance(value, Known):
        return Known(True, value.span)
    namespaces = res.attrs.get("included_namespaces")
    if isinstance(namespaces, Unknown):
        return None
    return Known(False, res.span)


@adapts("azapi_resource")
def azapi_resource(inst: ResourceInstance) -> list[Resource]:
    return adapt_azapi(inst)


@adapts("azapi_update_resource")
def azapi_update_resource(inst: ResourceInstance) -> list[Resource]:
    return adapt_azapi(inst, update=True)


# Resources that may create backup companions out of the linter's sight: an ARM template
# deployment, an azapi action, or a provisioner running the Azure CLI (`az k8s-extension create`,
# `az aks trustedaccess rolebinding create`, `az role assignment create`). They count as possible
# companions, so "missing" rules stay silent next to them; they are never findings themselves.
CLI_MARKERS = (
    "k8s-extension",
    "trustedaccess",
    "role assignment",
    "dataprotection",
    "az rest",
    "az deployment",
)


@adapts(
    "azapi_resource_action",
    "azurerm_resource_group_template_deployment",
    "azurerm_subscription_template_deployment",
    "azurerm_template_deployment",
)
def opaque_deployment(inst: ResourceInstance) -> list[Resource]:
    return [_unknown_type(inst, "an opaque deployment that may create backup resources")]


@adapts("null_resource", "terraform_data")
def cli_provisioner(inst: ResourceInstance) -> list[Resource]:
    for provisioner in inst.blocks("provisioner"):
        if provisioner.block.labels[:1] != ("local-exec",):
            continue
        command = provisioner.attr("command")
        text = command.value if isinstance(command, Known) and isinstance(command.value, str) else None
        if text is None or any(marker in text.lower() for marker in CLI_MARKERS):
            return [_unknown_type(inst, "runs a command that may create backup resources")]
    return []
